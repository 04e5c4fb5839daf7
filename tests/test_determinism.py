"""The same catalogue gives byte-identical timelines in any process, whatever PYTHONHASHSEED."""

import filecmp
import os
import subprocess
import sys

import harness
from conftest import CATALOGUE, ROOT

TARGETS = harness.targets()  # every target ready here, the Go drivers included


def replay(out, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    chosen = [arg for name in TARGETS for arg in ("--target", name)]
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(CATALOGUE), "--out", str(out),
                           *chosen, "--no-plots"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def test_catalogue_replays_byte_for_byte_across_processes_and_hash_seeds(tmp_path):
    first = replay(tmp_path / "a", 1)
    second = replay(tmp_path / "b", 4242)
    assert first == second
    assert len([p for p in first if p.name == "timeline.csv"]) == len(TARGETS) * len(list(CATALOGUE.rglob("*.yaml")))
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", [str(p) for p in first],
                                               shallow=False)
    assert mismatch == [] and errors == []
    assert len(match) == len(first)
