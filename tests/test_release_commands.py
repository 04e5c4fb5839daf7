"""harness matrix, bisect, merge and --shard, read from the command line's own output."""

import sys
from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.drivers import register_family, registry

from fake_releases import FakeFamily

ROOT = Path(__file__).resolve().parent.parent
OFF_IS_FINAL = str(ROOT / "scenarios" / "status" / "off_is_final.yaml")
STATUS = str(ROOT / "scenarios" / "status")


@pytest.fixture
def fake():
    register_family(FakeFamily())
    yield
    registry._FAMILIES.pop("fake", None)


def test_harness_bisect_prints_the_release_that_changed_and_what_changed(fake, capsys):
    assert main(["bisect", OFF_IS_FINAL, "--target", "fake@1.0.0..1.9.0"]) == 0
    out = capsys.readouterr().out
    assert "off-is-final: fake behaves differently from 1.6.0 on (last release before: 1.4.0)" in out
    assert "what changed: off-is-final: fake@1.4.0 and fake@1.6.0 first differ at step 3, status[3]" in out
    assert "the steps up to it (paste into a file under scenarios/):" in out and "    - stop: {}" in out


def test_harness_bisect_needs_one_range(fake, capsys):
    assert main(["bisect", OFF_IS_FINAL, "--target", "fake@1.2.0"]) == 2
    assert "bisect needs a range of releases" in capsys.readouterr().err


def test_harness_matrix_prints_each_scenarios_behaviours_and_the_changes(fake, capsys, tmp_path):
    assert main(["matrix", STATUS, "--target", "fake@1.3.0..1.7.0", "--out", str(tmp_path / "m")]) == 0
    out = capsys.readouterr().out
    assert "fake: 1.3.0 .. 1.7.0 (4 releases)" in out
    assert "  off-is-final" in out and "**BB" in out  # the first two do not meet its expectations
    assert ("off-is-final: fake behaves differently from 1.6.0 on (behaviour A up to 1.4.0, B from 1.6.0): "
            "fake@1.4.0 and fake@1.6.0 first differ at step 3") in out
    assert (tmp_path / "m" / "matrix.csv").exists() and (tmp_path / "m" / "pictures" / "matrix.png").exists()


def test_harness_matrix_needs_releases(capsys):
    assert main(["matrix", STATUS]) == 2
    assert "name the releases: --target sdk@9.1.0.." in capsys.readouterr().err


def test_shards_merge_into_the_report_one_run_gives(fake, tmp_path, capsys):
    whole = tmp_path / "whole"
    # fake 1.3.0 and 1.4.0 fail off-is-final's expectations (OFF is final from 1.6.0 on): exit 1
    assert main(["run", STATUS, "--target", "fake@1.3.0..1.7.0", "--target", "contract", "--out", str(whole),
                 "--no-plots"]) == 1
    parts = []
    for i in (1, 2, 3):
        part = tmp_path / f"part{i}"
        assert main(["run", STATUS, "--target", "fake@1.3.0..1.7.0", "--target", "contract",
                     "--shard", f"{i}/3", "--out", str(part), "--no-plots"]) in (0, 1)
        parts.append(str(part))
    capsys.readouterr()
    merged = tmp_path / "merged"
    assert main(["merge", *reversed(parts), "--out", str(merged), "--no-plots"]) == 1
    out = capsys.readouterr().out
    assert "38 passed, 2 failed (3 folder(s) merged)" in out  # 8 scenarios on 5 targets
    assert (merged / "summary.csv").read_text() == (whole / "summary.csv").read_text()
    assert (merged / "matrix.csv").read_text() == (whole / "matrix.csv").read_text()


def test_merge_refuses_a_missing_or_doubled_shard(fake, tmp_path, capsys):
    one = tmp_path / "one"
    assert main(["run", STATUS, "--target", "contract", "--shard", "1/2", "--out", str(one), "--no-plots"]) == 0
    assert main(["merge", str(one), "--out", str(tmp_path / "m")]) == 2
    assert "shard(s) 2/2 missing" in capsys.readouterr().err
    assert main(["merge", str(one), str(one), "--out", str(tmp_path / "m")]) == 2
    assert "shard 1/2 is given twice" in capsys.readouterr().err
    assert main(["merge", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "no results.pickle here" in capsys.readouterr().err


@pytest.mark.parametrize("shard", ["0/2", "3/2", "two", "1/0"])
def test_a_bad_shard_exits_two(shard, capsys):
    assert main(["run", STATUS, "--target", "contract", "--shard", shard]) == 2
    assert "--shard takes I/N with 1 <= I <= N" in capsys.readouterr().err


def test_harness_targets_lists_each_familys_releases(capsys):
    assert main(["targets", "--releases"]) == 0
    out = capsys.readouterr().out
    assert "sdk@: " in out and " releases served here, 9.1.0 .. " in out
    assert "9.0.0 .. 9.0.1 (2 releases): launchdarkly-server-sdk is older than DataSourceUpdateSinkImpl: " \
           "the first release with it is 9.1.0" in out
    assert "go@: " in out and "go-v6@: " in out


def test_bisect_finds_the_python_sdk_release_that_made_off_final(capsys):
    """The issue's own example, on the real releases (their environments are built on first use)."""
    assert main(["bisect", OFF_IS_FINAL, "--target", "sdk@9.1.0..9.20.0"]) == 0
    out = capsys.readouterr().out
    assert "off-is-final: sdk behaves differently from 9.18.0 on (last release before: 9.17.0)" in out
    assert "sdk@9.17.0 at step 3: {'state': 'VALID', 'since': '+6s'" in out and "sdk@9.18.0 has no such row" in out


def test_the_ci_workflow_runs_only_commands_the_kit_has():
    """The sharded matrix workflow (.github/workflows/release-matrix.yml) parses, and every harness command
    in it parses with the kit's own argument parser."""
    import shlex

    import yaml
    from harness.cli import _parser
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release-matrix.yml").read_text())
    commands = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
                if "run" in step and "harness" in step["run"]]
    assert len(commands) == 3  # matrix and explore per shard, then merge
    for command in commands:
        words = shlex.split(command.replace("${{ matrix.shard }}", "1"))
        assert words[0] == ".venv/bin/harness"
        args = _parser().parse_args(words[1:])
        assert args.command in ("matrix", "explore", "merge")
        if args.command != "merge":
            assert args.shard == "1/4"


def test_merging_shards_split_by_target_gives_the_page_one_run_gives(tmp_path, capsys):
    """Each shard holds its own copy of a scenario; the merged report still has one section a scenario."""
    whole, parts = tmp_path / "whole", []
    assert main(["run", STATUS, "--target", "sdk", "--target", "contract", "--out", str(whole), "--no-plots"]) == 0
    for i in (1, 2):  # shard 1 runs every scenario on sdk, shard 2 on contract
        parts.append(str(tmp_path / f"p{i}"))
        assert main(["run", STATUS, "--target", "sdk", "--target", "contract", "--shard", f"{i}/2",
                     "--out", parts[-1], "--no-plots"]) == 0
    assert main(["merge", *parts, "--out", str(tmp_path / "merged"), "--no-plots"]) == 0
    page, merged = (whole / "index.html").read_text(), (tmp_path / "merged" / "index.html").read_text()
    assert "8 scenarios on 2 targets" in page and "8 scenarios on 2 targets" in merged
    assert page.count("<section ") == merged.count("<section ") == 8


def test_harness_matrix_says_which_runs_did_not_meet_their_expectations(fake, capsys):
    assert main(["matrix", OFF_IS_FINAL, "--target", "fake@1.3.0..1.7.0"]) == 0
    out = capsys.readouterr().out
    assert "  off-is-final  **BB" in out  # 1.3.0 and 1.4.0 behave as before OFF was final: not what it expects
    assert "2 run(s) did not meet their scenario's expectations" in out
    assert "  off-is-final: fake@1.3.0, fake@1.4.0" in out
    assert "off-is-final: fake behaves differently from 1.6.0 on (behaviour A up to 1.4.0, B from 1.6.0): " \
           "fake@1.4.0 and fake@1.6.0 first differ" in out
