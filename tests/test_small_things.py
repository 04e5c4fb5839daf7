"""Small things a new user meets first: the help text, make test's nox, harness new's schema line, and
progress bars left behind where there is no terminal."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from harness.cli import main

SCHEMA = ROOT / "harness" / "vocabulary" / "scenario.schema.json"


def test_help_is_plain_text_with_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert "``" not in shown and ":mod:" not in shown
    assert "Replay scripted data-source scenarios" in shown and "exit codes: 0" in shown
    for command in ("run", "plot", "diff", "explore", "targets", "matrix", "bisect", "merge", "check", "new"):
        assert f"    {command} " in shown


def test_nox_builds_with_uv_from_the_dev_install_without_it_on_path():
    done = subprocess.run(
        [sys.executable, "-c", "import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout)\n"
         "import nox; import runpy; runpy.run_path('noxfile.py')\n"
         "from nox.virtualenv import find_uv\n"
         "print('backend', nox.options.default_venv_backend); print('found', find_uv()[0])"],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "backend uv" in done.stdout and "found True" in done.stdout
    assert "uv binary not found" not in done.stdout + done.stderr


def test_make_test_s_nox_session_prints_no_uv_warning_with_uv_off_path(tmp_path):
    """The nox line `make test` runs, as it prints, with uv nowhere on PATH (its environment made under
    tmp_path, installed but not run: that is where nox looks for uv)."""
    outer_make = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")  # set when the suite itself runs under `make test`
    env = {name: value for name, value in os.environ.items() if name not in outer_make}
    dry = subprocess.run(["make", "--no-print-directory", "-n", "test", "BIN=" + str(Path(sys.executable).parent)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    # (inside the nox session itself BIN is .nox/lowest_sdk_tests/bin, so "nox" alone matches both lines)
    (nox_line,) = [line for line in dry.stdout.splitlines() if "--session lowest_sdk_tests" in line]
    command = nox_line.split()
    assert command[0].endswith("/nox") and command[1:3] == ["--session", "lowest_sdk_tests"]
    done = subprocess.run([sys.executable, "-m", "nox", *command[1:3], "--install-only", "--envdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PATH": "/usr/bin:/bin"},
                          timeout=600)
    shown = done.stdout + done.stderr
    assert done.returncode == 0, shown[-3000:]
    assert "Creating virtual environment (uv)" in shown and "uv binary not found" not in shown


def test_every_command_s_help_is_plain_text():
    for command in ("run", "plot", "diff", "explore", "targets", "matrix", "bisect", "merge", "check", "new"):
        done = subprocess.run([sys.executable, "-m", "harness.cli", command, "--help"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.startswith(f"usage: harness {command}"), command
        for markup in ("``", ":mod:", ":func:", ":class:", ":meth:"):
            assert markup not in done.stdout, (command, markup)


def test_targets_say_which_module_and_version_each_runs(capsys):
    import harness
    from importlib import metadata
    assert main(["targets"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "launchdarkly-server-sdk " + metadata.version("launchdarkly-server-sdk") in lines["sdk"]
    assert "launchdarkly-server-sdk " + metadata.version("launchdarkly-server-sdk") in lines["sdk-async"]
    assert "(harness.drivers.contract)" in lines["contract"]
    ready = harness.targets()
    for name, module in (("go", "github.com/launchdarkly/go-server-sdk/v7@v"),
                         ("go-v6", "github.com/launchdarkly/go-server-sdk/v6@v"),
                         ("node", "@launchdarkly/node-server-sdk@")):
        assert (module in lines[name]) == (name in ready), lines[name]  # a target not ready says why instead
    for line in lines.values():
        assert "seed" not in line, line  # no wording of the kit's insides ("the major version the seed documents")


def test_new_points_at_the_schema_relatively_inside_the_checkout_only(tmp_path, monkeypatch, capsys):
    inside = ROOT / "scenarios" / "_new_test" / "mine.yaml"
    try:
        assert main(["new", str(inside)]) == 0
        first = inside.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../harness/vocabulary/scenario.schema.json"
        assert (inside.parent / first.split("=", 1)[1]).resolve() == SCHEMA.resolve()
    finally:
        inside.unlink(missing_ok=True)
        inside.parent.rmdir()
    monkeypatch.chdir(tmp_path)
    assert main(["new", "outside"]) == 0
    text = (tmp_path / "outside.yaml").read_text()
    assert "yaml-language-server" not in text and str(ROOT) not in text  # no path of this machine's


def test_explore_without_a_terminal_leaves_no_progress_bar_before_its_result():
    done = subprocess.run([sys.executable, "-m", "harness.cli", "explore", "--max-examples", "5",
                           "--target", "contract", "--target", "sdk"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "exploring" not in done.stderr
    assert " scenarios on contract, sdk:" in done.stdout.splitlines()[0]
