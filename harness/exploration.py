"""Explore generated scenarios: run them on several targets, and hand back what nobody wrote down.

:func:`explore` runs scenarios from :func:`harness.strategies.scenarios` on
every target given. For each, it checks the invariants and diffs every pair
of targets. Each thing it sees gets a *signature*: a checker violated on a
target, or a pair of targets first diverging in a frame. Known differences
(``harness/runs/known.py``) are counted and set aside. A new signature makes
the example fail with an exception type of its own, so Hypothesis's shrinker
cuts each new group down separately to the fewest, simplest steps that still
show it. Each finding comes back as YAML ready for the catalogue, with
per-target expectations that pin today's behaviour.

A run whose driver failed is not behaviour: it is run once more (a driver
killed mid-run did nothing wrong), and if it fails again it is counted apart,
in ``failed_runs``, and shows no signature.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import multiprocessing
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
from tqdm import tqdm

from .drivers import get_target, targets as ready_targets
from .drivers.protocol.process import share_cores
from .errors import UsageError
from .replay.freeze import virtual_time
from .results.result import Result
from .runs.diff import compared_pairs, first_divergence
from .runs.known import KNOWN
from .runs.runner import run
from .runs.shrinking import drop_steps
from .vocabulary.values import target_family
from .vocabulary.model import Expectations, Scenario
from .vocabulary.render import scenario_yaml


@dataclass(frozen=True)
class Sighting:
    """One thing a scenario showed: its signature, whether it is known, and the targets involved."""

    signature: str
    known: bool
    targets: tuple[str, ...]


def known_violation(checker: str, target: str) -> bool:
    return any((checker, target_family(target)) in known.violations for known in KNOWN)


def sightings(scenario: Scenario, results: dict[str, Result]) -> list[Sighting]:
    """Every signature the runs of one scenario show (violations first, then divergences); a run whose
    driver failed shows none."""
    seen: list[Sighting] = []
    for target, result in results.items():
        if result.driver_failure is None:
            for checker in result.violated_checkers:
                seen.append(Sighting(f"violation:{checker}:{target}", known_violation(checker, target), (target,)))
    for left, right in compared_pairs(list(results.values())):
        divergence = first_divergence(scenario, left, right)
        if divergence is not None:
            known = divergence.known
            pair = f"{left.target}~{right.target}"
            signature = f"known:{known}:{pair}" if known else f"diff:{divergence.frame}:{pair}"
            seen.append(Sighting(signature, known is not None, (left.target, right.target)))
    return seen


class Finding(Exception):
    """A new signature; each signature gets its own subclass, so Hypothesis shrinks each group apart."""

    signature: str = ""

    def __init__(self, scenario: Scenario, sighting: Sighting):
        super().__init__(sighting.signature)
        self.scenario = scenario
        self.sighting = sighting


_FINDING_TYPES: dict[str, type[Finding]] = {}


def finding_type(signature: str) -> type[Finding]:
    if signature not in _FINDING_TYPES:
        name = "Finding_" + re.sub(r"\W+", "_", signature)
        _FINDING_TYPES[signature] = type(name, (Finding,), {"signature": signature})
    return _FINDING_TYPES[signature]


def pinned(scenario: Scenario, results: dict[str, Result], note: str, seed: int = 0) -> Scenario:
    """The scenario with per-target expectations that pin what each target did today, and the seed of
    the campaign that found it (the scenario's ``seed`` setting)."""
    per_target = {}
    for target, result in results.items():
        if result.driver_failure is not None:  # nothing to pin: the run did not finish
            continue
        rec = result.recording
        store: dict = {}
        for kind, key, version, deleted in rec.store:
            store.setdefault(kind, {})[key] = "deleted" if deleted else version
        outcomes = [o for op, o in zip(rec.column("ops", "op"), rec.column("ops", "outcome"))
                    if op in ("init", "upsert", "delete")]
        per_target[target] = Expectations(
            status=tuple(rec.column("status", "state")), outcomes=tuple(outcomes),
            changes=tuple(rec.column("changes", "key")), store=store or None,
            store_status=tuple(rec.column("store_status", "available")),
            stale=tuple(rec.column("store_status", "stale")),
            evaluations=tuple(rec.column("evaluations", "value")),
            violations=tuple(result.violated_checkers))
    return dataclasses.replace(scenario, name=re.sub(r"[^a-z0-9]+", "-", note.lower()).strip("-")[:80],
                               description=note, expect=Expectations(targets=per_target), seed=seed)


def shows(scenario: Scenario, signature: str, names: Sequence[str]) -> bool:
    """Whether the scenario, run on these targets, shows the signature."""
    results = run_on(scenario, names)
    return any(s.signature == signature for s in sightings(scenario, results))


def shrink(scenario: Scenario, signature: str, names: Sequence[str], budget: int = 300) -> Scenario:
    """The scenario with as many steps dropped as can be while it still shows the signature
    (:func:`~harness.runs.shrinking.drop_steps`; at most ``budget`` replays)."""
    return drop_steps(scenario, lambda trial: shows(trial, signature, names), budget)


@dataclass
class Group:
    sighting: Sighting
    count: int = 0
    example: Scenario | None = None


@dataclass
class FailedRuns:
    """The runs on one target whose driver failed, and again when run once more: not behaviour, so
    never a finding."""

    target: str
    count: int = 0
    message: str = ""                # the first one's driver failure
    example: Scenario | None = None  # the shortest scenario one failed on

    def add(self, scenario: Scenario, message: str, count: int = 1) -> None:
        self.count += count
        self.message = self.message or message
        if self.example is None or len(scenario.steps) < len(self.example.steps):
            self.example = scenario


@dataclass
class ExploreReport:
    """What a campaign saw: one group per signature, new ones shrunk and written as YAML."""

    targets: list[str]
    examples: int
    groups: dict[str, Group] = field(default_factory=dict)
    yaml: dict[str, str] = field(default_factory=dict)
    failed_runs: dict[str, FailedRuns] = field(default_factory=dict)  # by target
    retried: int = 0  # runs whose driver failed once, run again

    @property
    def findings(self) -> pd.DataFrame:
        """One row per group: known, steps (of its shortest example), targets, signature, count, yaml."""
        rows = sorted(self.groups.values(), key=lambda g: (g.sighting.known, g.sighting.signature))
        return pd.DataFrame({
            "known": pd.Series([g.sighting.known for g in rows], dtype="bool"),
            "steps": pd.Series([len(g.example.steps) if g.example else 0 for g in rows], dtype="int64"),
            "targets": pd.Series([",".join(g.sighting.targets) for g in rows], dtype="string"),
            "signature": pd.Series([g.sighting.signature for g in rows], dtype="string"),
            "count": pd.Series([g.count for g in rows], dtype="int64"),
            "yaml": pd.Series([self.yaml.get(g.sighting.signature) for g in rows], dtype="string"),
        })

    @property
    def new(self) -> list[Group]:
        return [g for g in self.groups.values() if not g.sighting.known]

    def __repr__(self) -> str:
        failed = "".join(f", {f.count} failed run(s) on {f.target}" for f in self.failed_runs.values())
        return (f"<ExploreReport {self.examples} examples on {', '.join(self.targets)}: "
                f"{len(self.groups)} group(s), {len(self.new)} new{failed}>")


def run_on(scenario: Scenario, names: Sequence[str], report: ExploreReport | None = None) -> dict[str, Result]:
    """The scenario's run on each target. A run whose driver failed is run once more; if it fails again,
    it stays failed (and ``report``, if given, counts it)."""
    results = {}
    for name in names:
        result = run(scenario, name)
        if result.driver_failure is not None:
            result = run(scenario, name)
            if report is not None:
                report.retried += 1
                if result.driver_failure is not None:
                    failed = report.failed_runs.setdefault(name, FailedRuns(name))
                    failed.add(scenario, result.driver_failure.actual)
        results[name] = result
    return results


# Scenarios a Hypothesis example: its engine costs about half a millisecond an example,
# as much as replaying a short scenario. Shrinking still cuts a finding down to one
# scenario (the one that raised) and its fewest steps. A campaign of N runs N rounded
# up to whole batches.
BATCH = 8


def shard_of(seed: int, max_examples: int, shard: tuple[int, int]) -> tuple[int, int]:
    """(seed, examples) of shard ``i`` of ``n`` (1-based): its own seed and its share of the examples."""
    index, count = shard
    if not 1 <= index <= count:
        raise UsageError(f"shard {index}/{count}: the index must be between 1 and {count}")
    return seed * 1_000_003 + index, -(-max_examples // count)


def merge(reports: Sequence[ExploreReport]) -> ExploreReport:
    """One report from several shards: groups by signature, counts added, the shortest example kept."""
    merged = ExploreReport(reports[0].targets, sum(r.examples for r in reports),
                           retried=sum(r.retried for r in reports))
    for report in reports:
        for target, failed in report.failed_runs.items():
            if failed.example is not None:
                merged.failed_runs.setdefault(target, FailedRuns(target)).add(failed.example, failed.message,
                                                                              failed.count)
        for signature, group in report.groups.items():
            mine = merged.groups.setdefault(signature, Group(group.sighting))
            mine.count += group.count
            shorter = group.example is not None and (mine.example is None or
                                                     len(group.example.steps) < len(mine.example.steps))
            if shorter:
                mine.example = group.example
            if signature in report.yaml and (shorter or signature not in merged.yaml):
                merged.yaml[signature] = report.yaml[signature]
    return merged


def _explore_shard(names, max_examples, seed, steps, shard, database, min_steps) -> ExploreReport:
    share_cores()
    return explore(names, max_examples, seed, steps, database=database, shard=shard, min_steps=min_steps)


def explore(targets: Sequence[str] | None = None, max_examples: int = 1000, seed: int = 0, steps: int = 12,
            out: str | Path | None = None, database: str | Path | None = None, progress: bool = False,
            shard: tuple[int, int] | None = None, jobs: int | None = None, min_steps: int = 1) -> ExploreReport:
    """Run generated scenarios on ``targets`` (default: every ready one); find, group and shrink what differs.

    ``seed`` fixes the campaign; ``database`` (a folder) keeps Hypothesis's examples so a campaign resumes
    and replays what it found; ``out`` receives each new finding as a YAML scenario. ``shard=(i, n)`` runs
    only the i-th of n parts (a CI matrix splits a campaign so); ``jobs`` runs the parts in that many worker
    processes and merges them (without it, everything runs in the calling process).
    """
    # Hypothesis is loaded by a campaign, not by `import harness`.
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st
    from hypothesis.database import DirectoryBasedExampleDatabase

    from .strategies import scenarios as scenario_strategy

    names = list(targets) if targets is not None else ready_targets()
    for name in names:
        get_target(name)
    if jobs is not None and jobs > 1:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            parts = [pool.submit(_explore_shard, names, max_examples, seed, steps, (i, jobs), database, min_steps)
                     for i in range(1, jobs + 1)]
            report = merge([part.result() for part in parts])
        _write(report, out)
        return report
    if shard is not None:
        seed, max_examples = shard_of(seed, max_examples, shard)
    report = ExploreReport(names, 0)
    bar = tqdm(total=max_examples, unit="scenario", desc="exploring", disable=not progress, leave=False,
               mininterval=0.5)

    def check(batch: list[Scenario]) -> None:
        for scenario in batch:
            results = run_on(scenario, names, report)
            report.examples += 1
            bar.update()
            fresh = []
            for sighting in sightings(scenario, results):
                group = report.groups.setdefault(sighting.signature, Group(sighting))
                group.count += 1
                if group.example is None or len(scenario.steps) < len(group.example.steps):
                    group.example = scenario
                if not sighting.known:
                    fresh.append(sighting)
            bar.set_postfix(new=len(report.new), groups=len(report.groups), refresh=False)
            if fresh:
                raise finding_type(fresh[0].signature)(scenario, fresh[0])

    config = settings(max_examples=-(-max_examples // BATCH), deadline=None, report_multiple_bugs=True,
                      suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, print_blob=False,
                      phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
                      database=DirectoryBasedExampleDatabase(str(database)) if database else None)
    batches = st.lists(scenario_strategy(max_steps=steps, min_steps=min_steps), min_size=BATCH, max_size=BATCH)
    test = hypothesis_seed(seed)(config(given(batches)(check)))
    found: list[Finding] = []
    with virtual_time():
        try:
            test()
        except Finding as e:
            found = [e]
        except BaseExceptionGroup as group:  # several new groups, each shrunk on its own
            found = [e for e in group.exceptions if isinstance(e, Finding)]
            if len(found) != len(group.exceptions):
                raise
        finally:
            bar.close()
        for finding in found:  # shrunk by Hypothesis: it re-raises from the minimal example
            report.groups[finding.sighting.signature].example = finding.scenario
        for group in report.new:
            signature = group.sighting.signature
            # Hypothesis shortens a scenario from its end; a step in the middle that does not
            # matter goes here (and a group seen only beside another new one is cut down).
            group.example = shrink(group.example, signature, names)
            results = run_on(group.example, names)
            note = f"found by harness explore (seed {seed}): {signature}"
            report.yaml[signature] = scenario_yaml(pinned(group.example, results, note, seed))
    _write(report, out)
    return report


def _write(report: ExploreReport, out: str | Path | None) -> None:
    if out is None:
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for signature, text in report.yaml.items():
        if text:
            (folder / (re.sub(r"[^A-Za-z0-9]+", "-", signature).strip("-") + ".yaml")).write_text(text)
