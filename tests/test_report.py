"""The report folder: pictures and index.html, checked in a real browser where one is installed."""

import shutil
import subprocess

import pytest

from conftest import CATALOGUE
from harness.cli import main

pytest.importorskip("matplotlib", reason="the viz extra is part of the dev install")

SCENARIOS = [CATALOGUE / "outages" / "cached_evaluations_during_outage.yaml",
             CATALOGUE / "status" / "off_is_final.yaml"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    assert main(["run", *map(str, SCENARIOS), "--out", str(out), "--target", "sdk", "--target", "contract"]) == 0
    return out


def test_report_has_a_picture_per_run_and_an_index(report):
    pictures = sorted(p.relative_to(report).as_posix() for p in report.rglob("timeline.png"))
    assert pictures == ["contract/cached-evaluations-during-outage/timeline.png", "contract/off-is-final/timeline.png",
                        "sdk/cached-evaluations-during-outage/timeline.png", "sdk/off-is-final/timeline.png"]
    page = (report / "index.html").read_text()
    assert "4 of 4 runs met their expectations" in page
    for picture in pictures:
        assert f'src="{picture}"' in page
    assert "With a cache in front of a persistent store" in page


def _browser():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_browser() is None, reason="Chromium is not installed (Debian package 'chromium'; .ci/run installs it)")
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
