"""Partner search reads the latest complete mapping year (SBS 2015 has 167 of 282 regions: not that one)."""

from __future__ import annotations

import pandas as pd

from clustermap.organisations.match_inputs import MappingData


def _cells() -> pd.DataFrame:
    rows = []
    for year, n in ((2013, 10), (2014, 10), (2015, 5)):
        for i in range(n):
            rows.append(
                {
                    "region": f"DE{i:02d}",
                    "category": "automotive",
                    "year": year,
                    "employment": 100.0 + i,
                    "lq": 1.0,
                    "stars": 0,
                }
            )
    return pd.DataFrame(rows)


def test_latest_complete_year_not_the_incomplete_last_one() -> None:
    data = MappingData.from_cells(_cells())
    assert data.year == 2014
    assert len(data.regions()) == 10


def test_a_given_year_is_kept() -> None:
    assert MappingData.from_cells(_cells(), year=2015).year == 2015
