"""Change over time: kinds of change, the star transition matrix and employment growth by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.analyses.conftest import cells

from clustermap import analyses as an
from clustermap.analyses import MissingInputError

# region, category, year, employment, region_total, lq, stars
ROWS = [
    ("A", "x", 2008, 100.0, 1000.0, 1.0, 0),
    ("A", "x", 2014, 150.0, 1100.0, 2.5, 2),  # emerged (0 → 2)
    ("A", "y", 2008, 300.0, 1000.0, 3.0, 3),
    ("A", "y", 2014, 200.0, 1100.0, 1.5, 1),  # lost (3 → 1)
    ("B", "x", 2008, 50.0, 500.0, 2.2, 1),
    ("B", "x", 2014, 40.0, 400.0, 0.8, 0),  # disappeared (1 → 0)
    ("B", "y", 2008, 10.0, 500.0, 0.1, 0),
    ("B", "y", 2014, 20.0, 400.0, 0.2, 0),  # none
    ("C", "x", 2008, 80.0, 800.0, 1.1, 1),
    ("C", "x", 2014, 90.0, 900.0, 2.1, 2),  # gained (1 → 2)
    ("C", "y", 2008, 70.0, 800.0, 1.0, 2),  # y not published in 2014: left out of the transitions
    ("D", "x", 2014, 60.0, 600.0, 1.0, 1),  # D only in 2014: not a common region
]


@pytest.fixture
def panel() -> pd.DataFrame:
    return cells(ROWS)


def test_kinds_and_transition_matrix(panel) -> None:
    ch = an.star_changes(panel, 2008, 2014)
    kinds = dict(zip(zip(ch["region"], ch["category"], strict=True), ch["change"], strict=True))
    assert kinds == {
        ("A", "x"): "emerged",
        ("A", "y"): "lost",
        ("B", "x"): "disappeared",
        ("B", "y"): "none",
        ("C", "x"): "gained",
        ("C", "y"): "not comparable",  # absent in 2014: not "disappeared", and its 2014 employment unknown, not 0
    }
    cy = ch[(ch["region"] == "C") & (ch["category"] == "y")].iloc[0]
    assert cy["employment_from"] == 70 and pd.isna(cy["employment_to"]) and pd.isna(cy["stars_to"])
    assert ch.attrs["regions_common"] == 3 and ch.attrs["regions_only_to"] == ["D"]
    assert ch.attrs["cells_in_one_year_only"] == 1
    m = an.transition_matrix(ch)
    assert m.loc[0, 2] == 1 and m.loc[3, 1] == 1 and m.loc[1, 0] == 1 and m.loc[0, 0] == 1 and m.loc[1, 2] == 1
    assert m.to_numpy().sum() == 5 and m.shape == (4, 4)
    s = an.change_summary(ch).set_index("change")["cells"]
    assert s[["emerged", "disappeared", "gained", "lost", "unchanged", "none", "not comparable"]].tolist() == [
        1,
        1,
        1,
        1,
        0,
        1,
        1,
    ]
    assert s["ceased to be 3-star"] == 1 and s["became 3-star"] == 0


def test_employment_growth_by_hand(panel) -> None:
    g = an.employment_growth(panel, 2008, 2014).set_index("category")
    # x over A, B, C: 230 → 280; y over A, B only (C/y absent in 2014 is not comparable, D not common): 310 → 220
    assert g.loc["x", "employment_from"] == 230 and g.loc["x", "employment_to"] == 280
    assert g.loc["x", "growth"] == pytest.approx(280 / 230 - 1)
    assert g.loc["x", "annual_growth"] == pytest.approx((280 / 230) ** (1 / 6) - 1)
    assert g.loc["y", "employment_from"] == 310 and g.loc["y", "employment_to"] == 220
    assert g.attrs["cells_not_comparable"] == 1 and (g["coverage"] == 1).all() and g["ranked"].all()
    rc = an.employment_growth(panel, 2008, 2014, by="region_category").set_index(["region", "category"])
    assert rc.loc[("C", "y"), "employment_from"] == 70 and pd.isna(rc.loc[("C", "y"), "employment_to"])
    assert not rc.loc[("C", "y"), "comparable"] and pd.isna(rc.loc[("C", "y"), "growth"])
    r = an.employment_growth(panel, 2008, 2014, by="region").set_index("region")
    assert r.loc["B", "total_growth"] == pytest.approx(400 / 500 - 1)
    assert r.loc["A", "change"] == -50


def test_flagged_cells_are_marked_and_left_out_of_the_growth(panel) -> None:
    # A/x carries a break in series (b) in 2014: marked in the changes, out of the growth of x (80+50 → 90+40)
    flags = ["", "b,e", "", "", "", "", "", "", "", "", "", ""]
    ch = an.star_changes(cells(ROWS, flags=flags), 2008, 2014)
    ax = ch[(ch["region"] == "A") & (ch["category"] == "x")].iloc[0]
    assert ax["flagged"] and ax["change"] == "emerged" and ch.attrs["cells_flagged"] == 1
    assert an.change_summary(ch).set_index("change").loc["flagged b, i or u in either year", "cells"] == 1
    g = an.employment_growth(cells(ROWS, flags=flags), 2008, 2014)
    x = g.set_index("category").loc["x"]
    assert x["employment_from"] == 130 and x["employment_to"] == 130 and x["cells"] == 2
    assert g.attrs["cells_flagged"] == 1
    # an estimate (e) alone is no reason to leave a cell out
    only_e = an.employment_growth(cells(ROWS, flags=[f.replace("b,", "") for f in flags]), 2008, 2014)
    assert only_e.set_index("category").loc["x", "employment_from"] == 230


def test_groups_under_the_minimum_coverage_are_not_ranked(panel) -> None:
    # category y: A/y 300 → 200 of which 250 imputed in 2008, B/y published: coverage 2008 = (50 + 10) / 310
    imputed = [0.0, 0.0, 250.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    g = an.employment_growth(cells(ROWS, imputed_employment=imputed), 2008, 2014).set_index("category")
    assert g.loc["y", "coverage"] == pytest.approx(60 / 310)
    assert not g.loc["y", "ranked"] and pd.isna(g.loc["y", "growth"])
    assert g.loc["x", "ranked"] and g.loc["x", "growth"] == pytest.approx(280 / 230 - 1)
    lenient = an.employment_growth(cells(ROWS, imputed_employment=imputed), 2008, 2014, min_coverage=0.1)
    assert lenient.set_index("category").loc["y", "growth"] == pytest.approx(220 / 310 - 1)
    assert g.index[-1] == "y"  # unranked last


def test_cluster_shares_by_year(panel) -> None:
    t = an.cluster_shares_by_year(panel).set_index("year")
    # common regions A, B, C; 2008: clusters A/y 300, B/x 50, C/x 80, C/y 70 = 500 of 2300
    assert t.loc[2008, "regions"] == 3
    assert t.loc[2008, "share_in_clusters"] == pytest.approx(500 / 2300)
    # 2014: A/x 150, A/y 200, C/x 90 = 440 of 2400
    assert t.loc[2014, "share_in_clusters"] == pytest.approx(440 / 2400)
    assert t.loc[2014, "clusters_2_star"] == 2


def test_missing_year_is_named(panel) -> None:
    with pytest.raises(MissingInputError, match="2011"):
        an.star_changes(panel, 2011, 2014)


@pytest.mark.realdata
def test_real_change(real) -> None:
    eu = real["eu"]
    ch = an.star_changes(eu.cells, 2008, 2014)
    m = an.transition_matrix(ch)
    assert m.to_numpy().sum() == (ch["change"] != "not comparable").sum()
    assert ch.attrs["regions_common"] > 240 and ch.attrs["categories_common"] == eu.cells["category"].nunique()
    # the default EU results are imputed two-way: no cell of >= 1,000 persons falls to 0 (DEA1 / DEA3 oil and gas,
    # Norway distribution, DE11 aerospace did under drop), none is called "disappeared" for being unpublished
    both = ch[ch["change"] != "not comparable"]
    fell = both[(both["employment_from"] >= 1000) & (both["employment_to"] < 1)]
    # what is left: published zeros (Norway's 2014 NUTS-2 wholesale cells, coal mines that closed) and cells the
    # imputation puts at about 0 because their published bounds allow it (and say so)
    cells14 = eu.cells[eu.cells["year"] == 2014].set_index(["region", "category"])
    for row in fell.itertuples():
        cell = cells14.loc[(row.region, row.category)]
        assert not cell["imputed"] or cell["employment_low"] < 1, (row.region, row.category)
    assert len(fell) < 20
    assert ch["imputed_to"].sum() > 100 and ch.attrs["cells_flagged"] > 0
    g = an.employment_growth(eu.cells, 2008, 2014)
    assert g["coverage"].between(0, 1).all() and g.attrs["cells_flagged"] > 0
    de11 = ch.set_index(["region", "category"]).loc[("DE11", "aerospace")]
    assert de11["employment_to"] > 1000 and de11["change"] != "not comparable"
    t = an.cluster_shares_by_year(eu.cells, [2008, 2014])
    assert t["regions"].nunique() == 1 and t["share_in_clusters"].between(0.1, 0.5).all()


def test_a_change_within_the_published_bounds_is_not_determined(panel) -> None:
    # A/x imputed in 2014 at 150 with published bounds 90-400: 2008's 100 lies inside, the data cannot tell
    # whether it grew; B/x imputed in 2014 at 40 with bounds 0-45 against 50 in 2008: it fell, whatever the value
    n = len(ROWS)
    imputed = [False] * n
    low, high = [r[3] for r in ROWS], [r[3] for r in ROWS]
    imputed[1], low[1], high[1] = True, 90.0, 400.0
    imputed[5], low[5], high[5] = True, 0.0, 45.0
    frame = cells(ROWS, imputed=imputed, employment_low=low, employment_high=high)
    frame["imputed_employment"] = frame["employment"].where(frame["imputed"], 0.0)
    ch = an.star_changes(frame, 2008, 2014).set_index(["region", "category"])
    assert not ch.loc[("A", "x"), "determined"] and ch.loc[("A", "x"), "imputed_to"]
    assert ch.loc[("B", "x"), "determined"] and ch.loc[("B", "y"), "determined"]
    assert ch.attrs["cells_undetermined"] == 1
    s = an.change_summary(ch.reset_index()).set_index("change")["cells"]
    assert s["change within the published bounds (not determined)"] == 1 and s["resting on imputed cells"] == 2
