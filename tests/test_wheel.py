"""What a built wheel ships: the drivers' sources, the schema and the catalogue.

The wheel is built from a copy of the project, never in the checkout itself: setuptools builds in a
`build/` folder beside `setup.py`, and two builds of one tree at once (pytest-xdist workers) collide
there ("File exists: build/bdist…").
"""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness.drivers.node.build import PINNED

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", ".nox", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                     ".hypothesis", "report", "site", "node_modules")


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory):
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(ROOT, copy, ignore=NOT_SOURCES)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(copy)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_a_built_wheel_ships_the_go_driver_sources_the_schema_and_the_catalogue(wheel_names):
    for name in ("harness/drivers/go/driver/common/protocol.go", "harness/drivers/go/driver/common/driver_test.go",
                 "harness/drivers/go/driver/v7/go.mod", "harness/drivers/go/driver/v7/go.sum",
                 "harness/drivers/go/driver/v6/sdk.go", "harness/vocabulary/scenario.schema.json",
                 "harness/catalogue/versioning/out_of_order.yaml"):
        assert name in wheel_names, name
    shipped = {n for n in wheel_names if n.startswith("harness/catalogue/") and n.endswith(".yaml")}
    assert len(shipped) == len(list(ROOT.joinpath("scenarios").rglob("*.yaml")))  # the whole catalogue


def test_a_built_wheel_ships_the_node_driver(wheel_names):
    for name in PINNED.files():
        assert f"harness/drivers/node/driver/{name}" in wheel_names, name
