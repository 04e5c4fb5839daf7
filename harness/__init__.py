"""Replay data-source scenarios through a feature-flag SDK's real update sink.

    import harness
    res = harness.run("scenarios/versioning/out_of_order.yaml")
    res.ok, res.failures, res.status, res.ops, res.timeline

See README.md for the vocabulary and the frames, and docs/architecture.md for how the kit is built.

Three submodules load on first use, because they need more than the core:
``harness.plot`` and ``harness.widgets`` (the ``viz`` extra: matplotlib,
ipywidgets) and ``harness.strategies`` (Hypothesis). ``harness.explore`` loads
Hypothesis only when called. So ``import harness`` and ``from harness import *``
stay light.
"""

from .errors import (DriverError, ExpectationFailed, HarnessError, ScenarioError, SdkMismatch, UsageError,
                     VirtualTimeError)
from .replay.clock import VirtualClock
from .replay.freeze import virtual_time
from .results.result import Result
from .runs.bisect import BisectResult, bisect
from .runs.diff import DiffReport, Divergence, diff
from .runs.matrix import MatrixReport, matrix
from .runs.runner import collect, run, run_many
from .vocabulary.builder import ScenarioBuilder, scenario
from .vocabulary.loader import catalogue_path, load_scenario, scenario_from_data, scenario_from_yaml
from .vocabulary.model import Scenario
from .vocabulary.render import scenario_yaml
from .vocabulary.schema import schema
from .drivers import register_target, targets
from .exploration import ExploreReport, explore

SUBMODULES_ON_FIRST_USE = ("plot", "widgets", "strategies")


def _version() -> str:
    from importlib import metadata
    try:
        return metadata.version("ld-sink-harness")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


__version__ = _version()


def __getattr__(name):
    # harness.plot(res) works after a bare `import harness`: the submodule is imported here, once,
    # and the import binds it on the package, so this is not called for it again.
    if name in SUBMODULES_ON_FIRST_USE:
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


__all__ = [
    "BisectResult", "DiffReport", "Divergence", "DriverError", "ExpectationFailed", "ExploreReport", "HarnessError", "Result",
    "Scenario", "ScenarioBuilder", "ScenarioError", "SdkMismatch", "UsageError", "VirtualClock",
    "VirtualTimeError", "catalogue_path", "collect", "diff", "explore", "load_scenario", "matrix", "MatrixReport", "bisect", "register_target", "run",
    "run_many", "scenario", "scenario_from_data", "scenario_from_yaml", "scenario_yaml", "schema", "targets",
    "virtual_time", "__version__",
]
