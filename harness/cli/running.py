"""``harness run``: replay scenarios, print a summary, and write the report, JUnit XML and saved results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ..drivers import expand_targets, get_target, prepare_targets
from ..errors import UsageError
from ..results.result import Result
from ..results.saved import save_results
from ..runs.runner import collect, refused_runs, run_many
from ..views.extras import need
from ..views.progress import Progress
from ..views.report import picture_pool, status_cells, write_report
from ..vocabulary.loader import catalogue_path
from .version import kit_version
from .options import at_least_one, check_output, chosen_targets, parse_shard, writing, writing_folder

PROGRESS_FROM = 10  # scenarios; fewer finish before a bar would help
PICTURE_POOL_FROM = 8


def summary_table(results: Sequence[Result]) -> str:
    header = ("scenario", "target", "result", "status changes", "final state")
    rows = [(r.scenario.name, r.target, "ok" if r.ok else "FAILED", *status_cells(r))
            for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


def cmd_run(args: argparse.Namespace) -> int:
    if args.out and args.format == "parquet":
        need("pyarrow", "--format parquet")
    check_output("--out", args.out, folder=True)
    check_output("--junit-xml", args.junit_xml, folder=False)
    at_least_one("--jobs", args.jobs)
    names = chosen_targets(args)
    for name in names:
        if ".." not in name:
            get_target(name)
    prepare_targets(names)
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
    total = len(scenarios) * len(expand_targets(names))
    progress = Progress(shown=total >= PROGRESS_FROM)
    results: list[Result] = []
    with progress.phase("running", total, "run", f"{len(scenarios)} scenario(s) on {len(names)} target(s)") as phase:
        for result in run_many(scenarios, names, shard=parse_shard(args.shard)):
            results.append(result)
            phase.advance()
    print(summary_table(results))
    for scenario, target, why in refused_runs(scenarios, names):
        print(f"not run: {scenario.name} [{target}]: {why}")
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
        with writing_folder("--out", args.out) as folder:
            write_report(results, folder, args.format, plots=args.plots, pool=pool, progress=progress)
            save_results(results, folder, kit_version(), parse_shard(args.shard))
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


