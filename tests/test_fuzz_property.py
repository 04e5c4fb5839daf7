"""Exploring as a Hypothesis property: every generated scenario on every ready target, and nothing new.

Plain pytest runs it with a few examples; HypoFuzz (``pip install hypofuzz``) runs it for as long as you
let it, on as many cores as you give it, all sharing one example database::

    HARNESS_FUZZ_DB=/shared/fuzz-db hypothesis fuzz --no-dashboard --numprocesses 8 -- tests/test_fuzz_property.py -k shows_only

A signature no known difference explains (a checker violated, or two targets parting where
harness/runs/known.py says nothing) fails the example, and Hypothesis shrinks it; the failure prints
the scenario as YAML, ready for ``scenarios/``. ``harness explore`` is the same search with grouping and
pinned expectations; this is its form for fuzzing engines.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase

import harness
from harness.exploration import run_on, sightings

TARGETS = harness.targets()
FUZZING = bool(os.environ.get("HARNESS_FUZZ_DB"))
if FUZZING:  # HypoFuzz fuzzes tests whose database is the default one: make it shared
    settings.register_profile("harness-fuzz", database=DirectoryBasedExampleDatabase(os.environ["HARNESS_FUZZ_DB"]))
    settings.load_profile("harness-fuzz")


# Plain pytest (CI) runs the same few examples every time: a search that finds something new only on
# some runs would make CI fail at random. New ground is HypoFuzz's (above) and `harness explore`'s.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=not FUZZING,
          max_examples=int(os.environ.get("HARNESS_FUZZ_EXAMPLES", "40")))
@given(harness.strategies.scenarios())
def test_every_target_shows_only_known_differences(scenario):
    with harness.virtual_time():
        results = run_on(scenario, TARGETS)
    new = sorted(s.signature for s in sightings(scenario, results) if not s.known)
    assert new == [], f"new: {new}\n{harness.scenario_yaml(scenario)}"


def test_the_property_fails_on_a_planted_bug_and_prints_the_scenario(monkeypatch, tmp_path):
    import pytest
    from hypothesis.database import InMemoryExampleDatabase

    import sys

    from harness.drivers.contract import store
    monkeypatch.setattr(sys.modules[__name__], "TARGETS", ["contract", "sdk"])  # enough to see it, and quick
    monkeypatch.setattr(store, "accepts", lambda stored, version: stored is None or stored["version"] <= version)
    fuzz = settings(database=InMemoryExampleDatabase(), max_examples=300, deadline=None,
                    suppress_health_check=list(HealthCheck))(test_every_target_shows_only_known_differences.hypothesis.inner_test)
    with pytest.raises(AssertionError, match=r"new: \[.*contract.*\]\n(.|\n)*steps:"):
        given(harness.strategies.scenarios())(fuzz)()
