"""Item 1: a quotient that overflows is unknown (NULL), never a NaN that passes ``LQ ≥ 2`` and earns a star.

The indicators are called directly on in-memory tables (DuckDB through ibis), so these tests keep holding when the
loaders reject such values before the engine sees them.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from clustermap.indicators.lq import location_quotients
from clustermap.indicators.stars import eco_stars
from clustermap.indicators.strong import uscmp_strong


def _cells(rows: list[tuple[str, str, float]]) -> tuple[ibis.Table, ibis.Table]:
    frame = pd.DataFrame(rows, columns=["region", "category", "employment"])
    frame["year"] = 2012
    frame["traded"] = True
    frame["establishments"] = 10.0
    totals = frame.groupby(["region", "year"], as_index=False)["employment"].sum()
    totals = totals.rename(columns={"employment": "region_total"})
    return ibis.memtable(frame), ibis.memtable(totals)


@pytest.mark.parametrize("huge", [1e160, 1e300])
def test_an_overflowing_lq_is_null_and_gets_no_star(huge: float) -> None:
    # two regions; A's employment in X overflows E·T and T[r]·E[.,c]: inf / inf would be NaN
    cells, totals = _cells([("A", "X", huge), ("A", "Y", 5000.0), ("B", "X", 5000.0), ("B", "Y", 5000.0)])
    out = eco_stars(location_quotients(cells, totals), size_share=0.5, focus_share=0.5).execute()
    a = out[(out.region == "A") & (out.category == "X")].iloc[0]
    assert a["lq"] is None or pd.isna(a["lq"])
    assert a["specialisation_star"] == 0
    assert not bool(a["strong"])


def test_a_nan_lq_never_passes_a_threshold() -> None:
    # the rule itself, given a NaN LQ (as a backend would produce it): no specialisation star, not strong
    frame = pd.DataFrame(
        {
            "region": ["A", "B"],
            "category": ["X", "X"],
            "year": [2012, 2012],
            "employment": [5000.0, 5000.0],
            "share": [0.5, 0.5],
            "lq": [float("nan"), 1.0],
            "n_regions": [2, 2],
            "establishments": [10.0, 10.0],
        }
    )
    out = eco_stars(ibis.memtable(frame)).execute().set_index("region")
    assert out.loc["A", "specialisation_star"] == 0
    assert not bool(out.loc["A", "strong"])
    strong = uscmp_strong(ibis.memtable(frame)).execute().set_index("region")
    assert not bool(strong.loc["A", "strong"])
    assert not bool(strong.loc["A", "strong_strict"])


def test_nan_employment_gets_no_star() -> None:
    frame = pd.DataFrame(
        {
            "region": ["A", "B"],
            "category": ["X", "X"],
            "year": [2012, 2012],
            "employment": [float("nan"), 5000.0],
            "share": [0.5, 0.5],
            "lq": [3.0, 3.0],
            "n_regions": [2, 2],
        }
    )
    out = eco_stars(ibis.memtable(frame), size_share=1.0, focus_share=1.0).execute().set_index("region")
    assert out.loc["A", ["size_star", "specialisation_star", "focus_star", "stars"]].tolist() == [0, 0, 0, 0]
    assert out.loc["B", "specialisation_star"] == 1


def test_finite_values_keep_their_stars() -> None:
    # the guard changes nothing for ordinary numbers: LQ exactly 2 still earns the specialisation star
    cells, totals = _cells([("A", "X", 2000.0), ("A", "Y", 0.0), ("B", "X", 0.0), ("B", "Y", 2000.0)])
    out = eco_stars(location_quotients(cells, totals)).execute()
    a = out[(out.region == "A") & (out.category == "X")].iloc[0]
    assert a["lq"] == 2.0
    assert a["specialisation_star"] == 1
