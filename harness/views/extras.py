"""What the optional extras bring, and a one-line error naming the extra when one is missing.

The core (``pip install ld-sink-harness``) replays, compares and writes CSV.
Pictures and the notebook explorer need ``viz`` (matplotlib, ipywidgets);
Parquet tables need ``parquet`` (pyarrow). Without the extra, the kit says
which one to install instead of a traceback deep in an import::

    harness.plot needs matplotlib, from the 'viz' extra: pip install 'ld-sink-harness[viz]'
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

from ..errors import UsageError

EXTRA_OF = {"matplotlib": "viz", "ipywidgets": "viz", "PIL": "viz", "pyarrow": "parquet"}


class MissingExtra(UsageError, ImportError):
    """A feature needs a package of an optional extra that is not installed (the message names the
    extra and the ``pip install`` line). The command line prints it as one line, exit 2."""


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (matplotlib takes a third of a
    second to import, and a report draws its pictures in other processes)."""
    if module in sys.modules:
        return sys.modules[module] is not None  # None: hidden, as if not installed
    return importlib.util.find_spec(module) is not None


def missing(module: str, purpose: str) -> MissingExtra | None:
    """The error to raise when ``module`` cannot be imported (None when it can)."""
    try:
        importlib.import_module(module)
    except ImportError:
        extra = EXTRA_OF[module]
        return MissingExtra(f"{purpose} needs {module}, from the '{extra}' extra: "
                            f"pip install 'ld-sink-harness[{extra}]'")
    return None


def need(module: str, purpose: str) -> None:
    """Raise :class:`MissingExtra` unless ``module`` imports (``purpose``: what needs it, as the
    user called it: ``harness.plot``, ``harness plot``)."""
    error = missing(module, purpose)
    if error is not None:
        raise error
