"""Suppression policies on hand-checked tables: a suppressed cell is never read as zero."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import cell, panel


def _hier() -> pd.DataFrame:
    nan = None
    rows = [
        # section C with divisions; C11 and C12 confidential: (10000 - 3000 - 2000) / 2 = 2500 each
        ("R1", "C", 2012, 10000),
        ("R1", "C10", 2012, 3000),
        ("R1", "C11", 2012, nan),
        ("R1", "C12", 2012, nan),
        ("R1", "C13", 2012, 2000),
        # G46 confidential: 5000 - 1000 - 1000 = 3000; then G461 = 3000 - 1000 = 2000 (nearest parent with a value)
        ("R1", "G", 2012, 5000),
        ("R1", "G45", 2012, 1000),
        ("R1", "G46", 2012, nan),
        ("R1", "G47", 2012, 1000),
        ("R1", "G461", 2012, nan),
        ("R1", "G462", 2012, 1000),
        # published children exceed the parent: the residual is floored at 0
        ("R1", "B", 2012, 1000),
        ("R1", "B05", 2012, 1200),
        ("R1", "B06", 2012, nan),
        # a second region so that LQs exist
        ("R2", "C", 2012, 8000),
        ("R2", "C10", 2012, 2000),
        ("R2", "C11", 2012, 2000),
        ("R2", "C12", 2012, 2000),
        ("R2", "C13", 2012, 2000),
    ]
    return panel(rows, flag=["c" if r[3] is None else "" for r in rows])


def test_drop_removes_suppressed_cells(run_map) -> None:
    r = run_map(_hier(), suppression="drop", min_employment=0)
    assert not ((r.cells["region"] == "R1") & (r.cells["category"] == "C11")).any()
    s = r.summary.iloc[0]
    assert (s["cells_suppressed"], s["cells_imputed"], s["cells_dropped"]) == (5, 0, 5)


def test_parent_residual_fills_from_the_nearest_parent(run_map) -> None:
    r = run_map(_hier(), suppression="parent-residual", min_employment=0)
    assert cell(r, "R1", "C11")["employment"] == 2500
    assert cell(r, "R1", "C12")["employment"] == 2500
    assert cell(r, "R1", "G46")["employment"] == 3000
    assert cell(r, "R1", "G461")["employment"] == 2000
    assert cell(r, "R1", "B06")["employment"] == 0
    assert cell(r, "R1", "C11")["imputed"] and not cell(r, "R1", "C10")["imputed"]
    assert cell(r, "R1", "C11")["imputed_employment"] == 2500
    s = r.summary.iloc[0]
    assert (s["cells_suppressed"], s["cells_imputed"], s["cells_dropped"]) == (5, 5, 0)


def test_parent_residual_without_a_parent_value_drops(run_map) -> None:
    t = panel(
        [
            ("R1", "C", 2012, None),
            ("R1", "C10", 2012, None),
            ("R1", "C11", 2012, 500),
            ("R2", "C", 2012, 900),
            ("R2", "C10", 2012, 400),
            ("R2", "C11", 2012, 500),
        ]
    )
    r = run_map(t, suppression="parent-residual", min_employment=0)
    assert not ((r.cells["region"] == "R1") & (r.cells["category"] == "C10")).any()
    assert r.summary.iloc[0]["cells_dropped"] == 2


def test_size_class_takes_the_class_midpoint(run_map) -> None:
    t = panel(
        [
            ("01", "111", 2011, None),
            ("01", "222", 2011, 300),
            ("02", "111", 2011, 800),
            ("02", "222", 2011, None),
            ("03", "111", 2011, None),
            ("03", "222", 2011, 50),
        ],
        size_class=["F", "", "", "M", "", ""],
        establishments=[5, 9, 7, 40, 2, 3],
    )
    r = run_map(t, methodology="uscmp", total_base="input")
    assert cell(r, "01", "111")["employment"] == pytest.approx((500 + 999) / 2)
    assert cell(r, "02", "222")["employment"] == 100_000  # open top class: its lower bound
    assert not ((r.cells["region"] == "03") & (r.cells["category"] == "111")).any()
    s = r.summary.iloc[0]
    assert (s["cells_suppressed"], s["cells_imputed"], s["cells_dropped"]) == (3, 2, 1)
    r_low = run_map(t, methodology="uscmp", total_base="input", size_class_value="low")
    assert cell(r_low, "01", "111")["employment"] == 500


def test_parent_residual_with_categories_named_unlike_industries(run_map, tmp_path) -> None:
    # the categories are not industry codes: the policy's industry hierarchy and the category labels of the
    # engine are different code lists (a DuckDB ENUM of the one must never receive the other)
    rows = ["industry,category,category_name,traded,share"]
    rows += [f"{i},food,Food products,true,1" for i in ("C10", "C11", "C12", "C13")]
    rows += [f"{i},trade,Wholesale and retail,true,1" for i in ("G45", "G461", "G462", "G47")]
    path = tmp_path / "two.csv"
    path.write_text("\n".join(rows) + "\n")
    r = run_map(_hier(), categories=str(path), suppression="parent-residual", min_employment=0)
    # R1 food: C10 3000 + C11 2500 + C12 2500 + C13 2000; trade: G45 1000 + G461 2000 + G462 1000 + G47 1000
    assert cell(r, "R1", "food")["employment"] == 10000 and cell(r, "R1", "trade")["employment"] == 5000
    assert cell(r, "R1", "food")["category_name"] == "Food products" and cell(r, "R1", "food")["imputed"]
