"""The teaching notebooks run green, and are committed without outputs."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev install brings nbformat and nbclient")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_six_teaching_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01_versioning.ipynb", "02_status.ipynb", "03_store_outages.ipynb",
                                           "04_reconnects.ipynb", "05_write_your_own.ipynb", "06_explore.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_runs(path):
    book = nbformat.read(path, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    assert any("assert" in c.source for c in code), "a teaching notebook checks what it shows"
    nbclient.NotebookClient(book, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    assert all(not any(o.get("output_type") == "error" for o in c.outputs) for c in code)
    for cell in code:  # a cell that draws shows a picture, not "<Figure size ...>"
        if "harness.plot(" in cell.source or "plot.timeline(" in cell.source:
            kinds = {kind for o in cell.outputs for kind in o.get("data", {})}
            assert "image/png" in kinds, f"no picture in the output of:\n{cell.source}"
