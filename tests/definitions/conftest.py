"""Fixtures of the definitions tests: the real data mirror, found next to the repository."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

#: ../shared/data next to the repository (the layout of the build machines)
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_mirror() -> Path:
    """The real data mirror; tests that need it are skipped with a reason when it is absent."""
    env = os.environ.get("CLUSTERMAP_DATA_DIR")
    path = Path(env) if env else MIRROR
    if not path.is_dir():
        pytest.skip(f"the data mirror {path} is not here (set CLUSTERMAP_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def mirror_file(data_mirror: Path) -> Callable[[str], Path]:
    """``mirror_file("eu/sbs/x.csv.gz")``: that file of the mirror; skips the test when it is missing."""

    def find(relative: str) -> Path:
        path = data_mirror / relative
        if not path.is_file():
            pytest.skip(f"{path} is not in the data mirror")
        return path

    return find
