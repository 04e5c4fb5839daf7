"""The public names: every documented dotted name imports as written, the package stays light, and
docstrings cite paths and files that exist."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import harness

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter (so nothing is imported yet); return what it printed."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_every_documented_dotted_name_imports_as_written(tmp_path):
    picture = tmp_path / "t.svg"
    out = run_python(f"""
import harness.plot
import harness.widgets
import harness.strategies
from harness.widgets import explore
from harness.plot import save, timeline
import harness
res = harness.run("scenarios/status/off_is_final.yaml", "contract")
fig = harness.plot(res)
harness.plot.save(fig, {str(picture)!r})
assert harness.plot.timeline is timeline and harness.widgets.explore is explore
from hypothesis.strategies import SearchStrategy
print(type(fig).__mro__[1].__name__, isinstance(harness.strategies.scenarios(), SearchStrategy))
""")
    assert out.split() == ["Figure", "True"]
    assert picture.read_text().startswith("<?xml")


def test_import_harness_loads_neither_matplotlib_nor_hypothesis_until_asked():
    out = run_python("""
import sys
import harness
print(sorted(m for m in ("matplotlib", "hypothesis", "ipywidgets") if m in sys.modules))
figure = harness.plot(harness.run("scenarios/status/off_is_final.yaml", "contract"))
print("matplotlib" in sys.modules, type(figure).__name__)
""")
    assert out.splitlines() == ["[]", "True TimelineFigure"]


def test_import_star_is_light():
    out = run_python("""
import sys
from harness import *
print(sorted(m for m in ("matplotlib", "hypothesis", "ipywidgets") if m in sys.modules))
print(callable(explore), DriverError.__name__, run.__module__)
""")
    assert out.splitlines() == ["[]", "True DriverError harness.runs.runner"]


def test_every_name_in_all_is_there_and_driver_error_is_exported():
    assert all(hasattr(harness, name) for name in harness.__all__)
    assert harness.DriverError is harness.errors.DriverError and "DriverError" in harness.__all__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        harness.nope  # noqa: B018


# Dotted names that start with ``harness.`` in the package's docstrings and comments, the README and docs/.
DOTTED = re.compile(r"(?<![\w./-])harness(?:\.[A-Za-z_]\w*)+")
SOURCES = sorted(ROOT.glob("harness/**/*.py")) + [ROOT / "README.md"] + sorted(ROOT.glob("docs/*.md"))
# Names a page's own code defines before citing them (the worked example's step kind).
DEFINED_BY_THE_PAGE = {
    ("docs/architecture.md", "harness.ScenarioBuilder.heartbeat"),
    ("docs/architecture.md", "harness.ScenarioBuilder.heartbeat.__doc__"),
}


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names a module, or an attribute reached from the longest module it starts with."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_the_resolver_tells_an_old_path_from_a_real_one():
    assert resolves("harness.replay.clock.VirtualClock") and resolves("harness.plot.save")
    assert not resolves("harness.clock.VirtualClock") and not resolves("harness.replay.clock.Nope")


def test_docstrings_and_docs_cite_only_dotted_names_that_exist():
    wrong = set()
    for path in SOURCES:
        for match in DOTTED.finditer(path.read_text(encoding="utf-8")):
            name = path.relative_to(ROOT).as_posix()
            if not resolves(match.group(0)) and (name, match.group(0)) not in DEFINED_BY_THE_PAGE:
                wrong.add((name, match.group(0)))
    assert wrong == set()


def test_the_package_names_only_markdown_files_that_exist():
    written_by_the_report = {"summary.md"}
    cited = {(path.relative_to(ROOT).as_posix(), name) for path in ROOT.glob("harness/**/*.py")
             for name in re.findall(r"[\w./-]+\.md\b", path.read_text(encoding="utf-8"))}
    missing = {(path, name) for path, name in cited
               if Path(name).name not in written_by_the_report and not (ROOT / name).is_file()
               and not (ROOT / "docs" / name).is_file()}
    assert missing == set()


def test_a_result_gives_its_verdicts_once_as_a_frame_and_once_as_the_checkers_objects():
    stale = harness.scenario("stale").init(flags={"f1": {"version": 3}}).upsert(flag="f1", version=2).build()
    res = harness.run(stale, "sdk")  # the sync SDK fires a change event for the ignored write
    assert not hasattr(res, "verdicts_list")
    assert list(res.verdicts["checker"]) == [v.checker for v in res.checker_verdicts]
    assert res.violated_checkers == ["changes-only-for-applied-writes"]
    assert harness.run(stale, "contract").violated_checkers == []
