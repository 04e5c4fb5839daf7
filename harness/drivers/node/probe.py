"""Whether each release of the Node SDK can be had here: its dependencies resolved against npm's registry.

The registry lists every release, but a registry mirror may lack a release's
dependencies (``npm error notarget No matching version found for
@launchdarkly/js-server-sdk-common@2.7.0``). So a release counts as served
once npm has made its lockfile (``npm install --package-lock-only``), which the
cache keeps (``locks/``) for its install. The releases are asked about
together, a few npm processes at a time, with a progress bar; the answers are
kept in ``probe.json`` beside the installs, so a warm listing asks nobody. A
refusal is remembered; a failure to reach the registry is shown but asked
again next time (as the Go targets' probe does for the Go module proxy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..setup_bar import SetupBar
from .build import (
    NPM_FLAGS,
    SDK,
    NodeRelease,
    cache_root,
    lock_file,
    node_toolchain,
    npm_reason,
)

# The words of npm's errors that mean "the registry does not have it", not "it could not be reached".
REFUSALS = ("notarget", "E404", "ETARGET", "No matching version", "404 Not Found")


@dataclass(frozen=True)
class Answer:
    """Whether a release can be installed here; ``definite`` is False when npm could not ask."""

    served: bool
    reason: str = ""
    definite: bool = True


def resolve(releases: list[NodeRelease], jobs: int = 4, progress: bool = True) -> dict[str, Answer]:
    """Make each release's lockfile, up to ``jobs`` npm processes at once; the answer for each version."""
    _, npm, _ = node_toolchain()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    answers: dict[str, Answer] = {}
    waiting = list(releases)
    running: list[tuple[NodeRelease, Path, subprocess.Popen]] = []
    bar = SetupBar(f"asking npm's registry about {len(releases)} release(s) of {SDK}", len(releases),
                   unit="release", shown=progress)
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                release = waiting.pop(0)
                work = Path(tempfile.mkdtemp(dir=root, prefix="resolving-"))
                (work / "package.json").write_bytes(release.files()["package.json"])
                with open(work / "npm.log", "wb") as log:
                    process = subprocess.Popen([npm, "install", "--package-lock-only", *NPM_FLAGS], cwd=work,
                                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
                running.append((release, work, process))
            release, work, process = running.pop(0)  # the oldest first: npm takes about as long for each
            answers[release.version] = _answer(release, work, process.wait())
            shutil.rmtree(work, ignore_errors=True)
            bar.update()
    finally:
        for _, work, process in running:  # interrupted: stop the others, leave nothing half-made
            process.kill()
            process.wait()
            shutil.rmtree(work, ignore_errors=True)
        bar.close()
    return answers


def _answer(release: NodeRelease, work: Path, code: int) -> Answer:
    if code == 0:
        kept = lock_file(release)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work / "package-lock.json", kept)
        return Answer(True)
    lines = (work / "npm.log").read_text(encoding="utf-8", errors="replace").splitlines()
    reason = npm_reason(lines)
    if any(word in line for line in lines for word in REFUSALS):
        return Answer(False, f"npm's registry here cannot resolve it: {reason}")
    return Answer(False, f"npm could not ask the registry about it: {reason}", definite=False)


def probe(releases: Iterable[NodeRelease],
          ask: Callable[[list[NodeRelease]], dict[str, Answer]] = resolve) -> dict[str, Answer]:
    """Whether each release can be installed: from the cache, asking ``ask`` (one call) only about those
    it has no definite answer for."""
    wanted = list(dict.fromkeys(releases))
    path = cache_root() / "probe.json"
    known = _remembered(path)
    missing = [release for release in wanted if _key(release) not in known]
    if missing:
        asked = ask(missing)
        fresh = {_key(release): asked[release.version] for release in missing if asked[release.version].definite}
        if fresh:
            _remember(path, {**_remembered(path), **fresh})
        known = {**known, **{_key(release): asked[release.version] for release in missing}}
    return {release.version: known[_key(release)] for release in wanted}


def _key(release: NodeRelease) -> str:
    return lock_file(release).stem  # the release and its package.json


def _remembered(path: Path) -> dict[str, Answer]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: Answer(bool(served), str(reason)) for key, (served, reason) in data.items()}
    except (OSError, ValueError, TypeError):
        return {}


def _remember(path: Path, answers: dict[str, Answer]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({key: [a.served, a.reason] for key, a in sorted(answers.items())}, indent=1),
                       encoding="utf-8")
    os.replace(partial, path)
