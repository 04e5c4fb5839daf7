"""Replay data-source scenarios through a feature-flag SDK's real update sink.

    import harness
    res = harness.run("scenarios/versioning/out_of_order.yaml")
    res.ok, res.failures, res.status, res.ops, res.timeline

See README.md and SPEC.md for the vocabulary and the frames.
"""

from .builder import ScenarioBuilder, scenario
from .clock import VirtualClock, virtual_time
from .diff import DiffReport, Divergence, diff
from .errors import ExpectationFailed, HarnessError, ScenarioError, VirtualTimeError
from .loader import load_scenario, scenario_from_data, scenario_from_yaml, schema
from .model import Scenario
from .render import scenario_yaml
from .result import Result
from .runner import collect, register_target, run, run_many, targets



def __getattr__(name):
    # harness.plot and harness.widgets need the viz extra (matplotlib, ipywidgets): import them on first use.
    if name in ("plot", "widgets"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'harness' has no attribute {name!r}")


__all__ = [
    "DiffReport", "Divergence", "diff", "ExpectationFailed", "HarnessError", "Result", "Scenario", "ScenarioBuilder", "ScenarioError",
    "VirtualClock", "VirtualTimeError", "collect", "load_scenario", "register_target", "run", "run_many",
    "scenario", "scenario_from_data", "scenario_from_yaml", "scenario_yaml", "schema", "targets",
    "virtual_time",
]
