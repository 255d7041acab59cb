"""Wage bills of imputed cells (clustermap.imputation.wages): tiny hand-checked tables and the real SBS panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clustermap.imputation.engine import two_way_frame
from clustermap.imputation.wages import impute_wages, wage_prior_rates

REGIONS = ["DE", "DE", "DE", "DE1", "DE1", "DE1", "DE2", "DE2", "DE2"]
INDUSTRIES = ["C", "C10", "C29"] * 3


def _table(employment: list, wages: list, flags: list | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": REGIONS,
            "industry": INDUSTRIES,
            "year": 2014,
            "employment": employment,
            "wages": wages,
            "flag": flags or [""] * 9,
        }
    )


def test_the_wage_bill_follows_the_employment_at_the_industry_rate() -> None:
    # national rates: C10 2.4 / 60 = 0.04, C29 2.6 / 40 = 0.065 per person. The four regional wage bills are
    # confidential; employment × rate is 1.6 + 0.65 = 2.25 (DE1) and 0.8 + 1.95 = 2.75 (DE2), which meets every
    # published wage total, so it is the solution. The default prior (regional size × national structure of the
    # wage bills) would give DE1 × C10 2.25 / 5 × 2.4 = 1.08 before adjustment instead.
    t = _table(
        [100, 60, 40, 50, 40, 10, 50, 20, 30],
        [5.0, 2.4, 2.6, 2.25, None, None, 2.75, None, None],
    )
    out = impute_wages(t)
    f = out.frame.set_index(["region", "industry"])
    assert_allclose(f.loc[("DE1", "C10"), "wages"], 1.6, atol=1e-6)
    assert_allclose(f.loc[("DE1", "C29"), "wages"], 0.65, atol=1e-6)
    assert_allclose(f.loc[("DE2", "C10"), "wages"], 0.8, atol=1e-6)
    assert_allclose(f.loc[("DE2", "C29"), "wages"], 1.95, atol=1e-6)
    assert f["wages_imputed"].sum() == 4 and not f.loc[("DE", "C"), "wages_imputed"]
    assert out.stats["wage_imputed"] == 4 and out.stats["prior_from_rate"] == 4


def test_published_wage_totals_hold_when_the_rates_do_not_fit() -> None:
    # employment imputed first (two-way), then wages: the regional wage bills must add up to the published
    # regional and national totals whatever the prior says
    t = _table(
        [100, 60, 40, 50, None, None, 50, None, 20],
        [6.0, 2.4, 3.6, 3.0, None, None, 3.0, None, 1.4],
        ["", "", "", "", "c", "c", "", "c", ""],
    )
    filled = two_way_frame(t.drop(columns="wages")).merge(t[["region", "industry", "wages"]], on=["region", "industry"])
    out = impute_wages(filled).frame.set_index(["region", "industry"])
    w = out["wages"]
    assert_allclose(w["DE1", "C10"] + w["DE1", "C29"], 3.0, atol=1e-6)
    assert_allclose(w["DE2", "C10"] + 1.4, 3.0, atol=1e-6)
    assert_allclose(w["DE1", "C10"] + w["DE2", "C10"], 2.4, atol=1e-6)
    assert_allclose(w["DE1", "C29"] + 1.4, 3.6, atol=1e-6)
    assert out["wages_imputed"].sum() == 3


def test_unbounded_wages_stay_unknown_and_no_persons_means_no_wages() -> None:
    # only DE2's wage bill is published: DE2 × C10 is the one unknown of its family (DE2 × C29 employs nobody,
    # published 0, so its wage bill is 0), hence 2.5; nothing bounds DE1's or the national wage bills from
    # above: they stay unknown (null) and are counted, never 0
    t = _table(
        [100, 60, 40, 50, 40, 10, 50, 50, 0],
        [None, None, None, None, None, None, 2.5, None, None],
    )
    out = impute_wages(t)
    f = out.frame.set_index(["region", "industry"])
    assert f.loc[("DE2", "C29"), "wages"] == 0.0 and not f.loc[("DE2", "C29"), "wages_imputed"]
    assert_allclose(f.loc[("DE2", "C10"), "wages"], 2.5, atol=1e-6)
    assert f.loc[("DE2", "C10"), "wages_imputed"]
    unknown = [("DE", "C"), ("DE", "C10"), ("DE", "C29"), ("DE1", "C"), ("DE1", "C10"), ("DE1", "C29")]
    assert f.loc[unknown, "wages"].isna().all() and not f.loc[unknown, "wages_imputed"].any()
    assert out.stats["wage_zero_for_no_persons"] == 1
    assert out.stats["wage_left_unknown"] == 6 == out.stats["wage_left_unknown_with_employment"]


def test_rates_come_from_the_nearest_published_ancestor() -> None:
    t = pd.DataFrame(
        {
            "region": ["DE", "DE9", "DE91", "DE92"],
            "industry": "C29",
            "year": 2014,
            "employment": [100.0, 50.0, 20.0, 30.0],
            "wages": [5.0, 3.0, None, None],
            "imputed": [False, False, True, False],
        }
    )
    rates = wage_prior_rates(t)
    assert np.isnan(rates[0])  # the country has no ancestor
    assert_allclose(rates[1], 0.05)  # DE9 → DE
    assert_allclose(rates[2:], [0.06, 0.06])  # DE91, DE92 → DE9


@pytest.mark.slow
def test_de91_automotive_2014_gets_a_wage_bill(mirror: Path) -> None:
    from clustermap.loaders.eurostat import load_sbs

    frame = load_sbs(mirror=mirror, nuts_level=None, years=[2014], wages=True).frame
    de = frame[frame["region"].str.startswith("DE")]
    before = de.set_index(["region", "industry"])
    assert np.isnan(before.loc[("DE91", "C29"), "employment"]) and np.isnan(before.loc[("DE91", "C29"), "wages"])
    out = impute_wages(two_way_frame(de))
    f = out.frame.set_index(["region", "industry"])
    cell = f.loc[("DE91", "C29")]
    assert cell["imputed"] and cell["wages_imputed"]
    assert cell["employment"] > 0 and cell["wages"] > 0
    # paid near the German C29 rate (51,814.3 EUR million / 906,405 persons = 57,165 EUR per person)
    per_person = cell["wages"] / cell["employment"] * 1e6
    assert 0.5 * 57_165 < per_person < 1.5 * 57_165
    # the published national C29 wage bill is met by the NUTS-1 bills (published or imputed)
    nuts1 = f.loc[[(r, "C29") for r in f.index.get_level_values(0).unique() if len(r) == 3], "wages"]
    assert_allclose(nuts1.sum(), f.loc[("DE", "C29"), "wages"], rtol=0.02)
    assert out.stats["wage_left_unknown_with_employment"] <= out.stats["wage_unknown_with_employment"]


def test_the_panorama_map_counts_imputed_wages() -> None:
    # an input imputed beforehand (as the main job's sbs_two_way writes it): E's employment and wage bill are
    # imputed; its productivity is known (0.005 / 1000 persons) and the imputed part of its wages is reported
    from clustermap.definitions.categories import resolve_categories
    from clustermap.engines.backends import connect, to_backend
    from clustermap.mapping import map_observations

    frame = pd.DataFrame(
        {
            "region": list("ABCDE"),
            "industry": "X",
            "year": 2012,
            "employment": 1000.0,
            "establishments": np.nan,
            "wages": [1.0, 2.0, 3.0, 4.0, 5.0],
            "flag": ["", "", "", "", "c"],
            "size_class": "",
            "imputed": [False, False, False, False, True],
            "employment_low": [1000.0] * 4 + [500.0],
            "employment_high": [1000.0] * 4 + [2000.0],
            "wages_imputed": [False, False, False, False, True],
        }
    )
    con = connect("duckdb")
    cats = resolve_categories("none", ["X"])
    res = map_observations(
        to_backend(con, frame),
        categories=cats,
        methodology="panorama",
        min_employment=0,
        productivity_rule="ratio",
        productivity_ratio=1.5,
    )
    cells = res.cells.set_index("region")
    assert cells.loc["E", "wages_per_person"] == pytest.approx(0.005)
    assert cells.loc["E", "imputed_wages"] == pytest.approx(5.0) and cells.loc["A", "imputed_wages"] == 0.0
    # against the category's 15 / 5000 = 0.003: E 1.67 (a star at ratio 1.5), D 1.33 (none)
    assert cells.loc["E", "productivity_star"] == 1 and cells.loc["D", "productivity_star"] == 0


@pytest.mark.slow
def test_the_main_jobs_panorama_input_pays_de91_automotive_2014(mirror: Path) -> None:
    # the main job's input (sbs_two_way with wages) mapped with panorama: the imputed DE91 automotive cell has a
    # productivity value, and the part of its wages that is imputed is reported
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines.backends import connect, to_backend
    from clustermap.jobs import sbs_two_way
    from clustermap.mapping import map_observations

    frame, provenance = sbs_two_way(mirror=mirror, years=[2014], wages=True)
    assert provenance["wage_imputation"]["wage_imputed"] > 0
    row = frame[(frame["region"] == "DE91") & (frame["industry"] == "C29")].iloc[0]
    assert row["imputed"] and row["wages_imputed"] and row["wages"] > 0
    res = map_observations(
        to_backend(connect("duckdb"), frame),
        categories=load_category_set("eco-nace2", mirror=mirror),
        methodology="panorama",
        years=[2014],
    )
    cells = res.cells.set_index(["region", "category"])
    auto = cells.loc[("DE91", "automotive")]
    assert auto["imputed"] and auto["imputed_wages"] == pytest.approx(row["wages"])
    assert auto["wages_per_person"] == pytest.approx(row["wages"] / row["employment"])
    assert np.isfinite(auto["relative_productivity"])
