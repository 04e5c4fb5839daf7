"""One error root, with branches that say whose fault it is.

- :class:`ScenarioError`: the scenario is wrong (a bad file, key or value).
- :class:`UsageError`: the kit was asked for something it does not offer (an
  unknown or unready target, a bad command-line option).
- :class:`SdkMismatch`: the installed SDK lacks a piece the kit relies on
  (names the SDK version and the piece).
- :class:`DriverError`: an out-of-process driver broke the protocol, died or hung.
- :class:`VirtualTimeError`: something tried to use real time (a thread, a sleep).
- :class:`ExpectationFailed`: the implementation did not do what the scenario
  expects of it; raised only on request (``Result.raise_for_failures()``).

A bug in the kit itself is none of these: it surfaces as a plain traceback.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Root of every error the kit raises on purpose."""


class ScenarioError(HarnessError, ValueError):
    """A scenario is malformed: names the file, the line and the offending key.

    ``key`` is a dotted path into the scenario (``steps[3].upsert.version``).
    ``also``: the other problems found in the same file, as (line, key, message),
    each shown on a line of its own after the first.
    """

    def __init__(self, message: str, *, key: str | None = None,
                 file: str | None = None, line: int | None = None,
                 also: tuple[tuple[int | None, str | None, str], ...] = ()):
        self.message = message
        self.key = key
        self.file = file
        self.line = line
        self.also = also
        super().__init__(self._render())

    def _where(self, line: int | None) -> str:
        return (self.file or "<scenario>") + (f":{line}" if line is not None else "")

    def _render(self) -> str:
        problems = [(self.line, self.key, self.message), *self.also]
        return "\n".join(f"{self._where(line)}: {message}" + (f" at '{key}'" if key else "")
                          for line, key, message in problems)

    def located(self, *, file: str | None = None, line: int | None = None,
                prefix: str | None = None) -> "ScenarioError":
        """A copy with the location filled in where it was still unknown."""
        key = self.key
        if prefix:
            key = f"{prefix}.{key}" if key else prefix
        return ScenarioError(self.message, key=key,
                             file=self.file or file,
                             line=self.line if self.line is not None else line, also=self.also)

    def __reduce__(self):
        return (_rebuild_scenario_error, (self.message, self.key, self.file, self.line, self.also))


def _rebuild_scenario_error(message, key, file, line, also=()):
    return ScenarioError(message, key=key, file=file, line=line, also=also)


class UsageError(HarnessError, ValueError):
    """The kit was asked for something it does not offer: an unknown target, a bad option."""


class SdkMismatch(HarnessError, ImportError):
    """The installed SDK lacks a piece the kit relies on."""


class DriverError(HarnessError):
    """An out-of-process driver broke the protocol, died or hung. ``partial`` holds what
    the run had recorded before (a :class:`~harness.replay.recording.Recording`), if any."""

    def __init__(self, message: str, partial: object = None):
        super().__init__(message)
        self.partial = partial


class VirtualTimeError(HarnessError, RuntimeError):
    """Code under test tried to start a real thread or sleep in real time."""


class ExpectationFailed(HarnessError, AssertionError):
    """An implementation diverged from what the scenario expects of it."""
