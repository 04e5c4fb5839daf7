"""A small flag evaluator for the contract model: enough for the kit's item vocabulary.

Covers on/off, prerequisites, individual targets, rules whose clauses are
``segmentMatch`` or ``in`` on ``key``, segments (included, excluded, nested
rules) and a fixed fallthrough variation. Anything else (rollouts, other
operators) is reported as ``ERROR:UNSUPPORTED_BY_MODEL`` rather than guessed.
Pure: reads items through a ``get(kind, key)`` function.
"""

from __future__ import annotations

from typing import Any, Callable

Get = Callable[[str, str], Any]


class Unsupported(Exception):
    """The model does not evaluate this construct."""


class Malformed(Exception):
    """The flag cannot be evaluated as configured: a prerequisite or segment cycle (as the SDKs say)."""


def _segment_contains(get: Get, key: str, context_key: str, seen: frozenset = frozenset()) -> bool:
    if key in seen:
        raise Malformed(f"segment {key!r} refers to itself")
    segment = get("segments", key)
    if segment is None:
        return False
    if context_key in (segment.get("included") or []):
        return True
    if context_key in (segment.get("excluded") or []):
        return False
    return any(_rule_matches(get, rule, context_key, seen | {key}) for rule in segment.get("rules") or [])


def _clause_matches(get: Get, clause: dict, context_key: str, seen: frozenset) -> bool:
    op = clause.get("op")
    if op == "segmentMatch":
        hit = any(_segment_contains(get, s, context_key, seen) for s in clause.get("values") or [])
    elif op == "in" and clause.get("attribute") == "key":
        hit = context_key in (clause.get("values") or [])
    else:
        raise Unsupported(f"clause op {op!r} on {clause.get('attribute')!r}")
    return hit != bool(clause.get("negate"))


def _rule_matches(get: Get, rule: dict, context_key: str, seen: frozenset = frozenset()) -> bool:
    return all(_clause_matches(get, c, context_key, seen) for c in rule.get("clauses") or [])


def _variation(flag: dict, index: Any, reason: str) -> tuple[int | None, Any, str]:
    variations = flag.get("variations") or []
    if isinstance(index, int) and 0 <= index < len(variations):
        return index, variations[index], reason
    return None, None, reason


def _evaluate(get: Get, flag: dict, context_key: str, chain: frozenset) -> tuple[int | None, Any, str]:
    if not flag.get("on", False):
        return _variation(flag, flag.get("offVariation"), "OFF")
    for prerequisite in flag.get("prerequisites") or []:
        if prerequisite["key"] in chain:
            raise Malformed(f"prerequisite {prerequisite['key']!r} is circular")
        pre = get("flags", prerequisite["key"])
        if pre is None:
            return _variation(flag, flag.get("offVariation"), "PREREQUISITE_FAILED")
        index, _, _ = _evaluate(get, pre, context_key, chain | {prerequisite["key"]})
        if not pre.get("on", False) or index != prerequisite.get("variation"):
            return _variation(flag, flag.get("offVariation"), "PREREQUISITE_FAILED")
    for target in flag.get("targets") or []:
        if context_key in (target.get("values") or []):
            return _variation(flag, target.get("variation"), "TARGET_MATCH")
    for rule in flag.get("rules") or []:
        if _rule_matches(get, rule, context_key):
            if "variation" not in rule:
                raise Unsupported("rule rollouts")
            return _variation(flag, rule["variation"], "RULE_MATCH")
    fallthrough = flag.get("fallthrough") or {}
    if "variation" not in fallthrough:
        raise Unsupported("fallthrough rollouts")
    return _variation(flag, fallthrough["variation"], "FALLTHROUGH")


def _missing_on_error(get: Get) -> Get:
    """Go's evaluator reads prerequisites and segments so: a store error reads as a missing item."""
    def lookup(kind: str, key: str) -> dict | None:
        try:
            return get(kind, key)
        except Exception:
            return None
    return lookup


def evaluate(get: Get, flag_key: str, context_key: str, default: Any) -> tuple[Any, str]:
    """(value, reason) as the kit records them; ``get`` may raise (store errors)."""
    try:
        flag = get("flags", flag_key)
    except Exception:
        return default, "ERROR:EXCEPTION"
    if flag is None:
        return default, "ERROR:FLAG_NOT_FOUND"
    try:
        index, value, reason = _evaluate(_missing_on_error(get), flag, context_key, frozenset({flag_key}))
    except Unsupported:
        return default, "ERROR:UNSUPPORTED_BY_MODEL"
    except Malformed:
        return default, "ERROR:MALFORMED_FLAG"
    except Exception:
        return default, "ERROR:EXCEPTION"
    return (default if index is None else value), reason
