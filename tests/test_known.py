"""Known differences are data: the docs table is rendered from them, and every catalogue divergence is known."""

from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.runs.known import KNOWN, TABLE_END, TABLE_START, render_table

ROOT = Path(__file__).resolve().parent.parent


def test_the_docs_table_is_rendered_from_the_data():
    text = (ROOT / "docs" / "differences.md").read_text(encoding="utf-8")
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert table == render_table(), "run 'make docs'"


def test_every_known_difference_is_backed_by_catalogue_scenarios():
    names = [k.name for k in KNOWN]
    assert len(names) == len(set(names))
    for known in KNOWN:
        for scenario in known.scenarios:
            assert (ROOT / "scenarios" / scenario).is_file(), (known.name, scenario)


@pytest.fixture(scope="module")
def catalogue_report():
    return harness.diff([ROOT / "scenarios"])


def test_every_divergence_in_the_catalogue_is_known(catalogue_report):
    assert catalogue_report.divergences, "the targets do differ on the catalogue"
    assert [str(d) for d in catalogue_report.new] == []
    assert catalogue_report.frame["known"].notna().all()


# Rows whose divergences always come second to another row's, so a first divergence never shows them.
MASKED: dict[str, str] = {}


def test_every_row_the_diff_can_see_explains_a_catalogue_divergence(catalogue_report):
    seen = {d.known for d in catalogue_report.divergences}
    for known in KNOWN:
        if known.sides is not None and known.name not in MASKED:
            assert known.name in seen, known.name


def test_harness_diff_exits_0_when_every_divergence_is_known(capsys):
    assert main(["diff", str(ROOT / "scenarios" / "status")]) == 0
    out = capsys.readouterr().out
    assert "known (off-is-final)" in out and " 0 new" in out


def test_a_planted_bug_is_a_new_divergence(monkeypatch, capsys):
    import harness.drivers.contract.store as store
    monkeypatch.setattr(store, "accepts", lambda stored, version: stored is None or stored["version"] <= version)
    path = str(ROOT / "scenarios" / "versioning" / "upsert_flag_same.yaml")
    assert main(["diff", path, "--target", "contract", "--target", "go"]) == 1
    out = capsys.readouterr().out
    assert "[NEW]" in out and "1 new" in out
