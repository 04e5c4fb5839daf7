"""Results saved in a report folder (``results.pickle``), so that ``harness merge`` can join the folders
of runs sharded over CI jobs (``--shard i/n``) into one report.

A pickle, because a Result holds the scenario it ran and the recording's rows as
the kit's own objects; it is the kit's working format between its own jobs, not
an interchange format: load only folders your own jobs wrote, with the same kit
version (it is checked).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Sequence

from ..errors import UsageError
from .result import Result

FILE = "results.pickle"
FORMAT = 1


def save_results(results: Sequence[Result], folder: Path, version: str, shard: tuple[int, int] | None = None) -> None:
    """Write ``folder/results.pickle``: the results (without their frames) and which shard they are."""
    with open(folder / FILE, "wb") as out:
        pickle.dump({"format": FORMAT, "version": version, "shard": shard, "results": list(results)}, out,
                    protocol=pickle.HIGHEST_PROTOCOL)


def load_results(folder: Path, version: str) -> tuple[tuple[int, int] | None, list[Result]]:
    """(shard, results) saved in ``folder`` by :func:`save_results`."""
    path = folder / FILE
    if not path.is_file():
        raise UsageError(f"{folder}: no {FILE} here (is it a folder written by 'harness run --out' or "
                         "'harness matrix --out'?)")
    with open(path, "rb") as saved:
        data = pickle.load(saved)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not results this kit wrote (format {data.get('format')!r} is not {FORMAT})")
    if data["version"] != version:
        raise UsageError(f"{path}: written by ld-sink-harness {data['version']}, this is {version}: "
                         "merge folders written by the same version")
    return data["shard"], data["results"]
