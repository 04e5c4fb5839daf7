"""``harness check``, ``new`` and ``targets``: help while writing scenarios, and what can run here."""

from __future__ import annotations

import argparse
import os
import re
from importlib import resources
from pathlib import Path

from ..drivers import all_targets, families
from ..drivers.releases import unserved_runs
from ..errors import ScenarioError, UsageError
from ..vocabulary.loader import load_scenario, scenario_files
from .options import check_output, writing


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
{modeline}name: {name}                           # required, unique in the catalogue
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


def schema_reference(scenario_file: Path) -> str | None:
    """How a new scenario file names the published schema, for editors: a path relative to the file when
    both are inside one checkout of the kit (it then holds in every clone), else nothing (an installed
    package's path is this machine's own, and the schema has no address on the web)."""
    schema = Path(str(resources.files("harness").joinpath("vocabulary", "scenario.schema.json"))).resolve()
    checkout = schema.parents[2]  # <checkout>/harness/vocabulary/scenario.schema.json
    folder = scenario_file.parent.resolve()
    if not (checkout / "pyproject.toml").is_file() or not folder.is_relative_to(checkout):
        return None
    return Path(os.path.relpath(schema, folder)).as_posix()


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented template that loads as it is."""
    name = args.name
    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if path.exists():
        raise UsageError(f"{path} exists already; choose another name")
    check_output("new", path, folder=False)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-") or "my-scenario"
    with writing("new", path):
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = schema_reference(path)
        modeline = f"# yaml-language-server: $schema={schema}\n" if schema else ""
        path.write_text(TEMPLATE.format(name=slug, modeline=modeline), encoding="utf-8")
    load_scenario(path)  # the template must load as it is
    print(f"wrote {path}: edit it, then 'harness run {path}'")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Every target, whether it can run here, and what it runs; with ``--releases``, every release of
    each target family, served here or not (a served release may still need building when first run)."""
    rows = []
    for target in all_targets():
        available = target.availability()
        rows.append((target.name, "ready" if available.ready else "NOT READY", available.version,
                     target.description if available.ready else available.reason))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    if args.releases:
        for family in families():
            releases = family.releases()
            served = [str(r.version) for r in releases if r.served]
            print(f"\n{family.name}@: {len(served)} of {len(releases)} releases served here"
                  + (f", {served[0]} .. {served[-1]}" if served else ""))
            for first, last, count, reason in unserved_runs(releases):
                span = str(first) if count == 1 else f"{first} .. {last} ({count} releases)"
                print(f"  {span}: {reason}")
    return 0

