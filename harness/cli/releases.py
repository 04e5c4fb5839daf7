"""``harness matrix``, ``bisect`` and ``merge``: behaviour across releases, the release that changed it,
and one report from the folders of sharded runs."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from tqdm import tqdm

from ..drivers import expand_targets, prepare_targets
from ..errors import UsageError
from ..results.result import Result
from ..results.saved import load_results, save_results
from ..runs.bisect import bisect
from ..runs.matrix import MatrixReport, matrix_frame
from ..runs.runner import collect, run_many
from ..views.report import write_report
from ..vocabulary.loader import load_scenario
from .options import check_output, parse_shard, writing_folder
from .running import PROGRESS_FROM, summary_table
from .version import kit_version


def behaviour_lines(report: MatrixReport) -> list[str]:
    """One line a scenario and target: its releases' behaviours in order (A, B, ...), then each change."""
    frame = report.frame
    lines = []
    for target, runs in frame.groupby("target", sort=False):
        releases = list(dict.fromkeys(str(r) for r in runs["release"] if r is not None and str(r) != "<NA>"))
        span = f"{releases[0]} .. {releases[-1]} ({len(releases)} releases)" if releases else "(its own release)"
        lines.append(f"{target}: {span}")
        width = max(len(str(s)) for s in runs["scenario"])
        for scenario, rows in runs.groupby("scenario", sort=False):
            letters = "".join("x" if b == "failed run" else str(b) if ok else "*"
                              for b, ok in zip(rows["behaviour"], rows["ok"]))
            lines.append(f"  {str(scenario).ljust(width)}  {letters}")
    changes = report.changes
    lines.append("")
    lines += [str(change) for change in changes] or ["every scenario behaves alike on every release run"]
    return lines


def group_by_scenario(results: list[Result]) -> list[tuple[str, list[Result]]]:
    groups: dict[str, list[Result]] = {}
    for result in results:
        groups.setdefault(result.scenario.name, []).append(result)
    return list(groups.items())


def cmd_matrix(args: argparse.Namespace) -> int:
    check_output("--out", args.out, folder=True)
    names = list(args.target or [])
    if not names:
        raise UsageError("name the releases: --target sdk@9.1.0.. (a range), repeatable")
    names = expand_targets(names)
    prepare_targets(names, args.jobs or 2)
    scenarios = collect(args.paths)
    shard = parse_shard(args.shard)
    total = len(scenarios) * len(names)
    results: list[Result] = []
    with tqdm(total=total, unit="run", disable=total < PROGRESS_FROM or None, file=sys.stderr, leave=False) as bar:
        for result in run_many(scenarios, names, shard=shard):
            results.append(result)
            bar.update()
    report = MatrixReport(results, matrix_frame(results))
    print("\n".join(behaviour_lines(report)))
    unmet = [r for r in results if not r.ok and r.driver_failure is None]
    if unmet:
        print(f"\n{len(unmet)} run(s) did not meet their scenario's expectations (marked * above; a scenario "
              "pins one release's behaviour, usually the newest):")
        for scenario, runs in group_by_scenario(unmet):
            print(f"  {scenario}: {', '.join(r.target for r in runs)}")
    failed = [r for r in results if r.driver_failure is not None]
    for result in failed:
        print(f"{result.scenario.name}: the run on {result.target} failed: {result.driver_failure.actual}")
    if args.out:
        with writing_folder("--out", args.out) as folder:
            write_report(results, folder, args.format, plots=args.plots)
            save_results(results, folder, kit_version(), shard)
        print(f"report written to {args.out}/ (matrix.{args.format}; open {args.out / 'index.html'})")
    return 1 if failed else 0


def cmd_bisect(args: argparse.Namespace) -> int:
    if not args.target or len(args.target) != 1:
        raise UsageError("bisect takes one range: --target sdk@9.1.0..9.20.0")
    (target_range,) = args.target
    prepare_targets(expand_targets([target_range]), args.jobs or 2)
    found = bisect(load_scenario(args.path), target_range)
    print(found)
    if found.divergence is not None:
        print(f"\nwhat changed: {found.divergence.describe()}")
        print("\nthe steps up to it (paste into a file under scenarios/):")
        print(textwrap.indent(found.divergence.replay(), "    "))
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Join the folders of runs sharded over jobs (``--shard i/n``) into one report, in the order one
    unsharded run would have given."""
    check_output("--out", args.out, folder=True)
    parts: dict[int, list[Result]] = {}
    count = None
    plain: list[Result] = []
    for folder in args.folders:
        shard, results = load_results(Path(folder), kit_version())
        if shard is None:
            plain.extend(results)
            continue
        index, of = shard
        if count is not None and of != count:
            raise UsageError(f"{folder}: shard {index}/{of} does not belong with shards of {count}")
        if index in parts:
            raise UsageError(f"{folder}: shard {index}/{of} is given twice")
        count = of
        parts[index] = results
    if count is not None:
        missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in parts]
        if missing:
            raise UsageError(f"shard(s) {', '.join(missing)} missing: merge every part of a sharded run")
    merged = one_scenario_each(interleave([parts[i] for i in sorted(parts)]) + plain)
    print(summary_table(merged))
    failed = [r for r in merged if not r.ok]
    print(f"\n{len(merged) - len(failed)} passed, {len(failed)} failed ({len(args.folders)} folder(s) merged)")
    with writing_folder("--out", args.out) as folder:
        write_report(merged, folder, args.format, plots=args.plots)
        save_results(merged, folder, kit_version())
    print(f"report written to {args.out}/ (open {args.out / 'index.html'})")
    return 1 if failed else 0


def one_scenario_each(results: list[Result]) -> list[Result]:
    """Runs of one scenario read back from different shards hold equal but separate Scenario objects;
    the report groups a scenario's runs by the object, so give every run of one scenario the same."""
    first: dict[tuple, object] = {}
    for result in results:
        scenario = result.scenario
        result.scenario = first.setdefault((scenario.file, scenario.line, scenario.name), scenario)
    return results


def interleave(parts: list[list[Result]]) -> list[Result]:
    """Shard i of n holds runs i-1, i-1+n, ...: put them back in the one order."""
    out: list[Result] = []
    for row in range(max((len(p) for p in parts), default=0)):
        out.extend(part[row] for part in parts if row < len(part))
    return out
