"""The Python driver's side of the source's restart, as the kit orders it.

docs/driver-protocol.md, "The source's restart": the kit orders a driver that
says it can (``reacts: [store_recovery]``) to restart the simulated source's
stream itself when the store comes back, so it needs no round trip to read the
store's status. Here the rule is the kit's own,
:class:`~harness.replay.reactions.StoreRecovery`, judging each status as the
SDK reports it (as it does in process); this module holds the order, the
restart it schedules, and the source's view the restart resends, kept from the
commands as the kit's source keeps it.
"""

from __future__ import annotations

from typing import Any

from ...replay.clock import VirtualClock
from ...replay.reactions import StoreRecovery
from ...replay.recording import Recording


class Restarts:
    """The standing order and the restart it scheduled (``due``, or None)."""

    pipelined = False  # the statuses are judged as they happen (see StoreRecovery)
    port: Any = None

    def __init__(self, recording: Recording, clock: VirtualClock):
        self.recording = recording
        self.clock = clock
        self.connected = False  # an order stands (the stream is up)
        self.due: int | None = None
        # kind -> key -> (version, item JSON or None for a deletion)
        self.view: dict[str, dict[str, tuple[int, dict | None]]] = {"flags": {}, "segments": {}}
        self.rule = StoreRecovery(self, "restart", 1)  # mode and delay follow each order

    def order(self, mode: str | None, after: int) -> None:
        """The kit's ``recovery`` command: a new order replaces a restart scheduled."""
        self.connected, self.due = mode is not None, None
        if mode is not None:
            self.rule.mode, self.rule.delay = mode, after

    def restart_at(self, due: int) -> None:
        """What the rule asks for: a restart at ``due``, while an order stands and none is scheduled."""
        if self.connected and self.due is None:
            self.due = due

    def cancel(self) -> None:
        """The stream came back (the source resent its view): a restart scheduled never comes."""
        self.due = None

    # -- the source's view -----------------------------------------------------------------

    def replace(self, data: dict) -> None:
        """An init step: the view is its data."""
        self.view = {kind: {key: (item["version"], item) for key, item in data.get(kind, {}).items()}
                     for kind in ("flags", "segments")}

    def remember(self, kind: str, key: str, version: int, item: dict | None) -> None:
        """A write (``item`` None: a deletion): the newer version of its item is kept."""
        known = self.view.get(kind, {}).get(key)
        if kind in self.view and (known is None or known[0] < version):
            self.view[kind][key] = (version, item)

    def data(self) -> dict[str, dict[str, dict]]:
        """What a restart sends: the view without its deletions (each item's top level copied, as the
        kit's source hands the SDK a fresh one)."""
        return {kind: {key: dict(item) for key, (_, item) in entries.items() if item is not None}
                for kind, entries in self.view.items()}
