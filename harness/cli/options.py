"""Options every command reads the same way: the targets, output paths, counts and shards."""

from __future__ import annotations

import argparse
import contextlib
import re
from pathlib import Path
from typing import Iterator

from ..drivers import targets
from ..errors import UsageError


def add_targets(parser: argparse.ArgumentParser, what: str = "run on") -> None:
    """``--target NAME``, repeatable, the same on every command."""
    parser.add_argument("--target", action="append", metavar="NAME",
                        help=f"target to {what} (repeatable; a release as sdk@9.10.0 or go@v7.5.0, a range as "
                             "sdk@9.1.0..9.20.0 or sdk@9.1.0..; default: every target ready here, see "
                             "'harness targets')")


def add_shard(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--shard", metavar="I/N",
                        help="run only part I of N (for a CI matrix; join the parts' folders with 'harness merge')")


def chosen_targets(args: argparse.Namespace) -> list[str]:
    """The targets a command was given (``--target``, and ``--targets`` where it exists), or every ready one."""
    names = list(args.target or [])
    names += [n.strip() for n in (getattr(args, "targets", None) or "").split(",") if n.strip()]
    return names or targets()


def check_output(option: str, path: Path | None, *, folder: bool) -> None:
    """Refuse, before anything runs, an output path that plainly cannot be written: a file where a
    folder must go, a folder where a file must go, or a file on the way (``afile/x.csv``)."""
    if path is None:
        return
    try:
        if folder and path.exists() and not path.is_dir():
            raise UsageError(f"{option} {path}: that is a file, not a folder")
        if not folder and path.is_dir():
            raise UsageError(f"{option} {path}: that is a folder, not a file")
        above = next((parent for parent in path.parents if parent.exists()), None)  # the nearest that exists
        if above is not None and not above.is_dir():
            raise UsageError(f"{option} {path}: {above} is a file, not a folder")
    except OSError as e:
        raise UsageError(f"{option} {path}: {e.strerror or e}") from None


@contextlib.contextmanager
def writing(option: str, path: Path) -> Iterator[None]:
    """What the system refuses while an output is written (a folder in /proc, a full disk) is
    a bad argument, exit 2, with the option named."""
    try:
        yield
    except OSError as e:
        raise UsageError(f"{option} {path}: cannot write there ({e.strerror or e})") from None


def at_least_one(option: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise UsageError(f"{option} must be at least 1, not {value}")




def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``--shard 2/4`` as (2, 4)."""
    if not text:
        return None
    match = re.fullmatch(r"(\d+)/(\d+)", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise UsageError(f"--shard takes I/N with 1 <= I <= N, such as 2/4, not {text!r}")
    return int(match.group(1)), int(match.group(2))
