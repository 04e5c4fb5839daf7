"""The same catalogue gives byte-identical timelines in any process, whatever PYTHONHASHSEED."""

import filecmp
import os
import subprocess
import sys

import pandas as pd

import harness
from harness.runs.runner import refused_runs
from conftest import CATALOGUE, ROOT

WRITES = {"Init", "Upsert", "Delete"}
TARGETS = harness.targets()  # every target ready here, the Go drivers included


def replay(out, seed):
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    chosen = [arg for name in TARGETS for arg in ("--target", name)]
    done = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(CATALOGUE), "--out", str(out),
                           *chosen, "--no-plots"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # results.pickle is the kit's working format for harness merge (objects, sets among them), not output
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "results.pickle")


def test_catalogue_replays_byte_for_byte_across_processes_and_hash_seeds(tmp_path):
    first = replay(tmp_path / "a", 1)
    second = replay(tmp_path / "b", 4242)
    assert first == second
    verdicts = pd.read_csv(tmp_path / "a" / "frames" / "verdicts.csv")
    ran = set(map(tuple, verdicts[["file", "target"]].drop_duplicates().values))
    refused = len(refused_runs(harness.collect([CATALOGUE]), TARGETS))  # sdk-async and node take no redis store
    assert len(ran) == len(TARGETS) * len(list(CATALOGUE.rglob("*.yaml"))) - refused
    timeline = pd.read_csv(tmp_path / "a" / "frames" / "timeline.csv")
    quiet = ran - set(map(tuple, timeline[["file", "target"]].drop_duplicates().values))
    # a run lacks timeline rows only where its target cannot see status and nothing in it writes (node, status files)
    seeing = set(pd.read_csv(tmp_path / "a" / "frames" / "status.csv")["target"])
    silent = {(file, target) for file, target in ran if target not in seeing
              and not any(type(step.action).__name__ in WRITES for step in harness.collect([file])[0].steps)}
    assert quiet <= silent
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", [str(p) for p in first],
                                               shallow=False)
    assert mismatch == [] and errors == []
    assert len(match) == len(first)


GENERATED = """
import hashlib, random, sys
import harness
from harness.strategies import scenario_from_bytes
count, targets = int(sys.argv[1]), sys.argv[2:]
rng = random.Random(20)
scenarios = [scenario_from_bytes(bytes(rng.randrange(256) for _ in range(2 + 12 * 4))) for _ in range(count)]
with harness.virtual_time():
    for index, scenario in enumerate(scenarios):
        for target in targets:
            recording = harness.run(scenario, target).recording
            digest = hashlib.sha256(repr((recording.rows, recording.store)).encode()).hexdigest()[:16]
            print(index, target, digest)
"""


def generated_digests(count: int, seed: int) -> list[str]:
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    done = subprocess.run([sys.executable, "-c", GENERATED, str(count), *TARGETS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_two_thousand_generated_scenarios_record_the_same_rows_in_two_processes():
    first, second = generated_digests(2000, 1), generated_digests(2000, 777)
    assert len(first) == 2000 * len(TARGETS)
    differing = [(a, b) for a, b in zip(first, second) if a != b]
    assert differing == [], differing[:10]
