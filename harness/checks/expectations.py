"""Check a run's recording against a scenario's ``expect:`` block.

Pure: reads the plain rows of a :class:`~harness.replay.recording.Recording`. Each
failing item becomes a :class:`Failure` that shows expected against actual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..vocabulary.durations import format_duration
from ..vocabulary.model import DATA_OPS, Expectations
from ..replay.recording import Recording


@dataclass(frozen=True)
class Failure:
    """One unmet expectation."""

    what: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.what}: expected {self.expected!r}, got {self.actual!r}"


def _same(a: Any, b: Any) -> bool:
    """Equal, and no bool standing in for an int (True == 1 in Python)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _stored(recording: Recording, kind: str, key: str) -> Any:
    for row_kind, row_key, version, deleted in recording.store:
        if row_kind == kind and row_key == key:
            return "deleted" if deleted else version
    return "absent"


# The frame each expectation reads: one its target cannot fill is not checked (a missing frame is never
# a failure); see Recording.unavailable.
FRAME_OF = {"status": "status", "final_status": "status", "since": "status", "error_kinds": "status",
            "store_status": "store_status", "stale": "store_status", "changes": "changes",
            "evaluations": "evaluations", "reasons": "evaluations", "outcomes": "ops", "op_errors": "ops",
            "logs": "logs", "logs_absent": "logs", "store": "store"}


def unchecked(expect: Expectations, recording: Recording) -> list[str]:
    """The expectations given that this recording's target cannot show (its frame is not available)."""
    return [name for name, frame in FRAME_OF.items()
            if frame in recording.unavailable and getattr(expect, name) is not None]


def check(expect: Expectations, recording: Recording) -> list[Failure]:
    """Every unmet expectation, in the order of the ``expect:`` block; those on a frame the target
    cannot fill are left out (see :func:`unchecked`)."""
    failures: list[Failure] = []
    skipped = set(unchecked(expect, recording))

    def compare(what: str, expected: Any, actual: Any) -> None:
        if what.split(".")[0] in skipped:
            return
        if not _same(list(expected) if isinstance(expected, tuple) else expected, actual):
            failures.append(Failure(what, list(expected) if isinstance(expected, tuple) else expected, actual))

    if expect.status is not None:
        compare("status", expect.status, recording.column("status", "state"))
    if expect.final_status is not None:
        last = recording.last("status") or {}
        state, kind = expect.final_status
        if kind is None:
            compare("final_status", state, last.get("state"))
        else:
            compare("final_status", {"state": state, "error_kind": kind},
                    {"state": last.get("state"), "error_kind": last.get("error_kind")})
    if expect.store is not None:
        for kind, entries in expect.store.items():
            for key, want in entries.items():
                compare(f"store.{kind}.{key}", want, _stored(recording, kind, key))
    if expect.changes is not None:
        compare("changes", expect.changes, recording.column("changes", "key"))
    if expect.outcomes is not None:
        ops = zip(recording.column("ops", "op"), recording.column("ops", "outcome"))
        compare("outcomes", expect.outcomes, [outcome for op, outcome in ops if op in DATA_OPS])
    if expect.store_status is not None:
        compare("store_status", expect.store_status, recording.column("store_status", "available"))
    if expect.stale is not None:
        compare("stale", expect.stale, recording.column("store_status", "stale"))
    if expect.evaluations is not None:
        compare("evaluations", expect.evaluations, recording.column("evaluations", "value"))
    if expect.since is not None:
        start = recording.start
        compare("since", [format_duration(v) for v in expect.since],
                [format_duration(v - start) if v >= start else f"-{format_duration(start - v)}"
                 for v in recording.column("status", "since")])
    if expect.error_kinds is not None:
        compare("error_kinds", expect.error_kinds, recording.column("status", "error_kind"))
    if expect.reasons is not None:
        compare("reasons", expect.reasons, recording.column("evaluations", "reason"))
    if expect.op_errors is not None:
        ops = zip(recording.column("ops", "outcome"), recording.column("ops", "error"))
        compare("op_errors", expect.op_errors, [error for outcome, error in ops if outcome == "error"])
    messages = recording.column("logs", "message")
    for text in () if "logs_absent" in skipped else expect.logs_absent or ():
        found = [m for m in messages if text in m]
        if found:
            failures.append(Failure("logs_absent", f"no line containing {text!r}", found))
    if expect.logs is not None and "logs" not in skipped:
        for text in expect.logs:
            if not any(text in m for m in messages):
                failures.append(Failure("logs", f"a line containing {text!r}", messages))
    return failures


SHOWN_VIOLATIONS = 5


def check_violations(expect: Expectations, verdicts) -> list[Failure]:
    """The checkers that reported a violation must be exactly those expected to (none by default)."""
    violated = sorted(v.checker for v in verdicts if v.violations)
    expected = sorted(expect.violations or ())
    if violated == expected:
        return []
    details = []
    for verdict in verdicts:  # the first few of each checker: a long run can show tens of thousands
        shown = verdict.violations[:SHOWN_VIOLATIONS]
        details += [f"{x.checker} at step {x.step}: {x.message}" for x in shown]
        if len(verdict.violations) > len(shown):
            details.append(f"{verdict.checker}: and {len(verdict.violations) - len(shown):,} more")
    return [Failure("violations", expected, details or violated)]
