"""The Python driver: one release of the Python SDK, out of process, over the driver protocol.

It runs in a release's own environment (:mod:`.environments`), started by
:mod:`.launch`, and speaks docs/driver-protocol.md as the Go driver does. It
owns no scenario semantics of its own (the source's restart it makes only as
the kit orders, with the kit's rule: :mod:`.restarts`): it builds the client with the same
code as the in-process targets (:func:`.sync.open_client`,
:func:`.asynchronous.open_client`: the door adapted to the release, the
sandbox's virtual poller, the stores with faults and peek, the status, log
and change listeners), records what they observe into a
:class:`~harness.replay.recording.Recording` on a :class:`VirtualClock` that
the kit's ``advance`` moves, and writes that recording's rows as protocol rows
in the order it recorded them. So a release gives the same rows out of process
as in process.

Each sink call is bracketed as the in-process source brackets it
(``op_started``/``op_finished``), so the change events one call causes come
after it, sorted by key, exactly as in process; the ``ops`` rows themselves are
the kit's, and are not sent.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import sys
import traceback
from typing import Any, Callable

from ...errors import SdkMismatch
from ...replay.clock import VirtualClock, from_micros
from ...replay.freeze import move_frozen_time, virtual_time
from ...replay.recording import LAYOUTS, Recording
from ...replay.source import SINK_REPORTED_FAILURE, SinkRaised
from ...vocabulary.model import CACHE_FOREVER, StoreConfig
from ...vocabulary.steps import Evaluate, Listen, StoreDown, StoreUp
from ...vocabulary.values import ErrorInfo
from ..protocol.process import PROTOCOL, encode
from .door import DISTRIBUTION, async_sdk, sdk_version, sync_sdk
from .restarts import Restarts

MODES = {"sync": ".sync", "async": ".asynchronous"}  # the driver's mode -> the module whose open_client it uses
ROW_FRAMES = tuple(frame for frame in LAYOUTS if frame != "ops")


def check(mode: str) -> dict:
    """The door's verdict on this environment's release for ``mode``: ``{"ready", "version", "reason"}``.
    Everything is checked up front, and the target's module imported, so a wrong guess about the
    release is a target that is not ready, never a run that fails later."""
    try:
        sync_sdk()
        if mode == "async":
            async_sdk()
        importlib.import_module(MODES[mode], __package__)
    except SdkMismatch as e:
        return {"ready": False, "version": sdk_version(), "reason": str(e)}
    except Exception as e:  # an SDK that breaks on import is not ready either, for the reason it gives
        return {"ready": False, "version": sdk_version(),
                "reason": f"{DISTRIBUTION} {sdk_version()}: importing it for the {mode} target failed: "
                          f"{type(e).__name__}: {e}"}
    return {"ready": True, "version": sdk_version(), "reason": ""}


class DriverSource:
    """What the client's data source hands its sink to. The simulated source lives in the kit's
    process; here the source only holds the port and remembers whether an init landed (the
    client asks its data source ``initialized()``)."""

    def __init__(self):
        self.port: Any = None
        self.ready: Any = None
        self.initialized = False

    def attach(self, port: Any, ready: Any = None) -> None:
        self.port = port
        self.ready = ready

    def close(self) -> None:
        pass


def store_config(setting: dict) -> StoreConfig:
    """The scenario's store from ``begin.store`` (see ``harness.drivers.protocol.target.store_setting``)."""
    if setting.get("type") == "persistent":
        return StoreConfig("persistent", CACHE_FOREVER if setting.get("infinite") else setting.get("cache_ttl"))
    return StoreConfig(setting.get("type", "memory"))


def _record(record: dict | None) -> dict | None:
    if record is None:
        return None
    return {"version": record["version"], "deleted": bool(record.get("deleted", False))}


class Scenario:
    """One scenario's client, from ``begin`` to ``end``."""

    def __init__(self, begin: dict, mode: str):
        self.clock = VirtualClock(from_micros(begin["start"]), on_move=move_frozen_time)
        self.recording = Recording(self.clock.read)
        self.source = DriverSource()
        self.restarts = Restarts(self.recording, self.clock)  # before the client: it judges every store status
        self.made: list[tuple[int, dict]] = []  # (the seq of its operation, a made message) not yet written
        self.sent = dict.fromkeys(ROW_FRAMES, 0)  # rows of each frame already written
        open_client = importlib.import_module(MODES[mode], __package__).open_client
        self._stack = contextlib.ExitStack()
        try:
            self.world = self._stack.enter_context(open_client(
                store_config(begin.get("store") or {}), self.clock, self.recording, self.source,
                bool(begin.get("listen"))))
        except BaseException:
            self._stack.close()
            raise

    def new_rows(self) -> list[dict]:
        """The rows recorded since the last call, in the order they were recorded, as protocol rows."""
        out = []
        for frame in ROW_FRAMES:
            rows, layout = self.recording.rows[frame], LAYOUTS[frame]
            for row in rows[self.sent[frame]:]:
                out.append((row[0], {"row": frame, "t": row[2], **dict(zip(layout.values, row[3:]))}))
            self.sent[frame] = len(rows)
        out += self.made  # a restart's calls, each before the rows it caused
        self.made = []
        out.sort(key=lambda pair: pair[0])
        return [row for _, row in out]

    # -- the sink calls, bracketed as the in-process source brackets them -----------------------

    def _call(self, op: str, call: Callable, *args: Any, kind: str | None = None, key: str | None = None,
              version: int | None = None, made: dict | None = None) -> dict:
        """``made``: the call is the driver's own (a restart): that message goes out in its place."""
        recording = self.recording
        head = recording.op_started(op, kind, key, version)
        if made is not None and head is not None:
            self.made.append((head[0], made))
        peek = self.source.port.peek if key is not None else None
        before = peek(kind, key) if peek else None
        error = None
        try:
            returned = call(*args)
        except SinkRaised as e:
            error = str(e)
        else:
            if returned is False:
                error = SINK_REPORTED_FAILURE
        after = peek(kind, key) if peek else None
        changed = after is not before
        outcome = "error" if error is not None else ("applied" if key is None or changed else "ignored")
        recording.op_finished(head, outcome, error)
        reply: dict = {"ok": error is None, "error": error}
        if key is not None:
            reply.update(before=_record(before), after=_record(after), changed=changed)
        return reply

    def init(self, command: dict) -> dict:
        if command.get("resend"):  # the stream came back
            self.restarts.cancel()
        else:
            self.restarts.replace(command["data"])
        return self._init(command["data"])

    def _init(self, data: dict, made: dict | None = None) -> dict:
        reply = self._call("init", self.source.port.init, data, made=made)
        if reply["ok"]:
            self.source.initialized = True
            if self.source.ready is not None:
                self.source.ready.set()
        return reply

    def upsert(self, command: dict) -> dict:
        item = command["item"]
        self.restarts.remember(command["kind"], command["key"], command["version"], item)
        return self._call("upsert", self.source.port.upsert, command["kind"], item, kind=command["kind"],
                          key=command["key"], version=command["version"])

    def delete(self, command: dict) -> dict:
        kind, key, version = command["kind"], command["key"], command["version"]
        self.restarts.remember(kind, key, version, None)
        return self._call("delete", self.source.port.delete, kind, key, version, kind=kind, key=key,
                          version=version)

    def recovery(self, command: dict) -> dict:
        mode = command["mode"]
        if mode not in (None, "restart", "restart_if_stale"):
            raise ValueError(f"unknown recovery mode {mode!r}")
        self.restarts.order(mode, command["after"])
        return {}

    def _restart(self) -> None:
        """The source's restart, due now: the init of its view, then VALID if it landed."""
        self.restarts.due = None
        data = self.restarts.data()
        written = [[kind, key, item["version"]] for kind, items in data.items() for key, item in items.items()]
        made = {"made": "init", "t": self.clock.now, "written": written}
        reply = self._init(data, made)
        made.update(ok=reply["ok"], error=reply["error"])
        if reply["ok"]:
            made = {"made": "status", "t": self.clock.now, "state": "VALID"}
            reply = self._call("status", self.source.port.status, "VALID", None, made=made)
            if not reply["ok"]:
                made.update(ok=False, error=reply["error"])

    def status(self, command: dict) -> dict:
        reply = self._call("status", self.source.port.status, command["state"], ErrorInfo.from_data(command["error"]))
        return {} if reply["ok"] else reply  # a status call that raised is an error outcome, as in process

    # -- the other commands ----------------------------------------------------------------------

    def advance(self, command: dict) -> dict:
        """Fire the SDK's timers due on the way, in order; a restart falls due after the SDK's own work
        of its instant, as the kit's own restart would (the kit moves the driver there first)."""
        to, clock, restarts = command["to"], self.clock, self.restarts
        while restarts.connected:  # a restart may come: one instant at a time, to catch it
            if restarts.due is not None and restarts.due <= to:
                clock.advance_to(restarts.due)
                self._restart()
                if clock.now == to:  # what the restart set off for this instant waits for the next advance,
                    return {}        # as it would after the kit's own restart
                continue
            due = clock.next_due()
            if due is None or due > to:
                break
            clock.advance_to(due)
        clock.advance_to(to)
        return {}

    def store_down(self, command: dict) -> dict:
        self.world.on_store_down(StoreDown(frozenset(command["fail"]), command["available"], command["message"]))
        return {}

    def store_up(self, command: dict) -> dict:
        self.world.on_store_up(StoreUp())
        return {}

    def listen(self, command: dict) -> dict:
        self.world.on_listen(Listen(command["on"]))
        return {}

    def evaluate(self, command: dict) -> dict:
        self.world.on_evaluate(Evaluate(command["flag"], command["context"], command.get("default")))
        return {}

    def end(self, command: dict) -> dict:
        store = sorted(self.world.final_store())
        self.recording.closed = True  # the client's shutdown is outside the run, as in process
        self.close()
        return {"store": [list(row) for row in store]}

    def close(self) -> None:
        self._stack.close()


COMMANDS = ("init", "upsert", "delete", "status", "advance", "store_down", "store_up", "listen", "evaluate", "end",
            "recovery")


class Lines:
    """Command lines from a file descriptor; ``flush`` runs whenever no whole line is waiting, so the
    answers to a batch go out in one write."""

    def __init__(self, fd: int, flush: Callable[[], None]):
        self.fd = fd
        self.flush = flush
        self.lines: list[bytes] = []
        self.partial = b""

    def next(self) -> bytes | None:
        while not self.lines:
            if not select.select([self.fd], [], [], 0)[0]:
                self.flush()
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            pieces = (self.partial + chunk).split(b"\n")
            self.partial = pieces.pop()
            self.lines.extend(piece for piece in pieces if piece.strip())
        return self.lines.pop(0)


class Driver:
    """The scenario running, if any, and what each command does to it."""

    def __init__(self, mode: str):
        self.mode = mode
        self.scenario: Scenario | None = None
        self.failed: set[int] = set()  # ids of the scenario's calls that failed, for a command's if_ok

    def obey(self, command: dict) -> tuple[list[dict], dict]:
        """(the rows it caused, the reply's fields) for one command; raises for one it cannot obey."""
        op = command["op"]
        if op == "begin":
            if self.scenario is not None:
                raise ValueError("begin while a scenario is running")
            self.scenario = Scenario(command, self.mode)
            self.failed = set()
            reply: dict = {}
        elif op not in COMMANDS:
            raise ValueError(f"unknown op {op!r}")
        elif self.scenario is None:
            raise ValueError(f"{op!r} before begin")
        elif command.get("if_ok") in self.failed:  # the call it depends on failed: it is not made
            return [], {"skipped": True}
        else:
            reply = getattr(self.scenario, op)(command)
            if reply.get("ok") is False:
                self.failed.add(command["id"])
        rows = self.scenario.new_rows()
        if op == "end":
            self.scenario = None
        return rows, reply

    def abandon(self) -> None:
        """A command failed: the scenario is over (the kit stops this driver and starts another)."""
        if self.scenario is not None:
            with contextlib.suppress(Exception):
                self.scenario.close()
            self.scenario = None


def serve(mode: str, stdin: int, stdout: Any) -> None:
    """Obey commands until stdin closes (see docs/driver-protocol.md)."""
    def write(message: dict) -> None:
        stdout.write(encode(message))

    write({"hello": "harness-python-driver", "protocol": PROTOCOL, "sdk": DISTRIBUTION, "version": sdk_version(),
           "mode": mode, "reacts": ["store_recovery"]})
    lines = Lines(stdin, stdout.flush)
    driver = Driver(mode)
    with virtual_time():  # one freeze for the driver's life; each scenario's clock moves it
        while (line := lines.next()) is not None:
            command: Any = None
            try:
                command = json.loads(line)
                rows, reply = driver.obey(command)
            except Exception as e:
                traceback.print_exc(file=sys.stderr)
                write({"error": f"{type(e).__name__}: {e}", "re": command.get("id") if isinstance(command, dict)
                       else None})
                driver.abandon()
                continue
            for row in rows:
                row["re"] = command["id"]
                write(row)
            write({"reply": command["op"], "re": command["id"], **reply})
    stdout.flush()


def main(argv: list[str]) -> int:
    """``check``: print the door's verdict on every mode as one JSON line; ``MODE``: serve the protocol."""
    if argv == ["check"]:
        print(json.dumps({mode: check(mode) for mode in MODES}))
        return 0
    if len(argv) == 1 and argv[0] in MODES:
        verdict = check(argv[0])
        if not verdict["ready"]:
            print(verdict["reason"], file=sys.stderr)
            return 2
        serve(argv[0], sys.stdin.fileno(), sys.stdout.buffer)
        return 0
    print(f"usage: launch.py check | launch.py {'|'.join(MODES)}", file=sys.stderr)
    return 2
