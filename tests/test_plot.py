"""Timeline pictures, read as a person reads them: lanes, marks, where they sit, the legend, labels."""

import itertools

import pytest

import harness
from conftest import CATALOGUE

matplotlib = pytest.importorskip("matplotlib", reason="the viz extra is part of the dev install")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from harness import plot  # noqa: E402
from harness.views.lanes import GRID_COLOUR, SEPARATOR_COLOUR  # noqa: E402

OUTAGE = CATALOGUE / "outages" / "cached_evaluations_during_outage.yaml"


def runs_of(fig):
    """Each run's Axes, top to bottom (the figure's legend is not one)."""
    return [ax for ax in fig.get_axes() if plot.lanes_of(ax)]


def y_labels(ax, lane):
    band = plot.lanes_of(ax)[lane]
    return [t.get_text() for t in plot.labels_of(ax)["y"] if band.y0 <= t.get_position()[1] <= band.y0 + band.height]


def marks(ax, lane, marker=None):
    """(x, y) of every marker drawn in a lane (with this marker)."""
    band = plot.lanes_of(ax)[lane]
    found = []
    for line in ax.get_lines():
        if line.get_marker() in (None, "None", "") or (marker is not None and line.get_marker() != marker):
            continue
        found += [(x, y) for x, y in zip(line.get_xdata(), line.get_ydata()) if band.y0 <= y <= band.y0 + band.height]
    return found


def bars(ax, lane, colour):
    """(x0, x1) of the bars of one colour in a lane."""
    band = plot.lanes_of(ax)[lane]
    spans = []
    for collection in ax.collections:
        if isinstance(collection, PolyCollection):
            colours = collection.get_facecolor()
            for k, path in enumerate(collection.get_paths()):
                xs, ys = path.vertices[:, 0], path.vertices[:, 1]
                if (to_rgb(colours[k % len(colours)]) == to_rgb(colour) and
                        band.y0 <= ys.min() and ys.max() <= band.y0 + band.height):
                    spans.append((xs.min(), xs.max()))
    return sorted(spans)


def test_one_call_draws_every_lane_with_something_to_show():
    res = harness.run(OUTAGE)
    (ax,) = runs_of(harness.plot(res))
    assert list(plot.lanes_of(ax)) == ["script", "status", "store", "ops", "versions", "changes", "evaluations", "logs"]
    shown = [t.get_text() for t in ax.texts]
    for name in ("script", "source", "store", "writes", "version", "changes", "evaluations", "logs"):
        assert name in shown  # each lane is named on the left
    assert ax.get_title(loc="left") == "cached-evaluations-during-outage [sdk]"
    quiet = harness.run(harness.scenario("quiet").status("VALID").build())
    assert list(plot.lanes_of(runs_of(harness.plot(quiet))[0])) == ["status"]  # empty lanes are left out


def test_a_scripted_outage_is_drawn_from_when_it_began_not_from_when_the_sdk_noticed():
    from harness.views.lanes import FAULT_COLOURS, REPORTED_UNAVAILABLE
    res = harness.run(OUTAGE)  # store_down at +10 s (step 3), store_up at +40 s (step 6); noticed at +31 s
    for axis, (down, up, noticed, cached) in (("steps", (3, 6, 5, 4)), ("time", (10, 40, 31, 29))):
        (ax,) = runs_of(harness.plot(res, axis=axis))
        assert bars(ax, "script", FAULT_COLOURS["store"]) == [(down, up)]
        assert y_labels(ax, "script") == ["store down"]
        assert bars(ax, "store", REPORTED_UNAVAILABLE)[0][0] == noticed
        shaded = [p for p in ax.patches if to_rgb(p.get_facecolor()) == to_rgb(FAULT_COLOURS["store"])]
        (shade,) = shaded  # across every lane: the whole height of the run
        assert (shade.get_x(), shade.get_x() + shade.get_width()) == (down, up)
        # the evaluation served from the cache at +29 s sits inside the outage, not before it
        served = sorted(x for x, _ in marks(ax, "evaluations"))
        assert served[1] == cached and down < cached < up


def test_a_disconnect_is_drawn_until_the_reconnect_it_scheduled():
    from harness.views.lanes import FAULT_COLOURS, INIT_COLOUR
    res = harness.run(CATALOGUE / "reconnects" / "reconnect_resends_current_data.yaml")
    (ax,) = runs_of(harness.plot(res))
    (window,) = bars(ax, "script", FAULT_COLOURS["connection"])
    inits = [seg for c in ax.collections if isinstance(c, LineCollection)
             and to_rgb(c.get_color()[0]) == to_rgb(INIT_COLOUR) for seg in c.get_segments()]
    reconnect_x = max(seg[0][0] for seg in inits)
    assert window == (4, reconnect_x) and 5 < reconnect_x < 6  # the disconnect's step; the reconnect 1 s into the wait
    assert y_labels(ax, "script") == ["disconnected"]
    assert [t.get_text() for t in ax.texts if t.get_text() in ("init", "reconnect", "restart")] == ["init", "reconnect"]


def test_a_restart_after_the_store_came_back_is_labelled_so():
    path = CATALOGUE / "reconnects" / "store_recovery_restarts_the_stream.yaml"
    labels = {}
    for target in ("contract", "sdk"):  # the contract restarts (Go's rule); sdk's source does nothing
        (ax,) = runs_of(harness.plot(harness.run(path, target)))
        labels[target] = [t.get_text() for t in ax.texts if t.get_text() in ("init", "reconnect", "restart")]
    assert labels["contract"] == labels["sdk"] + ["restart"] and "reconnect" in labels["sdk"]


def test_an_event_sits_at_its_steps_tick_on_every_target_stacked():
    path = CATALOGUE / "versioning" / "stale_upsert_fires_change_event.yaml"
    sdk, contract = harness.run(path, "sdk"), harness.run(path, "contract")
    assert len(sdk.changes) == 4 and len(contract.changes) == 2  # sdk records more in step 1
    fig = harness.plot([sdk, contract])
    for ax in runs_of(fig):
        assert sorted({x for x, _ in marks(ax, "ops")}) == [1.0]            # the stale upsert, step 1
        assert sorted({x for x, _ in marks(ax, "changes")}) <= [0.0, 1.0]   # the init's events and step 1's
    sdk_ax, contract_ax = runs_of(fig)
    assert sdk_ax.get_position().x0 == contract_ax.get_position().x0 and sdk_ax.get_xlim() == contract_ax.get_xlim()


def test_stacked_timelines_mark_the_lane_and_step_where_they_part():
    path = CATALOGUE / "status" / "off_is_final.yaml"   # sdk drops the status after the stop at step 3
    sdk, contract, sdk_async = (harness.run(path, target) for target in ("sdk", "contract", "sdk-async"))
    for axis, x in (("steps", 3.0), ("time", 6.0)):     # step 3 acts at +6 s
        fig = harness.plot([sdk, contract], axis=axis)
        for ax in runs_of(fig):
            assert [mx for mx, _ in marks(ax, "status", "*")] == [x]     # on the lane of the frame, at the step
            assert sum(len(marks(ax, lane, "*")) for lane in plot.lanes_of(ax)) == 1
        assert "timelines part here" in [text.get_text() for _, text in plot.key_of(fig)]
    alike = harness.plot([sdk, sdk_async])                # no difference a diff sees: no mark, no entry
    assert all(not marks(ax, lane, "*") for ax in runs_of(alike) for lane in plot.lanes_of(ax))
    assert "timelines part here" not in [text.get_text() for _, text in plot.key_of(alike)]


def test_a_delete_is_a_tombstone_mark_with_its_own_legend_entry():
    from harness.views.lanes import TOMBSTONE
    res = harness.run(CATALOGUE / "versioning" / "tombstone_blocks_resurrection.yaml")
    fig = harness.plot(res)
    (ax,) = runs_of(fig)
    deletes = res.ops[res.ops["op"] == "delete"]
    assert len(marks(ax, "ops", TOMBSTONE)) == len(deletes) > 0
    assert len(marks(ax, "versions", TOMBSTONE)) == len(deletes)
    assert "delete (tombstone)" in [text.get_text() for _, text in plot.key_of(fig)]


def test_an_ignored_write_sits_below_its_line_when_older_and_on_it_when_the_same():
    res = harness.run(harness.scenario("higher-same-lower").init(flags={"f1": {"version": 2}})
                      .upsert(flag="f1", version=3).upsert(flag="f1", version=3).upsert(flag="f1", version=1)
                      .build())
    (ax,) = runs_of(harness.plot(res))
    band = plot.lanes_of(ax)["versions"]
    (line,) = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    stored_after_step_1 = line.get_ydata()[-1]
    same, lower = sorted(marks(ax, "versions", "x"))
    assert same[1] == stored_after_step_1                                 # on the line
    assert lower[1] < stored_after_step_1 and lower[1] == band.y(1)     # below it, at version 1


def test_items_whose_version_lines_overlap_can_be_told_apart():
    res = harness.run(harness.scenario("twins").init(flags={"a": {"version": 1}, "b": {"version": 1}})
                      .upsert(flag="a", version=2).upsert(flag="b", version=2).build())
    (ax,) = runs_of(harness.plot(res))
    a, b = [line for line in ax.get_lines() if line.get_drawstyle() == "steps-post"]
    assert a.get_ydata()[0] != b.get_ydata()[0]                                     # nudged apart
    assert (a.get_color(), a.get_linestyle()) != (b.get_color(), b.get_linestyle())  # and each its own look
    assert abs(a.get_ydata()[0] - b.get_ydata()[0]) < plot.lanes_of(ax)["versions"].height / 10  # but at version 1


def _drawn_marks(ax):
    """(kind, look) of every mark in a run's Axes: markers, bars, shading, lines (decoration left out)."""
    found = set()
    for line in ax.get_lines():
        if line.get_drawstyle() == "steps-post" or line.get_linestyle() == "--":  # item lines (their own key), cursor
            continue
        if line.get_marker() not in (None, "None", ""):
            found.add(("marker", line.get_marker(), to_rgb(line.get_color())))
    for collection in ax.collections:
        colours = collection.get_color() if isinstance(collection, LineCollection) else collection.get_facecolor()
        for colour in {to_rgb(c) for c in colours} - {to_rgb(GRID_COLOUR), to_rgb(SEPARATOR_COLOUR)}:
            found.add(("line" if isinstance(collection, LineCollection) else "patch", None, colour))
    for patch in ax.patches:
        found.add(("patch", None, to_rgb(patch.get_facecolor())))
    return found


def _legend_looks(fig):
    looks = {}
    for sample, text in plot.key_of(fig):
        if isinstance(sample, Patch):
            looks[("patch", None, to_rgb(sample.get_facecolor()))] = text.get_text()
        elif sample.get_marker() in (None, "None", ""):
            looks[("line", None, to_rgb(sample.get_color()))] = text.get_text()
        else:
            looks[("marker", sample.get_marker(), to_rgb(sample.get_color()))] = text.get_text()
    return looks


def test_every_mark_has_a_legend_entry_and_every_entry_a_mark_on_the_catalogue():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        res = harness.run(path)
        fig = harness.plot([res, harness.run(res.scenario, "contract")])
        drawn = set().union(*map(_drawn_marks, runs_of(fig)))
        legend = _legend_looks(fig)
        assert drawn <= set(legend), (path.name, drawn - set(legend))
        assert set(legend) <= drawn, (path.name, [legend[k] for k in set(legend) - drawn])


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
    assert [ax.get_title(loc="left") for ax in runs_of(fig)] == ["off-is-final [sdk]", "off-is-final [contract]"]


def test_time_axis_places_rows_at_their_virtual_time():
    res = harness.run(CATALOGUE / "reconnects" / "dropped_connection_reconnects.yaml")
    (ax,) = runs_of(harness.plot(res, axis="time"))
    assert ax.get_xlim()[1] >= 12
    assert "virtual time" in plot.labels_of(ax)["title"].get_text()
    assert [t.get_text() for t in plot.labels_of(ax)["x"]][:2] == ["0", "2"]


def _overlaps(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_no_labels_overlap_on_the_catalogue():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        fig = harness.plot(harness.run(path))
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
        for ax in runs_of(fig):
            boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
            for a, b in itertools.combinations(boxes, 2):
                assert not _overlaps(a, b), f"{path.name}: labels overlap"
        key = [artist.get_window_extent(renderer).padded(2) for entry in plot.key_of(fig) for artist in entry]
        for a, b in itertools.combinations(key, 2):  # apart by 4 pixels at least: touching reads as one
            assert not _overlaps(a, b), f"{path.name}: the key's entries touch"


def test_plot_command_writes_a_picture(tmp_path, capsys):
    from harness.cli import main
    out = tmp_path / "t.svg"
    assert main(["plot", str(CATALOGUE / "status" / "off_is_final.yaml"), "-o", str(out),
                 "--target", "sdk", "--target", "contract"]) == 0
    assert out.read_bytes().startswith(b"<?xml")
    assert main(["plot", str(CATALOGUE / "status" / "off_is_final.yaml"), "-o", str(tmp_path / "t.gif")]) == 2


def test_plot_command_draws_targets_that_behave_alike_as_one_timeline_named_for_them_all(tmp_path, capsys):
    import re
    from harness.cli import main
    out = tmp_path / "t.svg"
    assert main(["plot", str(CATALOGUE / "status" / "off_is_final.yaml"), "-o", str(out),
                 "--target", "sdk", "--target", "sdk-async", "--target", "contract"]) == 0
    assert capsys.readouterr().out.strip().endswith("(2 timelines: sdk, sdk-async | contract)")
    titles = re.findall(r"<text [^>]*>(off-is-final \[[^\]]*\])</text>", out.read_text())  # the SVG's text
    assert titles == ["off-is-final [sdk, sdk-async]", "off-is-final [contract]"]


def test_the_version_labels_are_whole_numbers():
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        for ax in runs_of(harness.plot(harness.run(path))):
            if "versions" in plot.lanes_of(ax):
                labels = y_labels(ax, "versions")
                assert labels and all(label.isdigit() for label in labels), (path.name, labels)


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


def test_the_readme_picture_is_drawn_in_the_current_style():
    """docs/timeline.png is what the kit draws now (redraw it with the call below after a change of style)."""
    import io

    import numpy as np
    from PIL import Image
    from conftest import ROOT
    res = harness.run(CATALOGUE / "reconnects" / "reconnect_resends_current_data.yaml")
    drawn = np.asarray(Image.open(io.BytesIO(plot.to_bytes(harness.plot(res, width=9), "png"))).convert("RGB"))
    committed = np.asarray(Image.open(ROOT / "docs" / "timeline.png").convert("RGB"))
    assert committed.shape == drawn.shape
    assert (committed == drawn).all(axis=2).mean() > 0.98
