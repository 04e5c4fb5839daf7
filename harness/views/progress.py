"""Progress of a long command's phases (running, writing frames, drawing pictures), on stderr.

On a terminal each phase is a bar while it runs, and one line once it is done.
Elsewhere (a pipe, a CI log, a notebook's captured stream) there is no bar,
whose redrawing would be left behind as clutter: a line says what starts and a
line what was done, with its time::

    writing frames: 10 tables of 174 runs …
    writing frames: done in 0.3 s

A quiet :class:`Progress` (``shown=False``) prints nothing: small commands
finish before progress would help.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import IO, Iterator

from tqdm import tqdm

from ..replay.freeze import real_perf_counter


class Phase:
    """One phase: call :meth:`advance` as each piece of work is done."""

    def __init__(self, bar: tqdm | None):
        self._bar = bar

    def advance(self, count: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(count)


class Progress:
    """Phases of one command, shown on ``stream`` (stderr) when ``shown``."""

    def __init__(self, shown: bool = True, stream: IO[str] | None = None):
        self._stream = stream
        self.shown = shown

    @property
    def stream(self) -> IO[str]:
        """Where it shows: the given stream, else stderr as it is now (a test may have replaced it)."""
        return self._stream if self._stream is not None else sys.stderr

    @property
    def terminal(self) -> bool:
        return self.shown and hasattr(self.stream, "isatty") and self.stream.isatty()

    def say(self, line: str) -> None:
        """One line about the command (a phase that was skipped, and why), shown even when quiet."""
        print(line, file=self.stream, flush=True)

    @contextmanager
    def phase(self, name: str, total: int, unit: str, what: str = "") -> Iterator[Phase]:
        """A phase of ``total`` pieces of work (``unit``: run, table, picture); ``what`` says more
        when it starts (``10 tables of 174 runs``)."""
        if not self.shown:
            yield Phase(None)
            return
        start, terminal = real_perf_counter(), self.terminal
        if terminal:
            with tqdm(total=total, unit=unit, desc=name, file=self.stream, leave=False) as bar:
                yield Phase(bar)
        else:
            print(f"{name}: {what or f'{total} {unit}(s)'} …", file=self.stream, flush=True)
            yield Phase(None)
        print(f"{name}: done in {real_perf_counter() - start:.1f} s" +
              (f" ({what or f'{total} {unit}(s)'})" if terminal else ""), file=self.stream, flush=True)


QUIET = Progress(shown=False)
