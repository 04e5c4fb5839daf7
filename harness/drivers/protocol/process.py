"""A driver process spoken to in JSON lines (docs/driver-protocol.md).

Any program that speaks the protocol runs through :class:`DriverProcess`: a
batch of command lines goes in on stdin while the lines that come back on
stdout are read, until every command of the batch is answered. Writing and
reading take turns under ``select`` (no threads), so neither side can block
the other on a full pipe; a driver that stops making progress for ``timeout``
seconds is stopped, and one that dies is noticed at once.
"""

from __future__ import annotations

import collections
import json
import os
import select
import subprocess
import tempfile
from typing import Any, Callable, Sequence

try:
    import orjson
except ImportError:  # the Python driver of a release runs this in an environment of its SDK alone
    orjson = None

from ...errors import DriverError
from ...replay.interrupts import check_interrupt, holds_interrupts

PROTOCOL = 2
FILLABLE = frozenset({"status", "store_status", "changes", "evaluations", "logs"})  # a driver may lack these
REACTIONS = frozenset({"store_recovery"})  # the source's reactions a driver may carry out itself, when ordered
MAX_LINE = 64 << 20   # bytes: a longer line is a driver gone wrong, not data
SLICE = 0.05          # seconds a select waits before the kit looks around again
CHUNK = 1 << 16
SPIN = 1000            # non-blocking reads before a blocking wait (see share_cores)
BATCH = 16             # commands a batch holds at most (see share_cores)


def share_cores() -> None:
    """Pace this process for sharing the cores with siblings as busy as it (``harness explore
    --jobs``): never spin while a driver works, as a spin would take the core another worker's driver
    needs; and send batches four times longer, as each batch wakes the driver and then the kit once,
    and small batches buy the overlap of kit and driver only while a core is idle (go explores ~10%
    faster in two workers so, and ~10% slower in one process: benchmarks/bench_explore.py)."""
    global SPIN, BATCH
    SPIN = 0
    BATCH = 64


class NotJson:
    """A line that did not decode, kept in its place among the messages: those before it count."""

    def __init__(self, line: bytes):
        self.line = line


def _exited(process: subprocess.Popen, seconds: float) -> bool:
    """Wait up to ``seconds`` for the process to end. (Not ``Popen.wait(timeout)``: its timeout
    reads ``time.monotonic``, which a virtual-time freeze stops.)"""
    for _ in range(int(seconds / 0.01)):
        if process.poll() is not None:
            return True
        select.select([], [], [], 0.01)
    return process.poll() is not None


class DriverProcess:
    """One running driver. :meth:`exchange` sends a batch and reads until it is answered."""

    @holds_interrupts  # a Ctrl-C waits until the driver is started and owned (or refused and closed)
    def __init__(self, command: Sequence[str], name: str, timeout: float = 60.0):
        self.name = name
        self.timeout = timeout
        self.scenarios = 0
        self._stderr = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._stderr, bufsize=0)
        except OSError as e:
            self._stderr.close()
            raise DriverError(f"{name}: cannot start the driver {command[0]!r}: {e}") from None
        assert self._process.stdin is not None and self._process.stdout is not None
        self._in = self._process.stdin.fileno()
        self._out = self._process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._partial: list[bytes] = []  # the start of a line whose end has not come yet
        self._partial_size = 0
        self._messages: collections.deque = collections.deque()  # whole lines read and decoded, not yet handed out
        hello: list[Any] = []
        self.exchange(b"", lambda message: hello.append(message) is None, 1, what="its hello")
        self.hello = hello[0]
        if not isinstance(self.hello, dict) or "hello" not in self.hello:
            self.close()
            raise DriverError(f"{name}: the driver's first line must be a hello, got {self.hello!r}")
        if self.hello.get("protocol") != PROTOCOL:
            self.close()
            raise DriverError(f"{name}: the driver speaks protocol {self.hello.get('protocol')!r}; "
                              f"the kit speaks {PROTOCOL}")
        #: Frames this driver's SDK cannot fill (its rows there are missing, not quiet).
        self.unavailable = self._hello_words("unavailable", FILLABLE, "frames")
        #: The source's reactions this driver carries out itself when ordered (see harness.replay.reactions).
        self.reacts = self._hello_words("reacts", REACTIONS, "reactions")

    def _hello_words(self, field: str, known: frozenset, what: str) -> frozenset:
        """A list of words in the hello, each one the kit knows (none when the hello has no such field)."""
        words = self.hello.get(field, [])
        if type(words) is not list or not all(type(word) is str and word in known for word in words):
            self.close()
            raise DriverError(f"{self.name}: protocol error: the hello's {field} is {words!r}, not a list of "
                              f"{what} among {', '.join(sorted(known))}")
        return frozenset(words)

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def exchange(self, payload: bytes, on_message: Callable[[Any], bool], answers: int,
                 what: str = "a batch") -> int:
        """Write ``payload`` (whole command lines) while reading the driver's lines, and pass each
        decoded line to ``on_message``, which says True for an answer (a reply or an error). Returns
        once all of ``payload`` is written and ``answers`` answers have come, with how many came
        (``answers=0``: do not wait for any). ``on_message`` may raise to end the exchange."""
        out = memoryview(payload)
        sent = received = 0
        idle = 0.0  # seconds without a byte moving either way
        while True:
            messages = self._messages
            while messages:
                message = messages.popleft()
                if type(message) is NotJson:
                    raise self._broken(f"sent a line that is not JSON: {message.line[:200]!r}")
                if on_message(message):
                    received += 1
            if sent == len(out) and received >= answers:
                return received
            writing = [self._in] if sent < len(out) else []
            if not writing and self._spin():  # an answer came while looking: no sleep and wake-up
                continue
            readable, writable, _ = select.select([self._out], writing, [], SLICE)
            moved = False
            if writable:
                try:
                    sent += os.write(self._in, out[sent:sent + CHUNK])
                    moved = True
                except BlockingIOError:
                    pass
                except OSError:
                    raise self._died(f"while the kit was sending it {what}") from None
            if readable:
                try:
                    chunk = os.read(self._out, CHUNK)
                except BlockingIOError:
                    chunk = None
                if chunk is not None:
                    if not chunk:
                        raise self._died(f"while answering {what}")
                    self._take(chunk)
                    moved = True
            check_interrupt()  # a safe point: a Ctrl-C stops the run here, and the target stops the driver
            idle = 0.0 if moved else idle + SLICE
            if idle >= self.timeout:
                self.close(kill=True)
                raise DriverError(f"{self.name}: the driver did not answer within {self.timeout:g} s "
                                  "(it hangs); it was stopped")

    def _spin(self) -> bool:
        """Look for output a few hundred times without blocking: a driver answers within microseconds,
        and looking costs less than a select's sleep and wake-up. True if some came (and was taken)."""
        for _ in range(SPIN):
            try:
                chunk = os.read(self._out, CHUNK)
            except BlockingIOError:
                continue
            if not chunk:
                return False  # the end of the output: the select below sees it and says the driver died
            self._take(chunk)
            return True
        return False

    def _take(self, chunk: bytes) -> None:
        """Split what came in into whole lines; only the new chunk is searched for line ends."""
        if b"\n" not in chunk:
            self._partial.append(chunk)
            self._partial_size += len(chunk)
            if self._partial_size > MAX_LINE:
                raise self._broken(f"sent a line longer than {MAX_LINE >> 20} MiB")
            return
        pieces = chunk.split(b"\n")
        if self._partial:
            pieces[0] = b"".join(self._partial) + pieces[0]
            self._partial, self._partial_size = [], 0
        tail = pieces.pop()
        if tail:
            self._partial, self._partial_size = [tail], len(tail)
        lines = [piece for piece in pieces if piece.strip()]
        try:  # every whole line in one call to the JSON decoder: a batch answers in hundreds of lines
            self._messages.extend(_DECODE(b"[" + b",".join(lines) + b"]"))
        except ValueError:  # line by line, so what came before the bad line is still handed out
            for line in lines:
                try:
                    self._messages.append(_DECODE(line))
                except ValueError:
                    self._messages.append(NotJson(line))
                    break

    def broken(self, what: str) -> DriverError:
        """Stop the driver and describe how it broke the protocol."""
        return self._broken(what)

    def _broken(self, what: str) -> DriverError:
        self.close(kill=True)
        return DriverError(f"{self.name}: protocol error: the driver {what}")

    def _died(self, when: str) -> DriverError:
        if not _exited(self._process, 5.0):
            self._process.kill()
            self._process.wait()
        code = self._process.returncode
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode(errors="replace").strip()
        self.close()
        said = f"; it said:\n{tail}" if tail else ""
        return DriverError(f"{self.name}: the driver exited (code {code}) {when}{said}")

    @holds_interrupts
    def close(self, kill: bool = False) -> None:
        """Stop the driver: it ends on its own when stdin closes; a hung one is killed at once."""
        process = self._process
        if kill and process.poll() is None:
            process.kill()
        if process.stdin is not None and not process.stdin.closed:
            try:
                process.stdin.close()
            except OSError:
                pass
        if not _exited(process, 5.0):
            process.kill()
            process.wait()
        if process.stdout is not None and not process.stdout.closed:
            process.stdout.close()
        if not self._stderr.closed:
            self._stderr.close()


# The standard library's encoder, for what orjson refuses (an integer beyond 64 bits, a lone
# surrogate). Made once; a command is a tree the kit built (no cycles), so it looks for none.
_ENCODE = json.JSONEncoder(separators=(",", ":"), allow_nan=False, check_circular=False).encode
# Replies are read by the standard library: orjson reads an integer beyond 64 bits as a float, and
# the SDKs may answer with one a scenario gave.
_DECODE = json.loads


def encode(command: dict) -> bytes:
    """One command as its line, by orjson (the standard library took about eight times as long on
    the kit's commands, a tenth of the kit's time a scenario). NaN and infinities cannot reach it: the
    vocabulary refuses them."""
    if orjson is not None:
        try:
            return orjson.dumps(command, option=orjson.OPT_APPEND_NEWLINE)
        except TypeError:
            pass
    return _ENCODE(command).encode() + b"\n"
