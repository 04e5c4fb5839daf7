"""Without an optional extra, the kit says in one line which one to install (no traceback on the command
line), and a report without matplotlib says its pictures were skipped and why. Each test hides the
extra's module from a fresh interpreter (``sys.modules[name] = None``, as if it were not installed)."""

import subprocess
import sys

from conftest import CATALOGUE, ROOT

SCENARIO = CATALOGUE / "status" / "off_is_final.yaml"


def without(module: str, code: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where ``module`` cannot be imported."""
    hidden = f"import sys\nsys.modules[{module!r}] = None\n"
    return subprocess.run([sys.executable, "-c", hidden + code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def cli(*args: str) -> str:
    return f"from harness.cli import main\nraise SystemExit(main({list(args)!r}))\n"


def test_harness_plot_without_matplotlib_names_the_viz_extra_in_one_line(tmp_path):
    done = without("matplotlib", cli("plot", str(SCENARIO), "-o", str(tmp_path / "t.png"), "--target", "contract"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: harness plot needs matplotlib, from the 'viz' extra: pip install 'ld-sink-harness[viz]'"]
    assert not (tmp_path / "t.png").exists()


def test_a_report_without_matplotlib_says_its_pictures_were_skipped_and_why(tmp_path):
    out = tmp_path / "report"
    done = without("matplotlib", cli("run", str(SCENARIO), "--target", "contract", "--out", str(out)))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert ("pictures skipped: matplotlib is not installed (the 'viz' extra: pip install 'ld-sink-harness[viz]')"
            in done.stderr.splitlines())
    assert (out / "index.html").exists() and (out / "frames" / "ops.csv").exists()
    assert not (out / "pictures").exists() and "<img" not in (out / "index.html").read_text()


def test_no_plots_asked_for_says_nothing_about_matplotlib(tmp_path):
    done = without("matplotlib", cli("run", str(SCENARIO), "--target", "contract", "--out", str(tmp_path / "r"),
                                     "--no-plots"))
    assert done.returncode == 0 and "skipped" not in done.stderr


def test_the_api_names_the_extra_in_its_error():
    done = without("matplotlib", "import harness\ntry:\n    harness.plot\nexcept ImportError as e:\n"
                                 "    print(type(e).__name__, e)\n")
    assert done.stdout.strip() == ("MissingExtra harness.plot needs matplotlib, from the 'viz' extra: "
                                   "pip install 'ld-sink-harness[viz]'")
    done = without("ipywidgets", "try:\n    from harness.widgets import explore\nexcept ImportError as e:\n"
                                 "    print(e)\n")
    assert done.stdout.strip() == "harness.widgets needs ipywidgets, from the 'viz' extra: " \
                                  "pip install 'ld-sink-harness[viz]'"


def test_parquet_without_pyarrow_names_the_parquet_extra(tmp_path):
    done = without("pyarrow", cli("run", str(SCENARIO), "--target", "contract", "--out", str(tmp_path / "r"),
                                  "--format", "parquet"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == ("error: --format parquet needs pyarrow, from the 'parquet' extra: "
                                   "pip install 'ld-sink-harness[parquet]'")


def test_the_readme_says_how_to_install_each_extra_and_each_message_names_one_that_exists():
    import re
    import tomllib
    extras = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Install it as a library", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines()[0].startswith("pip install ./ld-sink-harness ")  # the core, with no extra
    named = {extra for found in map(re.compile(r"ld-sink-harness\[([\w,]+)\]").search, block.splitlines()) if found
             for extra in found.group(1).split(",")}
    assert named == extras - {"dev"}  # dev is the project's own (make installs it)
    from harness.views.extras import EXTRA_OF
    assert set(EXTRA_OF.values()) <= extras  # what a missing extra's message names is an extra there is
