"""One scenario on one driver: commands out in batches, every row back into the recording.

The simulated source never needs an answer before it goes on (a reconnect's
VALID depends on its init landing, and says so with ``if_ok``, which the
driver checks), so :meth:`Session.send` only queues a command, and the queue
goes out as one batch when it is long, or when the scenario ends. The one
exception is the source's reaction to the store coming back
(:mod:`harness.replay.reactions`): unless the driver makes the restart itself,
as ordered (its sink calls come back as ``made`` messages, see
:attr:`Session.on_made`), the kit waits for every answer at a few virtual
instants while a recovery can come, to read the store status rows. Each command carries an ``id``; every row and reply
the driver sends for it carries that id as ``re``. The driver answers in
order, so the session knows which command caused each row: rows are recorded
with that command's step, right after the operation it caused (an operation's
place in the order is taken when its answer starts to come in).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...errors import DriverError
from ...replay.recording import Recording
from ...replay.source import PendingOp
from .messages import Malformed, check_made, check_reply, row_values
from . import process
from .process import DriverProcess, encode

ROWS_PER_COMMAND = 100_000  # rows one command may cause, plus four an item it carries


@dataclass(slots=True)
class Sent:
    """A command sent and not yet answered."""

    id: int
    op: str
    step: int
    pending: PendingOp | None
    on_reply: Callable[[dict], None] | None
    row_limit: int
    rows: int = 0


class Session:
    """Commands to one driver for one scenario, and the rows they cause into ``recording``."""

    def __init__(self, driver: DriverProcess, recording: Recording):
        self.driver = driver
        self.recording = recording
        self._lines: list[bytes] = []   # encoded, not yet written
        self._sent: list[Sent] = []     # written or queued, in order, from the oldest unanswered one
        self._answered = 0              # how many of self._sent are answered
        self._next_id = 1
        #: Told of each sink call the driver made on its own (a ``made`` message) and the step of the
        #: command it came with; None while the kit ordered none.
        self.on_made: Callable[[dict, int], None] | None = None

    def send(self, command: dict, pending: PendingOp | None = None, on_reply: Callable[[dict], None] | None = None,
             items: int = 0) -> None:
        """Queue ``command``; its answer closes ``pending`` or goes to ``on_reply``. ``items``: how many
        items it carries (a command may cause that many rows more)."""
        command["id"] = self._next_id
        if pending is not None:
            pending.id = self._next_id
        try:
            line = encode(command)
        except ValueError as e:  # the vocabulary refuses NaN and infinities, so this is the kit's own bug
            raise DriverError(f"{self.driver.name}: the kit cannot send {command['op']!r}: {e}") from None
        self._lines.append(line)
        self._sent.append(Sent(self._next_id, command["op"], self.recording.step, pending, on_reply,
                               ROWS_PER_COMMAND + 4 * items))
        self._next_id += 1
        if len(self._lines) >= process.BATCH:
            self.flush(wait=False)

    def call(self, command: dict, items: int = 0) -> dict:
        """Send ``command`` with whatever is queued, and return its reply."""
        answer: list[dict] = []
        self.send(command, on_reply=answer.append, items=items)
        self.flush()
        return answer[0]

    def flush(self, wait: bool = True) -> None:
        """Send the queued commands and take in what the driver has answered: every answer, or with
        ``wait=False`` only those already there (the driver works on the rest while the kit queues
        the next batch; the next flush takes them in)."""
        payload, count = b"".join(self._lines), len(self._lines)
        self._lines = []
        unanswered = len(self._sent) - self._answered
        if not unanswered:
            return
        try:
            self.driver.exchange(payload, self._take, unanswered if wait else 0, what=f"{count} command(s)")
        except Malformed as e:
            raise self.driver.broken(str(e)) from None
        self._sent, self._answered = self._sent[self._answered:], 0

    def _take(self, message: Any) -> bool:
        """One message from the driver; True when it answers a command."""
        if type(message) is not dict:
            raise Malformed(f"sent {message!r}, which is neither a row, a reply nor an error")
        sent = self._sent[self._answered]
        re = message.get("re")
        if re != sent.id:
            raise Malformed(f"sent a message for command {re!r} while command {sent.id} ({sent.op!r}) was "
                            f"unanswered: {message!r}"[:400])
        if message.get("skipped") is True and "reply" in message and not sent.rows:  # not made: nothing recorded
            self._answered += 1
            if message["reply"] != sent.op:
                raise Malformed(f"answered {sent.op!r} with a reply to {message['reply']!r}")
            if sent.pending is not None:
                sent.pending.skip()
            return True
        if sent.pending is not None:
            sent.pending.open()  # the operation's row comes before the rows it caused
        if "made" in message:  # a sink call the driver made on its own, as ordered (see on_made)
            if self.on_made is None:
                raise Malformed(f"made a call the kit did not order: {message!r}"[:400])
            sent.rows += 1
            self.on_made(check_made(message), sent.step)
            return False
        if "row" in message:
            sent.rows += 1
            if sent.rows > sent.row_limit:
                raise Malformed(f"sent more than {sent.row_limit:,} rows for one {sent.op!r} command")
            frame, t, values = row_values(message)
            self.recording.add_at(frame, t, values, sent.step)
            return False
        self._answered += 1
        if "reply" in message:
            if message["reply"] != sent.op:
                raise Malformed(f"answered {sent.op!r} with a reply to {message['reply']!r}")
            check_reply(sent.op, message)
            if sent.pending is not None:
                close(sent.pending, message)
            elif sent.on_reply is not None:
                sent.on_reply(message)
            return True
        if "error" in message:
            raise DriverError(f"{self.driver.name}: the driver refused {sent.op!r}: {message['error']}")
        raise Malformed(f"sent {message!r}, which is neither a row, a reply nor an error"[:400])


def _version(record: dict | None) -> int | None:
    return None if record is None else record["version"]


def close(pending: PendingOp, reply: dict) -> None:
    """Close an operation with its reply: a status has no answer but its arrival; a write says
    whether it landed and what was stored around it."""
    if "ok" not in reply:  # status
        pending.close(True)
        return
    pending.close(reply["ok"], reply.get("error"), _version(reply.get("before")), _version(reply.get("after")),
                  reply.get("changed", True))
