"""A scenario's steps, where a plain write may be kept as a row.

Long built scenarios are mostly plain writes: an upsert or a delete of one
item by version alone, with no ``at`` or ``after``. As a :class:`~.steps.Step`
each is three frozen objects, which cost more to make than the ``contract``
target takes to replay them. So the builder keeps each as a row instead,
``("upsert" or "delete", kind, key, version)``, and :class:`Steps` holds rows
and Steps alike. (Words, not the action classes: a row of plain values is one
the garbage collector soon stops tracking.) Reading a step gives its ``Step``
as usual, made afresh from a row; :func:`harness.replay.play.play` hands a row
to the world as it is.

A row and the Step it stands for are equal steps: two scenarios compare equal
however their steps are kept. Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

from ..errors import ScenarioError
from .steps import Action, Delete, Step, Upsert
from .item_fields import Item
from .values import KINDS, is_version

#: A plain write as a row: ("upsert" or "delete", kind, key, version).
PlainWrite = tuple
PLAIN_WRITES: dict[str, type[Action]] = {"upsert": Upsert, "delete": Delete}


def plain_write(step: Step) -> PlainWrite | None:
    """The row of ``step`` when it is a plain write, else None."""
    if step.at is not None or step.after is not None:
        return None
    action = step.action
    if type(action) is Upsert:
        item = action.item
        return ("upsert", item.kind, item.key, item.spec["version"]) if len(item.spec) == 1 else None
    if type(action) is Delete:
        return ("delete", action.kind, action.key, action.version)
    return None


def step_of(row: PlainWrite) -> Step:
    """The :class:`Step` a row stands for."""
    action, kind, key, version = row
    return Step(Upsert(Item(kind, key, {"version": version})) if action == "upsert" else Delete(kind, key, version))


def _canonical(row: Step | PlainWrite) -> Step | PlainWrite:
    """A plain write as its row, however it is kept (what equality compares)."""
    return row if type(row) is tuple else (plain_write(row) or row)


def is_plain_write(row: tuple) -> bool:
    """Whether ``row`` is a well-formed plain write: a known action and kind, a non-empty key,
    a version in range (the checks an Item or a Delete makes)."""
    return (len(row) == 4 and row[0] in PLAIN_WRITES and row[1] in KINDS and type(row[2]) is str and row[2] != ""
            and is_version(row[3]))


def _checked(row: tuple, index: int) -> PlainWrite:
    if not is_plain_write(row):
        raise ScenarioError(f"step {index} is neither a Step nor a plain write ('upsert' or 'delete', kind, key, "
                            f"version): {row!r}", key=f"steps[{index}]")
    return row


class Steps(Sequence[Step]):
    """The steps of a scenario: a read-only sequence of :class:`Step`, given as Steps or rows."""

    __slots__ = ("_rows",)

    def __init__(self, steps: Iterable[Step | PlainWrite] = ()):
        rows: list[Step | PlainWrite] = []
        for index, step in enumerate(steps):
            if type(step) is tuple:
                rows.append(_checked(step, index))
            elif isinstance(step, Step):
                rows.append(step)
            else:
                raise ScenarioError(f"step {index} is not a Step", key=f"steps[{index}]")
        self._rows: tuple[Step | PlainWrite, ...] = tuple(rows)

    @classmethod
    def _kept(cls, rows: tuple) -> "Steps":
        """Steps of rows some Steps already checked (a slice, a sum)."""
        steps = cls.__new__(cls)
        steps._rows = rows
        return steps

    def rows(self) -> tuple[Step | PlainWrite, ...]:
        """Each step as kept: a :data:`PlainWrite` row, or its :class:`Step`."""
        return self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Steps._kept(self._rows[index])
        row = self._rows[index]
        return step_of(row) if type(row) is tuple else row

    def __iter__(self) -> Iterator[Step]:
        return (step_of(row) if type(row) is tuple else row for row in self._rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Steps):
            return len(self._rows) == len(other._rows) and all(
                mine == theirs or _canonical(mine) == _canonical(theirs)
                for mine, theirs in zip(self._rows, other._rows))
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(map(_canonical, self._rows)))

    def __add__(self, other: Iterable[Step]) -> "Steps":
        other = other if isinstance(other, Steps) else Steps(other)
        return Steps._kept(self._rows + other._rows)

    def __radd__(self, other: Iterable[Step]) -> "Steps":
        return Steps(other) + self

    def __repr__(self) -> str:
        return f"Steps({list(self)!r})"

    # -- what the scenario's own checks read, without making a Step of each row --------

    def action_kinds(self) -> frozenset[type[Action]]:
        return frozenset(PLAIN_WRITES[row[0]] if type(row) is tuple else type(row.action) for row in self._rows)

    def writes(self) -> Iterator[tuple[str, str]]:
        """(kind, key) of every item a step writes or deletes."""
        for row in self._rows:
            if type(row) is tuple:
                yield row[1], row[2]
            else:
                yield from row.action.writes()

    def kept_as_steps(self) -> Iterator[tuple[int, Step]]:
        """(index, step) of the steps not kept as rows: the only ones with timing, or an extent."""
        return ((index, row) for index, row in enumerate(self._rows) if type(row) is not tuple)
