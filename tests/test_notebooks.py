"""The teaching notebooks run green, are committed without outputs, and show what their text says."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev install brings nbformat and nbclient")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
_EXECUTED: dict[Path, object] = {}


def executed(path: Path):
    """The notebook run once (its cells with their outputs), shared by the tests below."""
    if path not in _EXECUTED:
        book = nbformat.read(path, as_version=4)
        nbclient.NotebookClient(book, timeout=180, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}).execute()
        _EXECUTED[path] = book
    return _EXECUTED[path]


def code_cells(book):
    return [c for c in book.cells if c.cell_type == "code"]


def test_there_are_six_teaching_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01_versioning.ipynb", "02_status.ipynb", "03_store_outages.ipynb",
                                           "04_reconnects.ipynb", "05_write_your_own.ipynb", "06_explore.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_runs(path):
    committed = code_cells(nbformat.read(path, as_version=4))
    assert all(not c.outputs and c.execution_count is None for c in committed), "commit notebooks without outputs"
    assert any("assert" in c.source for c in committed), "a teaching notebook checks what it shows"
    code = code_cells(executed(path))
    assert all(not any(o.get("output_type") == "error" for o in c.outputs) for c in code)
    for cell in code:  # a cell that draws shows a picture, not "<Figure size ...>"
        if "harness.plot(" in cell.source or "plot.timeline(" in cell.source:
            kinds = {kind for o in cell.outputs for kind in o.get("data", {})}
            assert "image/png" in kinds, f"no picture in the output of:\n{cell.source}"
    assert code[-1].outputs, "a notebook ends on something shown, not on a silent cell"


def test_the_store_outages_notebook_shows_the_async_store_status_frame():
    book = executed(NOTEBOOKS[2])
    (cell,) = [c for c in code_cells(book) if '"sdk-async")' in c.source]
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "available" in shown and "True" in shown and len(shown.strip().splitlines()) == 2  # header and one row


def test_the_versioning_notebook_says_where_an_ignored_write_is_drawn_and_shows_it():
    book = executed(NOTEBOOKS[0])
    text = " ".join(c.source for c in book.cells if c.cell_type == "markdown")
    assert "*below* its item's version line" in text and "sits *on* the line" in text
    (picture,) = [c for c in code_cells(book) if c.source == "harness.plot(res)"]  # the higher-same-lower one
    assert any("image/png" in o.get("data", {}) for o in picture.outputs)


def test_the_write_your_own_notebook_teaches_a_store_of_your_own_with_its_outage_drawn():
    book = executed(NOTEBOOKS[4])
    text = " ".join(c.source for c in book.cells if c.cell_type == "markdown")
    assert "## Your own store" in text and "`FeatureStoreCore`" in text
    (drawn,) = [c for c in code_cells(book) if '"__main__:JsonCore"' in c.source]
    assert any("image/png" in o.get("data", {}) for o in drawn.outputs)
    (rows,) = [c for c in code_cells(book) if c.source.startswith("res.store_status")]
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in rows.outputs).splitlines()
    assert [line.split()[-2] for line in shown[1:]] == ["True", "False", "True"]  # down in the outage, then up
