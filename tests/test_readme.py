"""The README runs as written: every python block, in order, in a fresh interpreter; and the outputs
it shows are what the kit prints."""

import os
import re
import subprocess
import sys
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def test_every_python_block_runs_in_order(tmp_path):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # the blocks name catalogue files
    program = "\n".join(f"# --- README python block {i + 1}\n{block}" for i, block in enumerate(blocks("python")))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    assert (tmp_path / "timeline.svg").read_text().startswith("<?xml")  # the plot block saved its picture
    assert "name: stale-upsert-is-ignored" in done.stdout  # the builder block printed its YAML


def _squeeze(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.strip().splitlines()]


def test_the_timeline_shown_is_the_one_the_kit_prints():
    shown = next(block for block in blocks("text") if block.startswith(">>> timeline"))
    expected = [line for line in shown.splitlines() if not line.startswith(">>>")]
    timeline = harness.run(ROOT / "scenarios/reconnects/dropped_connection_reconnects.yaml").timeline
    actual = timeline[["step", "t", "frame", "detail"]].to_string(index=False)
    assert _squeeze(actual) == _squeeze("\n".join(expected))


def test_the_failure_shown_is_the_one_the_kit_prints():
    shown = next(block for block in blocks("text") if block.startswith("scenario 'wrong'"))
    wrong = (harness.scenario("wrong").init(flags={"f1": {"version": 1}}).upsert(flag="f1", version=1)
             .expect(outcomes=["applied", "applied"]).build())
    report = harness.run(wrong).report()
    assert report.startswith(shown.strip())
