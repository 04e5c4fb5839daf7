"""Replay data-source scenarios through a feature-flag SDK's real update sink.

    import harness
    res = harness.run("scenarios/versioning/out_of_order.yaml")
    res.ok, res.failures, res.status, res.ops, res.timeline

See README.md and SPEC.md for the vocabulary and the frames.
"""

from .errors import ExpectationFailed, HarnessError, ScenarioError, SdkMismatch, UsageError, VirtualTimeError
from .replay.clock import VirtualClock
from .replay.freeze import virtual_time
from .results.result import Result
from .runs.diff import DiffReport, Divergence, diff
from .runs.runner import collect, run, run_many
from .vocabulary.builder import ScenarioBuilder, scenario
from .vocabulary.loader import catalogue_path, load_scenario, scenario_from_data, scenario_from_yaml
from .vocabulary.model import Scenario
from .vocabulary.render import scenario_yaml
from .vocabulary.schema import schema
from .drivers import register_target, targets


def __getattr__(name):
    # Imported on first use: harness.plot and harness.widgets need the viz extra (matplotlib, ipywidgets),
    # and harness.explore and harness.strategies load Hypothesis.
    import importlib
    if name in ("plot", "widgets"):
        return importlib.import_module(f".views.{name}", __name__)
    if name == "strategies":
        return importlib.import_module(".strategies", __name__)
    if name in ("explore", "ExploreReport"):
        return getattr(importlib.import_module(".exploration", __name__), name)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


__all__ = [
    "DiffReport", "Divergence", "diff", "ExpectationFailed", "HarnessError", "Result", "Scenario", "ScenarioBuilder",
    "ScenarioError", "SdkMismatch", "UsageError",
    "VirtualClock", "VirtualTimeError", "collect", "load_scenario", "register_target", "run", "run_many",
    "scenario", "scenario_from_data", "scenario_from_yaml", "scenario_yaml", "schema", "targets",
    "virtual_time", "explore", "ExploreReport", "strategies", "catalogue_path",
]
