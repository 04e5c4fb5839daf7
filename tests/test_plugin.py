"""The pytest plugin, driven through pytester."""

import subprocess
import textwrap

import pytest

import harness
from harness.drivers.go.build import cache_root

GOOD = """\
name: good-one
steps:
  - init: {flags: {f1: {version: 1}}}
  - upsert: {flag: f1, version: 2}
expect:
  outcomes: [applied, applied]
"""

FAILING = """\
name: wrong-one
description: expects a stale write to apply
steps:
  - init: {flags: {f1: {version: 3}}}
  - upsert: {flag: f1, version: 2}
expect:
  outcomes: [applied, applied]
"""

BAD = """\
name: bad-one
steps:
  - init: {flags: {f1: {version: 1}}}
  - upsert: {flag: f1, version: oops}
"""


# pytester gives the inner run a fresh HOME; it keeps the built Go driver and Go's own caches
# (read here, at import, while HOME is still the real one).
CACHES = {"XDG_CACHE_HOME": str(cache_root().parent.parent)}
if "go" in harness.targets():
    for name in ("GOCACHE", "GOMODCACHE", "GOPATH"):
        CACHES[name] = subprocess.run(["go", "env", name], capture_output=True, text=True).stdout.strip()


@pytest.fixture
def suite(pytester, monkeypatch):
    for name, value in CACHES.items():
        monkeypatch.setenv(name, value)
    pytester.makefile(".yaml", **{"scenarios/good": GOOD, "scenarios/sub/wrong": FAILING})
    pytester.makefile(".yaml", **{"config/not_a_scenario": "key: value\n"})
    return pytester


def test_collects_one_item_per_scenario_and_target(suite):
    result = suite.runpytest("--collect-only", "-q", "scenarios")
    result.stdout.fnmatch_lines(["scenarios/good.yaml::good-one[[]contract[]]",
                                 "scenarios/good.yaml::good-one[[]sdk[]]",
                                 "scenarios/good.yaml::good-one[[]sdk-async[]]",
                                 "scenarios/sub/wrong.yaml::wrong-one[[]contract[]]"])
    assert "not_a_scenario" not in result.stdout.str()


def test_passing_and_failing_scenarios_report_expected_against_actual(suite):
    result = suite.runpytest("scenarios", "--harness-target", "sdk")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "outcomes: expected ['applied', 'applied'], got ['applied', 'ignored']" in out
    assert "Replay it" in out and "- upsert:" in out
    assert "Traceback" not in out
    result.stdout.fnmatch_lines(["*_ scenario wrong-one [[]sdk[]] _*", "*scenarios/sub/wrong.yaml:1) did not meet*"])


def test_a_bad_file_is_a_collection_error_naming_file_line_and_key(pytester):
    pytester.makefile(".yaml", **{"scenarios/bad": BAD})
    result = pytester.runpytest("scenarios")
    assert result.ret != 0
    out = result.stdout.str()
    assert "bad scenario: " in out and "scenarios/bad.yaml:4: 'oops' is not of type 'integer'" in out
    assert "at 'steps[1].upsert.version'" in out
    assert "Traceback" not in out


def test_an_unknown_target_option_fails_the_items_clearly(suite):
    result = suite.runpytest("scenarios/good.yaml", "--harness-target", "nope")
    result.assert_outcomes(failed=1)
    assert "unknown target 'nope'" in result.stdout.str()


def test_freeze_is_released_before_a_plain_test(suite):
    suite.makepyfile(test_after=textwrap.dedent("""
        import time
        from harness.replay.freeze import is_frozen

        def test_time_is_real():
            assert not is_frozen()
            assert time.time() > 1.75e9  # mid-2025; the scenarios run in 2024
    """))
    result = suite.runpytest("scenarios", "test_after.py", "-p", "no:randomly")
    count = len(harness.targets())
    result.assert_outcomes(passed=count + 1, failed=count)  # each target for good and wrong, then the plain test


def test_a_target_that_cannot_run_here_is_skipped_with_its_reason(suite, monkeypatch):
    from harness.drivers import go
    from harness.drivers.registry import Availability
    monkeypatch.setattr(go.GoTarget, "availability",
                        lambda self: Availability(False, "", "needs Go 1.25+ on PATH (testing/synctest); no 'go' found"))
    result = suite.runpytest("scenarios/good.yaml", "-rs")
    ready = len(harness.targets())  # the Go targets are not, now
    result.assert_outcomes(passed=ready, skipped=len(harness.targets(ready_only=False)) - ready)
    assert "needs Go 1.25+ on PATH" in result.stdout.str()


def test_a_yaml_file_named_on_the_command_line_is_collected_anywhere(pytester):
    pytester.makefile(".yaml", **{"mine/a": GOOD})
    result = pytester.runpytest("mine/a.yaml", "--harness-target", "contract")
    result.assert_outcomes(passed=1)


def test_scenario_folders_are_an_ini_option_and_an_empty_collection_says_why(pytester):
    pytester.makefile(".yaml", **{"mine/a": GOOD})
    result = pytester.runpytest("mine", "--harness-target", "contract")
    assert "none under a scenario folder (scenarios)" in result.stdout.str()
    pytester.makeini("[pytest]\nharness_scenario_dirs = mine\n")
    result = pytester.runpytest("mine", "--harness-target", "contract")
    result.assert_outcomes(passed=1)


def test_the_shared_freeze_belongs_to_the_session_that_took_it(suite):
    suite.makeconftest(textwrap.dedent("""
        import pytest
        from harness.pytest_plugin import SHARED_FREEZE, ScenarioItem
        from harness.replay.freeze import is_frozen

        SEEN = []

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(item):
            SEEN.append((type(item).__name__, item.config.stash.get(SHARED_FREEZE, None) is not None, is_frozen()))
            yield

        def pytest_sessionfinish(session):
            SEEN.append(("end", session.config.stash.get(SHARED_FREEZE, None) is not None, is_frozen()))
            print("SEEN", SEEN)
    """))
    suite.makepyfile(test_after="def test_plain():\n    pass\n")
    result = suite.runpytest("scenarios/good.yaml", "test_after.py", "--harness-target", "contract",
                             "--harness-target", "sdk", "-p", "no:randomly", "-s")
    result.assert_outcomes(passed=3)
    seen = [line[line.index("SEEN"):] for line in result.stdout.lines if "SEEN [" in line][0]
    assert seen == ("SEEN [('ScenarioItem', True, True), ('ScenarioItem', True, True), ('Function', False, False), "
                    "('end', False, False)]")


def test_the_conformance_suite_runs_under_pytest_xdist(tmp_path):
    """`pytest -n 2 scenarios/` spreads the catalogue's items over two worker processes."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                           "--harness-target", "contract", "--harness-target", "sdk", str(root / "scenarios" / "status")],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "16 passed" in done.stdout and "bringing up nodes" in done.stdout  # xdist ran the items
