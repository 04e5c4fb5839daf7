"""Step semantics shared by every target: timing first, then the action.

A target supplies a *world*: an object with one ``on_<action name>`` method
per action in :data:`harness.model.ACTIONS`. :func:`play` moves the clock for
``at``/``after`` (firing due timers in order), calls the world, then fires
timers that became due with no delay (the SDK's "at once"). Pure: no pandas,
no YAML, no SDK.
"""

from __future__ import annotations

from typing import Protocol

from .clock import VirtualClock
from .errors import ScenarioError
from .model import Scenario, Wait
from .recording import Recording


class World(Protocol):
    def on_init(self, action) -> None: ...
    def on_upsert(self, action) -> None: ...
    def on_delete(self, action) -> None: ...
    def on_status(self, action) -> None: ...
    def on_store_down(self, action) -> None: ...
    def on_store_up(self, action) -> None: ...
    def on_listen(self, action) -> None: ...
    def on_evaluate(self, action) -> None: ...
    def on_disconnect(self, action) -> None: ...
    def on_reconnect(self, action) -> None: ...
    def on_stop(self, action) -> None: ...


def play(scenario: Scenario, clock: VirtualClock, recording: Recording, world: World) -> None:
    """Run every step of ``scenario`` against ``world``."""
    for index, step in enumerate(scenario.steps):
        recording.step = index
        if step.at is not None:
            due = clock.start + step.at
            if due < clock.now:
                raise ScenarioError(
                    f"'at' is {step.at / 1e6:g}s after the start, but the clock already reads "
                    f"{clock.elapsed / 1e6:g}s", key=f"steps[{index}].at", file=scenario.file, line=step.line)
            clock.advance_to(due)
        elif step.after is not None:
            clock.advance_by(step.after)
        recording.step_times.append(clock.now)
        action = step.action
        if isinstance(action, Wait):
            clock.advance_by(action.micros)
        else:
            getattr(world, "on_" + action.name)(action)
        clock.run_due()
