"""Store faults, shared by the SDK's stores and the contract model's store. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary.model import StoreDown


class StoreOutage(Exception):
    """What a faulty store raises while it is down."""


@dataclass
class Faults:
    """The store's current fault, shared by the store and the runner."""

    down: StoreDown | None = None

    def fails(self, op: str) -> bool:
        return self.down is not None and op in self.down.fail

    def check(self, op: str) -> None:
        if self.fails(op):
            raise StoreOutage(self.down.message)

    @property
    def available(self) -> bool:
        return self.down is None or self.down.available
