"""The focus star's scope (``all`` cells of the year or the regions of one ``category``) and the threshold form of
the stars (k-th largest value per group instead of rank windows), on tiny hand-checked tables and random panels,
on every backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import cell, panel
from tests.strategies import panels

from clustermap import map_clusters
from clustermap.engines.backends import connect, to_backend
from clustermap.indicators.topk import kth_largest

# A: X 6000, Y 2000 (T 8000: shares .75, .25); B: X 1000, Y 3000 (T 4000: .25, .75);
# C: X 1500, Y 8500 (T 10000: .15, .85). All six cells by share: C/Y .85, A/X .75 = B/Y .75, A/Y = B/X .25, C/X .15
THREE = panel(
    [
        ("A", "X", 2012, 6000),
        ("A", "Y", 2012, 2000),
        ("B", "X", 2012, 1000),
        ("B", "Y", 2012, 3000),
        ("C", "X", 2012, 1500),
        ("C", "Y", 2012, 8500),
    ]
)


def _focus(result) -> dict[tuple[str, str], int]:
    return {(r, c): int(cell(result, r, c)["focus_star"]) for r in "ABC" for c in "XY"}


def test_all_scope_ranks_every_cell_of_the_year(run_map) -> None:
    # focus_share 0.5: k = floor(0.5 x 3 regions x 2 categories) = 3 -> C/Y (rank 1), A/X and B/Y (rank 2)
    r = run_map(THREE, min_employment=0, focus_share=0.5, focus_scope="all", ranks=True)
    assert _focus(r) == {
        ("A", "X"): 1,
        ("A", "Y"): 0,
        ("B", "X"): 0,
        ("B", "Y"): 1,
        ("C", "X"): 0,
        ("C", "Y"): 1,
    }
    assert cell(r, "B", "Y")["focus_rank"] == 2 and cell(r, "A", "Y")["focus_rank"] == 4


def test_all_scope_ties_at_the_cut_share_the_best_rank(run_map) -> None:
    # k = floor(1/3 x 6) = 2: A/X and B/Y tie at rank 2 -> both starred; k = floor(0.3 x 6) = 1: only C/Y
    r = run_map(THREE, min_employment=0, focus_share=1 / 3, focus_scope="all")
    assert [k for k, v in _focus(r).items() if v] == [("A", "X"), ("B", "Y"), ("C", "Y")]
    r = run_map(THREE, min_employment=0, focus_share=0.3, focus_scope="all")
    assert [k for k, v in _focus(r).items() if v] == [("C", "Y")]


def test_category_scope_ranks_within_the_category(run_map) -> None:
    # k = floor(0.5 x 3) = 1 per category: X -> A (.75), Y -> C (.85); B/Y (.75) loses its star
    r = run_map(THREE, min_employment=0, focus_share=0.5, focus_scope="category", ranks=True)
    assert [k for k, v in _focus(r).items() if v] == [("A", "X"), ("C", "Y")]
    assert cell(r, "B", "Y")["focus_rank"] == 2


def test_eco2007_and_eco2008_default_to_all(run_map) -> None:
    a = run_map(THREE, min_employment=0, focus_share=0.5)
    b = run_map(THREE, min_employment=0, focus_share=0.5, focus_scope="all")
    assert _focus(a) == _focus(b)
    from clustermap.methodology import get_methodology

    assert get_methodology("eco2008")["focus_scope"] == "all"


def test_kth_largest_counts_ties_with_multiplicity(backend: str, connections) -> None:
    con = connections.get(backend) or connections.setdefault(backend, connect(backend))
    rows = []
    for k in (0, 1, 2, 3, 4, 5):
        rows += [{"g": f"k{k}", "v": v, "k": k} for v in (5.0, 4.0, 4.0, 3.0)]
    t = to_backend(con, pd.DataFrame(rows))
    got = kth_largest(t, "v", ["g"], "k").to_pandas().set_index("g")["kth"]
    # k = 0: no threshold; 1 -> 5; 2 and 3 -> 4 (the tie); 4 -> 3; 5 (more than the group has) -> its smallest
    assert pd.isna(got["k0"])
    assert [got[f"k{k}"] for k in (1, 2, 3, 4, 5)] == [5.0, 4.0, 4.0, 3.0, 3.0]


def _check_threshold_equals_rank(c: pd.DataFrame, scope: str, share: float = 0.1) -> None:
    """The stars (threshold form) against the competition ranks of the same run and against ranks computed
    independently here with pandas."""
    n_cat = c.groupby("year")["category"].transform("nunique")
    k_size = np.floor(share * c["n_regions"] + 1e-9)
    k_focus = np.floor(share * c["n_regions"] * (n_cat if scope == "all" else 1) + 1e-9)
    focus_by = ["year"] if scope == "all" else ["year", "category"]
    size_rank = c.groupby(["year", "category"])["employment"].rank(method="min", ascending=False)
    focus_rank = c.groupby(focus_by)["share"].rank(method="min", ascending=False)
    assert (size_rank == c["size_rank"]).all() and (focus_rank == c["focus_rank"]).all()
    big = c["employment"] >= 0
    assert ((big & (c["size_rank"] <= k_size)).astype(int) == c["size_star"]).all()
    assert ((big & (c["focus_rank"] <= k_focus)).astype(int) == c["focus_star"]).all()


@pytest.mark.duckdb
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels(max_regions=25, max_industries=6), st.sampled_from(["all", "category"]), st.integers(1, 4))
def test_threshold_form_equals_rank_form(frame: pd.DataFrame, scope: str, coarse: int) -> None:
    frame = frame.assign(employment=(frame["employment"] // (10**coarse)) * 10**coarse)  # many ties
    c = map_clusters(frame, min_employment=0, focus_scope=scope, ranks=True)
    _check_threshold_equals_rank(c, scope)


@pytest.mark.duckdb
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels(max_regions=25, max_industries=6), st.sampled_from([0.1, 0.2, 0.5]))
def test_category_scope_is_ranking_by_lq(frame: pd.DataFrame, share: float) -> None:
    # within one category E[r,c]/T[r] = LQ[r,c] x E[.,c]/T, and E[.,c]/T is the same for every region of c
    c = map_clusters(frame, min_employment=0, focus_scope="category", focus_share=share)
    c = c[c["category_total"] > 0]
    lq_rank = c.groupby(["year", "category"])["lq"].rank(method="min", ascending=False)
    by_lq = (lq_rank <= np.floor(share * c["n_regions"] + 1e-9)).astype(int)
    assert (by_lq == c["focus_star"]).all()


def test_threshold_form_equals_rank_form_on_every_backend(run_map) -> None:
    rng = np.random.default_rng(5)
    rows = [
        (f"R{r:02d}", f"I{i}", y, float(rng.choice([0, 500, 1000, 2000, 2000, 7000, rng.integers(0, 9000)])))
        for y in (2011, 2012)
        for r in range(30)
        for i in range(5)
    ]
    for scope in ("all", "category"):
        r = run_map(panel(rows), min_employment=0, focus_scope=scope, ranks=True)
        _check_threshold_equals_rank(r.cells, scope)


def test_size_cut_from_the_category_aggregate_equals_its_own_aggregate(backend: str, connections) -> None:
    # location_quotients(size_share=...) computes the size star's threshold with category_total; eco_stars on a
    # table without it computes it (and |C|) by its own aggregates: the same stars, on every backend
    from clustermap import indicators as ind

    con = connections.get(backend) or connections.setdefault(backend, connect(backend))
    rng = np.random.default_rng(11)
    cells = pd.DataFrame(
        [
            (f"R{r:02d}", f"C{c}", y, bool(c < 4), float(rng.choice([0, 300, 1000, 1000, 4000, rng.integers(0, 9000)])))
            for y in (2011, 2012)
            for r in range(20)
            for c in range(5)
        ],
        columns=["region", "category", "year", "traded", "employment"],
    )
    t = to_backend(con, cells)
    totals = ind.region_totals(t, "input")
    merged = ind.location_quotients(t, totals, size_share=0.2)
    assert {"size_cut", "n_categories"} <= set(merged.columns)
    apart = ind.location_quotients(t, totals).drop("n_categories")
    keys = ["year", "region", "category"]
    cols = [*keys, "n_categories", "size_star", "specialisation_star", "focus_star", "stars"]
    a = ind.eco_stars(merged, size_share=0.2, min_employment=500).select(*cols).order_by(keys).to_pandas()
    b = ind.eco_stars(apart, size_share=0.2, min_employment=500).select(*cols).order_by(keys).to_pandas()
    c = ind.eco_stars(merged.drop("n_categories"), size_share=0.2, min_employment=500)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    pd.testing.assert_frame_equal(a, c.select(*cols).order_by(keys).to_pandas(), check_dtype=False)
    assert set(a["n_categories"]) == {4} and a["size_star"].sum() > 0
