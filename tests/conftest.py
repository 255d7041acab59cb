"""Shared fixtures: the backend matrix (every engine case runs on DuckDB and on PySpark local mode), the real data
mirror, and a helper that maps a small hand-made table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from clustermap.api import resolve_categories
from clustermap.engines.backends import connect, to_backend
from clustermap.mapping import MappingResult, map_observations
from clustermap.schema import validate_observations

ROOT = Path(__file__).resolve().parents[1]


def find_mirror() -> Path | None:
    env = os.environ.get("CLUSTERMAP_DATA_DIR")
    if env:
        return Path(env)
    candidate = ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real data mirror (../shared/data); tests that need it are skipped with a reason when it is absent."""
    path = find_mirror()
    if path is None or not path.is_dir():
        pytest.skip("the data mirror ../shared/data is not here (set CLUSTERMAP_DATA_DIR)")
    return path


@pytest.fixture(
    scope="session",
    params=[pytest.param("duckdb", marks=pytest.mark.duckdb), pytest.param("pyspark", marks=pytest.mark.pyspark)],
)
def backend(request: pytest.FixtureRequest) -> str:
    """Each engine test runs once per backend; ``pytest -m duckdb`` selects one."""
    return request.param


@pytest.fixture(scope="session")
def connections() -> dict[str, Any]:
    return {}


@pytest.fixture
def run_map(backend: str, connections: dict[str, Any]):
    """``run_map(frame, categories="none", methodology="eco2007", **params) -> MappingResult`` on the backend."""

    def _run(
        frame: pd.DataFrame,
        *,
        categories: Any = "none",
        methodology: str = "eco2007",
        totals: Any = None,
        **params: Any,
    ) -> MappingResult:
        con = connections.get(backend)
        if con is None:
            con = connections[backend] = connect(backend)
        clean = validate_observations(frame)
        obs = to_backend(con, clean)
        cats = resolve_categories(categories, clean["industry"].unique())
        return map_observations(obs, categories=cats, methodology=methodology, totals=totals, **params)

    return _run


def panel(rows: list[tuple[str, str, int, float | None]], **extra: list[Any]) -> pd.DataFrame:
    """A tidy frame from (region, industry, year, employment) tuples."""
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    for k, v in extra.items():
        frame[k] = v
    return frame


def cell(result: MappingResult, region: str, category: str, year: int | None = None) -> pd.Series:
    c = result.cells
    sel = c[(c["region"] == region) & (c["category"] == category)]
    if year is not None:
        sel = sel[sel["year"] == year]
    assert len(sel) == 1, f"expected one cell {region}/{category}, got {len(sel)}"
    return sel.iloc[0]
