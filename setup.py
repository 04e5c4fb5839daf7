"""Everything is in pyproject.toml; this only copies the scenario catalogue into the package when it is
built, so that a plain ``pip install`` has it (``harness.catalogue_path()``, ``harness run --catalogue``)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogue(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "scenarios"
        if source.is_dir():
            shutil.copytree(source, Path(self.build_lib) / "harness" / "catalogue", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithCatalogue})
