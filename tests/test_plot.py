"""Timeline pictures: lanes, determinism, stacking, and readable labels on the whole catalogue."""

import itertools

import pytest

import harness
from conftest import CATALOGUE

matplotlib = pytest.importorskip("matplotlib", reason="the viz extra is part of the dev install")
from harness import plot  # noqa: E402


def lanes(fig):
    return [ax.get_ylabel() for ax in fig.get_axes()]


def test_one_call_draws_every_lane_with_something_to_show():
    res = harness.run(CATALOGUE / "outages" / "cached_evaluations_during_outage.yaml")
    fig = harness.plot(res)
    assert lanes(fig) == ["source", "store", "writes", "version", "changes", "evaluations", "logs"]
    titles = [t.get_text() for t in fig.texts] + [f._suptitle.get_text() for f in [fig, *fig.subfigs]
                                                  if f._suptitle]
    assert any("cached-evaluations-during-outage [sdk]" in t for t in titles)
    quiet = harness.run(harness.scenario("quiet").status("VALID").build())
    assert lanes(harness.plot(quiet)) == ["source"]  # lanes with nothing in them are left out


def test_the_log_lane_shows_the_outage_line_and_writes_are_labelled_init_or_reconnect():
    res = harness.run(CATALOGUE / "differences" / "outage_log_line.yaml", "contract")
    fig = harness.plot(res)
    logs = [ax for ax in fig.get_axes() if ax.get_ylabel() == "logs"][0]
    assert any(t.get_text().startswith("LaunchDarkly data source outage") for t in logs.texts)
    res = harness.run(CATALOGUE / "reconnects" / "dropped_connection_reconnects.yaml")
    writes = [ax for ax in harness.plot(res).get_axes() if ax.get_ylabel() == "writes"][0]
    assert [t.get_text() for t in writes.texts] == ["init", "reconnect"]


def test_an_ignored_stale_write_is_a_marker_below_its_version_line():
    res = harness.run(CATALOGUE / "versioning" / "upsert_flag_lower.yaml")
    fig = harness.plot(res)
    versions = [ax for ax in fig.get_axes() if ax.get_ylabel() == "version"][0]
    crosses = [line for line in versions.get_lines() if line.get_marker() == "x"]
    (cross,) = crosses
    assert list(cross.get_ydata()) == [2]
    step_line = [line for line in versions.get_lines() if line.get_drawstyle() == "steps-post"][0]
    assert min(step_line.get_ydata()) == 3


def test_same_result_gives_the_same_svg_bytes():
    res = harness.run(CATALOGUE / "reconnects" / "http_errors_then_stop.yaml")
    first, second = plot.to_bytes(harness.plot(res), "svg"), plot.to_bytes(harness.plot(res), "svg")
    assert first == second
    assert b"<dc:date>" not in first
    again = harness.run(CATALOGUE / "reconnects" / "http_errors_then_stop.yaml")
    assert plot.to_bytes(harness.plot(again), "png") == plot.to_bytes(harness.plot(res), "png")


def test_results_stack_for_comparison():
    path = CATALOGUE / "status" / "off_is_final.yaml"
    fig = harness.plot([harness.run(path, "sdk"), harness.run(path, "contract")])
    titles = [sub._suptitle.get_text() for sub in fig.subfigs]
    assert titles == ["off-is-final [sdk]", "off-is-final [contract]"]


def test_time_axis_places_rows_at_their_virtual_time():
    res = harness.run(CATALOGUE / "reconnects" / "dropped_connection_reconnects.yaml")
    fig = harness.plot(res, axis="time")
    source = fig.get_axes()[0]
    assert source.get_xlim()[1] >= 12
    assert "virtual time" in fig.get_axes()[-1].get_xlabel()


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_no_labels_overlap_on_the_catalogue():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        fig = harness.plot(harness.run(path))
        canvas = matplotlib.backends.backend_agg.FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        for ax in fig.get_axes():
            boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
            boxes += [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            for a, b in itertools.combinations(boxes, 2):
                assert not _overlaps(a, b), f"{path.name}: labels overlap in lane {ax.get_ylabel()!r}"


def test_plot_command_writes_a_picture(tmp_path, capsys):
    from harness.cli import main
    out = tmp_path / "t.svg"
    assert main(["plot", str(CATALOGUE / "status" / "off_is_final.yaml"), "-o", str(out),
                 "--target", "sdk", "--target", "contract"]) == 0
    assert out.read_bytes().startswith(b"<?xml")
    assert main(["plot", str(CATALOGUE / "status" / "off_is_final.yaml"), "-o", str(tmp_path / "t.gif")]) == 2


def test_the_version_axis_has_whole_numbers_only():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        fig = harness.plot(harness.run(path))
        canvas = matplotlib.backends.backend_agg.FigureCanvasAgg(fig)
        canvas.draw()
        for ax in fig.get_axes():
            if ax.get_ylabel() == "version":
                ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
                assert ticks and all(float(t).is_integer() for t in ticks), (path.name, ticks)


def test_a_scenario_with_many_keys_is_drawn_and_its_legend_room_matches_its_lines():
    from harness.views.lanes import LEGEND_KEYS, version_points
    from harness.views.plot import lined_items
    from harness.views.timeline_axis import TimelineAxis
    many = harness.scenario("many").init(flags={f"flag-{i:03d}": {"version": 1} for i in range(200)})
    for i in range(200):
        many.upsert(flag=f"flag-{i:03d}", version=2)
    result = harness.run(many.build())
    png = harness.plot.to_bytes(harness.plot(result), "png")   # margins wider than the page raised here
    assert png.startswith(b"\x89PNG")
    few = harness.run(harness.scenario("few").init(flags={"f1": {"version": 1}}).evaluate("elsewhere")
                      .upsert(flag="f2", version=1).build())
    for res in (result, few):
        assert set(version_points(res.recording, TimelineAxis(res.recording, "steps"))) == lined_items(res.recording)
    assert len(lined_items(result.recording)) > LEGEND_KEYS >= len(lined_items(few.recording))
