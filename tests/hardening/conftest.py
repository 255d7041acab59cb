"""A tiny warehouse (two years, four regions, one mapping run) and the web application over it — built in a
second, so that the hardening tests of the web do not need the main job."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from clustermap.api import resolve_categories
    from clustermap.engines.backends import connect, to_backend
    from clustermap.mapping import map_observations
    from clustermap.provenance import LoadProvenance, LoadResult
    from clustermap.schema import validate_observations
    from clustermap.warehouse import Warehouse

    rows = []
    for year in (2011, 2012):
        for i, region in enumerate(("DE11", "DE12", "FR10", "ITC4")):
            for j, industry in enumerate(("C29", "C30", "J62")):
                rows.append((region, industry, year, 1000.0 * (1 + i) * (1 + j) + year % 7))
    frame = validate_observations(pd.DataFrame(rows, columns=["region", "industry", "year", "employment"]))
    cats = resolve_categories("none", frame["industry"].unique())
    result = map_observations(to_backend(connect("duckdb"), frame), categories=cats, methodology="eco2007")
    path = tmp_path_factory.mktemp("tiny") / "wh.duckdb"
    prov = LoadProvenance(
        source="file", dataset="tiny", file="/home/someone/secret/dir/tiny.csv", sha256="ab" * 32, rows_read=24
    )
    with Warehouse(path) as wh:
        wh.load_observations("tiny", LoadResult(frame, prov))
        wh.save_run(result, dataset="tiny")
    return path


@pytest.fixture
def tiny_app(tiny_warehouse: Path, tmp_path: Path):
    from clustermap.web.api.app import create_app

    return create_app(warehouse=tiny_warehouse, registry_url=f"sqlite:///{tmp_path / 'registry.sqlite3'}", warm=False)


@pytest.fixture
def tiny_client(tiny_app):
    from fastapi.testclient import TestClient

    with TestClient(tiny_app) as client:
        yield client
