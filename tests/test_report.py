"""The report folder: pictures and index.html, checked in a real browser where one is installed."""

import re
import shutil
import subprocess

import pandas as pd
import pytest

import harness
from conftest import CATALOGUE
from harness.cli import main
from harness.drivers.contract.target import ContractTarget, ContractWorld
from harness.runs.known import KNOWN

pytest.importorskip("matplotlib", reason="the viz extra is part of the dev install")

SCENARIOS = [CATALOGUE / "outages" / "cached_evaluations_during_outage.yaml",
             CATALOGUE / "status" / "off_is_final.yaml"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["run", *map(str, SCENARIOS), "--out", str(out), "--target", "sdk", "--target", "contract"]) == 0
    return out


def test_report_has_one_stacked_picture_per_scenario_and_an_index(report):
    pictures = sorted(p.relative_to(report).as_posix() for p in (report / "pictures").iterdir())
    assert pictures == ["pictures/cached-evaluations-during-outage.svg", "pictures/off-is-final.svg"]
    page = (report / "index.html").read_text()
    assert "4 of 4 runs met their expectations" in page
    for picture in pictures:
        assert f'src="{picture}"' in page
    assert page.count("<p>With a cache in front of a persistent store") == 1  # the description once (and in its YAML)


def test_pictures_drawn_in_worker_processes_are_the_ones_drawn_here(report, tmp_path):
    """--jobs 2 draws in spawned workers (the Results travel by pickle); the bytes match."""
    here = tmp_path / "here"
    args = ["run", *map(str, SCENARIOS), "--target", "sdk", "--target", "contract"]
    assert main([*args, "--out", str(here), "--jobs", "1"]) == 0
    workers = tmp_path / "workers"
    assert main([*args, "--out", str(workers), "--jobs", "2"]) == 0
    for name in ("cached-evaluations-during-outage.svg", "off-is-final.svg"):
        drawn_here = (here / "pictures" / name).read_bytes()
        assert drawn_here.startswith(b"<?xml") and b"<svg" in drawn_here and len(drawn_here) > 10_000
        assert (workers / "pictures" / name).read_bytes() == drawn_here
    from harness.views.report import picture_pool
    with picture_pool(2) as pool, picture_pool(1) as none:
        assert pool is not None and none is None  # --jobs 2 had workers; --jobs 1 had none


def test_the_run_command_ends_with_the_report_path(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["run", str(SCENARIOS[1]), "--out", str(out), "--target", "contract", "--no-plots"]) == 0
    assert f"report written to {out}/" in capsys.readouterr().out


def _browser():
    return shutil.which("chromium") or shutil.which("chromium-browser")


NO_BROWSER = pytest.mark.skipif(_browser() is None,
                                reason="Chromium is not installed (Debian package 'chromium'; .ci/run installs it)")


def section_of(page: str, name: str) -> str:
    """The report's section of one scenario, from its opening tag's attributes to its end."""
    return page.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]


def row_of(page: str, name: str) -> str:
    """The summary table's row of one scenario."""
    return page.split(f'<tr data-scenario="{name}"', 1)[1].split("</tr>", 1)[0]


def _rendered(url: str) -> str:
    """The page's DOM after its script ran, as headless Chromium has it."""
    done = subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
                          capture_output=True, text=True, timeout=120)
    assert "<table" in done.stdout, done.stderr
    return done.stdout


@NO_BROWSER
def test_the_matrix_and_a_section_in_headless_chromium(report):
    import re
    dom = _rendered((report / "index.html").as_uri())
    matrix = dom.split('id="matrix"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<th class="folder"[^>]*>outages</th>', matrix) and ">status</th>" in matrix
    assert '<a href="#off-is-final">off-is-final</a>' in matrix and matrix.count('<td class="ok">') == 4
    section = section_of(dom, "off-is-final")
    assert "sdk and contract first differ in <b>status</b> at step 3" in section
    assert '<a class="known" href="#known-off-is-final">known: off-is-final</a>' in section
    assert 'id="known-off-is-final"' in dom and '<img src="pictures/off-is-final.svg"' in section
    assert "<summary>the scenario as YAML</summary>" in section


@NO_BROWSER
def test_the_filters_work_without_a_server(report):
    dom = _rendered((report / "index.html").as_uri() + "?folder=status")
    assert '<section id="off-is-final" data-scenario="off-is-final"' in dom
    hidden = dom.split('<section id="cached-evaluations-during-outage"', 1)[1].split(">", 1)[0]
    assert "hidden" in hidden
    shown = dom.split('<section id="off-is-final"', 1)[1].split(">", 1)[0]
    assert "hidden" not in shown


@NO_BROWSER
def test_report_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "shot.png"
    done = subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1200,2400", f"--screenshot={shot}", (report / "index.html").as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr
    from PIL import Image
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 2400)
    colours = image.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50                      # text and pictures, not a blank page
    # the report's state colours came through from the pictures (VALID green, INITIALIZING blue)
    present = {c for _, c in colours}
    assert (161, 217, 155) in present and (198, 219, 239) in present


@pytest.fixture(scope="module")
def release_report(tmp_path_factory):
    """A report of runs over a range of (fake) releases: it gets a Releases section."""
    from harness.drivers import register_family, registry
    from harness.views.report import write_report
    import harness
    from fake_releases import FakeFamily
    register_family(FakeFamily())
    try:
        results = list(harness.run_many([harness.load_scenario(SCENARIOS[1])], ["fake@1.3.0..1.7.0", "contract"]))
    finally:
        registry._FAMILIES.pop("fake", None)
    out = tmp_path_factory.mktemp("releases")
    write_report(results, out)
    return out


def test_a_report_over_releases_writes_the_matrix_as_data_and_picture(release_report):
    import pandas as pd
    frame = pd.read_csv(release_report / "matrix.csv")
    assert list(frame.columns) == ["scenario", "file", "target", "release", "behaviour", "ok"]
    assert list(frame["behaviour"]) == ["A", "A", "B", "B", "A"]  # fake 1.3.0, 1.4.0, 1.6.0, 1.7.0, contract
    assert (release_report / "pictures" / "matrix.png").read_bytes()[:4] == b"\x89PNG"


@NO_BROWSER
def test_the_releases_section_in_headless_chromium(release_report):
    dom = _rendered((release_report / "index.html").as_uri())
    section = dom.split('<h2 id="releases">Releases</h2>', 1)[1].split("<h2>", 1)[0]
    assert '<img id="release-matrix" src="pictures/matrix.png"' in section
    assert ('<a href="#off-is-final">off-is-final</a>: fake behaves differently from <b>1.6.0</b> on '
            '(1.4.0 before): first differs in <b>status</b> at step 3') in section


def test_a_report_over_releases_draws_one_timeline_for_each_group_of_runs_alike():
    import harness
    from harness.drivers import register_family, registry
    from harness.plot import timeline
    from harness.views.report import alike, group_label
    from fake_releases import FakeFamily
    assert group_label(["sdk@9.1.0", "sdk@9.2.0", "sdk@9.3.0", "go"]) == "sdk@9.1.0…9.3.0 (3), go"
    register_family(FakeFamily())
    try:
        runs = list(harness.run_many([harness.load_scenario(SCENARIOS[1])], ["fake@1.3.0..1.7.0", "contract"]))
    finally:
        registry._FAMILIES.pop("fake", None)
    drawn, labels = alike(runs)
    # old releases (OFF not final: they fail the scenario's expectations), new ones, and contract (alike in
    # behaviour with the old ones, but it meets its own expectations): three timelines, not five
    assert labels == ["fake@1.3.0…1.4.0 (2)", "fake@1.6.0…1.7.0 (2)", "contract"]
    figure = timeline(drawn, labels=labels)
    titles = [ax.get_title(loc="left") for ax in figure.get_axes() if ax.get_title(loc="left")]
    assert titles == ["off-is-final [fake@1.3.0…1.4.0 (2)]  — FAILED", "off-is-final [fake@1.6.0…1.7.0 (2)]",
                      "off-is-final [contract]"]


LOGGED_OR_WORDED = {  # scenario: the known difference a diff does not see (logs, error texts)
    "outage-logged-after-a-minute": "outage-log-line",
    "store-error-logged-once": "store-error-logged-once",
    "store-failure-raised-or-returned": "failure-raised-or-returned"}
DIFFERENCES = [CATALOGUE / "differences" / name for name in
               ("outage_log_line.yaml", "outage_log_off.yaml", "store_error_logged_once.yaml",
                "failure_raised_or_returned.yaml")]


@pytest.fixture(scope="module")
def differences_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("differences")
    assert main(["run", *map(str, DIFFERENCES), str(SCENARIOS[1]),
                 "--out", str(out), "--target", "sdk", "--target", "contract", "--target", "sdk-async",
                 "--no-plots"]) == 0
    return out


@NO_BROWSER
def test_a_scenario_whose_targets_differ_only_in_logs_never_reads_as_agreeing(differences_report):
    dom = _rendered((differences_report / "index.html").as_uri())
    for name, known in LOGGED_OR_WORDED.items():
        section = dom.split(f'<section id="{name}"', 1)[1].split("</section>", 1)[0]
        assert "The targets agree.</p>" not in section, name
        assert ("The targets agree on every frame a diff compares (status, operations, change events, store status, "
                "evaluations and the final store). They differ where a diff does not look, in logs or error texts, "
                f'which each SDK words its own: <a class="known" href="#known-{known}">known: {known}</a>.'
                in section), name
        row = dom.split(f'<tr data-scenario="{name}"', 1)[1].split("</tr>", 1)[0]
        assert f"in what is not compared ({known}, known)" in row, name


def test_a_difference_in_texts_is_claimed_only_where_the_runs_show_one(differences_report):
    """outage-log-turned-off backs the outage-log-line row, but with the log turned off no target logs
    anything and the texts are alike: the page says they were not compared, and claims no difference."""
    dom = _rendered((differences_report / "index.html").as_uri())
    section = section_of(dom, "outage-log-turned-off")
    assert "Logs and error texts are not compared (each SDK words its own)." in section
    assert "They differ" not in section and "known: outage-log-line" not in section
    row = row_of(dom, "outage-log-turned-off")
    assert "not compared" not in row
    logs = pd.read_csv(differences_report / "frames" / "logs.csv")
    assert "outage-log-turned-off" not in set(logs["scenario"])


class StatusMuted(ContractWorld):
    """The contract, deaf to the source's status reports: it parts from the others on a compared frame."""

    def on_status(self, action):
        pass


class StatusMutedTarget(ContractTarget):
    name = "status-muted"
    description = "the contract model, deaf to status reports (a test's target)"
    world = StatusMuted


class StatuslessTarget(ContractTarget):
    """The contract, with no status frames to record (as node has none): it has less to show, not other
    behaviour."""
    name = "statusless"
    description = "the contract model with no status frames (a test's target)"

    def run(self, scenario, clock):
        recording = super().run(scenario, clock)
        recording.rows["status"].clear()
        recording.rows["store_status"].clear()
        recording.unavailable = frozenset({"status", "store_status"})
        return recording


def report_with(target, scenario, tmp_path_factory):
    """A report of ``scenario`` on sdk, contract and a test's own ``target``, registered for it alone."""
    from harness.drivers import unregister_target
    harness.register_target(target)
    try:
        out = tmp_path_factory.mktemp(target.name)
        main(["run", str(scenario), "--out", str(out), "--no-plots",
              "--target", "sdk", "--target", "contract", "--target", target.name])
    finally:
        unregister_target(target.name)
    return out


@pytest.fixture(scope="module")
def statusless_report(tmp_path_factory):
    return report_with(StatuslessTarget(), DIFFERENCES[0], tmp_path_factory)


@NO_BROWSER
def test_a_target_with_less_to_show_is_no_group_of_its_own_where_the_diff_sees_no_difference(statusless_report):
    dom = _rendered((statusless_report / "index.html").as_uri())
    section = section_of(dom, "outage-logged-after-a-minute")
    assert "statusless: status, store status not available on this target" in section
    assert '<p class="agree">The targets agree on every frame a diff compares' in section
    row = row_of(dom, "outage-logged-after-a-minute")
    assert row.endswith('<td><a href="#outage-logged-after-a-minute">in what is not compared (outage-log-line, '
                        'known)</a></td>')  # not "sdk, contract | statusless": the page never says both


@pytest.fixture(scope="module")
def parted_report(tmp_path_factory):
    """Targets that part on a compared frame where they also differ in error texts."""
    return report_with(StatusMutedTarget(), DIFFERENCES[3], tmp_path_factory)


@NO_BROWSER
def test_targets_that_part_on_a_compared_frame_still_say_what_was_not_compared(parted_report):
    dom = _rendered((parted_report / "index.html").as_uri())
    section = section_of(dom, "store-failure-raised-or-returned")
    assert ("Targets that behave alike on the frames a diff compares (status, operations, change events, store "
            "status, evaluations and the final store): sdk, contract | status-muted. Where they part:") in section
    assert ('<p class="not-compared">They differ too where a diff does not look, in logs or error texts, which each '
            'SDK words its own: <a class="known" href="#known-failure-raised-or-returned">known: '
            'failure-raised-or-returned</a>.</p>') in section
    row = row_of(dom, "store-failure-raised-or-returned")
    assert ('sdk, contract | status-muted (<span class="new">new</span>); in what is not compared '
            '(failure-raised-or-returned, known)</a>') in row


@NO_BROWSER
def test_the_matrix_cell_names_the_targets_that_behave_alike(differences_report):
    page = _rendered((differences_report / "index.html").as_uri())
    row = row_of(page, "off-is-final")
    assert '<a href="#off-is-final">sdk, sdk-async | contract (known)</a>' in row
    section = section_of(page, "off-is-final")
    assert "the final store): sdk, sdk-async | contract. Where they part:" in section
    assert "contract parts from sdk, sdk-async (2 pairs) in <b>status</b> at step 3" in section  # the one in every pair


@NO_BROWSER
def test_the_known_differences_table_lists_only_what_concerns_the_report_with_code_rendered(differences_report):
    page = _rendered((differences_report / "index.html").as_uri())
    table = page.split('<table id="known">', 1)[1].split("</table>", 1)[0]
    assert {m for m in re.findall(r'<tr id="known-([\w-]+)"', table)} == {
        "outage-log-line", "off-is-final", "store-error-logged-once", "failure-raised-or-returned",
        "node-store-errors-dropped"}  # the scenarios back it, though node did not run
    assert len(KNOWN) > 10  # of many
    assert "<code>outage_log_after</code>" in table and "`" not in table
    # every side of a row has its column, node's too
    assert re.findall(r"<th>([^<]*)</th>", table) == ["what differs", "sdk", "sdk-async", "contract, go, go-v6", "node"]
    row = table.split('<tr id="known-off-is-final">', 1)[1].split("</tr>", 1)[0]
    assert row.count("<td>") == 5 and row.endswith("<td>no status: not available on this target</td>")


@NO_BROWSER
def test_showing_failed_ones_when_none_failed_says_so(differences_report):
    dom = _rendered((differences_report / "index.html").as_uri() + "?show=failed")
    assert '<p id="nothing-shown">No scenario failed.</p>' in dom
    dom = _rendered((differences_report / "index.html").as_uri())
    assert '<p id="nothing-shown" hidden="">' in dom
