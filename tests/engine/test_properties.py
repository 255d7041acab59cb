"""Properties that hold for any panel (hypothesis, DuckDB), and DuckDB = PySpark on random panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from tests.strategies import panels

from clustermap import map_clusters

KEY = ["year", "region", "category"]
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _map(frame: pd.DataFrame, **params) -> pd.DataFrame:
    return map_clusters(frame, **params).sort_values(KEY).reset_index(drop=True)


@pytest.mark.duckdb
@PROPS
@given(panels())
def test_stars_are_between_0_and_3_and_add_up(frame: pd.DataFrame) -> None:
    c = _map(frame, min_employment=0)
    assert c["stars"].between(0, 3).all()
    assert (c["stars"] == c["size_star"] + c["specialisation_star"] + c["focus_star"]).all()


@pytest.mark.duckdb
@PROPS
@given(panels(), st.integers(2, 1000))
def test_invariant_to_scaling_all_employment(frame: pd.DataFrame, scale: int) -> None:
    a = _map(frame, min_employment=0, ranks=True)
    b = _map(frame.assign(employment=frame["employment"] * scale), min_employment=0, ranks=True)
    assert_allclose(a["lq"].to_numpy(float), b["lq"].to_numpy(float), rtol=1e-12, equal_nan=True)
    for col in ("size_star", "specialisation_star", "focus_star", "stars", "size_rank"):
        assert (a[col] == b[col]).all(), col


@pytest.mark.duckdb
@PROPS
@given(panels(), st.randoms())
def test_invariant_to_row_order(frame: pd.DataFrame, rnd) -> None:
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = _map(frame), _map(shuffled)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.duckdb
@PROPS
@given(panels())
def test_total_weighted_mean_lq_of_a_category_is_one(frame: pd.DataFrame) -> None:
    # Σ_r T[r] · LQ[r,c] / T = Σ_r E[r,c] · T / E[.,c] / T = 1 for every category with employment
    c = _map(frame, min_employment=0)
    c = c[c["category_total"] > 0]
    for (_, _), g in c.groupby(["year", "category"]):
        assert_allclose((g["region_total"] * g["lq"]).sum() / g["grand_total"].iloc[0], 1.0, rtol=1e-9)


@pytest.mark.duckdb
@PROPS
@given(panels())
def test_size_stars_go_to_at_most_the_top_share_plus_ties(frame: pd.DataFrame) -> None:
    c = _map(frame, min_employment=0, ranks=True)
    for (_, _), g in c.groupby(["year", "category"]):
        k = int(np.floor(0.1 * g["n_regions"].iloc[0] + 1e-9))
        starred = g[g["size_star"] == 1]
        assert (starred["size_rank"] <= k).all()
        if len(starred):
            assert starred["employment"].min() >= g["employment"].nlargest(k).min()


@pytest.mark.pyspark
@pytest.mark.slow
def test_duckdb_and_pyspark_agree_on_a_random_panel() -> None:
    rng = np.random.default_rng(11)
    rows = [
        (f"R{r:03d}", f"I{i:02d}", y, float(rng.integers(0, 30_000)) if rng.random() > 0.05 else np.nan)
        for y in (2010, 2011)
        for r in range(60)
        for i in range(12)
    ]
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    frame["establishments"] = rng.integers(1, 500, len(frame)).astype(float)
    for methodology in ("eco2007", "uscmp"):
        a = _map(frame, methodology=methodology, backend="duckdb")
        b = _map(frame, methodology=methodology, backend="pyspark")
        assert len(a) == len(b) > 0
        assert_allclose(a["lq"].to_numpy(float), b["lq"].to_numpy(float), rtol=1e-9)
        flags = (
            ["stars", "size_star", "specialisation_star", "focus_star"]
            if methodology == "eco2007"
            else ["strong", "strong_strict"]
        )
        for col in flags:
            assert (a[col].to_numpy() == b[col].to_numpy()).all(), (methodology, col)
