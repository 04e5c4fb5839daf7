"""The report's ``index.html``: what failed, what differs between targets, and what each scenario shows.

One static page, readable without a server:

- a summary matrix, scenario by target, grouped by catalogue folder (failures
  first), each cell linking to the scenario's section, with filters by result
  and folder (a few lines of script; ``index.html?show=failed&folder=outages``
  opens filtered);
- the known differences (from :mod:`harness.runs.known`), which divergences
  link to;
- one section per scenario: its description once, each target's failures,
  the first divergence of each pair of targets (known, with a link, or new),
  one picture with the targets stacked, and the scenario as YAML.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Sequence

from ..results.result import Result
from ..runs.diff import Divergence, compared_pairs, first_divergence
from ..runs.known import COLUMNS, KNOWN
from ..runs.matrix import MatrixReport, behaviour_digest
from ..vocabulary.model import Scenario
from ..vocabulary.render import scenario_yaml


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "scenario"


def folder_of(scenario: Scenario) -> str:
    return Path(scenario.file).parent.name if scenario.file else "built in Python"


def by_scenario(results: Sequence[Result]) -> list[tuple[Scenario, list[Result]]]:
    """Results grouped by scenario, in the order the scenarios first came."""
    groups: dict[int, tuple[Scenario, list[Result]]] = {}
    for result in results:
        groups.setdefault(id(result.scenario), (result.scenario, []))[1].append(result)
    return list(groups.values())


def section_ids(groups: list[tuple[Scenario, list[Result]]]) -> dict[int, str]:
    """A unique anchor per scenario (two scenarios may share a name)."""
    ids: dict[int, str] = {}
    used: set[str] = set()
    for scenario, _ in groups:
        base = candidate = slug(scenario.name)
        n = 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids[id(scenario)] = candidate
    return ids


def divergences(runs: list[Result]) -> list[Divergence]:
    """The first divergence of each pair of a scenario's runs (a run whose driver failed is in no pair)."""
    found = []
    for left, right in compared_pairs(runs):
        divergence = first_divergence(left.scenario, left, right)
        if divergence is not None:
            found.append(divergence)
    return found


COMPARED_FRAMES = "status, operations, change events, store status, evaluations and the final store"


def code_spans(text: str) -> str:
    """Escape ``text`` for HTML, turning Markdown's `code` spans into <code> elements."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def known_rows_of(scenario: Scenario) -> list:
    """The known differences this scenario backs (docs/differences.md names it as their evidence)."""
    file = (scenario.file or "").replace("\\", "/")
    return [known for known in KNOWN if file and any(file.endswith(backing) for backing in known.scenarios)]


def texts_differ(runs: Sequence[Result]) -> bool:
    """Whether the runs differ in what a diff does not compare: the log lines, and the error texts of
    operations and statuses (so the page claims a difference there only where one was recorded)."""
    def texts(run: Result) -> tuple:
        recording = run.recording
        return (tuple((r["step"], r["level"], r["message"]) for r in recording.dicts("logs")),
                tuple((r["step"], r["error"]) for r in recording.dicts("ops") if r["error"] is not None),
                tuple((r["step"], r["error_message"]) for r in recording.dicts("status") if r["error_message"]))
    return len({texts(run) for run in runs}) > 1


def unseen_rows(scenario: Scenario, runs: Sequence[Result]) -> list:
    """The known differences of this scenario that a diff cannot see, where its runs do differ in texts."""
    return [k for k in known_rows_of(scenario) if k.sides is None] if texts_differ(runs) else []


def parting(members: list[Divergence], targets: list[str]) -> str:
    """Who parts, in words: the pair; or the one target in every pair, parting from the others; or all."""
    esc = html.escape
    if len(members) == 1:
        return f"{esc(members[0].left)} and {esc(members[0].right)} first differ"
    (odd, *more) = set.intersection(*({d.left, d.right} for d in members)) or {None}
    if odd is not None and not more:
        return f"{esc(odd)} parts from {esc(', '.join(t for t in targets if t != odd))} ({len(members)} pairs)"
    return f"{esc(', '.join(targets))} part ({len(members)} pairs)"


def grouped(found: list[Divergence]) -> list[tuple[str | None, str, int, list[str], list[Divergence]]]:
    """Divergences of one scenario grouped by the known difference that explains them (new ones stay one
    a pair): (known name or None, frame, first step, targets involved, divergences)."""
    groups: dict[tuple, list[Divergence]] = {}
    for d in found:
        key = (d.known, d.frame) if d.known else (None, d.frame, d.left, d.right)
        groups.setdefault(key, []).append(d)
    out = []
    for key, members in groups.items():
        targets = list(dict.fromkeys(t for d in members for t in (d.left, d.right)))
        out.append((key[0], key[1], min(d.step for d in members), targets, members))
    return out


STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1180px; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { font-size: 1.1em; margin-bottom: 0.2em; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #ddd; padding: 0.2em 0.5em; }
th.folder { text-align: left; background: #f3f3f3; }
td.ok { background: #e5f5e0; } td.failed { background: #fcbba1; font-weight: bold; }
td a { color: inherit; text-decoration: none; display: block; }
section { border-top: 1px solid #ddd; padding: 0.5em 0 1.5em; }
.file { color: #888; font-size: 0.8em; margin: 0; }
.new { color: #cb181d; font-weight: bold; } .known { color: #555; }
.filters { background: #f7f7f7; padding: 0.5em; margin: 1em 0; }
code { background: #f3f3f3; padding: 0 0.2em; }
img { max-width: 100%; }
pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; font-size: 0.8em; }
"""

SCRIPT = """
function applyFilters() {
  var show = document.getElementById('show').value, folder = document.getElementById('folder').value;
  var shown = 0;
  document.querySelectorAll('[data-scenario]').forEach(function (el) {
    var hide = (show === 'failed' && el.dataset.result !== 'failed') ||
               (folder !== 'all' && el.dataset.folder !== folder);
    el.hidden = hide;
    if (!hide && el.tagName === 'SECTION') shown += 1;
  });
  var none = document.getElementById('nothing-shown');
  none.hidden = shown > 0;
  none.textContent = show === 'failed' ? 'No scenario failed' + (folder !== 'all' ? ' in ' + folder : '') + '.'
                                       : 'No scenario in ' + folder + '.';
}
(function () {
  var params = new URLSearchParams(window.location.search);
  if (params.get('show')) document.getElementById('show').value = params.get('show');
  if (params.get('folder')) document.getElementById('folder').value = params.get('folder');
  document.getElementById('show').addEventListener('change', applyFilters);
  document.getElementById('folder').addEventListener('change', applyFilters);
  applyFilters();
})();
"""


def release_section(releases: "MatrixReport | None", ids: dict[int, str], groups) -> str:
    """The releases' matrix picture and each change, linked to its scenario's section."""
    if releases is None:
        return ""
    esc = html.escape
    anchors = {scenario.name: ids[id(scenario)] for scenario, _ in groups}
    changes = []
    for change in releases.changes:
        where = (f": first differs in <b>{esc(change.divergence.frame)}</b> at step {change.divergence.step}"
                 if change.divergence is not None else "")
        changes.append(f'<li><a href="#{anchors.get(change.scenario, "")}">{esc(change.scenario)}</a>: '
                       f'{esc(change.target)} behaves differently from <b>{esc(change.after)}</b> on '
                       f'({esc(change.before)} before){where}</li>')
    listed = (f'<ul id="release-changes">{"".join(changes)}</ul>' if changes else
              '<p id="release-changes">Every scenario behaves alike on every release run.</p>')
    return (f'<h2 id="releases">Releases</h2>\n<p>Each scenario on each release, coloured by behaviour '
            f'(runs alike on the compared frames share a letter); a red line marks a change. '
            f'The data: <a href="matrix.csv">matrix.csv</a>.</p>\n'
            f'<img id="release-matrix" src="pictures/matrix.png" alt="scenarios against releases, coloured by '
            f'behaviour">\n{listed}\n')


def behaving_alike(runs: list[Result]) -> list[list[str]]:
    """The targets of a scenario's finished runs, in groups that behave alike on the compared frames.

    Runs with the same behaviour share a group; groups between which a diff finds no divergence are
    then joined (a target with no status frame, as node, differs in what it recorded, not in behaviour),
    so the groups never tell of a difference the page's diff does not show."""
    digests: dict[str, list[Result]] = {}
    for run in runs:
        if run.driver_failure is None:
            digests.setdefault(behaviour_digest(run), []).append(run)
    groups: list[list[Result]] = []
    for alike in digests.values():
        into = next((group for group in groups if first_divergence(alike[0].scenario, group[0], alike[0]) is None),
                    None)
        if into is None:
            groups.append(list(alike))
        else:
            into.extend(alike)
    return [[run.target for run in group] for group in groups]


def differs_cell(sid: str, runs: list[Result], found: list[Divergence], backed: list) -> str:
    """The matrix's "targets differ" cell: the groups of targets that behave alike (known or new),
    and ``backed``, the known differences a diff cannot see that the runs show, linked to the scenario's
    section."""
    esc = html.escape
    alike = behaving_alike(runs)
    unseen = ", ".join(known.name for known in backed)
    said = []
    if len(alike) > 1:
        mark = '<span class="new">new</span>' if any(d.known is None for d in found) else "known"
        said.append(f'{esc(" | ".join(", ".join(group) for group in alike))} ({mark})')
    if unseen:  # said beside the groups too: alike on the compared frames is not alike in everything
        said.append(f"in what is not compared ({esc(unseen)}, known)")
    return f'<a href="#{sid}">{"; ".join(said)}</a>' if said else ""


def render(results: Sequence[Result], pictures: dict[str, str], releases: "MatrixReport | None" = None) -> str:
    """The page. ``pictures`` maps a scenario's section id to its picture's path; ``releases`` is the
    matrix of the runs when they span releases of a target."""
    esc = html.escape
    groups = by_scenario(results)
    targets = list(dict.fromkeys(r.target for r in results))
    ids = section_ids(groups)
    diffs = {id(scenario): divergences(runs) for scenario, runs in groups}
    folders = sorted({folder_of(s) for s, _ in groups})
    failed_runs = sum(not r.ok for r in results)
    all_diffs = [d for found in diffs.values() for d in found]
    new = [d for d in all_diffs if d.known is None]

    def result_of(runs: list[Result]) -> str:
        return "failed" if any(not r.ok for r in runs) else "ok"

    # -- the matrix, by folder, failures first
    rows = []
    for folder in folders:
        members = sorted(((s, runs) for s, runs in groups if folder_of(s) == folder),
                         key=lambda g: (result_of(g[1]) == "ok", g[0].name))
        rows.append(f'<tr><th class="folder" colspan="{len(targets) + 2}" id="folder-{slug(folder)}">'
                    f'{esc(folder)}</th></tr>')
        for scenario, runs in members:
            sid = ids[id(scenario)]
            cells = []
            for target in targets:
                run = next((r for r in runs if r.target == target), None)
                if run is None:
                    cells.append("<td></td>")
                else:
                    verdict = "ok" if run.ok else "failed"
                    cells.append(f'<td class="{verdict}"><a href="#{sid}">{"ok" if run.ok else "FAILED"}</a></td>')
            differs = differs_cell(sid, runs, diffs[id(scenario)], unseen_rows(scenario, runs))
            rows.append(f'<tr data-scenario="{sid}" data-result="{result_of(runs)}" data-folder="{esc(folder)}">'
                        f'<td><a href="#{sid}">{esc(scenario.name)}</a></td>{"".join(cells)}<td>{differs}</td></tr>')
    matrix = ('<table id="matrix"><thead><tr><th>scenario</th>'
              + "".join(f"<th>{esc(t)}</th>" for t in targets) + "<th>targets differ</th></tr></thead><tbody>"
              + "".join(rows) + "</tbody></table>")

    toc = " · ".join(f'<a href="#folder-{slug(f)}">{esc(f)}</a> '
                     f'({sum(folder_of(s) == f for s, _ in groups)})' for f in folders)
    concerned = {d.known for d in all_diffs if d.known} | {k.name for s, _ in groups for k in known_rows_of(s)}
    rows_shown = [k for k in KNOWN if k.name in concerned]
    known = "".join(f'<tr id="known-{k.name}"><td>{code_spans(k.what)}</td>'
                    + "".join(f"<td>{code_spans(side)}</td>" for side in k.behaviour) + "</tr>"
                    for k in rows_shown)
    header = "".join(f"<th>{esc(column)}</th>" for column in COLUMNS)
    known_table = (f'<table id="known"><thead><tr><th>what differs</th>{header}</tr></thead><tbody>{known}'
                   '</tbody></table>' if rows_shown else
                   '<p id="known">None of the known differences concerns these scenarios.</p>')

    # -- a section per scenario
    sections = []
    for scenario, runs in groups:
        sid = ids[id(scenario)]
        failures = "".join(f"<li><b>{esc(r.target)}</b>: {esc(str(f))}</li>" for r in runs for f in r.failures)
        found = []
        for known, frame, step, targets, members in grouped(diffs[id(scenario)]):
            mark = (f'<a class="known" href="#known-{known}">known: {esc(known)}</a>' if known else
                    '<span class="new">NEW</span>')
            who = parting(members, targets)
            found.append(f"<li>{who} in <b>{esc(frame)}</b> at step {step} — {mark}</li>")
        unseen = unseen_rows(scenario, runs)
        # said in every section, so that agreement on the compared frames never reads as agreement on all
        not_compared = (f"They differ{' too' if found else ''} where a diff does not look, in logs or error texts, "
                        "which each SDK words its own: " + ", ".join(f'<a class="known" href="#known-{k.name}">known: {esc(k.name)}</a>'
                                                for k in unseen) + "." if unseen else
                        "Logs and error texts are not compared (each SDK words its own).")
        picture = (f'<img src="{esc(pictures[sid])}" alt="timelines of {esc(scenario.name)} on '
                   f'{esc(", ".join(r.target for r in runs))}" loading="lazy">' if sid in pictures else "")
        verdicts = ", ".join(f"{esc(r.target)} {'ok' if r.ok else '<b>FAILED</b>'}" for r in runs)
        missing = "".join(f'<p class="unavailable">{esc(r.target)}: '
                          f'{esc(", ".join(f.replace("_", " ") for f in sorted(r.recording.unavailable)))} '
                          f"not available on this target (its SDK has none), so not compared and not checked.</p>"
                          for r in runs if r.recording.unavailable)
        sections.append(
            f'<section id="{sid}" data-scenario="{sid}" data-result="{result_of(runs)}" '
            f'data-folder="{esc(folder_of(scenario))}">\n<h2>{esc(scenario.name)}</h2>\n'
            f'<p class="file">{esc(scenario.file or "built in Python")} — {verdicts}</p>\n'
            f'<p>{esc(scenario.description)}</p>\n' + missing
            + (f'<ul class="failures">{failures}</ul>\n' if failures else "")
            + (f'<p>Targets that behave alike on the frames a diff compares ({COMPARED_FRAMES}): '
               f'{esc(" | ".join(", ".join(g) for g in behaving_alike(runs)))}. Where they part:</p>'
               f'<ul class="divergences">{"".join(found)}</ul>\n<p class="not-compared">{not_compared}</p>\n'
               if found else
               f'<p class="agree">The targets agree on every frame a diff compares ({COMPARED_FRAMES}). '
               f'{not_compared}</p>\n')
            + picture
            + f'\n<details><summary>the scenario as YAML</summary><pre>{esc(scenario_yaml(scenario))}</pre>'
            f'</details>\n</section>')

    options = "".join(f'<option value="{esc(f)}">{esc(f)}</option>' for f in folders)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scenario report</title><style>{STYLE}</style></head>
<body>
<h1>Scenario report</h1>
<p id="summary">{len(results) - failed_runs} of {len(results)} runs met their expectations
({len(groups)} scenarios on {len(targets)} targets: {esc(", ".join(targets))}).
The targets differ in {len(all_diffs)} pair(s): {len(all_diffs) - len(new)} known, {len(new)} new.</p>
<p>Folders: {toc}</p>
<div class="filters">Show <select id="show"><option value="all">every scenario</option>
<option value="failed">failed only</option></select> from <select id="folder"><option value="all">every folder
</option>{options}</select></div>
<h2>Scenario by target</h2>
{matrix}
<p id="nothing-shown" hidden></p>
{release_section(releases, ids, groups)}<h2>Known differences</h2>
{known_table}
{"".join(sections)}
<script>{SCRIPT}</script>
</body></html>
"""
