"""Options every command reads the same way: the targets, output paths, counts and shards."""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import sys
import tempfile
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


@contextlib.contextmanager
def writing_folder(option: str, path: Path) -> Iterator[Path]:
    """A scratch folder beside ``path`` to write a report into; once all is written, its files move
    into ``path`` (replacing those of the same name, leaving the others). A Ctrl-C or a failure half
    way leaves ``path`` as it was, and an interruption says so."""
    with writing(option, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name or 'report'}.writing-"))
        moving = False
        try:
            yield scratch
            moving = True
            path.mkdir(parents=True, exist_ok=True)
            for entry in sorted(scratch.iterdir()):
                target = path / entry.name
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
                entry.rename(target)
        except KeyboardInterrupt:
            said = ("stopped while the report moved into place: some of its files are new, some old" if moving
                    else f"stopped before the report was whole; {path} is left as it was")
            print(f"{option} {path}: {said}", file=sys.stderr, flush=True)
            raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


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
