"""The command line: summary, exit codes, report files."""

import os
import resource
import subprocess
import sys

import pandas as pd
import pytest

import harness
from conftest import CATALOGUE
from harness.cli import main

GOOD = "name: good\nsteps:\n  - init: {flags: {f1: {version: 1}}}\n  - status: VALID\nexpect: {status: [INITIALIZING, VALID]}\n"
WRONG = "name: wrong\nsteps:\n  - init: {flags: {f1: {version: 1}}}\nexpect: {status: [VALID]}\n"


def test_run_prints_a_summary_and_writes_frames(tmp_path, capsys):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD)
    out = tmp_path / "report"
    assert main(["run", str(folder), "--out", str(out), "--target", "sdk"]) == 0
    printed = capsys.readouterr().out
    assert "good" in printed and "VALID" in printed and "1 passed, 0 failed" in printed
    summary = pd.read_csv(out / "summary.csv")
    assert summary[["scenario", "target", "ok", "status_changes", "final_state"]].values.tolist() == \
        [["good", "sdk", True, 1, "VALID"]]
    status = pd.read_csv(out / "frames" / "status.csv")  # one table a frame, every run in it
    assert status[["scenario", "target", "state"]].values.tolist() == [["good", "sdk", "INITIALIZING"],
                                                                         ["good", "sdk", "VALID"]]
    for frame in ("ops", "changes", "store_status", "evaluations", "logs", "store", "timeline", "violations",
                  "verdicts"):
        assert list(pd.read_csv(out / "frames" / f"{frame}.csv").columns[:3]) == ["scenario", "file", "target"]


def test_a_failed_expectation_exits_one(tmp_path, capsys):
    (tmp_path / "wrong.yaml").write_text(WRONG)
    assert main(["run", str(tmp_path / "wrong.yaml"), "-v"]) == 1
    printed = capsys.readouterr().out
    assert "FAILED" in printed and "status: expected ['VALID'], got ['INITIALIZING']" in printed


def test_a_bad_scenario_exits_two_with_file_and_line(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("name: bad\nsteps:\n  - wait: soon\n")
    assert main(["run", str(tmp_path / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:3:" in err and "bad duration 'soon'" in err and "Traceback" not in err


def test_unknown_target_and_missing_path_exit_two(tmp_path, capsys):
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["run", str(tmp_path), "--target", "nope"]) == 2
    assert main(["run", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "unknown target 'nope'" in err and "no such file" in err


def test_run_defaults_to_every_ready_target(tmp_path, capsys):
    import harness
    (tmp_path / "good.yaml").write_text(GOOD)
    assert main(["run", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    ran = [line.split()[1] for line in printed.splitlines() if line.startswith("good ")]
    assert ran == harness.targets() and f"{len(ran)} passed, 0 failed" in printed


def test_targets_lists_every_target(capsys):
    assert main(["targets"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["contract", "go", "go-v6", "node", "sdk", "sdk-async"]


def test_version(capsys):
    import pytest
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("harness 0.1.0")


def test_check_reports_every_bad_file_and_counts(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text("name: b\nstepz: []\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("name: c\nsteps:\n\t- wait: 1s\n")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'b.yaml'}:2: unknown key 'stepz', did you mean 'steps'?" in out
    assert f"{tmp_path / 'sub' / 'c.yaml'}:3: not valid YAML" in out and "replace the tab with spaces" in out
    assert "3 file(s) checked: 1 good, 2 bad" in out
    assert main(["check", str(tmp_path / "a.yaml")]) == 0


def test_new_writes_a_template_that_runs_and_refuses_to_overwrite(tmp_path, monkeypatch, capsys):
    import harness
    monkeypatch.chdir(tmp_path)
    assert main(["new", "my first one"]) == 0
    path = tmp_path / "my first one.yaml"
    text = path.read_text()
    assert "name: my-first-one" in text
    assert "yaml-language-server" not in text  # outside the checkout: no path of this machine's (tests/test_small_things.py)
    assert harness.run(path, "contract").ok and harness.run(path, "sdk").ok
    assert main(["new", "my first one"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_every_command_takes_target_the_same_way(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(GOOD)
    assert main(["diff", str(tmp_path), "--target", "sdk", "--target", "contract"]) == 0
    assert "1 scenarios on 2 targets" in capsys.readouterr().out
    assert main(["diff", str(tmp_path), "--targets", "sdk,sdk-async"]) == 0
    assert main(["diff", str(tmp_path), "--target", "sdk"]) == 2
    assert "diff needs at least two targets" in capsys.readouterr().err


def test_parquet_without_pyarrow_is_refused_before_the_run(tmp_path, capsys, monkeypatch):
    import sys
    (tmp_path / "a.yaml").write_text(GOOD)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    assert main(["run", str(tmp_path), "--out", str(tmp_path / "out"), "--format", "parquet"]) == 2
    captured = capsys.readouterr()
    assert "pip install 'ld-sink-harness[parquet]'" in captured.err and "passed" not in captured.out


def test_diff_shows_virtual_times_since_the_start_and_a_compact_repr(capsys):
    import harness
    report = harness.diff(["scenarios/status/off_is_final.yaml"], ["sdk", "contract"])
    assert repr(report) == "<DiffReport 1 scenario(s) on contract, sdk: 1 diverging pair(s), 0 new>"
    shown = str(report.divergences[0])
    assert "'since': '+6s'" in shown                                   # times since the start, not microseconds
    assert "first differ at step 3" in shown and "contract at step 3:" in shown and "sdk has no such row" in shown


def test_run_the_catalogue_shipped_with_the_kit(tmp_path, capsys, monkeypatch):
    import harness
    monkeypatch.chdir(tmp_path)  # anywhere, not only in a clone
    assert main(["run", "--catalogue", "--target", "contract"]) == 0
    count = len(list(harness.catalogue_path().rglob("*.yaml")))
    assert f"{count} passed, 0 failed" in capsys.readouterr().out and count > 40
    assert main(["run"]) == 2 and "or --catalogue" in capsys.readouterr().err


def test_k_selects_scenarios_and_junit_xml_is_written(tmp_path, capsys):
    from xml.etree import ElementTree as ET
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "wrong.yaml").write_text(WRONG)
    xml = tmp_path / "out" / "junit.xml"
    assert main(["run", str(tmp_path), "-k", "good", "--target", "contract"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out
    assert main(["run", str(tmp_path), "--target", "sdk", "--target", "contract", "--junit-xml", str(xml)]) == 1
    suite = ET.parse(xml).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("4", "2")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert {(c.get("classname"), c.get("name")) for c in failed} == {("sdk", "wrong"), ("contract", "wrong")}
    assert "status: expected ['VALID']" in failed[0].find("failure").get("message")


# ----------------------------------------------------------------------------- every bad path: exit 2, one line

def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err, err
    return err


@pytest.fixture
def afile(tmp_path):
    """A plain file, where a command is told to write into it or under it."""
    (tmp_path / "good.yaml").write_text(GOOD)
    path = tmp_path / "afile"
    path.write_text("not a folder\n")
    return path


@pytest.mark.parametrize("command, option, under", [
    (["run", "{good}", "--target", "contract", "--out"], "--out", ""),
    (["run", "{good}", "--target", "contract", "--junit-xml"], "--junit-xml", "j.xml"),
    (["diff", "{good}", "--target", "sdk", "--target", "contract", "--out"], "--out", "d.csv"),
    (["new"], "new", "x"),
    (["plot", "{good}", "--target", "contract", "-o"], "-o", "x.svg"),
    (["explore", "--max-examples", "8", "--target", "contract", "--out"], "--out", ""),
    (["explore", "--max-examples", "8", "--target", "contract", "--database"], "--database", ""),
])
def test_an_output_into_or_under_a_file_exits_two_before_any_run(afile, capsys, command, option, under):
    good = str(afile.parent / "good.yaml")
    target = afile / under if under else afile
    assert main([part.format(good=good) for part in command] + [str(target)]) == 2
    err = one_line_error(capsys)
    assert err.startswith(f"error: {option} {target}") and "is a file, not a folder" in err
    assert capsys.readouterr().out == ""  # refused before anything ran
    assert afile.read_text() == "not a folder\n"


@pytest.mark.parametrize("command, option, name", [
    (["run", "{good}", "--target", "contract", "--out"], "--out", ""),
    (["run", "{good}", "--target", "contract", "--out"], "--out", "harness-report"),
    (["run", "{good}", "--target", "contract", "--junit-xml"], "--junit-xml", "j.xml"),
    (["diff", "{good}", "--target", "sdk", "--target", "contract", "--out"], "--out", "d.csv"),
    (["new"], "new", "x"),
    (["plot", "{good}", "--target", "contract", "-o"], "-o", "x.svg"),
])
def test_an_output_into_proc_exits_two_with_the_option_named(afile, capsys, command, option, name):
    good = str(afile.parent / "good.yaml")
    target = "/proc/" + name if name else "/proc"
    assert main([part.format(good=good) for part in command] + [target]) == 2
    err = one_line_error(capsys)
    shown = target + (".yaml" if command == ["new"] else "")
    assert err.startswith(f"error: {option} {shown}: cannot write there (")


@pytest.mark.parametrize("option", ["--max-examples", "--steps", "--jobs"])
@pytest.mark.parametrize("value", ["0", "-3"])
def test_explore_refuses_a_count_below_one(capsys, option, value):
    assert main(["explore", option, value, "--target", "contract"]) == 2
    assert one_line_error(capsys) == f"error: {option} must be at least 1, not {value}"


def test_explore_says_how_many_scenarios_it_ran_and_its_help_says_why(capsys):
    from harness.exploration import BATCH
    assert main(["explore", "--max-examples", "50", "--steps", "3", "--target", "contract"]) == 0
    ran = -(-50 // BATCH) * BATCH
    assert f"{ran} scenarios on contract" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["explore", "--help"])
    assert f"rounded up to whole batches of {BATCH}" in " ".join(capsys.readouterr().out.split())


def test_run_refuses_jobs_below_one(afile, capsys):
    assert main(["run", str(afile.parent / "good.yaml"), "--jobs", "0"]) == 2
    assert one_line_error(capsys) == "error: --jobs must be at least 1, not 0"


def test_a_ctrl_c_ends_the_command_with_130_and_no_traceback(afile, capsys, monkeypatch):
    import harness.cli.running

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
        yield
    monkeypatch.setattr(harness.cli.running, "run_many", interrupted)
    assert main(["run", str(afile.parent / "good.yaml"), "--target", "contract"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def run_cli_apart(arguments: list[str], cwd) -> subprocess.CompletedProcess:
    """The command line in a process of its own, with a time limit and a 3 GiB address space: a
    read that never ends fails the test instead of hanging it or eating the machine's memory."""
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    return subprocess.run([sys.executable, "-m", "harness.cli", *arguments], cwd=cwd, capture_output=True,
                          text=True, timeout=15, preexec_fn=limit_memory)


def test_a_fifo_as_a_scenario_exits_two_at_once(tmp_path):
    os.mkfifo(tmp_path / "fifo.yaml")
    done = run_cli_apart(["run", "fifo.yaml", "--target", "contract"], tmp_path)
    err = done.stderr.strip()
    assert done.returncode == 2 and err.startswith("error: ") and "\n" not in err and "fifo.yaml" in err, err


def test_a_symlink_to_dev_zero_as_a_scenario_exits_two_at_once(tmp_path):
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    done = run_cli_apart(["run", "zero.yaml", "--target", "contract"], tmp_path)
    err = done.stderr.strip()
    assert done.returncode == 2 and err.startswith("error: ") and "\n" not in err and "zero.yaml" in err, err[-2000:]


def test_a_process_of_its_own_runs_the_command_line(tmp_path):
    """run_cli_apart itself works: a good scenario passes under its limits."""
    (tmp_path / "good.yaml").write_text(GOOD)
    done = run_cli_apart(["run", "good.yaml", "--target", "contract"], tmp_path)
    assert done.returncode == 0 and "1 passed, 0 failed" in done.stdout, done.stderr


def test_the_summary_says_not_available_where_a_target_has_no_status(tmp_path, capsys):
    if "node" not in harness.targets():
        pytest.skip("node is not ready here")
    path = CATALOGUE / "status" / "valid_with_error.yaml"
    assert main(["run", str(path), "--target", "node", "--target", "contract", "--out", str(tmp_path),
                 "--no-plots"]) == 0
    shown = {line.split()[1]: line.split()[3:] for line in capsys.readouterr().out.splitlines()
             if line.startswith("valid-with-error-broadcasts")}
    assert shown == {"node": ["n/a", "not", "available"], "contract": ["2", "VALID"]}
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("target")
    assert pd.isna(summary.loc["node", "status_changes"]) and summary.loc["contract", "status_changes"] == 2
    assert "| node | ok | n/a | not available |" in (tmp_path / "summary.md").read_text()


def test_a_report_stopped_half_way_leaves_the_folder_as_it_was(tmp_path, capsys, monkeypatch):
    import harness.cli.running as running
    (tmp_path / "good.yaml").write_text(GOOD)
    out = tmp_path / "report"
    out.mkdir()
    (out / "index.html").write_text("yesterday's report")

    def stopped(results, folder, *args, **kwargs):
        (folder / "index.html").write_text("half of today's")
        raise KeyboardInterrupt
    monkeypatch.setattr(running, "write_report", stopped)
    assert main(["run", str(tmp_path / "good.yaml"), "--target", "contract", "--out", str(out)]) == 130
    assert (out / "index.html").read_text() == "yesterday's report"
    assert [p.name for p in tmp_path.iterdir() if "writing" in p.name] == []   # no scratch left behind
    assert f"--out {out}: stopped before the report was whole; {out} is left as it was" in capsys.readouterr().err


def test_a_report_replaces_its_own_files_and_keeps_the_others(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    out = tmp_path / "report"
    (out / "pictures").mkdir(parents=True)
    (out / "pictures" / "old.png").write_bytes(b"old")
    (out / "index.html").write_text("yesterday's report")
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(tmp_path / "good.yaml"), "--target", "contract", "--out", str(out)]) == 0
    assert "yesterday" not in (out / "index.html").read_text() and (out / "summary.csv").is_file()
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / "pictures" / "old.png").exists()   # the pictures folder is the new run's
    assert [p.name for p in tmp_path.iterdir() if "writing" in p.name] == []
