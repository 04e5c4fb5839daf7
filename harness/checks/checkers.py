"""Invariant checkers, run on every result. Pure: they read a Recording's rows.

A checker answers ``holds``, ``violated`` (with the violations) or
``cannot tell`` (the recording does not hold what it needs), as Jepsen's
checkers do. Which checkers apply to which target is declared in
:data:`NOT_APPLICABLE` (with the reason), not decided inside the checkers.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from ..replay.recording import CHANGES, OPS, Recording
from ..vocabulary.values import KINDS, target_family

HOLDS, VIOLATED, CANNOT_TELL = "holds", "violated", "cannot tell"


class Violation(NamedTuple):
    """One breach of an invariant. A checker may report tens of thousands in one run, so
    it is a tuple, and its ``message`` is worded when read: ``text`` formatted with ``args``."""

    checker: str
    step: int
    text: str
    args: tuple = ()

    @property
    def message(self) -> str:
        return self.text.format(*self.args) if self.args else self.text


class Violations(Sequence[Violation]):
    """Violations made only when read, by index or slice. A run can report a hundred thousand,
    and most readers count them or show the first few. ``make(source)`` turns one source (what
    the checker noted, such as a row's index) into its :class:`Violation`."""

    def __init__(self, make: Callable[[Any], Violation], sources: list):
        self._make = make
        self._sources = sources

    def __len__(self) -> int:
        return len(self._sources)

    def __iter__(self) -> Iterator[Violation]:
        return map(self._make, self._sources)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(map(self._make, self._sources[index]))
        return self._make(self._sources[index])


@dataclass(frozen=True)
class Verdict:
    checker: str
    verdict: str
    violations: Sequence[Violation] = ()


class Rows:
    """A recording's rows as dicts, made once per frame and shared by the checkers."""

    def __init__(self, recording: Recording):
        self.recording = recording

    @cached_property
    def ops(self) -> list[dict]:
        return self.recording.dicts("ops")

    @cached_property
    def status(self) -> list[dict]:
        return self.recording.dicts("status")

    @cached_property
    def _op_seqs(self) -> list[int]:
        return [op["seq"] for op in self.ops]

    def cause(self, seq: int) -> dict | None:
        """The operation during which the row with this ``seq`` was recorded."""
        index = bisect.bisect_right(self._op_seqs, seq) - 1
        return self.ops[index] if index >= 0 else None


def verdict(name: str, observed: bool, violations: list[Violation] | Violations) -> Verdict:
    """The answer of checker ``name``: violated if there are violations, else holds, or cannot tell
    when the recording never showed what the checker looks for."""
    if violations:
        return Verdict(name, VIOLATED, violations if isinstance(violations, Violations) else tuple(violations))
    return Verdict(name, HOLDS if observed else CANNOT_TELL)


# Column positions in the raw ops rows (the write checkers read every row, so no dicts).
_SEQ, _STEP, _OP, _KIND, _KEY, _VERSION, _OUTCOME, _BEFORE, _AFTER = (
    OPS.seq, OPS.step, OPS.op, OPS.kind, OPS.key, OPS.version, OPS.outcome, OPS.stored_before, OPS.stored_after)


def versions_never_go_down(rows: Rows) -> Verdict:
    """A stored version never goes down, except through init."""
    name = "versions-never-go-down"
    violations, observed = [], False
    last: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}  # kind -> key -> version last stored
    for op in rows.recording.rows["ops"]:
        kind = op[_OP]
        if kind == "init" and op[_OUTCOME] == "applied":
            last = {kind: {} for kind in KINDS}
        if kind not in ("upsert", "delete") or op[_OUTCOME] == "error":
            continue
        key, before, after, stored = op[_KEY], op[_BEFORE], op[_AFTER], last[op[_KIND]]
        if before is not None:
            observed = True
            if after is not None and after < before:
                violations.append(Violation(name, op[_STEP], f"{key} went from v{before} to v{after}"))
            if before < stored.get(key, -1):
                violations.append(Violation(name, op[_STEP], f"{key} was v{stored[key]}, now reads v{before}"))
        if after is not None:
            stored[key] = after
    return verdict(name, observed, violations)


def stale_writes_never_applied(rows: Rows) -> Verdict:
    """A write lower than or equal to the stored version (live or tombstone) is never applied."""
    name = "stale-writes-never-applied"
    violations, observed = [], False
    for op in rows.recording.rows["ops"]:
        before = op[_BEFORE]
        if before is None or op[_OP] not in ("upsert", "delete"):
            continue
        observed = True
        if op[_OUTCOME] == "applied" and op[_VERSION] <= before:
            violations.append(Violation(name, op[_STEP], f"{op[_OP]} of {op[_KEY]} v{op[_VERSION]} applied "
                                                         f"over stored v{before}"))
    return verdict(name, observed, violations)


def since_moves_with_state(rows: Rows) -> Verdict:
    """``since`` changes exactly when the state changes: to the time of the change, and
    not at all otherwise (on a virtual clock two changes can share an instant)."""
    name = "since-moves-with-state"
    status, violations = rows.status, []
    for prev, row in zip(status, status[1:]):
        if row["state"] != prev["state"] and row["since"] != row["t"]:
            violations.append(Violation(name, row["step"], f"{prev['state']} -> {row['state']} at t={row['t']} "
                                                           f"but since={row['since']}"))
        if row["state"] == prev["state"] and row["since"] != prev["since"]:
            violations.append(Violation(name, row["step"], f"stayed {row['state']} but since moved"))
    return verdict(name, len(status) > 1, violations)


def _error(row: dict) -> tuple:
    return (row["error_kind"], row["status_code"], row["error_message"], row["error_time"])


def _reported_an_error(op: dict | None) -> bool:
    if op is None:
        return False
    if op["op"] == "status":
        return " " in (op["reported"] or "")
    return op["outcome"] == "error"  # a failed write reports STORE_ERROR


def no_repeated_status(rows: Rows) -> Verdict:
    """No status row repeats the previous one without a new error."""
    name = "no-repeated-status"
    status, violations = rows.status, []
    for prev, row in zip(status, status[1:]):
        same = row["state"] == prev["state"] and _error(row) == _error(prev)
        if same and not _reported_an_error(rows.cause(row["seq"])):
            violations.append(Violation(name, row["step"], f"{row['state']} broadcast again with no new error"))
    return verdict(name, len(status) > 1, violations)


def interrupted_only_after_valid(rows: Rows) -> Verdict:
    """INTERRUPTED never appears before the first VALID."""
    name = "interrupted-only-after-valid"
    violations = []
    for row in rows.status:
        if row["state"] == "VALID":
            break
        if row["state"] == "INTERRUPTED":
            violations.append(Violation(name, row["step"], "INTERRUPTED before the source was ever VALID"))
    return verdict(name, len(rows.status) > 1, violations)


def _change_after(name: str, ops: list, changes: list, change_seqs: list[int], index: int) -> Violation:
    """The violation for the change event right after the unapplied ``ops[index]``."""
    cause = ops[index]
    change = changes[bisect.bisect_left(change_seqs, cause[_SEQ])]
    return Violation(name, change[CHANGES.step], "change event after {} of {} v{}, which was {}",
                     (cause[_OP], cause[_KEY], cause[_VERSION], cause[_OUTCOME]))


def changes_only_for_applied_writes(rows: Rows) -> Verdict:
    """No flag change event for a write the store did not apply."""
    name = "changes-only-for-applied-writes"
    ops = rows.recording.rows["ops"]
    changes = rows.recording.rows["changes"]
    change_seqs = [change[CHANGES.seq] for change in changes]
    count, last = len(change_seqs), len(ops) - 1
    after_unapplied: list[int] = []  # the index of each unapplied op that a change event follows
    # A change's cause is the last operation before it. Walk both in order: ``first`` is the
    # first change after the operation, its own when it comes before the next operation.
    first = 0
    for index, cause in enumerate(ops):
        seq = cause[_SEQ]
        while first < count and change_seqs[first] < seq:
            first += 1
        if first < count and cause[_OUTCOME] != "applied" and (index == last
                                                              or change_seqs[first] < ops[index + 1][_SEQ]):
            after_unapplied.append(index)
    # The sync sink sends an event for every ignored write: one per operation of a long run.
    return verdict(name, bool(changes),
                   Violations(partial(_change_after, name, ops, changes, change_seqs), after_unapplied))


Checker = Callable[[Rows], Verdict]

CHECKERS: dict[str, Checker] = {
    "versions-never-go-down": versions_never_go_down,
    "stale-writes-never-applied": stale_writes_never_applied,
    "since-moves-with-state": since_moves_with_state,
    "no-repeated-status": no_repeated_status,
    "interrupted-only-after-valid": interrupted_only_after_valid,
    "changes-only-for-applied-writes": changes_only_for_applied_writes,
}

# The frames each checker reads: where one is not available (Recording.unavailable), it cannot tell.
READS: dict[str, frozenset[str]] = {
    "versions-never-go-down": frozenset({"ops"}),
    "stale-writes-never-applied": frozenset({"ops"}),
    "since-moves-with-state": frozenset({"status"}),
    "no-repeated-status": frozenset({"status", "ops"}),
    "interrupted-only-after-valid": frozenset({"status"}),
    "changes-only-for-applied-writes": frozenset({"ops", "changes"}),
}

# Which checkers apply to which target, and why one does not: only for a target that
# cannot be judged by a checker, never because it is known to break it (a known
# violation is pinned per scenario in ``expect.violations``, so it stays visible).
NOT_APPLICABLE: dict[str, dict[str, str]] = {}


def applicable(target: str) -> list[str]:
    """Names of the checkers that apply to ``target``."""
    skipped = NOT_APPLICABLE.get(target, NOT_APPLICABLE.get(target_family(target), {}))
    return [name for name in CHECKERS if name not in skipped]



def check_all(recording: Recording, target: str) -> list[Verdict]:
    """The verdict of every checker that applies to ``target``; one that reads a frame the target
    cannot fill answers cannot tell."""
    rows = Rows(recording)
    return [Verdict(name, CANNOT_TELL) if READS.get(name, frozenset()) & recording.unavailable else CHECKERS[name](rows)
            for name in applicable(target)]
