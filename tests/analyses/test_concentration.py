"""Concentration: Gini, Hoover and Herfindahl by hand; the ibis aggregation against the hand values on DuckDB
and PySpark."""

from __future__ import annotations

import math

import pytest
from tests.analyses.conftest import cells

from clustermap import analyses as an
from clustermap.engines.backends import connect, to_backend


def test_gini_by_hand() -> None:
    # all of the category in A (half of total employment): Lorenz (0,0) (0.5,0) (1,1) → area 0.25 → G = 0.5
    assert an.gini([10, 0], [100, 100]) == pytest.approx(0.5)
    # spread exactly like total employment → 0
    assert an.gini([1, 2, 3], [10, 20, 30]) == pytest.approx(0.0)
    # regions by E/T: C (0), B (0.1), A (0.5); x = 0, .5, .75, 1 (T 20, 10, 10 of 40); y = 0, 0, 1/6, 1
    # Σ dx (y_k + y_k-1) = .5·0 + .25·(1/6) + .25·(1 + 1/6) = 1/3 → G = 2/3
    assert an.gini([5, 1, 0], [10, 10, 20]) == pytest.approx(2 / 3)


def test_hoover_and_herfindahl_by_hand() -> None:
    # shares of E: .5 .5 0 ; of T: .25 .25 .5 → ½(.25 + .25 + .5) = 0.5
    assert an.hoover([5, 5, 0], [10, 10, 20]) == pytest.approx(0.5)
    assert an.hoover([1, 2], [10, 20]) == pytest.approx(0.0)
    assert an.herfindahl([1, 1, 2]) == pytest.approx(0.375)  # .25² + .25² + .5²
    assert an.herfindahl([7]) == 1.0
    assert math.isnan(an.gini([0, 0], [1, 1]))


def test_category_concentration_by_hand(tiny) -> None:
    c = an.category_concentration(tiny).set_index("category")
    # x: all 10 in A; T shares .4 .4 .2 → Gini: order C(0) B(0) A(.1): x .2 .6 1, y 0 0 1 → 1 − .4·1 = .6
    assert c.loc["x", "gini"] == pytest.approx(0.6)
    assert c.loc["x", "hoover"] == pytest.approx(0.6)  # ½(|1−.4| + .4 + .2)
    assert c.loc["x", "herfindahl"] == pytest.approx(1.0)
    assert c.loc["x", "strong_share"] == pytest.approx(1.0)  # A's LQ 2.5 > 2
    assert c.loc["x", "top_region"] == "A" and c.loc["x", "top_region_share"] == pytest.approx(1.0)
    # y: A 5 (T 100), B missing → 0 (T 100), C 5 (T 50); order B(0) A(.05) C(.1): x .4 .8 1, y 0 .5 1
    # Σ = .4·0 + .4·.5 + .2·1.5 = .5 → G = .5; Hoover ½(|.5−.4| + |0−.4| + |.5−.2|) = .4
    assert c.loc["y", "gini"] == pytest.approx(0.5)
    assert c.loc["y", "hoover"] == pytest.approx(0.4)
    assert c.loc["y", "herfindahl"] == pytest.approx(0.5)
    assert c.loc["y", "strong_share"] == pytest.approx(0.5)  # C's 5 of 10
    assert c.loc["y", "regions"] == 3 and c.loc["y", "regions_with_employment"] == 2
    assert c.loc["y", "top_region"] == "A"  # tie A = C: the smallest code
    assert c.loc["y", "clusters"] == 1 and c.loc["y", "category_name"] == "Y"


def test_ellison_glaeser_by_hand() -> None:
    # s = (1, 0), x = (.5, .5): G = .25 + .25 = .5; 1 − Σx² = .5 → γ = 1: all of it in one of two equal regions
    assert an.ellison_glaeser([10, 0], [100, 100]) == pytest.approx(1.0)
    assert an.ellison_glaeser([1, 2], [10, 20]) == pytest.approx(0.0)  # spread like total employment
    # plant Herfindahl H = .5: (1 − .5) / (1 − .5) = 1
    assert an.ellison_glaeser([10, 0], [100, 100], plant_herfindahl=0.5) == pytest.approx(1.0)
    # s = (.5, .5, 0), x = (.25, .25, .5): G = .0625 + .0625 + .25 = .375; 1 − Σx² = .625 → .6
    assert an.ellison_glaeser([5, 5, 0], [10, 10, 20]) == pytest.approx(0.6)


def test_eg_is_zero_on_average_under_random_location_whatever_the_regions() -> None:
    """The property that makes EG comparable across region sets: 100 equal plants (H = 1/100) thrown at random in
    proportion to total employment give E[γ] = 0 over 5 large regions and over 60 small ones, while the locational
    Gini of the same random placements rises with the number of regions (small regions get 0 or 1 plants)."""
    import numpy as np

    rng = np.random.default_rng(11)
    plants = 100
    means = {}
    for n in (5, 60):
        totals = rng.uniform(1.0, 3.0, n)
        p = totals / totals.sum()
        draws = rng.multinomial(plants, p, size=1500).astype(float)
        eg = [an.ellison_glaeser(d, totals, plant_herfindahl=1 / plants) for d in draws]
        gi = [an.gini(d, totals) for d in draws]
        means[n] = (float(np.mean(eg)), float(np.mean(gi)))
    assert abs(means[5][0]) < 0.005 and abs(means[60][0]) < 0.005
    assert means[60][1] > means[5][1] + 0.2


def test_category_concentration_eg_and_unknown_cells(tiny) -> None:
    c = an.category_concentration(tiny).set_index("category")
    # x: s = (1, 0, 0), x = (.4, .4, .2): G = .36 + .16 + .04 = .56; Σx² = .36 → .56 / .64 = .875
    assert c.loc["x", "eg"] == pytest.approx(0.875)
    assert c.loc["x", "eg"] == pytest.approx(an.ellison_glaeser([10, 0, 0], [100, 100, 50]))
    assert (c["regions_unknown"] == 0).all()
    # B's y cell confidential (a row with null employment): B leaves y's measures, it is not a 0
    masked = cells().copy()
    masked.loc[len(masked)] = ["B", "y", 2010, float("nan"), 100.0, float("nan"), 0, "Y"]
    m = an.category_concentration(masked).set_index("category")
    assert m.loc["y", "regions_unknown"] == 1 and m.loc["y", "regions"] == 2
    # y over A (5 of T 100) and C (5 of T 50): order A (.05), C (.1); x 2/3, 1; y .5, 1 → 1 − (2/3·.5 + 1/3·1.5)
    assert m.loc["y", "gini"] == pytest.approx(1 - (2 / 3 * 0.5 + 1 / 3 * 1.5))
    assert m.loc["y", "gini"] != pytest.approx(c.loc["y", "gini"])
    assert m.loc["y", "gini"] == pytest.approx(an.gini([5, 5], [100, 50]))
    # imputed cells: kept by default, unknown with imputed="exclude"
    imp = cells(imputed=[False, False, False, False, True])
    assert an.category_concentration(imp).set_index("category").loc["y", "regions_unknown"] == 0
    ex = an.category_concentration(imp, imputed="exclude").set_index("category")
    assert ex.loc["y", "regions_unknown"] == 1 and ex.loc["y", "employment"] == 5.0


def test_concentration_summary(tiny) -> None:
    s = an.concentration_summary(an.category_concentration(tiny))
    assert s["mean_strong_share"] == pytest.approx(0.75)
    assert s["pooled_strong_share"] == pytest.approx(15 / 20)
    assert (s["max_category"], s["min_category"]) == ("X", "Y")
    assert s["below_10pct"] == 0 and s["above_70pct"] == 1


def test_category_ranking_figure3(tiny) -> None:
    r = an.category_ranking(tiny, "y", top=2, names={"A": "Alpha"})
    assert r["by_stars_region"].tolist() == ["C", "A"]
    assert r["by_employment_region"].tolist() == ["A", "C"]  # equal employment: by code
    assert r.loc[1, "by_stars_name"] == "Alpha"
    with pytest.raises(LookupError, match="no category 'z'"):
        an.category_ranking(tiny, "z")


@pytest.mark.parametrize("backend", ["duckdb", pytest.param("pyspark", marks=pytest.mark.pyspark)])
def test_same_result_on_every_backend(backend) -> None:
    frame = cells()
    con = connect(backend)
    table = to_backend(con, frame.drop(columns="category_name"))
    got = an.category_concentration(table).drop(columns="category_name").set_index("category").sort_index()
    want = an.category_concentration(frame).drop(columns="category_name").set_index("category").sort_index()
    assert got.round(12).equals(want.round(12))
    pg = an.region_portfolios(table, names=False).set_index("region").sort_index()
    pw = an.region_portfolios(frame, names=False).set_index("region").sort_index()
    assert pg.round(12).equals(pw.round(12))


@pytest.mark.realdata
def test_real_concentration(real) -> None:
    eu, us = real["eu"], real["us"]
    c = an.category_concentration(eu.cells, year=2014)
    assert len(c) == 30 and c["gini"].between(0, 1).all() and c["hoover"].between(0, 1).all()
    by = c.set_index("category")
    # footwear is among the concentrated categories, distribution (wholesale) among the dispersed ones
    assert by.loc["footwear-and-leather", "strong_share"] > 0.5 > by.loc["distribution", "strong_share"]
    assert by.loc["footwear-and-leather", "gini"] > by.loc["distribution", "gini"]
    # the same function on the US side; the comparison covers every common category
    cu = an.category_concentration(us.cells)
    cmp = an.compare_concentration(c, cu)
    assert len(cmp) == 30
    assert an.concentration_verdict(cmp)["categories"] == 30
