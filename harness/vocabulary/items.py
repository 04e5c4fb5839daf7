"""Expand a scenario's short item specs into real flag and segment JSON.

A flag spec defaults to ``on: true``, ``variations: [false, true]``,
``fallthrough: {variation: 0}``, ``offVariation: 0`` and ``salt`` = its key.
``prerequisites: [f1]`` becomes ``[{key: f1, variation: 0}]``; ``segments:
[s1]`` adds a rule with one ``segmentMatch`` clause serving variation 1. A
segment may carry ``segments:`` (a rule naming other segments) and
``included:``. Every other key is copied as given, so the result is the JSON
the SDK decodes, tracks dependencies of, and evaluates.
"""

from __future__ import annotations

from typing import Any

from .item_fields import Item
from .values import plain_copy


def _segment_rule(rule_id: str, segment_keys: list[str], variation: int | None) -> dict:
    rule: dict[str, Any] = {
        "id": rule_id,
        "clauses": [{"attribute": "key", "op": "segmentMatch", "values": list(segment_keys), "negate": False}],
        "trackEvents": False,
    }
    if variation is not None:
        rule["variation"] = variation
    return rule


def flag_json(key: str, spec: dict) -> dict:
    spec = plain_copy(spec)
    prerequisites = [p if isinstance(p, dict) else {"key": p, "variation": 0}
                     for p in spec.pop("prerequisites", None) or []]
    segments = spec.pop("segments", None) or []
    rules = spec.pop("rules", None) or []
    if segments:
        rules = rules + [_segment_rule(f"{key}-segments", segments, 1)]
    flag = {
        "key": key,
        "on": True,
        "prerequisites": prerequisites,
        "targets": [],
        "contextTargets": [],
        "rules": rules,
        "fallthrough": {"variation": 0},
        "offVariation": 0,
        "variations": [False, True],
        "salt": key,
        "trackEvents": False,
        "trackEventsFallthrough": False,
        "clientSide": False,
        "deleted": False,
    }
    flag.update(spec)
    return flag


def segment_json(key: str, spec: dict) -> dict:
    spec = plain_copy(spec)
    segments = spec.pop("segments", None) or []
    rules = spec.pop("rules", None) or []
    if segments:
        rules = rules + [_segment_rule(f"{key}-segments", segments, None)]
    segment = {
        "key": key,
        "included": [],
        "excluded": [],
        "includedContexts": [],
        "excludedContexts": [],
        "rules": rules,
        "salt": key,
        "deleted": False,
    }
    segment.update(spec)
    return segment


# What a version-only spec expands to, key, salt and version aside. Its nested parts are
# shared by every such item: neither the SDKs nor the kit ever change an item's JSON.
PLAIN_FLAG = flag_json("-", {"version": 0})
PLAIN_SEGMENT = segment_json("-", {"version": 0})


def plain_json(kind: str, key: str, version: int) -> dict:
    """The JSON of a version-only item: the plain defaults with its key and version, made afresh."""
    return dict(PLAIN_FLAG if kind == "flags" else PLAIN_SEGMENT, key=key, salt=key, version=version)


def item_json(item: Item) -> dict:
    """The JSON the SDK receives for this item: a fresh top-level dict each call.

    A version-only item (most of a long scenario) is the plain defaults with
    its key and version, made afresh each time: caching it would cost a
    kilobyte an item. Any other expansion is made once and kept on the item
    (items are immutable); the SDK never mutates the nested parts, so only the
    top level is copied.
    """
    spec = item.spec
    if len(spec) == 1:
        return plain_json(item.kind, item.key, spec["version"])
    cached = item.json_cache
    if cached is None:
        build = flag_json if item.kind == "flags" else segment_json
        cached = build(item.key, dict(item.spec))
        object.__setattr__(item, "json_cache", cached)
    return dict(cached)
