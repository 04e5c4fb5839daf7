"""Step semantics shared by every target, and the one owner of a run's recording.

A target supplies a *world*: an object with one ``on_<kind>`` method per step
kind in :data:`harness.vocabulary.steps.STEP_KINDS` (``wait`` aside, which
:func:`play` does itself), and ``final_store()``, the store's rows once the
steps are done. :func:`play` makes the :class:`Recording`, opens the world on
it, moves the clock for ``at``/``after`` (firing due timers in order), calls
the world, fires timers that became due with no delay (the SDK's "at once"),
and finishes the recording with the final store. The world only reports what
it observes into the recording. The target registry checks that a world has
every handler before the target can run.

A world may also have ``end_step()``, called at the end of each step just
before the timers due then fire: an out-of-process world whose SDK keeps its
own timers says there that they are due too, so both fire at the same point.

A plain write, kept as a row (see ``Steps``), goes to the world's
``on_plain_write`` when it has one (every world built on ``SourceSteps``
does), so replaying a long scenario makes no Step object; any other world gets
the Step. Pure: no pandas, no YAML, no SDK.
"""

from __future__ import annotations

from typing import Callable, ContextManager, Iterable, Protocol

from ..errors import DriverError, ScenarioError
from ..vocabulary.model import Scenario
from ..vocabulary.step_list import step_of
from ..vocabulary.steps import Wait, handler_name
from .clock import VirtualClock
from .interrupts import check_interrupt
from .recording import Recording


class World(Protocol):
    """What a target hands :func:`play`: an ``on_<kind>`` method per step kind, and the final store."""

    def final_store(self) -> Iterable[tuple[str, str, int, bool]]:
        """(kind, key, version, deleted) of every stored record, tombstones included."""
        ...


def play(scenario: Scenario, clock: VirtualClock, open_world: Callable[[Recording], ContextManager[World]]) -> Recording:
    """Run every step of ``scenario`` on the world ``open_world(recording)`` gives, and return the
    finished recording. ``open_world`` sets the target up (its rows are set-up rows, step -1) and
    tears it down after, whatever happens; a broken driver's error carries what was recorded."""
    recording = Recording(clock.read)
    try:
        with open_world(recording) as world:
            try:
                play_steps(scenario, clock, recording, world)
                recording.step = len(scenario.steps)
                recording.finish(world.final_store())
            finally:
                recording.closed = True  # the target's tear-down is outside the run
    except DriverError as e:
        e.partial = recording
        raise
    return recording


def play_steps(scenario: Scenario, clock: VirtualClock, recording: Recording, world: object) -> None:
    """Run every step of ``scenario`` against ``world``."""
    # step kind -> its handler: the world's, looked up once; waiting is play's own
    handlers: dict[type, Callable] = {Wait: lambda wait: clock.advance_by(wait.micros)}
    # A plain write is kept as a row (see Steps); a world may take it as it is, else it gets the Step.
    plain_write = getattr(world, "on_plain_write", None)
    end_step = getattr(world, "end_step", None)
    step_times = recording.step_times
    for index, step in enumerate(scenario.steps.rows()):
        check_interrupt()  # a safe point: a Ctrl-C stops the run between steps
        recording.step = index
        if type(step) is tuple:
            if plain_write is not None:
                step_times.append(clock.now)
                plain_write(*step)
                if end_step is not None:
                    end_step()
                clock.run_due()
                continue
            step = step_of(step)
        if step.at is not None:
            due = clock.start + step.at
            if due < clock.now:
                raise ScenarioError(
                    f"'at' is {step.at / 1e6:g}s after the start, but the clock already reads "
                    f"{clock.elapsed / 1e6:g}s", key=f"steps[{index}].at", file=scenario.file, line=step.line)
            clock.advance_to(due)
        elif step.after is not None:
            clock.advance_by(step.after)
        step_times.append(clock.now)
        action = step.action
        handler = handlers.get(type(action))
        if handler is None:
            handler = handlers[type(action)] = getattr(world, handler_name(action.name))
        handler(action)
        if end_step is not None:
            end_step()
        clock.run_due()
