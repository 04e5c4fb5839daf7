"""What changed between releases, on paper: ``docs/releases.md`` rendered from a release matrix.

``make docs`` runs the catalogue on every served release of every target
family, next to the plain targets, and renders:

- the releases covered, and those that could not run here (with why);
- for each scenario whose behaviour changed, the release where it changed and
  its first divergence from the release before;
- for each known difference (:mod:`harness.runs.known`), the releases where it
  holds: a release of one side shows it against the other side's plain target
  on one of its backing scenarios.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

from ..drivers import families, get_target
from ..drivers.releases import Release, Version, release_name, unserved_runs
from ..results.result import Result
from ..vocabulary.loader import catalogue_path
from ..vocabulary.values import target_family
from .diff import first_divergence
from .known import KNOWN, KnownDifference
from .matrix import MatrixReport, matrix

# The plain target a release is set against, for each side of a known difference.
REFERENCE = {"sdk": "go", "sdk-async": "go", "go": "sdk", "go-v6": "sdk", "node": "go"}


def spans(versions: Sequence[Version], served: Sequence[Version]) -> str:
    """``versions`` as runs of neighbouring served releases: ``9.1.0–9.17.0, 9.20.0``."""
    chosen = set(versions)
    runs: list[list[Version]] = []
    previous_in = False
    for version in served:
        if version in chosen:
            if previous_in:
                runs[-1].append(version)
            else:
                runs.append([version])
        previous_in = version in chosen
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs) or "none"


def holds_on(known: KnownDifference, result: Result, references: dict[str, Result]) -> bool:
    """Whether ``result`` (a release's run of one of ``known``'s scenarios) shows ``known``."""
    family = target_family(result.target)
    if any((checker, family) in known.violations for checker in result.violated_checkers):
        return True
    reference = references.get(REFERENCE.get(family, ""))
    if known.sides is None or reference is None or result.driver_failure is not None:
        return False
    divergence = first_divergence(result.scenario, result, reference)
    return divergence is not None and known.explains(divergence)


def known_by_release(report: MatrixReport, served: dict[str, list[Version]]) -> list[str]:
    """One line a known difference: the releases of each family where it holds."""
    by_scenario: dict[str, dict[str, Result]] = {}
    for result in report.results:
        by_scenario.setdefault(result.scenario.file or result.scenario.name, {})[result.target] = result
    lines = []
    for known in KNOWN:
        backing = [runs for file, runs in by_scenario.items()
                   if any(file.replace("\\", "/").endswith(scenario) for scenario in known.scenarios)]
        where = []
        for family, versions in served.items():
            holding = [v for v in versions if any(holds_on(known, runs[release_name(family, v)], runs)
                                                  for runs in backing if release_name(family, v) in runs)]
            if holding:
                where.append(f"{family} {spans(holding, versions)}")
        seen = "; ".join(where) if where else "no release run here shows it as its first difference from the other side"
        if known.sides is None and not known.violations:
            seen = "not a difference a diff can see (see its scenario's behaviour above)"
        lines.append(f"| `{known.name}` | {known.what} | {seen} |")
    return lines


def render(report: MatrixReport, releases: dict[str, Sequence[Release]]) -> str:
    """The page, as Markdown."""
    served = {name: [r.version for r in found if r.served] for name, found in releases.items()
              if any(r.served for r in found)}
    out = ["# What changed between releases", "",
           "Rendered by `make docs` from one run of the whole catalogue on every release each target family "
           "serves here, next to the plain targets (`harness.runs.release_notes`). Every line is what that "
           "run recorded; rerun `make docs` to refresh it.", "", "## Releases run", "",
           "| target | releases run | not run here |", "|---|---|---|"]
    for name, found in releases.items():
        skipped = [(f"{first}" if count == 1 else f"{first}–{last}") + f" ({reason})"
                   for first, last, count, reason in unserved_runs(found)]
        out.append(f"| `{name}` | {spans(served.get(name, []), served.get(name, []))} | "
                   f"{'; '.join(skipped) if skipped else '—'} |")
    out += ["", "## Behaviour that changed", ""]
    changes = report.changes
    if not changes:
        out.append("Every catalogue scenario behaves alike on every release run.")
    else:
        out += ["| scenario | target | last release before | first release after | first difference |",
                "|---|---|---|---|---|"]
        for change in changes:
            d = change.divergence
            what = (f"{d.frame}: before, {d._shown(d.left_row)}; after, {d._shown(d.right_row)}"
                    if d is not None else "")
            out.append(f"| `{change.scenario}` | `{change.target}` | {change.before} | {change.after} | "
                       f"{what.replace('|', '/')} |")
    out += ["", "## Known differences, by release", "",
            "Where each row of [differences.md](differences.md) holds: a release of one side shows it, on one of "
            "its backing scenarios, against the other side's plain target (`go` for the Python SDK and Node, "
            "`sdk` for Go).", "", "| known difference | what differs | where it holds |", "|---|---|---|"]
    out += known_by_release(report, served)
    return "\n".join(out) + "\n"


def every_release_matrix(paths: Sequence[str], jobs: int = 2, only: Sequence[str] | None = None
                         ) -> tuple[MatrixReport, dict[str, Sequence[Release]]]:
    """The catalogue on every served release of every family (or of the families ``only`` names), and
    the plain targets it is set against."""
    # A family whose releases another family runs too (go-v6's within go) is not run twice.
    releases = {family.name: family.releases() for family in families()
                if getattr(family, "part_of", None) is None and (only is None or family.name in only)}
    ranges = [f"{name}@{next(r.version for r in found if r.served)}.." for name, found in releases.items()
              if any(r.served for r in found)]
    plain = [name for name in sorted(set(REFERENCE.values())) if get_target(name)]
    return matrix(paths, ranges + plain, jobs=jobs), releases


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="render docs/releases.md from a matrix of the catalogue")
    parser.add_argument("--out", type=Path, default=Path("docs/releases.md"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--families", nargs="+", metavar="NAME", help="only these target families (default: every one)")
    parser.add_argument("paths", nargs="*", default=[str(catalogue_path())])
    args = parser.parse_args(argv)
    report, releases = every_release_matrix(args.paths, args.jobs, args.families)
    args.out.write_text(render(report, releases), encoding="utf-8")
    print(f"wrote {args.out}: {len(report.results)} runs, {len(report.changes)} change(s)")


if __name__ == "__main__":
    main()
