"""Bulk phases without the cyclic garbage collector's pauses.

Building a long scenario and building its frames each allocate hundreds of
thousands of small objects that stay alive and stay tracked (steps, items,
column data). CPython's cyclic collector runs a full pass every time the live
heap grows by a quarter, and each pass walks every live object again: on a
100,000-step scenario that was more than half of the build time. These phases
create no garbage cycles worth collecting early, so they run with the
collector paused; reference counting still frees everything as usual, and the
collector runs again as soon as the phase ends.

Replay is not one of them: what it keeps is rows of plain values, tuples the
collector stops tracking the first time it sees them, cheaply while they are
young. Paused, it would walk them all at the end instead (measured: 3% of an
SDK replay).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (nested blocks are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
