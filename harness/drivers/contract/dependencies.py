"""Who depends on whom among flags and segments, to find every item a change affects.

A flag depends on its prerequisite flags and on the segments its rules name in
``segmentMatch`` clauses; a segment on the segments its rules name. A change to
an item affects the item and, transitively, everything that depends on it: the
sink sends a flag change event for each affected flag.
"""

from __future__ import annotations

from .store import Record


def dependencies(kind: str, item: Record | None) -> set[tuple[str, str]]:
    """What an item depends on: prerequisite flags and segments named in segmentMatch clauses."""
    if item is None or item.get("deleted"):
        return set()
    deps: set[tuple[str, str]] = set()
    if kind == "flags":
        deps |= {("flags", p["key"]) for p in item.get("prerequisites") or []}
    for rule in item.get("rules") or []:
        for clause in rule.get("clauses") or []:
            if clause.get("op") == "segmentMatch":
                deps |= {("segments", v) for v in clause.get("values") or [] if isinstance(v, str)}
    return deps


class DependencyGraph:
    """Who depends on whom, to find every item affected by a change."""

    def __init__(self) -> None:
        self.depends_on: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def reset(self, data: dict[str, dict[str, Record]]) -> None:
        self.depends_on = {}
        for kind, items in data.items():
            for key, item in items.items():
                self.update(kind, key, item)

    def update(self, kind: str, key: str, item: Record | None) -> None:
        self.depends_on[(kind, key)] = dependencies(kind, item)

    def affected(self, kind: str, key: str) -> set[tuple[str, str]]:
        found = {(kind, key)}
        frontier = [(kind, key)]
        while frontier:
            target = frontier.pop()
            for item, deps in self.depends_on.items():
                if target in deps and item not in found:
                    found.add(item)
                    frontier.append(item)
        return found
