"""Location quotients on hand-checked tables, every total base, on every backend."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from tests.conftest import cell, panel


def test_lq_by_hand(run_map) -> None:
    # A: X 3000, Y 1000 (T 4000); B: X 1000, Y 3000 (T 4000); T = 8000, E[.,X] = 4000
    t = panel([("A", "X", 2012, 3000), ("A", "Y", 2012, 1000), ("B", "X", 2012, 1000), ("B", "Y", 2012, 3000)])
    r = run_map(t, min_employment=0)
    assert_allclose(cell(r, "A", "X")["lq"], (3000 / 4000) / (4000 / 8000))
    assert_allclose(cell(r, "B", "X")["lq"], 0.5)
    assert cell(r, "A", "X")["region_total"] == 4000
    assert cell(r, "A", "X")["category_total"] == 4000
    assert (r.cells["n_regions"] == 2).all()


def test_lq_exactly_two_gets_specialisation_star_but_is_not_strong(run_map) -> None:
    # LQ[A,X] = (2000/4000) / (2000/8000) = 2 exactly: specialisation needs >= 2, strong needs > 2
    t = panel([("A", "X", 2012, 2000), ("A", "Y", 2012, 2000), ("B", "X", 2012, 0), ("B", "Y", 2012, 4000)])
    r = run_map(t)
    a = cell(r, "A", "X")
    assert a["lq"] == 2.0
    assert a["specialisation_star"] == 1
    assert not a["strong"]


def test_region_with_zero_employment_is_not_in_the_region_set(run_map) -> None:
    t = panel(
        [
            ("A", "X", 2012, 3000),
            ("A", "Y", 2012, 1000),
            ("B", "X", 2012, 1000),
            ("B", "Y", 2012, 3000),
            ("Z", "X", 2012, 0),
            ("Z", "Y", 2012, 0),
        ]
    )
    r = run_map(t, min_employment=0)
    assert set(r.cells["region"]) == {"A", "B"}
    assert (r.cells["n_regions"] == 2).all()
    assert_allclose(cell(r, "A", "X")["lq"], 1.5)


def test_category_with_zero_employment_has_no_lq_and_no_stars(run_map) -> None:
    t = panel([("A", "X", 2012, 3000), ("A", "Y", 2012, 0), ("B", "X", 2012, 1000), ("B", "Y", 2012, 0)])
    r = run_map(t, min_employment=0)
    y = r.cells[r.cells["category"] == "Y"]
    assert y["lq"].isna().all()
    assert (y["specialisation_star"] == 0).all()


def test_total_base_traded_and_external(run_map, tmp_path) -> None:
    from clustermap.definitions.categories import load_category_set

    cw = pd.DataFrame(
        {
            "industry": ["x", "y", "l"],
            "category": ["X", "Y", "local"],
            "category_name": ["X", "Y", "Local"],
            "traded": [True, True, False],
            "share": [1.0, 1.0, 1.0],
        }
    )
    path = tmp_path / "cats.csv"
    cw.to_csv(path, index=False)
    cats = load_category_set(path)
    t = panel(
        [
            ("A", "x", 2012, 3000),
            ("A", "y", 2012, 1000),
            ("A", "l", 2012, 4000),
            ("B", "x", 2012, 1000),
            ("B", "y", 2012, 3000),
            ("B", "l", 2012, 12000),
        ]
    )
    # input: T_A = 8000, T_B = 16000, T = 24000, E[.,X] = 4000 -> LQ[A,X] = (3000/8000)/(4000/24000) = 2.25
    r = run_map(t, categories=cats, total_base="input", min_employment=0)
    assert_allclose(cell(r, "A", "X")["lq"], 2.25)
    assert set(r.cells["category"]) == {"X", "Y"}, "local categories count in T[r] only"
    # traded: T_A = 4000, T_B = 4000 -> 1.5
    r = run_map(t, categories=cats, total_base="traded", min_employment=0)
    assert_allclose(cell(r, "A", "X")["lq"], 1.5)
    # external: T_A = 10000, T_B = 30000 -> (3000/10000)/(4000/40000) = 3
    totals = pd.DataFrame({"region": ["A", "B"], "year": [2012, 2012], "total": [10000.0, 30000.0]})
    r = run_map(t, categories=cats, total_base="external", totals=totals, min_employment=0)
    assert_allclose(cell(r, "A", "X")["lq"], 3.0)
    assert cell(r, "A", "X")["region_total"] == 10000


def test_external_total_base_without_totals_is_a_parameter_error(run_map) -> None:
    from clustermap.errors import ParameterError

    t = panel([("A", "X", 2012, 3000), ("B", "X", 2012, 1000)])
    with pytest.raises(ParameterError, match="totals"):
        run_map(t, total_base="external")


def test_each_year_is_its_own_analysis(run_map) -> None:
    t = panel(
        [
            ("A", "X", 2011, 3000),
            ("A", "Y", 2011, 1000),
            ("B", "X", 2011, 1000),
            ("B", "Y", 2011, 3000),
            ("A", "X", 2012, 1000),
            ("A", "Y", 2012, 1000),
            ("B", "X", 2012, 1000),
            ("B", "Y", 2012, 1000),
            ("C", "X", 2012, 1000),
            ("C", "Y", 2012, 1000),
        ]
    )
    r = run_map(t, min_employment=0)
    assert_allclose(cell(r, "A", "X", 2011)["lq"], 1.5)
    assert_allclose(cell(r, "A", "X", 2012)["lq"], 1.0)
    assert cell(r, "A", "X", 2011)["n_regions"] == 2
    assert cell(r, "A", "X", 2012)["n_regions"] == 3
    assert list(r.summary["year"]) == [2011, 2012]
