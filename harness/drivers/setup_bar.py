"""A progress bar for a driver's slow set-up: a build, an install, a question to a registry.

On a terminal it is a tqdm bar. Anywhere else (a CI log, ``2> file``) a redrawn
bar would write every frame into the log, so it says one line when the work
starts and one when it ends::

    building the Go driver (github.com/launchdarkly/go-server-sdk/v7@v7.14.6) …
    building the Go driver (github.com/launchdarkly/go-server-sdk/v7@v7.14.6): ended after 21.4 s
"""

from __future__ import annotations

import sys
from typing import IO

from tqdm import tqdm

from ..replay.freeze import real_perf_counter


class SetupBar:
    """``update``, ``reset`` and ``close`` as tqdm's; a context manager too. ``shown=False``: silent."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "it", shown: bool = True,
                 position: int = 0, stream: IO[str] | None = None):
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        terminal = shown and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._log = shown and not terminal  # the lines instead of a bar
        self._bar = tqdm(total=total, unit=unit, desc=desc, position=position, disable=not terminal,
                         file=self.stream, leave=False)
        self._start = real_perf_counter()
        if self._log:
            print(f"{desc} …", file=self.stream, flush=True)

    def update(self, n: int = 1) -> None:
        self._bar.update(n)

    def reset(self, total: int | None = None) -> None:
        self._bar.reset(total=total)

    def close(self) -> None:
        """End the bar (or say how long the work took); a second close does nothing."""
        self._bar.close()
        if self._log:
            self._log = False
            print(f"{self.desc}: ended after {real_perf_counter() - self._start:.1f} s", file=self.stream, flush=True)

    def __enter__(self) -> "SetupBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
