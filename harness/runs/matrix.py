"""The release matrix: the same scenarios on many releases, and where behaviour changes.

:func:`matrix` runs every scenario on every target (ranges such as
``sdk@9.1.0..`` stand for the served releases they cover) and gives each run a
*behaviour*: a short id, ``A``, ``B``, ... in order of first appearance, shared
by the runs of one scenario that behave alike on the frames a diff compares
(the same rows as :func:`harness.runs.diff.first_divergence` reads: logs and
error texts aside). A run whose driver failed has no behaviour.
"""

from __future__ import annotations

import hashlib
import os
import string
from dataclasses import dataclass
from typing import Iterable, Sequence

import pandas as pd

from ..drivers import expand_targets, prepare_targets
from ..drivers.releases import TargetName
from ..results.result import Result
from ..vocabulary.loader import load_path
from ..vocabulary.model import Scenario
from .diff import Divergence, comparable, first_divergence
from .runner import run_many

FAILED = "failed run"


def behaviour_digest(result: Result) -> str:
    """What a run did, on the compared frames, as a digest: equal digests, equal behaviour."""
    rows = {frame: [(row[0],) + tuple(row[2:]) for row in frame_rows]
            for frame, frame_rows in comparable(result.recording).items()}
    return hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()


def _letters(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < len(letters) else letters[index // 26 - 1] + letters[index % 26]


def split_name(name: str) -> tuple[str, str | None]:
    """(family or target, release or None) of a target name."""
    parsed = TargetName.parse(name)
    return parsed.family, (str(parsed.low) if parsed.low is not None else None)


@dataclass
class Change:
    """Where one scenario's behaviour changed between two neighbouring releases of one target."""

    scenario: str
    target: str
    before: str        # the release before the change
    after: str         # the first release that behaves differently
    behaviours: tuple[str, str]
    divergence: Divergence | None

    def __str__(self) -> str:
        what = f": {self.divergence.describe(named=False)}" if self.divergence is not None else ""
        return (f"{self.scenario}: {self.target} behaves differently from {self.after} on "
                f"(behaviour {self.behaviours[0]} up to {self.before}, {self.behaviours[1]} from {self.after}){what}")


@dataclass
class MatrixReport:
    """Every scenario on every target release: ``frame`` has one row a run."""

    results: list[Result]
    frame: pd.DataFrame

    def __repr__(self) -> str:
        return (f"<MatrixReport {self.frame['scenario'].nunique()} scenario(s) on "
                f"{self.frame['target'].nunique()} target(s), {len(self.frame)} run(s), "
                f"{len(self.changes)} change(s)>")

    @property
    def changes(self) -> list[Change]:
        """Each place where a scenario's behaviour differs between neighbouring releases of a target."""
        found: list[Change] = []
        by_run = {(r.scenario.name, r.target): r for r in self.results}
        for (scenario, target), rows in self.frame.groupby(["scenario", "target"], sort=False):
            rows = rows[rows["release"].notna() & (rows["behaviour"] != FAILED)]
            previous = None
            for row in rows.itertuples():
                if previous is not None and row.behaviour != previous.behaviour:
                    left = by_run[(scenario, f"{target}@{previous.release}")]
                    right = by_run[(scenario, f"{target}@{row.release}")]
                    found.append(Change(scenario, target, previous.release, row.release,
                                        (previous.behaviour, row.behaviour),
                                        first_divergence(left.scenario, left, right)))
                previous = row
        return found

    def plot(self):
        """Scenarios against releases, coloured by behaviour, each change marked (needs matplotlib)."""
        from ..views.matrix_picture import matrix_picture
        return matrix_picture(self.frame, FAILED)


def matrix(scenarios: Iterable[Scenario | str | os.PathLike], targets: Sequence[str], jobs: int = 2) -> MatrixReport:
    """Run each scenario on each target release (ranges expanded to the served releases they cover).
    Releases not yet built are built first, ``jobs`` at a time."""
    names = expand_targets(targets)
    prepare_targets(names, jobs)
    loaded: list[Scenario] = []
    for item in scenarios:
        loaded.extend([item] if isinstance(item, Scenario) else load_path(item))
    results = list(run_many(loaded, names))
    return MatrixReport(results, matrix_frame(results))


def spans_releases(frame: pd.DataFrame) -> bool:
    """Whether the runs cover two or more releases of one target (so a matrix says something)."""
    releases = frame[frame["release"].notna()]
    return bool(len(releases)) and bool((releases.groupby("target")["release"].nunique() > 1).any())


def matrix_frame(results: Sequence[Result]) -> pd.DataFrame:
    """scenario, file, target, release, behaviour, ok: one row a run, in the order run."""
    letters: dict[str, dict[str, str]] = {}  # scenario -> digest -> letter
    rows = []
    for result in results:
        target, release = split_name(result.target)
        if result.driver_failure is not None:
            behaviour = FAILED
        else:
            seen = letters.setdefault(result.scenario.name, {})
            behaviour = seen.setdefault(behaviour_digest(result), _letters(len(seen)))
        rows.append((result.scenario.name, result.scenario.file or "", target, release, behaviour, result.ok))
    frame = pd.DataFrame(rows, columns=["scenario", "file", "target", "release", "behaviour", "ok"])
    for column in ("scenario", "file", "target", "release", "behaviour"):
        frame[column] = frame[column].astype("string")
    frame["ok"] = frame["ok"].astype(bool)
    return frame
