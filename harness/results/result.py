"""The result of one scenario on one target: expectations met, and the frames."""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from . import frames
from ..bulk import gc_paused
from ..errors import ExpectationFailed
from ..checks.checkers import Verdict
from ..checks.expectations import Failure
from ..vocabulary.model import Scenario
from ..replay.recording import Recording
from ..vocabulary.render import failure_report


# The ``what`` of the failure a run gets when its driver broke down (died, hung, broke the protocol or
# refused a command): the run stopped there, and what it recorded is not behaviour to compare.
DRIVER_FAILED = "driver"


class Result:
    """What a run observed. Frames are built on first access, once."""

    def __init__(self, scenario: Scenario, target: str, recording: Recording, failures: list[Failure],
                 verdicts: list[Verdict] | None = None):
        self.scenario = scenario
        self.target = target
        self.recording = recording
        self.failures = failures
        self.checker_verdicts: list[Verdict] = verdicts or []  # one per applicable checker; see .verdicts

    def __getstate__(self) -> dict:
        """What a worker process needs: the frames are left behind and rebuilt there on first use."""
        keep = ("scenario", "target", "recording", "failures", "checker_verdicts")
        return {name: self.__dict__[name] for name in keep}

    @property
    def ok(self) -> bool:
        """True when every expectation was met."""
        return not self.failures

    @property
    def driver_failure(self) -> Failure | None:
        """The failure naming the driver, when the driver broke down mid-run (a failed run: what it recorded
        so far is kept, but it is not the target's behaviour, and diff and explore do not compare it)."""
        return next((failure for failure in self.failures if failure.what == DRIVER_FAILED), None)

    def report(self) -> str:
        """Expected against actual for each failure, then the steps as YAML."""
        if self.ok:
            return f"scenario {self.scenario.name!r} on target {self.target!r}: ok"
        return failure_report(self.scenario, self.target, self.failures)

    def raise_for_failures(self) -> "Result":
        """Raise :class:`~harness.errors.ExpectationFailed` unless ``ok``."""
        if not self.ok:
            raise ExpectationFailed(self.report())
        return self

    def __repr__(self) -> str:
        verdict = "ok" if self.ok else f"{len(self.failures)} failure(s)"
        return f"<Result {self.scenario.name!r} on {self.target!r}: {verdict}>"

    @cached_property
    def status(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "status")

    @cached_property
    def ops(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "ops")

    @cached_property
    def changes(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "changes")

    @cached_property
    def store_status(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "store_status")

    @cached_property
    def evaluations(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "evaluations")

    @cached_property
    def logs(self) -> pd.DataFrame:
        return frames.build(frames.frame, self.recording, "logs")

    @cached_property
    def store(self) -> pd.DataFrame:
        """Final store contents: kind, key, version, deleted."""
        return frames.build(frames.store_frame, self.recording)

    @cached_property
    def timeline(self) -> pd.DataFrame:
        """Every observation in order: seq, step, t, frame, detail."""
        return frames.build(frames.timeline_frame, self.recording)

    @cached_property
    def violations(self) -> pd.DataFrame:
        """One row per invariant violation: checker, step, message."""
        with gc_paused():  # a run may report a hundred thousand, each made as it is read
            found = [x for v in self.checker_verdicts for x in v.violations]
            return pd.DataFrame({
                "checker": pd.Series([x.checker for x in found], dtype="string"),
                "step": pd.Series([x.step for x in found], dtype="int64"),
                "message": pd.Series([x.message for x in found], dtype="string"),
            })

    @property
    def violated_checkers(self) -> list[str]:
        """The names of the checkers that found a violation, sorted."""
        return sorted({verdict.checker for verdict in self.checker_verdicts if verdict.violations})

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """Each applicable checker's answer: holds, violated or cannot tell (from :attr:`checker_verdicts`)."""
        return pd.DataFrame({
            "checker": pd.Series([v.checker for v in self.checker_verdicts], dtype="string"),
            "verdict": pd.Series([v.verdict for v in self.checker_verdicts],
                                 dtype=pd.CategoricalDtype(["holds", "violated", "cannot tell"])),
            "violations": pd.Series([len(v.violations) for v in self.checker_verdicts], dtype="int64"),
        })

    FRAME_NAMES = ("status", "ops", "changes", "store_status", "evaluations", "logs", "store", "timeline",
                   "violations", "verdicts")

    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in self.FRAME_NAMES}

    # a summary line's worth, for tables
    @property
    def status_changes(self) -> int:
        """Status broadcasts (rows after the initial status)."""
        return max(0, len(self.recording.rows["status"]) - 1)

    @property
    def final_state(self) -> str | None:
        last = self.recording.last("status")
        return None if last is None else last["state"]
