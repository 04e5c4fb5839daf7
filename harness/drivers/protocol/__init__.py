"""Targets whose runs happen in another process, over JSON lines (docs/driver-protocol.md).

:mod:`.process` runs a driver and speaks the protocol with it; :mod:`.target`
turns a scenario into the driver's commands and its rows into a recording.
"""

from .process import PROTOCOL, DriverProcess
from .target import DriverTarget

__all__ = ["PROTOCOL", "DriverProcess", "DriverTarget"]
