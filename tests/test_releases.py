"""Releases in target names, ranges, the matrix and bisect, on a family of fake releases."""

import pytest

import harness
from harness.drivers import expand_targets, get_target, register_family, registry
from harness.drivers.releases import TargetName, Version
from harness.runs.bisect import bisect
from harness.runs.matrix import matrix

from fake_releases import FakeFamily

OFF_THEN_VALID = (harness.scenario("off-then-valid").init(flags={"f1": {"version": 1}}).status("VALID").stop()
                  .status("VALID").build())
PLAIN = harness.scenario("plain").init(flags={"f1": {"version": 1}}).status("VALID").build()


@pytest.fixture
def fake():
    family = FakeFamily()
    register_family(family)
    yield family
    registry._FAMILIES.pop("fake", None)


@pytest.mark.parametrize("name, family, low, high, is_range", [
    ("sdk", "sdk", None, None, False),
    ("sdk@9.10.0", "sdk", "9.10.0", "9.10.0", False),
    ("go@v7.5.0", "go", "v7.5.0", "v7.5.0", False),
    ("sdk@9.1.0..9.20.0", "sdk", "9.1.0", "9.20.0", True),
    ("go@v7.0.0..v7.14.6", "go", "v7.0.0", "v7.14.6", True),
    ("sdk@9.1.0..", "sdk", "9.1.0", None, True),
])
def test_target_names_with_releases_and_ranges(name, family, low, high, is_range):
    parsed = TargetName.parse(name)
    assert parsed.family == family and parsed.is_range == is_range
    assert (str(parsed.low) if parsed.low else None, str(parsed.high) if parsed.high else None) == (low, high)


@pytest.mark.parametrize("name, words", [
    ("sdk@", "a release is written family@version"),
    ("sdk@nine", "'nine' is not a release version"),
    ("sdk@9.1", "'9.1' is not a release version"),
    ("sdk@..9.2.0", "a range needs its first release"),
    ("sdk@9.20.0..9.1.0", "the range ends before it starts"),
])
def test_bad_target_names_say_what_is_wrong(name, words):
    with pytest.raises(harness.UsageError, match=words):
        TargetName.parse(name)


def test_versions_order_by_their_numbers():
    versions = [Version.parse(v) for v in ("9.10.0", "9.9.1", "9.2.0", "10.0.0")]
    assert [str(v) for v in sorted(versions)] == ["9.2.0", "9.9.1", "9.10.0", "10.0.0"]


def test_a_range_runs_over_the_served_releases_it_covers_in_order(fake):
    assert expand_targets(["fake@1.3.0..1.7.0"]) == ["fake@1.3.0", "fake@1.4.0", "fake@1.6.0", "fake@1.7.0"]
    assert expand_targets(["fake@1.8.0.."]) == ["fake@1.8.0", "fake@1.9.0"]
    assert expand_targets(["contract", "fake@1.9.0"]) == ["contract", "fake@1.9.0"]
    with pytest.raises(harness.UsageError, match="covers no release served here"):
        expand_targets(["fake@1.5.0..1.5.0"])


def test_a_release_older_than_the_sink_names_the_first_that_has_it(fake):
    with pytest.raises(harness.UsageError, match="the first release that has it is 1.0.0"):
        harness.run(PLAIN, "fake@0.9.0")
    with pytest.raises(harness.UsageError, match="the first release that has it is 1.0.0"):
        expand_targets(["fake@0.1.0.."])


def test_a_release_not_served_is_not_ready_with_its_reason(fake):
    with pytest.raises(harness.UsageError, match="cannot run here: not served here"):
        harness.run(PLAIN, "fake@1.5.0")
    with pytest.raises(harness.UsageError, match="fake has no release 1.42.0"):
        get_target("fake@1.42.0")


def test_one_release_runs_as_a_target_and_its_target_is_made_once(fake):
    assert harness.run(PLAIN, "fake@1.2.0").ok
    assert harness.run(PLAIN, "fake@1.2.0").target == "fake@1.2.0"
    assert fake.made.count("1.2.0") == 1


def test_a_range_is_not_one_target(fake):
    with pytest.raises(harness.UsageError, match="names a range of releases, not one"):
        harness.run(PLAIN, "fake@1.0.0..")


def test_bisect_finds_the_first_release_that_changed_and_the_one_before(fake):
    found = bisect(OFF_THEN_VALID, "fake@1.0.0..1.9.0")
    assert (found.first_changed, found.last_before) == ("1.6.0", "1.4.0")  # 1.5.0 is not served
    assert found.tried[:2] == ["1.0.0", "1.9.0"] and len(found.tried) <= 5  # binary search, not all nine
    assert found.divergence is not None and found.divergence.frame == "status"
    assert "VALID" in str(found.divergence.left_row) and found.divergence.right_row is None
    assert "status: VALID" in found.divergence.replay() or "- status: VALID" in found.divergence.replay()
    assert "behaves differently from 1.6.0 on (last release before: 1.4.0)" in str(found)


def test_bisect_says_none_changed_when_every_release_behaves_alike(fake):
    found = bisect(PLAIN, "fake@1.0.0..1.9.0")
    assert found.first_changed is None and found.last_before is None and found.divergence is None
    assert found.tried == ["1.0.0", "1.9.0"]


def test_bisect_needs_a_range(fake):
    with pytest.raises(harness.UsageError, match="bisect needs a range of releases"):
        bisect(PLAIN, "fake@1.2.0")


def test_the_matrix_gives_each_run_a_behaviour_and_finds_each_change(fake):
    report = matrix([OFF_THEN_VALID, PLAIN], ["fake@1.3.0..1.8.0", "contract"])
    frame = report.frame
    assert list(frame.columns[:6]) == ["scenario", "file", "target", "release", "behaviour", "ok"]
    off = frame[(frame["scenario"] == "off-then-valid") & (frame["target"] == "fake")]
    assert list(off["release"]) == ["1.3.0", "1.4.0", "1.6.0", "1.7.0", "1.8.0"]
    assert list(off["behaviour"]) == ["A", "A", "B", "B", "B"]
    contract = frame[(frame["scenario"] == "off-then-valid") & (frame["target"] == "contract")]
    assert list(contract["behaviour"]) == ["A"] and contract["release"].isna().all()  # the contract = old releases
    assert set(frame[frame["scenario"] == "plain"]["behaviour"]) == {"A"}
    (change,) = report.changes
    assert (change.scenario, change.target, change.before, change.after) == ("off-then-valid", "fake", "1.4.0", "1.6.0")
    assert change.divergence is not None and change.divergence.frame == "status"


def test_the_package_says_its_version():
    from importlib import metadata
    assert harness.__version__ == metadata.version("ld-sink-harness")


def test_the_matrix_picture_colours_each_behaviour_and_marks_the_change(fake, tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.patches import Rectangle
    report = matrix([OFF_THEN_VALID, PLAIN], ["fake@1.3.0..1.8.0"])
    fig = report.plot()
    (ax,) = [a for a in fig.axes]
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 10  # two scenarios, five releases
    letters = [t.get_text() for t in ax.texts if t.get_text() in ("A", "B")]
    assert letters.count("B") == 3 and letters.count("A") == 7
    (change,) = [line for line in ax.lines if line.get_color() == "#c0392b"]
    assert list(change.get_xdata()) == [2, 2] and list(change.get_ydata()) == [0, 1]  # before 1.6.0, first row
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1.3.0", "1.4.0", "1.6.0", "1.7.0", "1.8.0"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["behaviour A", "behaviour B", "failed run", "behaviour changed here"]
    fig.savefig(tmp_path / "matrix.png")
    assert (tmp_path / "matrix.png").stat().st_size > 5_000


def test_releases_of_one_target_are_compared_each_with_the_next_and_the_last_with_the_others(fake):
    report = harness.diff([OFF_THEN_VALID], ["fake@1.2.0..1.7.0", "contract"])
    pairs = [(d.left, d.right) for d in report.divergences]
    assert pairs == [("fake@1.4.0", "fake@1.6.0"), ("fake@1.7.0", "contract")]


def test_release_notes_name_each_change_and_where_each_known_difference_holds(fake):
    from harness.runs.release_notes import holds_on, render, spans
    from harness.runs.known import KNOWN
    served = [Version.parse(v) for v in ("1.0.0", "1.1.0", "1.2.0", "1.4.0")]
    assert spans(served[:3], served) == "1.0.0–1.2.0"
    assert spans([served[0], served[3]], served) == "1.0.0, 1.4.0"
    assert spans([], served) == "none"
    report = matrix([OFF_THEN_VALID], ["fake@1.3.0..1.7.0"])
    page = render(report, {"fake": FakeFamily().releases()})
    assert "| `fake` | 1.0.0–1.9.0 | 1.5.0 (not served here) |" in page
    assert "| `off-then-valid` | `fake` | 1.4.0 | 1.6.0 | status: before, at step 3:" in page
    assert page.count("| `") >= len(KNOWN)  # a row a known difference
    # On the real targets: the Python SDK's OFF is final (against go), which the contract's model is not.
    off_is_final = next(k for k in KNOWN if k.name == "off-is-final")
    sdk, go, contract = (harness.run("scenarios/status/off_is_final.yaml", t) for t in ("sdk", "go", "contract"))
    assert holds_on(off_is_final, sdk, {"go": go}) and not holds_on(off_is_final, contract, {"go": go})
