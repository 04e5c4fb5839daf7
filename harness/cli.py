"""Command line: ``harness run``, ``diff``, ``explore``, ``plot``, ``check``, ``new``, ``targets``, ``--version``.

``harness run PATH... [--target NAME] [--out DIR]`` replays scenarios and prints
a summary; exit 0 when every expectation was met, 1 when one failed.
``harness diff PATH... --targets sdk,sdk-async,contract`` shows where targets
first differ; exit 1 when some pair differs. Exit 2, for either, means a bad
scenario or bad arguments, an output path that cannot be written included (a
one-line message, naming file, line and key for a scenario). A Ctrl-C stops
the command (after the run in progress has cleaned up) with exit 130.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import textwrap
from importlib import metadata, resources
from pathlib import Path
from typing import Iterator, Sequence

from tqdm import tqdm

from .drivers import all_targets, get_target, targets
from .errors import HarnessError, ScenarioError, UsageError
from .replay.freeze import virtual_time
from .results.result import Result
from .runs.diff import diff
from .runs.runner import collect, run_many
from .views.report import picture_pool, write_report
from .vocabulary.loader import catalogue_path, load_scenario, scenario_files

PROGRESS_FROM = 10  # scenarios; fewer finish before a bar would help


def _version() -> str:
    try:
        return metadata.version("ld-sink-harness")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _add_targets(parser: argparse.ArgumentParser, what: str = "run on") -> None:
    """``--target NAME``, repeatable, the same on every command."""
    parser.add_argument("--target", action="append", metavar="NAME",
                        help=f"target to {what} (repeatable; default: every target ready here, see 'harness targets')")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"harness {_version()} (ld-sink-harness)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="replay scenario files or folders")
    run.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (searched for *.yaml)")
    run.add_argument("--catalogue", action="store_true", help="also run the catalogue shipped with the kit")
    run.add_argument("-k", dest="select", action="append", metavar="TEXT",
                     help="only scenarios whose name or file contains TEXT (repeatable: any of them)")
    run.add_argument("--junit-xml", metavar="FILE", type=Path,
                     help="write the results as JUnit XML (one test case a scenario and target)")
    _add_targets(run)
    run.add_argument("--out", metavar="DIR", type=Path, help="write the summary and every frame under DIR")
    run.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format of frames under --out")
    run.add_argument("--verbose", "-v", action="store_true", help="print each failure in full")
    run.add_argument("--jobs", type=int, metavar="N",
                     help="with --out, draw the pictures in N worker processes (default: one a core; 1: here)")
    run.add_argument("--no-plots", dest="plots", action="store_false",
                     help="with --out, skip the pictures (faster)")
    plot = commands.add_parser("plot", help="draw one scenario's timeline")
    plot.add_argument("scenario", metavar="SCENARIO", help="a scenario file")
    plot.add_argument("-o", "--output", required=True, type=Path, help="picture file (.png, .svg or .pdf)")
    _add_targets(plot, "run and stack")
    plot.add_argument("--axis", choices=("steps", "time"), default="steps", help="x axis (default steps)")
    diff = commands.add_parser("diff", help="run scenarios on several targets and show where they first differ")
    diff.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    _add_targets(diff, "compare")
    diff.add_argument("--targets", metavar="A,B,...", help="the same as --target, comma-separated")
    diff.add_argument("--out", metavar="FILE", type=Path, help="write the divergences as CSV")
    diff.add_argument("--replay", action="store_true",
                      help="print each divergence as YAML, shrunk to the fewest steps that still show it")
    explore = commands.add_parser("explore", help="run generated scenarios on the targets; shrink what is new")
    explore.add_argument("--max-examples", type=int, default=1000, help="scenarios to generate (default 1000)")
    explore.add_argument("--seed", type=int, default=0, help="the campaign's seed (default 0)")
    explore.add_argument("--steps", type=int, default=12, help="at most this many steps a scenario (default 12)")
    _add_targets(explore, "explore")
    explore.add_argument("--out", metavar="DIR", type=Path, help="write each new finding there as a YAML scenario")
    explore.add_argument("--database", metavar="DIR", type=Path,
                         help="Hypothesis's example database: a campaign resumes and replays what it found")
    explore.add_argument("--jobs", type=int, metavar="N", help="run in N worker processes (default: this one)")
    explore.add_argument("--shard", metavar="I/N", help="run only part I of N (for a CI matrix)")
    commands.add_parser("targets", help="list every target, whether it is ready here, and what it runs")
    check = commands.add_parser("check", help="validate scenario files and report every bad one")
    check.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    new = commands.add_parser("new", help="write a commented scenario template")
    new.add_argument("name", metavar="NAME", help="the scenario's name; the file is NAME.yaml unless NAME ends in .yaml")
    return parser


def summary_table(results: Sequence[Result]) -> str:
    header = ("scenario", "target", "result", "status changes", "final state")
    rows = [(r.scenario.name, r.target, "ok" if r.ok else "FAILED", str(r.status_changes), str(r.final_state))
            for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


PICTURE_POOL_FROM = 8


# ----------------------------------------------------------------------------- output paths

def check_output(option: str, path: Path | None, *, folder: bool) -> None:
    """Refuse, before anything runs, an output path that plainly cannot be written: a file where a
    folder must go, a folder where a file must go, or a file on the way (``afile/x.csv``)."""
    if path is None:
        return
    try:
        if folder and path.exists() and not path.is_dir():
            raise UsageError(f"{option} {path}: that is a file, not a folder")
        if not folder and path.is_dir():
            raise UsageError(f"{option} {path}: that is a folder, not a file")
        above = next((parent for parent in path.parents if parent.exists()), None)  # the nearest that exists
        if above is not None and not above.is_dir():
            raise UsageError(f"{option} {path}: {above} is a file, not a folder")
    except OSError as e:
        raise UsageError(f"{option} {path}: {e.strerror or e}") from None


@contextlib.contextmanager
def writing(option: str, path: Path) -> Iterator[None]:
    """What the system refuses while an output is written (a folder in /proc, a full disk) is
    a bad argument, exit 2, with the option named."""
    try:
        yield
    except OSError as e:
        raise UsageError(f"{option} {path}: cannot write there ({e.strerror or e})") from None


def at_least_one(option: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UsageError(f"{option} must be at least 1, not {value}")


# ----------------------------------------------------------------------------- commands

def cmd_run(args: argparse.Namespace) -> int:
    if args.out and args.format == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UsageError("--format parquet needs pyarrow: pip install 'ld-sink-harness[parquet]'") from None
    check_output("--out", args.out, folder=True)
    check_output("--junit-xml", args.junit_xml, folder=False)
    at_least_one("--jobs", args.jobs)
    names = chosen_targets(args)
    for name in names:
        get_target(name)
    paths = list(args.paths) + ([str(catalogue_path())] if args.catalogue else [])
    if not paths:
        raise UsageError("name scenario files or folders, or --catalogue")
    scenarios = collect(paths)
    if args.select:
        scenarios = [s for s in scenarios if any(t in s.name or t in (s.file or "") for t in args.select)]
    if not scenarios:
        print("no scenarios found", file=sys.stderr)
        return 2
    # Worker processes pay for themselves from a handful of pictures on (one a scenario).
    jobs = args.jobs if args.jobs is not None else None if len(scenarios) >= PICTURE_POOL_FROM else 1
    with picture_pool(jobs if args.out and args.plots else 1) as pool:
        return _run_and_report(args, scenarios, names, pool)


def _run_and_report(args: argparse.Namespace, scenarios, names: list[str], pool) -> int:
    total = len(scenarios) * len(names)
    results: list[Result] = []
    with tqdm(total=total, unit="run", disable=total < PROGRESS_FROM or None, file=sys.stderr, leave=False) as bar:
        for result in run_many(scenarios, names):
            results.append(result)
            bar.update()
    print(summary_table(results))
    failed = [r for r in results if not r.ok]
    for result in failed:
        print()
        print(result.report() if args.verbose else
              f"{result.scenario.name} [{result.target}]: " + "; ".join(map(str, result.failures)))
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    if args.junit_xml:
        with writing("--junit-xml", args.junit_xml):
            write_junit(results, args.junit_xml)
        print(f"JUnit XML written to {args.junit_xml}")
    if args.out:
        with writing("--out", args.out):
            write_report(results, args.out, args.format, plots=args.plots, pool=pool)
        page = args.out / "index.html"
        print(f"report written to {args.out}/" + (f" (open {page})" if page.exists() else ""))
    return 1 if failed else 0


def write_junit(results: Sequence[Result], path: Path) -> None:
    """JUnit XML, for CI systems that read it: a test case a scenario and target, failures with the report."""
    from xml.etree import ElementTree as ET
    suite = ET.Element("testsuite", name="harness", tests=str(len(results)),
                       failures=str(sum(not r.ok for r in results)))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=result.target, name=result.scenario.name,
                             file=result.scenario.file or "")
        if not result.ok:
            failure = ET.SubElement(case, "failure", message="; ".join(map(str, result.failures)))
            failure.text = result.report()
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def chosen_targets(args: argparse.Namespace) -> list[str]:
    """The targets a command was given (``--target``, and ``--targets`` where it exists), or every ready one."""
    names = list(args.target or [])
    names += [n.strip() for n in (getattr(args, "targets", None) or "").split(",") if n.strip()]
    return names or targets()


def cmd_diff(args: argparse.Namespace) -> int:
    names = chosen_targets(args)
    if len(names) < 2:
        raise UsageError("diff needs at least two targets")
    check_output("--out", args.out, folder=False)
    report = diff(args.paths, names)
    for divergence in report.divergences:
        print(divergence)
        if args.replay:
            with virtual_time():
                shrunk = divergence.shrink()
            print(textwrap.indent(shrunk.replay(), "    "))
    for failed in report.failed_runs:  # a failed run is not behaviour: named, never compared
        print(f"{failed.scenario.name}: the run on {failed.target} failed, so it was not compared: "
              f"{failed.driver_failure.actual} [FAILED RUN]")
    scenarios = len({r.scenario.name for r in report.results})
    new = report.new
    print(f"\n{scenarios} scenarios on {len(set(r.target for r in report.results))} targets: "
          f"{len(report.divergences)} diverging pair(s), {len(report.divergences) - len(new)} known, {len(new)} new, "
          f"{len(report.failed_runs)} failed run(s)")
    if args.out:
        with writing("--out", args.out):
            report.frame.to_csv(args.out, index=False)
    return 1 if new or report.failed_runs else 0


def cmd_plot(args: argparse.Namespace) -> int:
    from .views.plot import save, timeline
    suffix = args.output.suffix.lstrip(".").lower()
    if suffix not in ("png", "svg", "pdf"):
        raise UsageError(f"cannot write a {suffix or 'suffix-less'} picture; use .png, .svg or .pdf")
    check_output("-o", args.output, folder=False)
    scenario = load_scenario(args.scenario)
    results = list(run_many([scenario], chosen_targets(args)))
    with writing("-o", args.output):
        save(timeline(results, axis=args.axis), str(args.output), suffix)
    print(f"{args.output}: " + ", ".join(f"{r.target} {'ok' if r.ok else 'FAILED'}" for r in results))
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    from .exploration import explore
    at_least_one("--max-examples", args.max_examples)
    at_least_one("--steps", args.steps)
    at_least_one("--jobs", args.jobs)
    check_output("--out", args.out, folder=True)
    check_output("--database", args.database, folder=True)
    names = chosen_targets(args)
    shard = None
    if args.shard:
        match = re.fullmatch(r"(\d+)/(\d+)", args.shard)
        if not match:
            raise UsageError(f"--shard takes I/N, such as 2/4, not {args.shard!r}")
        shard = (int(match.group(1)), int(match.group(2)))
    report = explore(names, max_examples=args.max_examples, seed=args.seed, steps=args.steps, out=args.out,
                     database=args.database, progress=args.jobs is None, shard=shard, jobs=args.jobs)
    findings = report.findings
    known = findings[findings["known"]]
    print(f"{report.examples} scenarios on {', '.join(names)}: {len(known)} known group(s), "
          f"{len(report.new)} new")
    for failed in report.failed_runs.values():  # not findings: the driver failed, twice
        print(f"{failed.count} run(s) on {failed.target} failed, and again when run once more (not compared): "
              f"{failed.message}")
    for _, row in findings[~findings["known"]].iterrows():
        print(f"\nNEW {row['signature']} (seen {row['count']} times; shrunk to {row['steps']} step(s)):")
        print(textwrap.indent(row["yaml"], "    "))
    if args.out and report.new:
        print(f"new findings written to {args.out}/")
    return 1 if report.new else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Load every scenario file under the paths; print each bad one's error."""
    files: list[Path] = []
    for path in args.paths:
        files.extend(scenario_files(Path(path)))
    bad = 0
    for file in files:
        try:
            load_scenario(file)
        except ScenarioError as e:
            bad += 1
            print(f"error: {e}")
    print(f"{len(files)} file(s) checked: {len(files) - bad} good, {bad} bad")
    return 1 if bad else 0


TEMPLATE = """\
# yaml-language-server: $schema={schema}
name: {name}                           # required, unique in the catalogue
description: >
  Say which rule this scenario shows, in a sentence or two.
store: memory                          # or persistent, or {{type: persistent, cache_ttl: 30s}} (0s: none; forever)
steps:
  - init:                              # replace the store's contents
      flags: {{f1: {{version: 1}}}}
  - status: VALID                      # the source says it is connected
  - upsert: {{flag: f1, version: 2}}     # a newer version lands
  - upsert: {{flag: f1, version: 1}}     # a stale one is ignored
    after: 1s                          # any step may wait first: after (since the previous step) or at (since start)
  - evaluate: {{flag: f1, context: user-1, default: false}}
expect:                                # what every target must show; see README.md for every field
  outcomes: [applied, applied, ignored]
  status: [INITIALIZING, VALID]
  store: {{flags: {{f1: 2}}}}
  evaluations: [false]
  targets:                             # per-target overrides, where targets are known to differ
    sdk: {{violations: [changes-only-for-applied-writes]}}   # the sync sink fires an event for the ignored write
"""


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented template that loads as it is."""
    name = args.name
    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if path.exists():
        raise UsageError(f"{path} exists already; choose another name")
    check_output("new", path, folder=False)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "my-scenario"
    schema = resources.files("harness").joinpath("vocabulary", "scenario.schema.json")
    with writing("new", path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATE.format(name=slug, schema=schema), encoding="utf-8")
    load_scenario(path)  # the template must load as it is
    print(f"wrote {path}: edit it, then 'harness run {path}'")
    return 0


def cmd_targets() -> int:
    """Every target, whether it can run here, and what it runs."""
    rows = []
    for target in all_targets():
        available = target.availability()
        rows.append((target.name, "ready" if available.ready else "NOT READY", available.version,
                     target.description if available.ready else available.reason))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "targets":
            return cmd_targets()
        if args.command == "check":
            return cmd_check(args)
        if args.command == "explore":
            return cmd_explore(args)
        if args.command == "new":
            return cmd_new(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "plot":
            return cmd_plot(args)
        return cmd_run(args)
    except (ScenarioError, UsageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except HarnessError as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a file the system refuses to read or write that no check above named
        print(f"error: {e.filename + ': ' if e.filename else ''}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the run in progress stopped at a safe point and cleaned up
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
