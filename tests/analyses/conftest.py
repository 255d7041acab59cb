"""Hand-made cells for exact tests, and the real-data mapping results (made once per test session and worker in a
temporary warehouse: Eurostat SBS harmonised to NUTS 2016 and mapped, US CBP states 2011 on the common
categories)."""

from __future__ import annotations

import pandas as pd
import pytest

#: regions A, B, C (totals 100, 100, 50) × categories x, y; B has no published cell in y (missing = 0 employees)
TINY = [
    # region, category, year, employment, region_total, lq, stars
    ("A", "x", 2010, 10.0, 100.0, 2.5, 1),
    ("B", "x", 2010, 0.0, 100.0, 0.0, 0),
    ("C", "x", 2010, 0.0, 50.0, 0.0, 0),
    ("A", "y", 2010, 5.0, 100.0, 0.5, 0),
    ("C", "y", 2010, 5.0, 50.0, 3.0, 2),
]


def cells(rows=TINY, **extra) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region", "category", "year", "employment", "region_total", "lq", "stars"])
    frame["category_name"] = frame["category"].str.upper()
    for k, v in extra.items():
        frame[k] = v
    return frame


@pytest.fixture
def tiny() -> pd.DataFrame:
    return cells()


@pytest.fixture(scope="session")
def real(mirror, tmp_path_factory):
    """EU (harmonised SBS, all years) and US (CBP states 2011) mapping results, stored in a fresh warehouse."""
    from clustermap.analyses.inputs import eu_mapping, us_mapping
    from clustermap.warehouse import Warehouse

    path = tmp_path_factory.mktemp("analyses") / "wh.duckdb"
    with Warehouse(path) as wh:
        eu = eu_mapping(wh, mirror=mirror)
        us = us_mapping(wh, mirror=mirror)
    return {"eu": eu, "us": us, "warehouse": path, "mirror": mirror}
