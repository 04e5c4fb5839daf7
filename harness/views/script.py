"""The faults a scenario scripted, as windows of virtual time: the ground truth a picture draws beside
what the SDK reported (as Jepsen draws its nemesis's windows).

- a **store fault** runs from a ``store_down`` step to the next ``store_up``
  (or the end of the run);
- a **connection down** runs from a ``disconnect`` to the reconnect: the one it
  scheduled with ``reconnect_after`` (unless a later step came first), a
  ``reconnect`` step, a ``stop``, or the end of the run.

The windows come from the scenario and the times its steps acted, so they are
the same on every target: an outage scripted at +10 s is drawn from +10 s,
even when the SDK notices it at +31 s.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..replay.recording import OPS
from ..results.result import Result
from ..vocabulary.steps import Disconnect, Reconnect, Stop, StoreDown, StoreUp
from .timeline_axis import TimelineAxis

STORE, CONNECTION = "store", "connection"


@dataclass(frozen=True)
class Fault:
    """One scripted fault window: ``kind`` (store or connection), the steps that began and ended it,
    and its x on the axis. ``last_step`` is None when no step ended it (a scheduled reconnect, or the
    end of the run)."""

    kind: str
    first_step: int
    last_step: int | None
    x0: float
    x1: float

    def __post_init__(self):
        if self.kind not in (STORE, CONNECTION):
            raise ValueError(f"a fault is a store or a connection fault, not {self.kind!r}")
        if self.x1 < self.x0:
            raise ValueError(f"a fault window ends ({self.x1}) before it starts ({self.x0})")


def _reconnect_x(result: Result, axis: TimelineAxis, due: int) -> float:
    """Where a scheduled reconnect went: at the init it sent (recorded at its moment), else its time."""
    for row in result.recording.rows["ops"]:
        if row[OPS.op] == "init" and row[OPS.t] == due:
            return axis.at(row[OPS.step], row[OPS.t])
    return axis.time_x(due)


def scripted_faults(result: Result, axis: TimelineAxis) -> list[Fault]:
    """The store and connection faults the run's scenario scripted, in the order they began."""
    faults: list[Fault] = []
    times = result.recording.step_times
    store: tuple[int, float] | None = None        # (first step, x0) of the open store fault
    down: tuple[int, float] | None = None         # ... of the open connection fault
    reconnect_due: int | None = None              # when the scheduled reconnect fires
    for index, row in enumerate(result.scenario.steps.rows()):
        if type(row) is tuple or index >= len(times):  # a plain write; or a step the run never reached
            continue
        acts = times[index]
        if down is not None and reconnect_due is not None and reconnect_due <= acts:
            faults.append(Fault(CONNECTION, down[0], None, down[1], _reconnect_x(result, axis, reconnect_due)))
            down = reconnect_due = None
        action, x = row.action, axis.at(index, acts)
        if isinstance(action, StoreDown) and store is None:
            store = (index, x)
        elif isinstance(action, StoreUp) and store is not None:
            faults.append(Fault(STORE, store[0], index, store[1], x))
            store = None
        elif isinstance(action, Disconnect):
            down = down or (index, x)
            reconnect_due = None if action.reconnect_after is None else acts + action.reconnect_after
        elif isinstance(action, (Reconnect, Stop)) and down is not None:
            faults.append(Fault(CONNECTION, down[0], index, down[1], x))
            down = reconnect_due = None
    if down is not None:
        ended = reconnect_due is not None and reconnect_due <= axis.end_time
        faults.append(Fault(CONNECTION, down[0], None, down[1],
                            _reconnect_x(result, axis, reconnect_due) if ended else axis.hi))
    if store is not None:
        faults.append(Fault(STORE, store[0], None, store[1], axis.hi))
    return sorted(faults, key=lambda f: (f.x0, f.kind))
