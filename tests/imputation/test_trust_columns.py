"""What every result cell says about how far to trust it — ``imputed``, ``employment_low`` / ``employment_high``,
``imputation_policy``, ``flags`` — on tiny hand-checked tables, on DuckDB and PySpark; the default-year rule; the
warehouse taking the new columns into a results table made by an older version."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from tests.conftest import cell, panel

from clustermap.definitions.categories import identity_category_set
from clustermap.engines.backends import connect, to_backend
from clustermap.imputation.engine import two_way_frame
from clustermap.mapping import map_observations
from clustermap.warehouse import Warehouse
from clustermap.years import latest_complete_year

# R1: C = 10,000 = C10 (confidential) + C11 (2,000) → C10 = 8,000 exactly, bounds 8,000–8,000.
# R2: C = 9,000, C10 and C11 both confidential: each lies in 0–9,000; the prior shares them.
ROWS = [
    ("R1", "C", 2012, 10000.0),
    ("R1", "C10", 2012, None),
    ("R1", "C11", 2012, 2000.0),
    ("R2", "C", 2012, 9000.0),
    ("R2", "C10", 2012, None),
    ("R2", "C11", 2012, None),
    ("R3", "C", 2012, 3000.0),
    ("R3", "C10", 2012, 1500.0),
    ("R3", "C11", 2012, 1500.0),
]
FLAGS = ["", "c", "b", "", "c", "ci", "i", "b", "u"]


def test_two_way_cells_carry_their_published_bounds_flags_and_policy(run_map) -> None:
    res = run_map(panel(ROWS, flag=FLAGS), suppression="two-way", min_employment=0)
    r1 = cell(res, "R1", "C10")
    assert bool(r1["imputed"]) and r1["employment"] == pytest.approx(8000, abs=1e-6)
    assert r1["employment_low"] == pytest.approx(8000, abs=1e-6) == r1["employment_high"]
    assert r1["imputation_policy"] == "two-way" and r1["flags"] == "c"
    r2 = cell(res, "R2", "C11")
    assert bool(r2["imputed"]) and r2["employment"] > 0
    assert r2["employment_low"] == pytest.approx(0, abs=1e-6) and r2["employment_high"] == pytest.approx(9000, abs=1e-6)
    assert r2["employment_low"] <= r2["employment"] <= r2["employment_high"]
    assert r2["flags"] == "c,i"  # letters of "ci", in FLAG_LETTERS order
    published = cell(res, "R3", "C11")
    assert not published["imputed"] and published["flags"] == "u"
    assert published["employment_low"] == published["employment_high"] == published["employment"] == 1500
    # the section C is its own category here: it was published everywhere
    assert not cell(res, "R2", "C")["imputed"]


def test_drop_keeps_published_cells_as_their_own_bounds_and_unions_the_flags(run_map) -> None:
    from clustermap.definitions.categories import CategorySet

    # one category "all" made of C10 and C11: R3's cell unions flags b and u
    cw = pd.DataFrame(
        {"industry": ["C10", "C11"], "category": ["all", "all"], "traded": [True, True], "share": [1.0, 1.0]}
    )
    cats = pd.DataFrame({"category": ["all", "local"], "category_name": ["All", "Local"], "traded": [True, False]})
    cs = CategorySet(name="t", version="1", crosswalk=cw, categories=cats, source="hand-made", licence="none")
    res = run_map(panel(ROWS, flag=FLAGS), categories=cs, suppression="drop", min_employment=0)
    r3 = cell(res, "R3", "all")
    assert r3["employment"] == 3000 and r3["flags"] == "b,u"
    assert r3["employment_low"] == r3["employment_high"] == 3000
    assert r3["imputation_policy"] == "drop" and not r3["imputed"]
    # R1 under drop: C10 (confidential) left out, C11 published with flag b
    r1 = cell(res, "R1", "all")
    assert r1["employment"] == 2000 and r1["flags"] == "b"


def test_parent_residual_gives_no_bounds_for_an_imputed_cell(run_map) -> None:
    res = run_map(panel(ROWS, flag=FLAGS), suppression="parent-residual", min_employment=0)
    r1 = cell(res, "R1", "C10")
    assert bool(r1["imputed"]) and r1["employment"] == pytest.approx(8000)
    assert pd.isna(r1["employment_low"]) and pd.isna(r1["employment_high"])
    assert r1["imputation_policy"] == "parent-residual"


def test_an_input_imputed_beforehand_is_taken_as_it_is() -> None:
    # values that two-way would never produce (C10 of R1 is 8,000 by the totals) prove that nothing is re-solved
    frame = two_way_frame(panel(ROWS, flag=FLAGS))
    assert frame.loc[1, "employment"] == pytest.approx(8000, abs=1e-6)
    frame.loc[1, ["employment", "employment_low", "employment_high"]] = [7000.0, 6000.0, 9000.0]
    obs = to_backend(connect("duckdb"), frame)
    res = map_observations(
        obs, categories=identity_category_set(frame["industry"].unique()), suppression="two-way", min_employment=0
    )
    r1 = cell(res, "R1", "C10")
    assert r1["employment"] == 7000 and r1["employment_low"] == 6000 and r1["employment_high"] == 9000
    s = res.summary.iloc[0]
    assert s["cells_suppressed"] == 3 and s["cells_imputed"] == 3 and s["cells_dropped"] == 0


def test_the_default_year_is_the_latest_with_nine_tenths_of_the_best_years_regions() -> None:
    summary = pd.DataFrame({"year": [2012, 2013, 2014, 2015], "regions": [250, 282, 254, 253]})
    assert latest_complete_year(summary) == 2014  # 0.9 × 282 = 253.8: 254 is enough, 253 is not
    summary.loc[3, "regions"] = 260
    assert latest_complete_year(summary) == 2015
    cells = pd.DataFrame({"region": ["A", "B", "A"], "year": [2010, 2010, 2011]})
    assert latest_complete_year(cells) == 2010  # 2011 has 1 of 2 regions


def test_the_warehouse_adds_new_result_columns_to_an_older_table(tmp_path, run_map) -> None:
    res = run_map(panel(ROWS, flag=FLAGS), suppression="two-way", min_employment=0)
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        old = res.cells.drop(columns=["employment_low", "employment_high", "imputation_policy", "flags"])
        wh.con.register("_old", old)
        wh.con.execute("CREATE TABLE results_stars AS SELECT 'old'::VARCHAR AS run_id, * FROM _old")
        run_id = wh.save_run(res, dataset="tiny")
        record, cells = wh.run(run_id)
        assert {"employment_low", "employment_high", "imputation_policy", "flags"} <= set(cells.columns)
        assert cell(type("R", (), {"cells": cells})(), "R1", "C10")["imputation_policy"] == "two-way"
        recorded = json.loads(record["provenance"])["default_year"]
        assert recorded == 2012 == latest_complete_year(cells[["region", "year"]])
