"""``harness diff``, ``plot`` and ``explore``: where targets part, a timeline, generated scenarios."""

from __future__ import annotations

import argparse
import sys
import textwrap

from ..errors import UsageError
from ..replay.freeze import virtual_time
from ..runs.diff import diff, where_they_part
from ..runs.runner import run_many
from ..views.extras import need
from ..vocabulary.loader import load_scenario
from .options import at_least_one, check_output, chosen_targets, parse_shard, writing


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
    need("matplotlib", "harness plot")
    from ..views.plot import save, timeline
    from ..views.report import alike
    suffix = args.output.suffix.lstrip(".").lower()
    if suffix not in ("png", "svg", "pdf"):
        raise UsageError(f"cannot write a {suffix or 'suffix-less'} picture; use .png, .svg or .pdf")
    check_output("-o", args.output, folder=False)
    scenario = load_scenario(args.scenario)
    results = list(run_many([scenario], chosen_targets(args)))
    drawn, labels = alike(results)  # targets that behave alike share one timeline, labelled with them all
    with writing("-o", args.output):
        save(timeline(drawn, axis=args.axis, labels=labels, parting=where_they_part), str(args.output), suffix)
    print(f"{args.output}: " + ", ".join(f"{r.target} {'ok' if r.ok else 'FAILED'}" for r in results)
          + (f" ({len(drawn)} timelines: {' | '.join(labels)})" if len(drawn) < len(results) else ""))
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    from ..exploration import explore
    at_least_one("--max-examples", args.max_examples)
    at_least_one("--steps", args.steps)
    at_least_one("--jobs", args.jobs)
    check_output("--out", args.out, folder=True)
    check_output("--database", args.database, folder=True)
    names = chosen_targets(args)
    shard = parse_shard(args.shard)
    report = explore(names, max_examples=args.max_examples, seed=args.seed, steps=args.steps, out=args.out,
                     database=args.database, shard=shard, jobs=args.jobs,
                     # a bar only on a terminal: elsewhere its redrawing is left in front of the result
                     progress=args.jobs is None and sys.stderr.isatty())
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


