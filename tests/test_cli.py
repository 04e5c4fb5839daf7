"""The command line: summary, exit codes, report files."""

import pandas as pd

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
    status = pd.read_csv(out / "sdk" / "good" / "status.csv")
    assert status["state"].tolist() == ["INITIALIZING", "VALID"]
    for frame in ("ops", "changes", "store_status", "evaluations", "logs", "store", "timeline"):
        assert (out / "sdk" / "good" / f"{frame}.csv").exists()


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
    assert names == ["contract", "go", "go-v6", "sdk", "sdk-async"]
