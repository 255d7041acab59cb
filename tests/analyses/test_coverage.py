"""Rankings of regions state their coverage (the published share of the employment behind them) and skip the
regions under a stated minimum."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.analyses.conftest import cells

from clustermap import analyses as an

# region, category, year, employment, region_total, lq, stars
ROWS = [
    ("A", "x", 2010, 600.0, 1000.0, 2.5, 3),  # 500 of these 600 imputed: A is 2/7 published
    ("A", "y", 2010, 100.0, 1000.0, 0.5, 0),
    ("B", "x", 2010, 200.0, 1000.0, 1.0, 1),
    ("B", "y", 2010, 300.0, 1000.0, 2.0, 2),
    ("C", "x", 2010, 50.0, 500.0, 0.6, 0),
    ("C", "y", 2010, 400.0, 500.0, 3.0, 1),
]


def test_a_region_mostly_imputed_is_not_ranked() -> None:
    imputed = [500.0, 0.0, 0.0, 100.0, 0.0, 0.0]
    p = an.region_portfolios(cells(ROWS, imputed_employment=imputed), names=False).set_index("region")
    assert p.loc["A", "coverage"] == pytest.approx(1 - 500 / 700)  # 2/7 < 0.5
    assert p.loc["B", "coverage"] == pytest.approx(1 - 100 / 500)
    assert not p.loc["A", "ranked"] and pd.isna(p.loc["A", "rank"])
    assert p.loc["B", "rank"] == 1 and p.loc["C", "rank"] == 2  # A's 3 stars would have ranked it first
    assert list(p.index)[-1] == "A"
    lenient = an.region_portfolios(cells(ROWS, imputed_employment=imputed), names=False, min_coverage=0.2)
    assert lenient.set_index("region").loc["A", "rank"] == 1


def test_a_run_on_published_cells_has_full_coverage() -> None:
    p = an.region_portfolios(cells(ROWS), names=False)
    assert (p["coverage"] == 1).all() and p["ranked"].all() and p["rank"].dtype == "int64"
