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
from typing import Iterable, Sequence

from .views.extras import need

need("matplotlib", "harness.plot")

from matplotlib.figure import Figure  # noqa: E402

from .results.result import Result  # noqa: E402
from .runs.diff import where_they_part  # noqa: E402
from .views import plot as _views  # noqa: E402
from .views.plot import TimelineFigure, draw, key_of, labels_of, lanes_of, save, set_cursor, to_bytes  # noqa: E402

__all__ = ["TimelineFigure", "draw", "key_of", "labels_of", "lanes_of", "save", "set_cursor", "timeline", "to_bytes"]


def timeline(results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0,
             labels: Sequence[str] | None = None) -> Figure:
    """A figure of one result, or of several stacked (targets, or runs, to compare), each stacked
    timeline marked where it first parts from the one above (the first difference a diff finds);
    ``labels`` name each in its title (default: its target)."""
    return _views.timeline(results, axis, width, labels, parting=where_they_part)


class CallableModule(types.ModuleType):
    """This module's class: ``harness.plot(results, ...)`` is ``harness.plot.timeline(results, ...)``."""

    def __call__(self, results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0) -> Figure:
        return timeline(results, axis, width)


sys.modules[__name__].__class__ = CallableModule
