"""An explorer for notebooks: choose a scenario and target, step through it.

    harness.widgets.explore()                       # the catalogue (shipped with the package)
    harness.widgets.explore("scenarios/outages/cached_evaluations_during_outage.yaml", target="contract")

Each scenario is replayed once per target; moving the slider (or pressing
play) only slices the recorded frames and moves the plot's cursor, redrawing
nothing but the cursor.
"""

from __future__ import annotations

import html
import io
import os
from pathlib import Path

import ipywidgets as w
import numpy as np
from PIL import Image as PILImage

from . import plot
from .timeline_axis import TimelineAxis
from ..vocabulary.loader import catalogue_path, load_scenario, scenario_files
from ..vocabulary.model import Scenario
from ..replay.recording import store_at
from ..vocabulary.render import scenario_yaml
from ..results.result import Result
from ..drivers import targets
from ..runs.runner import run

ROWS_SHOWN = 12
DPI = 72


class _Picture:
    """The timeline drawn once; the cursor is blitted onto a saved background."""

    def __init__(self, result: Result):
        self.figure = plot.timeline(result)
        self.figure.set_dpi(DPI)
        self.axes = [ax for ax in self.figure.get_axes()]
        self.axis = TimelineAxis(result.recording, "steps")
        plot.set_cursor(self.axes, self.axis, -1)
        self.lines = [ax._harness_cursor for ax in self.axes]
        for line in self.lines:
            line.set_animated(True)
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        self.canvas = FigureCanvasAgg(self.figure)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, step: int) -> bytes:
        self.canvas.restore_region(self.background)
        plot.set_cursor(self.axes, self.axis, step)
        for ax, line in zip(self.axes, self.lines):
            ax.draw_artist(line)
        pixels = np.asarray(self.canvas.buffer_rgba())
        out = io.BytesIO()
        PILImage.fromarray(pixels).save(out, format="png", compress_level=1)
        return out.getvalue()


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Explorer:
    """The explorer's widgets and state; ``.widget`` is what a notebook shows."""

    def __init__(self, scenario: Scenario | str | os.PathLike | None = None, target: str = "sdk",
                 catalogue: str | os.PathLike | None = None):
        catalogue = catalogue_path() if catalogue is None else catalogue
        self._cache: dict[tuple[str, str], tuple[Result, _Picture]] = {}
        choices: list[tuple[str, object]] = []
        if scenario is not None:
            loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
            choices.append((loaded.name, loaded))
        if Path(catalogue).is_dir():
            for path in scenario_files(Path(catalogue)):
                choices.append((path.relative_to(catalogue).as_posix(), path))
        if not choices:
            raise ValueError(f"no scenario given and none found under {catalogue!r}")
        self.scenario_choice = w.Dropdown(options=choices, description="scenario", layout=w.Layout(width="520px"))
        self.target_choice = w.Dropdown(options=targets(), value=target, description="target")
        self.slider = w.IntSlider(min=-1, max=0, value=-1, description="step", continuous_update=True,
                                  layout=w.Layout(width="520px"))
        self.play = w.Play(min=-1, max=0, value=-1, interval=600, description="play")
        w.jslink((self.play, "value"), (self.slider, "value"))
        self.picture = w.Image(format="png")
        self.heading = w.HTML()
        self.step_yaml = w.HTML()
        self.status = w.HTML()
        self.store = w.HTML()
        self.rows = w.HTML()
        self.widget = w.VBox([
            w.HBox([self.scenario_choice, self.target_choice]),
            w.HBox([self.play, self.slider]),
            self.heading,
            self.picture,
            w.HBox([w.VBox([w.HTML("<b>this step</b>"), self.step_yaml, w.HTML("<b>status</b>"), self.status]),
                    w.VBox([w.HTML("<b>store</b>"), self.store]),
                    w.VBox([w.HTML("<b>rows so far</b>"), self.rows])]),
        ])
        self.scenario_choice.observe(lambda _: self._load(), names="value")
        self.target_choice.observe(lambda _: self._load(), names="value")
        self.slider.observe(lambda change: self.show(change["new"]), names="value")
        self.replays = 0
        self._load()

    # -- state ----------------------------------------------------------------------

    @property
    def result(self) -> Result:
        return self._current[0]

    def _load(self) -> None:
        choice = self.scenario_choice.value
        scenario = choice if isinstance(choice, Scenario) else load_scenario(choice)
        key = (scenario.file or scenario.name, self.target_choice.value)
        if key not in self._cache:
            result = run(scenario, self.target_choice.value)
            self.replays += 1
            self._cache[key] = (result, _Picture(result))
        self._current = self._cache[key]
        last = len(scenario.steps) - 1
        self.slider.max = self.play.max = max(last, -1)
        verdict = "ok" if self.result.ok else "FAILED: " + "; ".join(map(str, self.result.failures))
        self.heading.value = (f"<b>{html.escape(scenario.name)}</b> [{html.escape(self.result.target)}] "
                              f"— {html.escape(verdict)}<br><i>{html.escape(scenario.description)}</i>")
        if self.slider.value == last:
            self.show(last)
        else:
            self.slider.value = last

    def show(self, step: int) -> None:
        """Show the run as it stood once ``step`` had run (-1: set-up only)."""
        result, picture = self._current
        recording = result.recording
        self.picture.value = picture.png(step)
        steps = result.scenario.steps
        self.step_yaml.value = ("<pre>set-up</pre>" if step < 0 else
                                f"<pre>{html.escape(scenario_yaml_step(steps[step], step))}</pre>")
        status = [row for row in recording.dicts("status") if row["step"] <= step]
        last = status[-1] if status else recording.dicts("status")[0]
        error = last["error_kind"]
        self.status.value = (f"<p>{html.escape(last['state'])}" + (
            f" — last error {html.escape(error)} {last['status_code'] or ''}: "
            f"{html.escape(str(last['error_message']))}" if error else "") + "</p>")
        self.store.value = _table(["kind", "key", "version", "deleted"], store_at(recording, step))
        timeline = result.timeline
        so_far = timeline[timeline["step"] <= step].tail(ROWS_SHOWN)
        self.rows.value = _table(["seq", "step", "frame", "detail"],
                                 list(so_far[["seq", "step", "frame", "detail"]].itertuples(index=False)))

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def scenario_yaml_step(step, index: int) -> str:
    text = scenario_yaml(Scenario(name="step", steps=(step,)))
    return f"step {index}:\n" + text.split("steps:\n", 1)[1]


def explore(scenario: Scenario | str | os.PathLike | None = None, target: str = "sdk",
            catalogue: str | os.PathLike | None = None) -> Explorer:
    """An explorer over ``scenario`` (and the catalogue under ``catalogue``; default: the kit's own)."""
    return Explorer(scenario, target, catalogue)
