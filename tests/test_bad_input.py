"""Input that once broke the loader: each gives a ScenarioError with file and line, quickly and in bounded memory."""

import asyncio
import random
import signal
import tracemalloc
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

import harness
from harness.vocabulary.durations import format_duration, parse_duration
from harness.vocabulary.yaml_reader import ALIAS_BUDGET, MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def hang_guard(seconds: int = 20):
    """Fail instead of hanging (a guard, not a speed test: the budget is far above any real run)."""
    def alarm(*_):
        raise AssertionError(f"still running after {seconds} s: the loader hangs")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\nname: x\nsteps: *a{levels - 1}\n"


BAD = {
    "control character": ("name: x\x07\nsteps: []\n", 1, "control character"),
    "!!float": ("name: x\nsteps:\n  - upsert: {flag: f, version: !!float x}\n", 3, "cannot read 'x' as !!float"),
    "!!int": ("name: x\nseed: !!int x\nsteps: []\n", 2, "cannot read 'x' as !!int"),
    "!!bool": ("name: x\nlisten: !!bool maybe\nsteps: []\n", 2, "cannot read 'maybe' as !!bool"),
    "!!timestamp": ("name: x\nstart: !!timestamp xyz\nsteps: []\n", 2, "cannot read 'xyz' as !!timestamp"),
    "collection key": ("name: x\n? [a]\n: 1\nsteps: []\n", 2, "a key must be text, not a collection"),
    "number key": ("name: x\n1: a\nb: c\nsteps: []\n", 2, "a key must be text, not 1"),
    "deep flow nesting": ("name: x\nsteps: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nesting"),
    "deep block nesting": ("name: x\nsteps:\n" + "".join("  " * i + "- \n" for i in range(1, 3000)),
                           MAX_DEPTH + 2, f"nested more than {MAX_DEPTH} levels deep"),
    "self-referencing alias": ("name: x\nsteps: &a [*a]\n", 2, "refers to a collection that contains it"),
    "alias bomb": (bomb(), 6, f"aliases expand to more than {ALIAS_BUDGET:,} values"),
    "a wait longer than the clock's span": ("name: x\nsteps:\n  - wait: 99999999999h\n", 3,
                                            "longer than the virtual clock's whole span, 1970 to 2200"),
    "a wait past 2200": ("name: x\nstart: 2199-12-01T00:00:00Z\nsteps:\n  - status: VALID\n  - wait: 800h\n", 5,
                         "run the virtual clock past 2200"),
    "a disconnect reconnecting past 2200": ("name: x\nstart: 2199-12-01T00:00:00Z\nsteps:\n"
                                            "  - disconnect: {reconnect_after: 800h}\n", 4, "past 2200"),
    "a step at a time past 2200": ("name: x\nstart: 2199-12-01T00:00:00Z\nsteps:\n  - stop: {}\n    at: 800h\n",
                                   4, "past 2200"),
    "a start past 2200": ("name: x\nstart: 9999-12-31T23:59:59Z\nsteps:\n  - wait: 1s\n", 2,
                          "start must lie from 1970-01-01 to 2200-01-01 UTC"),
    "a start before year 1 in UTC": ("name: x\nstart: 0001-01-01T00:00:00+01:00\nsteps: []\n", 2,
                                     "start must lie from 1970-01-01"),
    "a start before 1970": ("name: x\nstart: 1969-12-31T23:59:59Z\nsteps: []\n", 2, "pandas' datetime64[ns]"),
    "a timer past 2200": ("name: x\nstart: 2199-12-31T00:00:00Z\noutage_log_after: 9000h\nsteps: []\n",
                          3, "reach past 2200"),
    "an outage threshold longer than the clock's span": ("name: x\noutage_log_after: 9999999h\nsteps: []\n", 2,
                                                         "outage_log_after is longer than"),
    "two documents": ("name: x\nsteps: []\n---\nname: y\n", 3, "one YAML document"),
    "unknown python tag": ("name: !!python/object/apply:os.system ['echo hi']\nsteps: []\n", 1, "unsupported tag"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_a_located_scenario_error_in_bounded_memory(write_scenario, name):
    text, line, words = BAD[name]
    path = write_scenario(text)
    tracemalloc.start()
    try:
        with hang_guard(), pytest.raises(harness.ScenarioError) as info:
            harness.load_scenario(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.file == str(path)
    assert info.value.line == line, str(info.value)
    assert words in info.value.message, str(info.value)
    assert peak < 64 * 2 ** 20, f"{peak / 2 ** 20:.0f} MiB to refuse {name}"


def test_merge_keys_and_extension_keys_load(write_scenario):
    sc = harness.load_scenario(write_scenario(
        "x-base: &base {version: 1, on: false}\n"
        "name: merged\n"
        "steps:\n"
        "  - upsert: {<<: *base, flag: f1}\n"
        "  - upsert: {<<: [*base], flag: f2, version: 2}\n"))
    first, second = (step.action.item for step in sc.steps)
    assert (first.key, dict(first.spec)) == ("f1", {"version": 1, "on": False})
    assert (second.key, dict(second.spec)) == ("f2", {"version": 2, "on": False})  # explicit keys win


def test_an_unknown_top_level_key_is_named_at_its_line_with_the_closest_key(write_scenario):
    path = write_scenario("name: x\nstepz: []\n")
    with pytest.raises(harness.ScenarioError) as info:
        harness.load_scenario(path)
    assert info.value.line == 2 and info.value.key == "stepz"
    assert info.value.message.startswith("unknown key 'stepz', did you mean 'steps'?")


def test_an_unknown_step_suggests_the_closest_step(write_scenario):
    with pytest.raises(harness.ScenarioError, match="unknown step 'upsrt', did you mean 'upsert'"):
        harness.load_scenario(write_scenario("name: x\nsteps:\n  - upsrt: {flag: f, version: 1}\n"))


@pytest.mark.parametrize("text, hint", [
    ("name: x\nsteps:\n\t- wait: 1s\n", "replace the tab with spaces"),
    ("name: x\nsteps: [ {wait: 1s}\n", "bracket"),
    ("name: 'x\nsteps: []\n", "quote"),
])
def test_syntax_errors_show_the_line_a_caret_and_a_hint(write_scenario, text, hint):
    with pytest.raises(harness.ScenarioError) as info:
        harness.load_scenario(write_scenario(text))
    message = info.value.message
    assert hint in message and "\n" in message and message.rstrip().endswith("^")


@pytest.mark.parametrize("text", ["1234.567ms", "250ms", "2s", "90s", "1m", "1h", "0.001ms", "1.5ms", "0s"])
def test_durations_round_trip_exactly(text):
    micros = parse_duration(text)
    assert format_duration(micros) == text
    assert parse_duration(format_duration(micros)) == micros


def test_a_duration_finer_than_a_microsecond_is_refused():
    with pytest.raises(harness.ScenarioError, match="whole microseconds"):
        parse_duration("0.0001ms")


def test_a_wait_written_back_as_yaml_loads_to_the_same_scenario():
    sc = harness.scenario("round-trip").wait("1234.567ms").status("VALID", after="2.5s").build()
    again = harness.scenario_from_yaml(harness.scenario_yaml(sc))
    assert again.steps == sc.steps
    assert "1234.567ms" in harness.scenario_yaml(sc)


def test_a_missing_error_kind_reads_na_in_every_frame():
    res = harness.run(harness.scenario("na").status("VALID").build(), "contract")
    for frame in (res.status, res.ops):
        for column in ("error_kind", "error", "error_message"):
            if column in frame:
                assert frame[column].isna().all()
                assert str(frame[column].iloc[0]) == "<NA>", (column, frame[column].dtype)


def test_virtual_time_decorates_a_coroutine_for_as_long_as_it_runs():
    from harness.replay.freeze import is_frozen

    @harness.virtual_time()
    async def inside():
        seen = [is_frozen()]
        await asyncio.sleep(0)
        seen.append(is_frozen())
        return seen

    coroutine = inside()
    assert not is_frozen()  # creating the coroutine does not freeze
    assert asyncio.run(coroutine) == [True, True]
    assert not is_frozen()


def test_a_paused_run_many_leaves_the_process_on_real_time():
    from harness.replay.freeze import is_frozen
    scenario = harness.scenario("tiny").status("VALID").build()
    results = harness.run_many([scenario] * 3, ["contract"])
    first = next(results)
    assert first.ok and not is_frozen()
    assert datetime.now(timezone.utc) > datetime(2025, 1, 1, tzinfo=timezone.utc)  # not the run's 2024
    assert [r.ok for r in results] == [True, True]
    assert not is_frozen()


# ----------------------------------------------------------------------------- fuzzing

NASTY = ["\t", "\x07", ": ", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: ", "!!float ", "!!int ", "? ",
         "'", '"', "#", "|", ">", "~", "1: ", "\n", "  ", "-1", "99999999999h", "9999-12-31T23:59:59Z",
         "---\n", "%YAML 1.2\n", "@", "`", "\\", "\ufeff", "\x00", "on", "null", "", "steps:", "wait: "]


def mutants(seed: int, count: int):
    """Catalogue files, each changed by a few random cuts, insertions, swaps and duplications."""
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "scenarios").rglob("*.yaml"))]
    for _ in range(count):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 4)):
            where = rng.randrange(len(text) + 1)
            action = rng.randrange(5)
            if action == 0:
                text = text[:where] + rng.choice(NASTY) + text[where:]
            elif action == 1:
                text = text[:where] + text[where + rng.randint(1, 40):]
            elif action == 2:
                lines = text.splitlines(keepends=True)
                if len(lines) > 1:
                    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                    lines[i], lines[j] = lines[j], lines[i]
                    text = "".join(lines)
            elif action == 3:
                piece = text[where:where + rng.randint(1, 80)]
                text = text[:where] + piece * rng.randint(2, 6) + text[where:]
            else:
                text = text[:where] + chr(rng.randrange(0x20, 0x250)) + text[where:]
        yield text


def test_ten_thousand_mutated_files_only_load_or_raise_scenario_errors():
    loaded = refused = 0
    with hang_guard(240):
        for text in mutants(seed=7, count=10_000):
            try:
                harness.scenario_from_yaml(text, "mutant.yaml")
            except harness.ScenarioError as e:
                assert e.file == "mutant.yaml"
                refused += 1
            else:
                loaded += 1
    assert loaded + refused == 10_000
    assert loaded > 100 and refused > 1000  # both paths were exercised
