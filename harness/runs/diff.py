"""Differential runs: the same scenarios on several targets, and where they part.

Each run is reduced to comparable rows per frame; what cannot be compared is
left out on purpose: error texts (a raised exception's message against a false
return), log lines (each implementation words its own) and ``seq`` (targets may
interleave observations differently within one step). For each pair of
targets, the first divergence is the earliest (by step) differing row across
the frames, shown with the steps that lead to it as replayable YAML.

A run whose driver failed (``Result.driver_failure``) is a failed run, not
behaviour: it is compared with nothing, and a report names it apart.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence

import pandas as pd

from ..vocabulary.loader import load_path
from ..vocabulary.model import Expectations, Scenario
from ..replay.recording import LAYOUTS, Recording
from ..vocabulary.render import scenario_yaml
from ..results.result import Result
from ..drivers import expand_targets, refusal, targets as all_ready
from .runner import get_target, run
from ..replay.clock import to_micros
from ..replay.freeze import virtual_time
from ..vocabulary.durations import format_duration
from .known import classify
from .shrinking import drop_steps

COMPARED: dict[str, tuple[str, ...]] = {
    "status": ("state", "since", "error_kind", "status_code"),
    "ops": ("op", "kind", "key", "version", "outcome"),
    "changes": ("key",),
    "store_status": ("available", "stale"),
    "evaluations": ("flag", "context", "value", "reason"),
}
STORE_COLUMNS = ("kind", "key", "version", "deleted")


# A comparable row is (step, t, compared values...).
_STEP, _VALUES = 0, slice(2, None)


def comparable(recording: Recording) -> dict[str, list[tuple]]:
    """Per frame: (step, t, compared values...) rows, in order; plus the final store."""
    out: dict[str, list[tuple]] = {}
    for frame, columns in COMPARED.items():
        pick = LAYOUTS[frame].picker("step", "t", *columns)
        out[frame] = [pick(row) for row in recording.rows[frame]]
    end = recording.step
    out["store"] = [(end, None) + tuple(row) for row in recording.store]
    return out


@dataclass(frozen=True)
class Divergence:
    """Where two targets first differ on a scenario, with the two runs behind it."""

    scenario: Scenario
    left: str
    right: str
    frame: str
    index: int
    step: int
    left_row: dict | None
    right_row: dict | None
    left_result: Result | None = field(default=None, compare=False, repr=False)
    right_result: Result | None = field(default=None, compare=False, repr=False)

    @cached_property  # a frozen dataclass still has a __dict__, where this keeps its answer
    def known(self) -> str | None:
        """The known difference (docs/differences.md) that explains this divergence, or None: a new one."""
        if self.left_result is None or self.right_result is None:
            return None
        return classify(self)

    def replay(self) -> str:
        """The scenario's steps up to the divergence, as YAML, under a name of its own (the scenario's,
        the two targets, the frame and the step), so that pasted beside the scenario it names no twin."""
        steps = self.scenario.steps[: max(self.step, 0) + 1]
        note = (f"{self.left} and {self.right} first differ in {self.frame} at step {self.step} "
                f"(cut from {self.scenario.name!r}).")
        name = re.sub(r"[^a-z0-9]+", "-", f"{self.scenario.name} {self.left} vs {self.right} {self.frame} "
                                           f"step {self.step}".lower()).strip("-")
        cut = dataclasses.replace(self.scenario, name=name, steps=steps, expect=Expectations(), file=None,
                                  description=note)
        return scenario_yaml(cut)

    def shrink(self, budget: int = 200) -> "Divergence":
        """A divergence of the same kind (same frame) on as few steps as possible.

        Greedy (:func:`~harness.runs.shrinking.drop_steps`): drop one step at a
        time while the two targets still differ in this frame; at most
        ``budget`` replays.
        """
        found = [self]

        def shows(trial: Scenario) -> bool:
            divergence = first_divergence(trial, run(trial, self.left), run(trial, self.right))
            if divergence is None or divergence.frame != self.frame:
                return False
            found.append(divergence)  # the last one found is on the steps kept
            return True
        cut = dataclasses.replace(self.scenario, steps=self.scenario.steps[: max(self.step, 0) + 1],
                                  expect=Expectations(), file=None)
        drop_steps(cut, shows, budget)
        return found[-1]

    def __str__(self) -> str:
        known = self.known
        mark = f"known ({known})" if known else "NEW"
        return f"{self.describe()} [{mark}]"

    def describe(self, named: bool = True) -> str:
        """Where the two first differ and what each shows, without judging it known or new (two releases
        of one target differ by the SDK's history, which the known differences do not cover);
        ``named=False`` leaves out the scenario's name, for a line that gives it already."""
        return ((f"{self.scenario.name}: " if named else "") + f"{self.left} and {self.right} first differ at step {self.step}, "
                f"{self.frame}[{self.index}]: {self.left} {self._shown(self.left_row)}; "
                f"{self.right} {self._shown(self.right_row)}")

    def _shown(self, row: dict | None) -> str:
        """Where a row is (its own step) and what it holds, with virtual times as time since the start."""
        if row is None:
            return "has no such row"
        start = to_micros(self.scenario.start)
        values = {name: (f"+{format_duration(value - start)}" if name in ("since", "t") and isinstance(value, int)
                         and value >= start else value) for name, value in row.items() if name != "step"}
        return f"at step {row['step']}: {values}"


def _as_dict(frame: str, row: tuple | None) -> dict | None:
    if row is None:
        return None
    columns = STORE_COLUMNS if frame == "store" else COMPARED[frame]
    return {"step": row[_STEP], **dict(zip(columns, row[_VALUES]))}


def first_divergence(scenario: Scenario, left: Result, right: Result) -> Divergence | None:
    """The earliest differing row of the frames both targets fill (a frame one of them cannot fill,
    such as Node's data source status, is compared with nothing)."""
    a, b = comparable(left.recording), comparable(right.recording)
    found: list[tuple[int, int, str, tuple | None, tuple | None]] = []
    unavailable = left.recording.unavailable | right.recording.unavailable
    if "status" in unavailable:  # a target with no data source status makes no status call either
        a["ops"], b["ops"] = ([row for row in rows["ops"] if row[_VALUES][0] != "status"] for rows in (a, b))
    for frame in [f for f in list(COMPARED) + ["store"] if f not in unavailable]:
        for index, (x, y) in enumerate(itertools.zip_longest(a[frame], b[frame])):
            if x is None or y is None or x[_VALUES] != y[_VALUES] or x[_STEP] != y[_STEP]:
                step = min(r[_STEP] for r in (x, y) if r is not None)
                found.append((step, index, frame, x, y))
                break
    if not found:
        return None
    step, index, frame, x, y = min(found, key=lambda f: (f[0], list(COMPARED).index(f[2]) if f[2] in COMPARED
                                                          else len(COMPARED), f[1]))
    return Divergence(scenario, left.target, right.target, frame, index, step, _as_dict(frame, x),
                      _as_dict(frame, y), left, right)


def where_they_part(left: Result, right: Result) -> tuple[str, int] | None:
    """The frame and step where two runs of one scenario first differ (None: alike, or a run failed),
    for a picture that marks it (``harness.plot``'s ``parting``)."""
    if left.driver_failure is not None or right.driver_failure is not None:
        return None  # a failed run is compared with nothing
    divergence = first_divergence(left.scenario, left, right)
    return None if divergence is None else (divergence.frame, divergence.step)


def compared_pairs(runs: Sequence[Result]) -> list[tuple[Result, Result]]:
    """The pairs of the runs (of one scenario) to compare: every pair of targets, but several releases
    of one target (``sdk@9.17.0``, ``sdk@9.18.0``, ...) are compared each with the next, and only the
    last of them with the other targets (a range of 40 releases makes 39 pairs, not 780). A run whose
    driver failed is in no pair."""
    finished = [r for r in runs if r.driver_failure is None]
    by_family: dict[str, list[Result]] = {}
    for result in finished:
        family, has_release = result.target.partition("@")[0], "@" in result.target
        by_family.setdefault(family if has_release else result.target, []).append(result)
    pairs = [pair for group in by_family.values() for pair in zip(group, group[1:])]
    representatives = [group[-1] for group in by_family.values()]
    return pairs + list(itertools.combinations(representatives, 2))


@dataclass
class DiffReport:
    """Results of every scenario on every target, the first divergence of each pair, and the runs whose
    driver failed (compared with nothing)."""

    results: list[Result]
    divergences: list[Divergence]

    def __repr__(self) -> str:
        targets = sorted({r.target for r in self.results})
        scenarios = len({r.scenario.name for r in self.results})
        failed = f", {len(self.failed_runs)} failed run(s)" if self.failed_runs else ""
        return (f"<DiffReport {scenarios} scenario(s) on {', '.join(targets)}: {len(self.divergences)} diverging "
                f"pair(s), {len(self.new)} new{failed}>")

    @property
    def failed_runs(self) -> list[Result]:
        """The runs whose driver failed (each names it in ``driver_failure``); none of them was compared."""
        return [r for r in self.results if r.driver_failure is not None]

    @property
    def frame(self) -> pd.DataFrame:
        """One row per diverging pair: scenario, left, right, frame, index, step, left_row, right_row."""
        d = self.divergences
        return pd.DataFrame({
            "scenario": pd.Series([x.scenario.name for x in d], dtype="string"),
            "left": pd.Series([x.left for x in d], dtype="string"),
            "right": pd.Series([x.right for x in d], dtype="string"),
            "frame": pd.Series([x.frame for x in d], dtype="string"),
            "index": pd.Series([x.index for x in d], dtype="int64"),
            "step": pd.Series([x.step for x in d], dtype="int64"),
            "left_row": pd.Series([repr(x.left_row) for x in d], dtype="string"),
            "right_row": pd.Series([repr(x.right_row) for x in d], dtype="string"),
            "known": pd.Series([x.known for x in d], dtype="string"),
        })

    @property
    def new(self) -> list[Divergence]:
        """The divergences no known difference explains."""
        return [d for d in self.divergences if d.known is None]

    def plot(self, scenario: str, axis: str = "steps"):
        """The named scenario's timelines on every target, stacked side by side (needs matplotlib)."""
        from ..views.plot import timeline
        chosen = [r for r in self.results if r.scenario.name == scenario]
        if not chosen:
            raise KeyError(f"no scenario named {scenario!r} in this report")
        return timeline(chosen, axis=axis, parting=where_they_part)


def diff(scenarios: Iterable[Scenario | str | os.PathLike], targets: Sequence[str] | None = None) -> DiffReport:
    """Run each scenario on each target (default: every ready one) and find the first divergence of
    each pair; each divergence says whether a known difference explains it. A run whose driver failed
    is listed in ``failed_runs`` and compared with nothing."""
    targets = expand_targets(targets) if targets is not None else all_ready()
    for name in targets:
        get_target(name)
    loaded: list[Scenario] = []
    for item in scenarios:
        loaded.extend([item] if isinstance(item, Scenario) else load_path(item))
    results: list[Result] = []
    divergences: list[Divergence] = []
    with virtual_time():
        for scenario in loaded:
            runs = [run(scenario, name) for name in targets if not refusal(get_target(name), scenario)]
            results.extend(runs)
            for left, right in compared_pairs(runs):
                found = first_divergence(scenario, left, right)
                if found is not None:
                    divergences.append(found)
    return DiffReport(results, divergences)
