"""Tidy tables: one table a frame across runs, built column-wise, the same as each run's frames stacked."""

import json

import pandas as pd
import pytest

import harness
from conftest import CATALOGUE
from harness.cli import main
from harness.results.tables import NAMES, for_files, tables

PATHS = [CATALOGUE / "outages" / "cached_evaluations_during_outage.yaml",
         CATALOGUE / "versioning" / "tombstone_blocks_resurrection.yaml",
         CATALOGUE / "status" / "off_is_final.yaml"]


@pytest.fixture(scope="module")
def results():
    return list(harness.run_many([harness.load_scenario(p) for p in PATHS], ["sdk", "contract"]))


def test_each_table_is_every_runs_frame_stacked_with_the_run_named(results):
    made = tables(results)
    assert list(made) == list(NAMES)
    for name, table in made.items():
        stacked = pd.concat([getattr(r, name).assign(scenario=r.scenario.name, file=r.scenario.file, target=r.target)
                             for r in results], ignore_index=True)
        stacked = stacked[["scenario", "file", "target", *getattr(results[0], name).columns]]
        stacked[["scenario", "file", "target"]] = stacked[["scenario", "file", "target"]].astype("string")
        pd.testing.assert_frame_equal(table, stacked, check_categorical=False)
        for column, dtype in getattr(results[0], name).dtypes.items():  # a run's public dtypes kept
            assert table[column].dtype == dtype, (name, column)


def test_no_runs_give_empty_tables_with_every_column():
    for name, table in tables([]).items():
        assert table.empty and list(table.columns[:3]) == ["scenario", "file", "target"], name


def test_mixed_values_are_json_text_in_files(results):
    table = for_files(tables(results)["evaluations"])
    assert [json.loads(v) for v in table["value"]] == [v for r in results for v in r.evaluations["value"]]


def test_run_out_writes_one_csv_a_frame_and_parquet_on_request(tmp_path, capsys):
    pytest.importorskip("pyarrow", reason="the parquet extra")
    args = ["run", *map(str, PATHS), "--target", "sdk", "--target", "contract", "--no-plots"]
    assert main([*args, "--out", str(tmp_path / "csv")]) == 0
    assert main([*args, "--out", str(tmp_path / "pq"), "--format", "parquet"]) == 0
    csv_files = sorted(p.name for p in (tmp_path / "csv" / "frames").iterdir())
    assert csv_files == sorted(f"{name}.csv" for name in NAMES)
    assert not [p for p in (tmp_path / "csv").iterdir() if p.is_dir() and p.name not in ("frames",)]
    ops_csv = pd.read_csv(tmp_path / "csv" / "frames" / "ops.csv")
    ops_parquet = pd.read_parquet(tmp_path / "pq" / "frames" / "ops.parquet")
    assert ops_csv[["scenario", "target", "op", "outcome"]].values.tolist() == \
        ops_parquet[["scenario", "target", "op", "outcome"]].astype(object).values.tolist()
    assert set(ops_csv["target"]) == {"sdk", "contract"} and len(set(ops_csv["scenario"])) == 3
