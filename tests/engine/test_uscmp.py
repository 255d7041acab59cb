"""The US Cluster Mapping strong-cluster rule, checked against numpy's percentiles (linear interpolation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose
from tests.conftest import cell


def _us_panel(seed: int = 7, regions: int = 15) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(regions):
        for ind in ("a", "b", "c"):
            emp = 0 if (ind == "c" and i % 4 == 0) else int(rng.integers(50, 20_000))
            rows.append((f"S{i:02d}", ind, 2016, emp, int(rng.integers(1, 300))))
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "establishments"])


def test_strong_rule_matches_numpy_percentiles(run_map) -> None:
    t = _us_panel()
    r = run_map(t, methodology="uscmp")
    cells = r.cells
    for cat, g in cells.groupby("category"):
        pos = g[g["employment"] > 0]
        p75 = np.percentile(pos["lq"], 75)
        p90 = np.percentile(pos["lq"], 90)
        e25 = np.percentile(pos["employment"], 25)
        s25 = np.percentile(pos["establishments"], 25)
        assert_allclose(g["lq_p"], p75, rtol=1e-12)
        assert_allclose(g["employment_p"], e25, rtol=1e-12)
        expect = (g["lq"] >= p75) & (g["lq"] >= 1) & (g["employment"] > e25) & (g["establishments"] > s25)
        expect &= g["employment"] > 0
        assert (g["strong"] == expect).all(), cat
        strict = (g["lq"] >= p90) & (g["lq"] >= 1) & (g["employment"] > e25) & (g["establishments"] > s25)
        assert (g["strong_strict"] == (strict & (g["employment"] > 0))).all(), cat
    assert cells["strong"].any()


def test_uscmp_lq_uses_traded_employment(run_map) -> None:
    t = pd.DataFrame(
        {
            "region": ["A", "A", "B", "B"],
            "industry": ["x", "y", "x", "y"],
            "year": 2016,
            "employment": [3000, 1000, 1000, 3000],
            "establishments": [30, 10, 10, 30],
        }
    )
    r = run_map(t, methodology="uscmp")
    assert r.methodology.parameters["total_base"] == "traded"
    assert_allclose(cell(r, "A", "x")["lq"], 1.5)


def test_hand_checked_six_cells(run_map) -> None:
    # the contract table: X over A1..A3 = 5000, 3000, 1200; Y = 100, 900, 8000 (establishments 50,40,9 / 3,8,70)
    t = pd.DataFrame(
        {
            "region": ["A1", "A2", "A3"] * 2,
            "industry": ["X"] * 3 + ["Y"] * 3,
            "year": 2016,
            "employment": [5000, 3000, 1200, 100, 900, 8000],
            "establishments": [50, 40, 9, 3, 8, 70],
        }
    )
    r = run_map(t, methodology="uscmp", total_base="input")
    # LQ[A1,X] = (5000/5100)/(9200/18200); X's LQs sorted 0.258, 1.522, 1.939: p75 = 1.522 + 0.5 (1.939 - 1.522)
    lq = (5000 / 5100) / (9200 / 18200)
    assert_allclose(cell(r, "A1", "X")["lq"], lq)
    assert_allclose(cell(r, "A1", "X")["lq_p"], 1.521739130 + 0.5 * (lq - 1.521739130), rtol=1e-9)
    assert [cell(r, x, "X")["strong"] for x in ("A1", "A2", "A3")] == [True, False, False]
    assert [cell(r, x, "Y")["strong"] for x in ("A1", "A2", "A3")] == [False, False, True]
