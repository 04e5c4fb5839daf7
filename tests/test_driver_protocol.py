"""docs/driver-protocol.md is the contract a driver implements: its tables are kept true here."""

import re
from pathlib import Path

import pytest

import harness
from harness.drivers.protocol import session as session_module
from harness.drivers.protocol.messages import MADE_FIELDS, REPLY_FIELDS, ROW_FIELDS
from harness.drivers.protocol.process import REACTIONS
from harness.replay.recording import LAYOUTS

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "driver-protocol.md").read_text()
GO_COMMANDS = (ROOT / "harness" / "drivers" / "go" / "driver" / "common" / "commands.go").read_text()


def table(heading: str) -> dict[str, str]:
    """First column -> the row's text, of the table under ``## heading``."""
    section = DOC.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", section, re.M)}


COMMANDS = table("Commands")


def sent_ops(monkeypatch) -> set[str]:
    """Every op the kit sends while the whole catalogue runs on a driver target."""
    seen: set[str] = set()
    original = session_module.Session.send

    def spy(self, command, *args, **kwargs):
        seen.add(command["op"])
        return original(self, command, *args, **kwargs)
    monkeypatch.setattr(session_module.Session, "send", spy)
    for result in harness.run_many(harness.collect([ROOT / "scenarios"]), ["go"]):
        assert result.ok, result.report()
    return seen


@pytest.mark.skipif("go" not in harness.targets(), reason="the go target is not ready here")
def test_the_commands_table_lists_exactly_what_the_kit_sends(monkeypatch):
    assert sent_ops(monkeypatch) == set(COMMANDS)


def test_the_go_driver_implements_every_command_of_the_table():
    handled = set(re.findall(r'case ((?:"\w+",? ?)+):', GO_COMMANDS))
    ops = {op for group in handled for op in re.findall(r'"(\w+)"', group)}
    assert set(COMMANDS) - {"begin"} <= ops  # begin opens a bubble, in driver_test.go


def test_the_rows_table_lists_every_frame_and_column_the_kit_checks():
    rows = table("Rows")
    assert set(rows) == set(ROW_FIELDS) == set(LAYOUTS) - {"ops"}
    for frame, fields in ROW_FIELDS.items():
        for column in fields:
            assert f"`{column}`" in rows[frame], (frame, column)


def test_every_reply_field_the_kit_checks_is_documented():
    for op, fields in REPLY_FIELDS.items():
        if op == "bench":
            assert "`bench`" in DOC and "`seconds`" in DOC
            continue
        for field in fields:
            assert f"`{field}`" in COMMANDS[op], (op, field)


def test_the_protocol_doc_gives_the_batch_sizes_the_session_uses(monkeypatch):
    from harness.drivers.protocol import process
    doc = " ".join((Path(__file__).resolve().parent.parent / "docs" / "driver-protocol.md").read_text().split())
    alone = process.BATCH
    monkeypatch.setattr(process, "SPIN", process.SPIN)  # share_cores() sets both; put back after the test
    monkeypatch.setattr(process, "BATCH", process.BATCH)
    process.share_cores()
    assert (process.SPIN, process.BATCH) == (0, 64) and alone == 16
    assert (f"writes the queue when {alone} commands are queued ({process.BATCH} in a worker of "
            "`harness explore --jobs`") in doc


def test_the_restart_a_driver_makes_is_documented_field_by_field():
    section = DOC.split("## The source's restart\n", 1)[1].split("\n## ", 1)[0]
    assert all(f'"reacts": ["{reaction}"]' in section for reaction in REACTIONS)
    for op, fields in MADE_FIELDS.items():
        assert f'{{"made": "{op}"' in " ".join(section.split())
        for field in fields:
            assert f'"{field}"' in section, (op, field)
    assert "`recovery`" in COMMANDS["recovery"] and "`mode`" in COMMANDS["recovery"]
    assert "`resend`" in COMMANDS["init"]


def test_a_made_status_may_say_it_failed_and_must_say_it_plainly():
    from harness.drivers.protocol.messages import Malformed, check_made
    plain = {"made": "status", "t": 0, "state": "VALID", "re": 3}
    assert check_made(dict(plain)) and check_made({**plain, "ok": False, "error": "the listener raised"})
    with pytest.raises(Malformed, match="made 'status' with ok 'yes', not true or false"):
        check_made({**plain, "ok": "yes"})
    with pytest.raises(Malformed, match="made 'status' with state 'OFF', not VALID"):
        check_made({**plain, "state": "OFF"})


@pytest.mark.parametrize("orjson", [True, False], ids=["orjson", "without orjson"])
@pytest.mark.parametrize("value", ["plain", "é, 中, \u2028 and an emoji 🎌", "a lone \ud800 surrogate", 2 ** 70,
                                   -(2 ** 63), [1.5, None, True, {"nested": []}]])
def test_a_command_goes_out_as_one_line_of_the_json_the_kit_built(value, orjson, monkeypatch):
    import json

    from harness.drivers.protocol import process
    if not orjson:  # as in the environment of a Python release's driver
        monkeypatch.setattr(process, "orjson", None)
    command = {"op": "evaluate", "id": 7, "default": value}
    line = process.encode(command)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == command
