"""Every phase of a long command shows progress: a line when it starts and one when it is done where
stderr is not a terminal, a bar and a done line where it is, nothing for small runs."""

import io

from conftest import CATALOGUE
from harness.cli import main
from harness.views.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_phase_off_a_terminal_is_a_line_at_its_start_and_one_at_its_end():
    out = io.StringIO()
    with Progress(stream=out).phase("drawing pictures", 3, "picture", "3 pictures") as phase:
        for _ in range(3):
            phase.advance()
    lines = out.getvalue().splitlines()
    assert lines[0] == "drawing pictures: 3 pictures …"
    assert lines[1].startswith("drawing pictures: done in ") and lines[1].endswith(" s")
    assert "\r" not in out.getvalue()  # no bar redrawn where nothing erases it


def test_a_phase_on_a_terminal_is_a_bar_then_a_done_line():
    out = Terminal()
    with Progress(stream=out).phase("writing frames", 10, "table", "10 tables of 3 runs") as phase:
        phase.advance(10)
    assert "writing frames" in out.getvalue() and "\r" in out.getvalue()  # the bar
    assert out.getvalue().rstrip().splitlines()[-1].endswith("(10 tables of 3 runs)")


def test_quiet_shows_no_phase_but_says_what_was_skipped():
    out = io.StringIO()
    quiet = Progress(shown=False, stream=out)
    with quiet.phase("running", 5, "run"):
        pass
    quiet.say("pictures skipped: why")
    assert out.getvalue() == "pictures skipped: why\n"


def test_harness_run_out_shows_each_phase(tmp_path, capsys):
    scenarios = CATALOGUE / "status"   # 8 scenarios on 2 targets: 16 runs, enough to show progress
    assert main(["run", str(scenarios), "--target", "sdk", "--target", "contract", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err.splitlines()
    for phase in ("running", "writing frames", "drawing pictures"):
        assert any(line.startswith(f"{phase}: ") and line.endswith("…") for line in err), phase
        assert any(line.startswith(f"{phase}: done in ") for line in err), phase
    assert [line.split(":")[0] for line in err if ": done in " in line] == ["running", "writing frames",
                                                                            "drawing pictures"]


def test_a_small_run_shows_no_progress(tmp_path, capsys):
    assert main(["run", str(CATALOGUE / "status" / "off_is_final.yaml"), "--target", "contract",
                 "--out", str(tmp_path / "r")]) == 0
    assert capsys.readouterr().err == ""


# -- a driver's set-up (a Go build, an npm install, a Python environment) ---------------------------

def test_a_driver_set_up_off_a_terminal_is_a_line_at_its_start_and_one_at_its_end():
    from harness.drivers.setup_bar import SetupBar
    out = io.StringIO()
    bar = SetupBar("building the Go driver (v7)", unit="pkg", stream=out)
    bar.reset(total=260)
    for _ in range(260):
        bar.update()
    bar.close()
    bar.close()  # a second close (an abort after a failure) says nothing more
    lines = out.getvalue().splitlines()
    assert lines[0] == "building the Go driver (v7) …"
    assert lines[1].startswith("building the Go driver (v7): ended after ") and lines[1].endswith(" s")
    assert len(lines) == 2 and "\r" not in out.getvalue()  # no bar redrawn into a log


def test_a_driver_set_up_on_a_terminal_is_a_bar_and_quiet_is_nothing():
    from harness.drivers.setup_bar import SetupBar
    out = Terminal()
    with SetupBar("installing the Node driver", 3, unit="pkg", stream=out) as bar:
        bar.update(3)
    assert "installing the Node driver" in out.getvalue() and "\r" in out.getvalue()
    assert "ended after" not in out.getvalue()
    quiet = io.StringIO()
    with SetupBar("asking npm", 3, shown=False, stream=quiet) as bar:
        bar.update(3)
    assert quiet.getvalue() == ""
