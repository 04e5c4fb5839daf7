"""Writing timeline pictures with the same bytes every time: a fixed SVG hash salt, no dates, no
software version."""

from __future__ import annotations

import io
import os

import matplotlib
from matplotlib.figure import Figure


def save(fig: Figure, path_or_file, fmt: str | None = None) -> None:
    """Save deterministically: fixed SVG hash salt, no dates or software version.
    ``fmt`` defaults to the file name's suffix, else png."""
    if fmt is None:
        name = str(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else ""
        fmt = name.rsplit(".", 1)[-1].lower() if "." in name else "png"
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
    if fmt == "svg":
        metadata["Creator"] = None
    with matplotlib.rc_context({"svg.hashsalt": "harness", "svg.fonttype": "none"}):
        # PNG at zlib level 1: a fifth larger, and the report's pictures are drawn sooner
        extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        fig.savefig(path_or_file, format=fmt, metadata=metadata, dpi=100, **extra)


def to_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """The picture's bytes in ``fmt`` (png, svg or pdf), as :func:`save` writes them."""
    buffer = io.BytesIO()
    save(fig, buffer, fmt)
    return buffer.getvalue()
