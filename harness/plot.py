"""Timeline pictures of results: ``harness.plot``, a module you can also call.

    import harness
    fig = harness.plot(res)                   # the same as harness.plot.timeline(res)
    harness.plot([res_sdk, res_contract])     # stacked, to compare targets or runs
    harness.plot.save(fig, "t.svg")           # the same bytes every time

Calling the module is the one convenience here: its class is a
:class:`~types.ModuleType` with a ``__call__``, set once below. Everything else
is :mod:`harness.views.plot`'s. Needs the ``viz`` extra (matplotlib).
"""

from __future__ import annotations

import sys
import types
from typing import Iterable

from .views.extras import need

need("matplotlib", "harness.plot")

from matplotlib.figure import Figure  # noqa: E402

from .results.result import Result  # noqa: E402
from .views.plot import TimelineFigure, draw, key_of, labels_of, lanes_of, save, set_cursor, timeline, to_bytes  # noqa: E402

__all__ = ["TimelineFigure", "draw", "key_of", "labels_of", "lanes_of", "save", "set_cursor", "timeline", "to_bytes"]


class CallableModule(types.ModuleType):
    """This module's class: ``harness.plot(results, ...)`` is ``harness.plot.timeline(results, ...)``."""

    def __call__(self, results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0) -> Figure:
        return timeline(results, axis, width)


sys.modules[__name__].__class__ = CallableModule
