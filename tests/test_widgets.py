"""The explorer, driven without a browser: set widget values, read what they show."""

import pytest

import harness
from conftest import CATALOGUE
from harness.replay.recording import store_at

pytest.importorskip("ipywidgets", reason="the viz extra is part of the dev install")
from harness import widgets  # noqa: E402


@pytest.fixture
def explorer():
    return widgets.explore(CATALOGUE / "reconnects" / "reconnect_resends_current_data.yaml", catalogue=CATALOGUE)


def test_moving_the_slider_slices_without_replaying(explorer):
    assert explorer.replays == 1
    assert explorer.slider.max == len(explorer.result.scenario.steps) - 1
    pictures = set()
    for step in range(-1, explorer.slider.max + 1):
        explorer.slider.value = step
        pictures.add(explorer.picture.value)
    assert explorer.replays == 1
    assert len(pictures) == explorer.slider.max + 2     # the cursor moved every time


def test_each_step_shows_status_store_and_rows_so_far(explorer):
    explorer.slider.value = -1
    assert "INITIALIZING" in explorer.status.value and "<tbody></tbody>" in explorer.store.value
    assert "set-up" in explorer.step_yaml.value
    explorer.slider.value = 3                          # after the delete of f2
    assert "delete" in explorer.step_yaml.value
    assert "<td>f2</td><td>3</td><td>True</td>" in explorer.store.value
    assert "VALID" in explorer.status.value
    explorer.slider.value = 4                          # disconnected
    assert "INTERRUPTED" in explorer.status.value and "NETWORK_ERROR" in explorer.status.value
    explorer.slider.value = 5                          # the reconnect's init forgot the tombstone
    assert "f2" not in explorer.store.value
    rows = explorer.rows.value
    assert rows.count("<tr>") <= widgets.ROWS_SHOWN + 1 and "status" in rows


def test_choosing_a_target_or_scenario_replays_once_each(explorer):
    explorer.target_choice.value = "contract"
    assert explorer.replays == 2 and "[contract]" in explorer.heading.value
    explorer.target_choice.value = "sdk"
    assert explorer.replays == 2                         # cached
    other = [v for _, v in explorer.scenario_choice.options if "off_is_final" in str(v)][0]
    explorer.scenario_choice.value = other
    assert explorer.replays == 3 and "off-is-final" in explorer.heading.value
    assert explorer.slider.value == explorer.slider.max


def test_store_view_at_the_last_step_matches_the_final_store():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        for target in ("sdk", "contract"):
            res = harness.run(path, target)
            last = len(res.scenario.steps) - 1
            assert store_at(res.recording, last) == [tuple(r) for r in res.recording.store], (path, target)


def test_the_explorer_finds_the_catalogue_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    explorer = harness.widgets.explore(target="contract")
    assert len(explorer.scenario_choice.options) == len(list(harness.catalogue_path().rglob("*.yaml")))


def test_the_cursor_stands_after_everything_the_step_caused_and_before_the_next(explorer):
    from harness import plot
    (ax,) = [ax for ax in explorer._current[1].figure.get_axes() if plot.lanes_of(ax)]
    xs_of_steps = {}
    for line in ax.get_lines():
        if line.get_marker() not in (None, "None", ""):
            for x in line.get_xdata():
                xs_of_steps.setdefault(int(x // 1), []).append(x)
    for step in range(-1, explorer.slider.max):
        explorer.slider.value = step
        cursor = ax._harness_cursor.get_xdata()[0]
        assert all(x < cursor for x in xs_of_steps.get(step, [])) and cursor < step + 1
