"""A picture's key (its legend), drawn as plain artists on a grid measured in inches.

matplotlib's Legend lays itself out with offset boxes each time it is drawn:
with a key under every picture and one beside every version lane, that was
more than a third of the time a report spent writing its pictures. A key here
is a row-major grid of entries, each a sample (a patch, a line or a marker,
drawn as the lanes draw it) and its text, placed from an anchor point.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation

ROW = 0.16            # inches from one row of entries to the next
SAMPLE = 0.22         # the sample's width
GAP = 0.06            # between the sample and its text


@dataclass(frozen=True)
class Entry:
    """One entry: its text, and how its sample is drawn: ``{"patch": colour}``, ``{"line": colour,
    "ls": style}`` or a marker's properties (``{"marker": "o", "color": ...}``)."""

    text: str
    style: dict

    def __post_init__(self):
        if not self.text:
            raise ValueError("a key's entry needs a text")


def draw_key(figure, anchor: tuple[float, float], transform, entries: list[Entry], columns: int,
             column_width: float, fontsize: float = 6.5, offset: tuple[float, float] = (0.0, 0.0)
             ) -> list[tuple[object, Text]]:
    """Draw ``entries`` into ``figure`` (a Figure or SubFigure), ``columns`` to a row, row after row,
    downwards from ``anchor`` (the key's top-left corner, in ``transform``'s coordinates, moved by
    ``offset`` inches); returns each entry's (sample, text) artists."""
    where = figure.dpi_scale_trans + ScaledTranslation(anchor[0], anchor[1], transform)  # inches from the anchor
    drawn = []
    for index, entry in enumerate(entries):
        x = offset[0] + (index % columns) * column_width
        y = offset[1] - (index // columns + 0.5) * ROW
        sample = _sample(entry.style, x, y)
        sample.set_transform(where)
        text = Text(x + SAMPLE + GAP, y, entry.text, fontsize=fontsize, va="center", ha="left", transform=where)
        for artist in (sample, text):
            figure.add_artist(artist)
        drawn.append((sample, text))
    return drawn


def rows(entries: int, columns: int) -> float:
    """The height of a key of so many entries, in inches."""
    return ROW * -(-entries // max(columns, 1))


def _sample(style: dict, x: float, y: float):
    if "patch" in style:
        return Rectangle((x, y - 0.045), SAMPLE, 0.09, facecolor=style["patch"], edgecolor="none", lw=0)
    if "line" in style:
        return Line2D([x, x + SAMPLE], [y, y], color=style["line"], lw=style.get("lw", 1.5), ls=style.get("ls", "-"))
    marker = {"ms": 6, **{k: v for k, v in style.items() if k not in ("text",)}}
    return Line2D([x + SAMPLE / 2], [y], ls="none", **marker)
