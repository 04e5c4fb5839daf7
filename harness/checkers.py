"""Invariant checkers, run on every result. Pure: they read a Recording's rows.

A checker answers ``holds``, ``violated`` (with the violations) or
``cannot tell`` (the recording does not hold what it needs), as Jepsen's
checkers do. Which checkers apply to which target is declared in
:data:`NOT_APPLICABLE` (with the reason), not decided inside the checkers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .recording import FRAMES, Recording

HOLDS, VIOLATED, CANNOT_TELL = "holds", "violated", "cannot tell"


@dataclass(frozen=True)
class Violation:
    checker: str
    step: int
    message: str


@dataclass(frozen=True)
class Verdict:
    checker: str
    verdict: str
    violations: tuple[Violation, ...] = ()


def _rows(recording: Recording, frame: str) -> list[dict]:
    names = ("seq", "step", "t") + FRAMES[frame]
    return [dict(zip(names, row)) for row in recording.rows[frame]]


def _verdict(name: str, observed: bool, violations: list[Violation]) -> Verdict:
    if violations:
        return Verdict(name, VIOLATED, tuple(violations))
    return Verdict(name, HOLDS if observed else CANNOT_TELL)


def _writes(recording: Recording) -> list[dict]:
    return [op for op in _rows(recording, "ops") if op["op"] in ("upsert", "delete")]


def versions_never_go_down(recording: Recording) -> Verdict:
    """A stored version never goes down, except through init."""
    name = "versions-never-go-down"
    violations, last, observed = [], {}, False
    for op in _rows(recording, "ops"):
        if op["op"] == "init" and op["outcome"] == "applied":
            last = {}
        if op["op"] not in ("upsert", "delete") or op["outcome"] == "error":
            continue
        key = (op["kind"], op["key"])
        before, after = op["stored_before"], op["stored_after"]
        observed = observed or before is not None
        if before is not None and after is not None and after < before:
            violations.append(Violation(name, op["step"], f"{key[1]} went from v{before} to v{after}"))
        if key in last and before is not None and before < last[key]:
            violations.append(Violation(name, op["step"], f"{key[1]} was v{last[key]}, now reads v{before}"))
        if after is not None:
            last[key] = after
    return _verdict(name, observed, violations)


def stale_writes_never_applied(recording: Recording) -> Verdict:
    """A write lower than or equal to the stored version (live or tombstone) is never applied."""
    name = "stale-writes-never-applied"
    violations, observed = [], False
    for op in _writes(recording):
        before = op["stored_before"]
        if before is None:
            continue
        observed = True
        if op["outcome"] == "applied" and op["version"] <= before:
            violations.append(Violation(name, op["step"], f"{op['op']} of {op['key']} v{op['version']} applied "
                                                          f"over stored v{before}"))
    return _verdict(name, observed, violations)


def since_moves_with_state(recording: Recording) -> Verdict:
    """``since`` changes exactly when the state changes: to the time of the change, and
    not at all otherwise (on a virtual clock two changes can share an instant)."""
    name = "since-moves-with-state"
    rows, violations = _rows(recording, "status"), []
    for prev, row in zip(rows, rows[1:]):
        if row["state"] != prev["state"] and row["since"] != row["t"]:
            violations.append(Violation(name, row["step"], f"{prev['state']} -> {row['state']} at t={row['t']} "
                                                           f"but since={row['since']}"))
        if row["state"] == prev["state"] and row["since"] != prev["since"]:
            violations.append(Violation(name, row["step"], f"stayed {row['state']} but since moved"))
    return _verdict(name, len(rows) > 1, violations)


def _error(row: dict) -> tuple:
    return (row["error_kind"], row["status_code"], row["error_message"], row["error_time"])


def _cause(ops: list[dict], seq: int) -> dict | None:
    """The operation during which the row with this ``seq`` was recorded."""
    cause = None
    for op in ops:
        if op["seq"] > seq:
            break
        cause = op
    return cause


def _reported_an_error(op: dict | None) -> bool:
    if op is None:
        return False
    if op["op"] == "status":
        return " " in (op["reported"] or "")
    return op["outcome"] == "error"  # a failed write reports STORE_ERROR


def no_repeated_status(recording: Recording) -> Verdict:
    """No status row repeats the previous one without a new error."""
    name = "no-repeated-status"
    rows, ops, violations = _rows(recording, "status"), _rows(recording, "ops"), []
    for prev, row in zip(rows, rows[1:]):
        same = row["state"] == prev["state"] and _error(row) == _error(prev)
        if same and not _reported_an_error(_cause(ops, row["seq"])):
            violations.append(Violation(name, row["step"], f"{row['state']} broadcast again with no new error"))
    return _verdict(name, len(rows) > 1, violations)


def interrupted_only_after_valid(recording: Recording) -> Verdict:
    """INTERRUPTED never appears before the first VALID."""
    name = "interrupted-only-after-valid"
    rows, violations = _rows(recording, "status"), []
    for row in rows:
        if row["state"] == "VALID":
            break
        if row["state"] == "INTERRUPTED":
            violations.append(Violation(name, row["step"], "INTERRUPTED before the source was ever VALID"))
    return _verdict(name, len(rows) > 1, violations)


def changes_only_for_applied_writes(recording: Recording) -> Verdict:
    """No flag change event for a write the store did not apply."""
    name = "changes-only-for-applied-writes"
    ops = _rows(recording, "ops")
    violations: list[Violation] = []
    reported: set[int] = set()
    changes = _rows(recording, "changes")
    for change in changes:
        cause = _cause(ops, change["seq"])
        if cause is not None and cause["outcome"] != "applied" and cause["seq"] not in reported:
            reported.add(cause["seq"])
            violations.append(Violation(name, change["step"], f"change event after {cause['op']} of "
                                        f"{cause['key']} v{cause['version']}, which was {cause['outcome']}"))
    return _verdict(name, bool(changes), violations)


Checker = Callable[[Recording], Verdict]

CHECKERS: dict[str, Checker] = {
    "versions-never-go-down": versions_never_go_down,
    "stale-writes-never-applied": stale_writes_never_applied,
    "since-moves-with-state": since_moves_with_state,
    "no-repeated-status": no_repeated_status,
    "interrupted-only-after-valid": interrupted_only_after_valid,
    "changes-only-for-applied-writes": changes_only_for_applied_writes,
}

# Which checkers apply to which target, and why one does not.
NOT_APPLICABLE: dict[str, dict[str, str]] = {
    "sdk": {"changes-only-for-applied-writes":
            "the sync sink fires events after every write (TODO(SDK-62)); see the stale-* scenarios"},
}


def applicable(target: str) -> list[str]:
    """Names of the checkers that apply to ``target``."""
    skipped = NOT_APPLICABLE.get(target, {})
    return [name for name in CHECKERS if name not in skipped]



def check_all(recording: Recording, target: str) -> list[Verdict]:
    """The verdict of every checker that applies to ``target``."""
    return [CHECKERS[name](recording) for name in applicable(target)]
