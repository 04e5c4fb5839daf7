"""Command line: ``harness run``, ``diff``, ``explore``, ``plot``, ``matrix``, ``bisect``, ``merge``, ``check``,
``new``, ``targets``, ``--version``.

``harness run PATH... [--target NAME] [--out DIR]`` replays scenarios and prints
a summary; exit 0 when every expectation was met, 1 when one failed.
``harness diff PATH... --target A --target B`` shows where targets first
differ; exit 1 when a pair differs in a way no known difference explains, or a
run failed. ``harness matrix PATH... --target sdk@9.1.0..`` runs ranges of
releases and shows where behaviour changes; ``harness bisect PATH --target
sdk@9.1.0..9.20.0`` finds the release that changed it. Exit 2, for any
command, means a bad scenario or bad arguments, an output path that cannot be
written included (a one-line message, naming file, line and key for a
scenario). A Ctrl-C stops the command (after the run in progress has cleaned
up) with exit 130.

One module a group of commands: :mod:`.running` (run), :mod:`.comparing`
(diff, plot, explore), :mod:`.releases` (matrix, bisect, merge),
:mod:`.authoring` (check, new, targets); :mod:`.options` reads what they share.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ..errors import HarnessError, ScenarioError, UsageError
from .authoring import cmd_check, cmd_new, cmd_targets
from .comparing import cmd_diff, cmd_explore, cmd_plot
from .options import add_shard, add_targets
from .releases import cmd_bisect, cmd_matrix, cmd_merge
from .running import cmd_run
from .version import kit_version

__all__ = ["main"]


# What --help shows: plain text (the module's docstring above is reStructuredText, for the API docs).
DESCRIPTION = ("Replay scripted data-source scenarios through the real update sinks of LaunchDarkly's SDKs on a "
               "virtual clock; compare targets and releases; draw and report what happened.")
EPILOG = ("exit codes: 0 every expectation met, 1 one failed (diff: a new divergence; check: a bad file), "
          "2 a bad scenario or argument, 130 stopped by Ctrl-C. 'harness COMMAND --help' for each command.")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"harness {kit_version()} (ld-sink-harness)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="replay scenario files or folders")
    run.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (searched for *.yaml)")
    run.add_argument("--catalogue", action="store_true", help="also run the catalogue shipped with the kit")
    run.add_argument("-k", dest="select", action="append", metavar="TEXT",
                     help="only scenarios whose name or file contains TEXT (repeatable: any of them)")
    run.add_argument("--junit-xml", metavar="FILE", type=Path,
                     help="write the results as JUnit XML (one test case a scenario and target)")
    add_targets(run)
    run.add_argument("--out", metavar="DIR", type=Path,
                     help="write the report under DIR: index.html, a picture a scenario, one table a frame (frames/)")
    run.add_argument("--format", choices=("csv", "parquet"), default="csv",
                     help="file format of the tables under --out (parquet: the parquet extra)")
    run.add_argument("--verbose", "-v", action="store_true", help="print each failure in full")
    run.add_argument("--jobs", type=int, metavar="N",
                     help="with --out, draw the pictures in N worker processes (default: one a core; 1: here)")
    run.add_argument("--no-plots", dest="plots", action="store_false",
                     help="with --out, skip the pictures (faster)")
    add_shard(run)
    plot = commands.add_parser("plot", help="draw one scenario's timeline")
    plot.add_argument("scenario", metavar="SCENARIO", help="a scenario file")
    plot.add_argument("-o", "--output", required=True, type=Path, help="picture file (.png, .svg or .pdf)")
    add_targets(plot, "run and stack")
    plot.add_argument("--axis", choices=("steps", "time"), default="steps", help="x axis (default steps)")
    diff = commands.add_parser("diff", help="run scenarios on several targets and show where they first differ")
    diff.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    add_targets(diff, "compare")
    diff.add_argument("--targets", metavar="A,B,...", help="the same as --target, comma-separated")
    diff.add_argument("--out", metavar="FILE", type=Path, help="write the divergences as CSV")
    diff.add_argument("--replay", action="store_true",
                      help="print each divergence as YAML, shrunk to the fewest steps that still show it")
    explore = commands.add_parser("explore", help="run generated scenarios on the targets; shrink what is new")
    explore.add_argument("--max-examples", type=int, default=1000,
                         help="scenarios to generate, rounded up to whole batches of 8 (each worker's share "
                              "so with --jobs; default 1000)")
    explore.add_argument("--seed", type=int, default=0, help="the campaign's seed (default 0)")
    explore.add_argument("--steps", type=int, default=12, help="at most this many steps a scenario (default 12)")
    add_targets(explore, "explore")
    explore.add_argument("--out", metavar="DIR", type=Path, help="write each new finding there as a YAML scenario")
    explore.add_argument("--database", metavar="DIR", type=Path,
                         help="Hypothesis's example database: a campaign resumes and replays what it found")
    explore.add_argument("--jobs", type=int, metavar="N", help="run in N worker processes (default: this one)")
    add_shard(explore)
    listing = commands.add_parser("targets", help="list every target, whether it is ready here, and what it runs")
    listing.add_argument("--releases", action="store_true",
                         help="also list every release each target family knows, served here or not (and why)")
    matrix = commands.add_parser("matrix", help="run scenarios on ranges of releases; show where behaviour changes")
    matrix.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    add_targets(matrix, "run on (ranges, such as sdk@9.1.0.. or go@v7.0.0..v7.14.6)")
    matrix.add_argument("--out", metavar="DIR", type=Path, help="write the report there, with matrix.csv and its picture")
    matrix.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format of the tables")
    matrix.add_argument("--no-plots", dest="plots", action="store_false", help="with --out, skip the pictures")
    matrix.add_argument("--jobs", type=int, metavar="N", help="build up to N release environments at once (default 2)")
    add_shard(matrix)
    bisect = commands.add_parser("bisect", help="find the first release in a range where a scenario behaves differently")
    bisect.add_argument("path", metavar="PATH", help="a scenario file")
    add_targets(bisect, "search (one range, such as sdk@9.1.0..9.20.0)")
    bisect.add_argument("--jobs", type=int, metavar="N", help="build up to N release environments at once (default 2)")
    merge = commands.add_parser("merge", help="join the --out folders of runs sharded with --shard into one report")
    merge.add_argument("folders", nargs="+", metavar="DIR", help="the folders 'harness run/matrix --shard I/N --out' wrote")
    merge.add_argument("--out", metavar="DIR", type=Path, required=True, help="where to write the merged report")
    merge.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format of the tables")
    merge.add_argument("--no-plots", dest="plots", action="store_false", help="skip the pictures")
    check = commands.add_parser("check", help="validate scenario files and report every bad one")
    check.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    new = commands.add_parser("new", help="write a commented scenario template")
    new.add_argument("name", metavar="NAME", help="the scenario's name; the file is NAME.yaml unless NAME ends in .yaml")
    return parser


COMMANDS = {"run": cmd_run, "diff": cmd_diff, "plot": cmd_plot, "explore": cmd_explore, "matrix": cmd_matrix,
            "bisect": cmd_bisect, "merge": cmd_merge, "check": cmd_check, "new": cmd_new, "targets": cmd_targets}


def main(argv: Sequence[str] | None = None) -> int:
    """The ``harness`` command: its exit code (0 met, 1 failed, 2 a bad scenario or argument, 130 Ctrl-C)."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
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
