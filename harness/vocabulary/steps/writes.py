"""The steps that write data through the sink: ``upsert``, ``delete`` and ``init``.

An upsert or a delete names its item with ``flag:`` or ``segment:``, so its
options (flag, segment, version) are not its fields (the item, or kind and
key): these two kinds declare ``params`` with :meth:`from_params` and
:meth:`to_params`. Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ...errors import ScenarioError
from ..item_fields import Item, any_spec_properties
from ..values import KINDS, check, check_key, check_version
from . import drawing
from .declaration import Action, Param, option, step_kind
from .forms import KEY, VERSION, items_of

TARGET_PARAMS = (
    Param("flag", KEY, "the flag's key (or give segment:)", default=None),
    Param("segment", KEY, "the segment's key (or give flag:)", default=None),
    Param("version", VERSION, "the version written"),
)


def _target(flag: str | None, segment: str | None) -> tuple[str, str]:
    if (flag is None) == (segment is None):
        raise ScenarioError("name exactly one of 'flag' or 'segment'", key="flag")
    return ("flags", flag) if segment is None else ("segments", segment)  # type: ignore[return-value]


def _target_params(kind: str, key: str) -> dict:
    return {"flag" if kind == "flags" else "segment": key}


# Upsert comes first: the generation table lists kinds as declared, and a zero byte is the plainest step.
@step_kind
@dataclass(frozen=True, slots=True)
class Upsert(Action):
    """Write one item if its version is higher than the stored one (``sink.upsert``)."""

    name: ClassVar[str] = "upsert"
    params: ClassVar[tuple[Param, ...]] = TARGET_PARAMS
    extra: ClassVar = ("spec", any_spec_properties(),
                       "the item's other fields (on, prerequisites, rules, ...), checked against the SDKs' models")
    weight: ClassVar[int] = 2  # writes collide most
    item: Item

    @classmethod
    def from_params(cls, flag: str | None = None, segment: str | None = None, **spec: Any) -> "Upsert":
        kind, key = _target(flag, segment)
        return cls(Item(kind, key, spec))

    def to_params(self) -> dict[str, Any]:
        return {**_target_params(self.item.kind, self.item.key), **self.item.spec}

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Upsert":
        return cls(drawing.written_item(a, drawing.pick(drawing.WRITE_VERSIONS, b), c))

    def writes(self):
        return [(self.item.kind, self.item.key)]

    def items(self):
        return (self.item,)


@step_kind
@dataclass(frozen=True, slots=True)
class Delete(Action):
    """Write a tombstone with this version (``sink.delete``)."""

    name: ClassVar[str] = "delete"
    params: ClassVar[tuple[Param, ...]] = TARGET_PARAMS
    kind: str
    key: str
    version: int

    def __post_init__(self):
        check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}", "kind")
        check_key(self.key, "a key", "key")
        check_version(self.version, "version")

    @classmethod
    def from_params(cls, flag: str | None = None, segment: str | None = None, version: Any = None) -> "Delete":
        return cls(*_target(flag, segment), version)

    def to_params(self) -> dict[str, Any]:
        return {**_target_params(self.kind, self.key), "version": self.version}

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Delete":
        item = drawing.written_item(a, 0, 0)
        return cls(item.kind, item.key, drawing.pick(drawing.WRITE_VERSIONS, b))

    def writes(self):
        return [(self.kind, self.key)]


@step_kind
@dataclass(frozen=True, slots=True)
class Init(Action):
    """Replace the store's whole contents (``sink.init``)."""

    name: ClassVar[str] = "init"
    bare: ClassVar[bool] = False  # a bare "init:" is a mis-indented one
    flags: tuple[Item, ...] = option(items_of("flags"), "every flag, by key: {f1: {version: 1}}", default=())
    segments: tuple[Item, ...] = option(items_of("segments"), "every segment, by key: {s1: {version: 1}}",
                                        default=())

    def __post_init__(self):
        for kind in KINDS:
            items = getattr(self, kind)
            check(isinstance(items, tuple), f"init {kind} must be a tuple of items", kind)
            keys = [i.key for i in items]
            check(len(keys) == len(set(keys)), f"duplicate keys in init {kind}", kind)
            check(all(isinstance(i, Item) and i.kind == kind for i in items),
                  f"init {kind} holds something that is no {kind[:-1]} item", kind)

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Init":
        return cls(*drawing.initial_items(a, b, c))

    def writes(self):
        return [(i.kind, i.key) for i in self.flags + self.segments]

    def items(self):
        return self.flags + self.segments
