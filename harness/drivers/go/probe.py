"""Which Go SDK releases the Go module proxy serves here, asked once and remembered on disk.

One ``go mod download -json mod@v1 mod@v2 ...`` asks about every release: it
downloads each one's source archive (the build needs it anyway) and prints one
JSON object per release, with an ``Error`` for a refused one. Downloading is
the only honest test: the proxy serves the metadata of some releases (v7.12.0,
v7.14.0) but refuses their archives, so ``go list -m`` would call them served.

Go caches what it downloaded but not what it was refused, so the answers are
kept in the kit's cache (``~/.cache/ld-sink-harness/go-driver/probe-*.json``,
one file per proxy setting); a warm listing runs no download. Only definite
answers are kept: a refusal (403, 404, 410), a missing checksum entry, or a
success. A network failure is reported, not remembered, so the next listing
asks again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from .build import cache_root, go_toolchain

# The settings that decide what the proxy answers; the cache is kept per value of them.
SETTINGS = ("GOPROXY", "GOSUMDB", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOINSECURE")


@dataclass(frozen=True)
class Answer:
    """What the proxy said about one ``module@version``: served, or why not, and whether that is
    definite (worth remembering) or a passing failure (the network)."""

    served: bool
    reason: str = ""
    definite: bool = True

    def __post_init__(self):
        if self.served == bool(self.reason):
            raise ValueError("an answer is served with no reason, or not served with one")


SERVED = Answer(True)


def refusal(error: str) -> Answer:
    """The one-line reason for ``go mod download``'s ``Error`` text about one release."""
    text = re.sub(r"^\S+@\S+: ", "", error.strip())  # "module@version: " says nothing new
    first = text.splitlines()[0] if text else "no reason given"
    status = re.search(r": (403|404|410) ", text)
    code = status.group(1) if status else None
    if "/sumdb/" in text or text.startswith("verifying"):
        if code in ("404", "410"):
            return Answer(False, "the checksum database has no entry for it")
        if "SECURITY ERROR" in text or "checksum mismatch" in text:
            return Answer(False, "its checksum does not match the checksum database")
    elif code is not None:
        if re.search(r"\.zip: " + code, text):
            return Answer(False, f"its source archive is refused by the Go module proxy ({code})")
        return Answer(False, f"not served by the Go module proxy ({code})")
    elif "unknown revision" in text or "invalid version" in text:
        return Answer(False, "its repository has no such release")
    return Answer(False, f"could not ask the Go module proxy: {first}", definite=False)


def parse_download(output: str, asked: Iterable[str], stderr: str = "") -> dict[str, Answer]:
    """The answers in ``go mod download -json``'s output (JSON objects one after another), by
    ``module@version``; a release it printed nothing for gets ``stderr``'s first line."""
    answers: dict[str, Answer] = {}
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(output) and output[position].isspace():
            position += 1
        if position >= len(output):
            break
        try:
            item, position = decoder.raw_decode(output, position)
        except json.JSONDecodeError:
            break  # not go's JSON: what was read stands, the rest is reported below
        if isinstance(item, dict) and "Path" in item and "Version" in item:
            name = f"{item['Path']}@{item['Version']}"
            answers[name] = refusal(item["Error"]) if item.get("Error") else SERVED
    silent = (stderr.strip().splitlines() or ["go printed no answer"])[0]
    for name in asked:
        answers.setdefault(name, Answer(False, f"could not ask the Go module proxy: {silent}", definite=False))
    return answers


def go_download(names: list[str]) -> dict[str, Answer]:
    """Ask the proxy about every ``module@version`` in one ``go mod download -json`` call."""
    go, _ = go_toolchain()
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOWORK": "off"}
    with tempfile.TemporaryDirectory() as neutral:  # no go.mod around to change what is asked
        try:
            done = subprocess.run([go, "mod", "download", "-json", *names], cwd=neutral, env=env,
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            return parse_download("", names, str(e))
    return parse_download(done.stdout, names, done.stderr)


@lru_cache(maxsize=1)
def proxy_settings() -> tuple[tuple[str, str], ...]:
    """The Go settings that decide what the proxy answers (``go env``, so ``go env -w`` counts)."""
    go, _ = go_toolchain()
    try:
        shown = subprocess.run([go, "env", "-json", *SETTINGS], capture_output=True, text=True, check=True,
                               timeout=60).stdout
        values = json.loads(shown)
    except (OSError, subprocess.SubprocessError, ValueError):
        values = {name: os.environ.get(name, "") for name in SETTINGS}
    return tuple((name, str(values.get(name, ""))) for name in SETTINGS)


def cache_file() -> Path:
    digest = hashlib.sha256(json.dumps(proxy_settings()).encode()).hexdigest()[:16]
    return cache_root() / f"probe-{digest}.json"


def _remembered(path: Path) -> dict[str, Answer]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))["answers"]
        return {name: Answer(bool(a["served"]), str(a["reason"])) for name, a in stored.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no cache yet, or a damaged one: ask again


def _remember(path: Path, answers: dict[str, Answer]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = {"settings": dict(proxy_settings()),
              "answers": {name: {"served": a.served, "reason": a.reason} for name, a in sorted(answers.items())}}
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as out:
        json.dump(stored, out, indent=1)
    os.replace(out.name, path)  # whole or not at all, even with two probes at once


def probe(names: Iterable[str], download: Callable[[list[str]], dict[str, Answer]] = go_download,
          refresh: bool = False) -> dict[str, Answer]:
    """Whether the proxy serves each ``module@version``: from the cache, asking ``download`` (one call)
    only about those it has no definite answer for (all of them with ``refresh``)."""
    wanted = list(dict.fromkeys(names))
    path = cache_file()
    known = {} if refresh else _remembered(path)
    missing = [name for name in wanted if name not in known]
    if missing:
        asked = download(missing)
        fresh = {name: answer for name, answer in asked.items() if answer.definite}
        if fresh:
            _remember(path, {**_remembered(path), **fresh})
        known = {**known, **asked}
    return {name: known[name] for name in wanted}
