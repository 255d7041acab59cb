"""EU vs US from the same code: comparisons by hand, and the US mapped on a hand-made common category set."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap import analyses as an
from clustermap.analyses import MissingInputError
from clustermap.api import map_clusters
from clustermap.definitions.categories import CategorySet


def _set(name: str, rows: list[tuple[str, str]]) -> CategorySet:
    cw = pd.DataFrame(
        {
            "industry": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "category_name": [r[1].title() for r in rows],
            "traded": [r[1] != "local" for r in rows],
            "share": 1.0,
            "industry_title": "",
        }
    )
    cats = cw.drop_duplicates("category")[["category", "category_name", "traded"]].reset_index(drop=True)
    return CategorySet(name=name, version="test", crosswalk=cw, categories=cats, source="hand-made", licence="none")


EU_SET = _set("eu-test", [("C29", "automotive"), ("C30", "aerospace"), ("G47", "local")])
US_SET = _set("us-test", [("336111", "automotive"), ("336411", "aerospace"), ("452112", "local")])


def _map(rows, categories):
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    return map_clusters(frame, categories=categories, full=True, min_employment=0)


def test_same_code_on_both_sides_with_hand_made_sets() -> None:
    eu = _map(
        [
            ("E1", "C29", 2014, 90),
            ("E1", "C30", 2014, 10),
            ("E1", "G47", 2014, 100),
            ("E2", "C29", 2014, 10),
            ("E2", "C30", 2014, 10),
            ("E2", "G47", 2014, 180),
        ],
        EU_SET,
    )
    us = _map(
        [
            ("01", "336111", 2011, 100),
            ("01", "336411", 2011, 0),
            ("01", "452112", 2011, 100),
            ("02", "336111", 2011, 0),
            ("02", "336411", 2011, 20),
            ("02", "452112", 2011, 280),
        ],
        US_SET,
    )
    ce, cu = an.category_concentration(eu.cells), an.category_concentration(us.cells)
    cmp = an.compare_concentration(ce, cu).set_index("category")
    # automotive: EU 90/10 over equal totals; US 100/0 → the US is more concentrated
    assert cmp.loc["automotive", "us_gini"] > cmp.loc["automotive", "eu_gini"]
    assert cmp.loc["automotive", "more_concentrated_in"] == "US"
    v = an.concentration_verdict(cmp.reset_index())
    assert v["categories"] == 2 and v["more_concentrated_in_us"] == 2
    # Figure 9 on both sides from one function
    res = an.compare_strong_shares(an.region_shares(eu.cells, names=False), an.region_shares(us.cells, names=False))
    assert res["us"]["n"] == 2 and res["eu"]["n"] == 2
    # 01: automotive, LQ (100/200)/(100/500) = 2.5 > 2, all of its traded employment
    assert res["us"]["max"] == pytest.approx(1.0)
    assert res["mean_gap"] == pytest.approx(1 - res["eu"]["mean"] / res["us"]["mean"])


def test_verdict_counts_by_hand() -> None:
    eu = pd.DataFrame(
        {
            "category": ["a", "b", "c"],
            "category_name": ["A", "B", "C"],
            "gini": [0.2, 0.5, 0.3],
            "strong_share": 0.1,
            "employment": 1.0,
        }
    )
    us = eu.assign(gini=[0.3, 0.4, 0.3])
    v = an.concentration_verdict(an.compare_concentration(eu, us))
    assert (v["more_concentrated_in_us"], v["more_concentrated_in_eu"], v["equal"]) == (1, 1, 1)
    with pytest.raises(MissingInputError, match="categories common"):
        an.compare_concentration(eu, us.assign(category=["x", "y", "z"]))


def test_units_and_years_are_stated() -> None:
    assert an.units_label(2) == "EU NUTS-2 regions" and an.units_label("nuts1") == "EU NUTS-1 regions"
    assert an.units_label("cbsa", count=933) == "US metropolitan and micropolitan areas (CBSAs), 933"
    assert an.units_label("economic-area") == "US BEA economic areas"
    with pytest.raises(LookupError, match="units"):
        an.units_label("province")
    same = an.match_year(range(2008, 2016), 2011)
    assert (same["eu_year"], same["gap"]) == (2011, 0) and "same year" in same["note"]
    # CBSAs 2019: the EU data end in 2015, which is incomplete: the nearest complete year is 2014, said so
    near = an.match_year(range(2008, 2016), 2019, complete=range(2008, 2015))
    assert (near["eu_year"], near["gap"]) == (2014, -5)
    assert "2019 is not in the EU data (2008-2015)" in near["note"] and "5 years apart" in near["note"]
    assert an.match_year([2010, 2012], 2011)["eu_year"] == 2012, "ties go to the later year"


def _cells(rows, imputed=None) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=["region", "category", "year", "employment", "region_total"])
    f["lq"] = 1.0
    f["category_name"] = f["category"]
    if imputed is not None:
        f["imputed"] = imputed
    return f


def test_like_for_like_states_units_and_handles_suppression_the_same_way() -> None:
    # EU: R1 holds all of x; R2's x is imputed (two-way) at 5. US: S1 all of x, S2's x size-class value 5.
    eu = _cells(
        [("R1", "x", 2011, 10.0, 100.0), ("R2", "x", 2011, 5.0, 100.0), ("R3", "x", 2011, 0.0, 100.0)],
        imputed=[False, True, False],
    )
    us = _cells(
        [("S1", "x", 2011, 10.0, 100.0), ("S2", "x", 2011, 5.0, 100.0), ("S3", "x", 2011, 0.0, 200.0)],
        imputed=[False, True, False],
    )
    kept = an.like_for_like(eu, us, eu_units="EU NUTS-1 regions", us_units="US states")
    assert kept["label"] == "US states (2011) vs EU NUTS-1 regions (2011)"
    assert (kept["eu_cells_imputed"], kept["us_cells_imputed"]) == (1, 1)
    assert (kept["eu_cells_unknown"], kept["us_cells_unknown"]) == (0, 0)
    g = kept["comparisons"]["gini"].set_index("category")
    assert g.loc["x", "eu_gini"] == pytest.approx(an.gini([10, 5, 0], [100, 100, 100]))
    assert g.loc["x", "us_gini"] == pytest.approx(an.gini([10, 5, 0], [100, 100, 200]))
    assert set(kept["verdicts"]["measure"]) == {"gini", "hoover", "eg"}
    v = an.concentration_verdict(kept["comparisons"]["eg"])
    assert "over US states than over EU NUTS-1 regions (eg)" in v["text"]
    # excluded on both sides: the imputed cells leave the measures, they are not zeros
    ex = an.like_for_like(eu, us, eu_units="EU NUTS-1 regions", us_units="US states", imputed="exclude")
    assert (ex["eu_cells_unknown"], ex["us_cells_unknown"]) == (1, 1)
    gx = ex["comparisons"]["gini"].set_index("category")
    assert gx.loc["x", "eu_gini"] == pytest.approx(an.gini([10, 0], [100, 100]))
    assert gx.loc["x", "us_gini"] == pytest.approx(an.gini([10, 0], [100, 200]))
    assert "both sides" in kept["suppression_note"] and kept["like_for_like"]
    mixed = an.like_for_like(eu, us, eu_units="EU", us_units="US", eu_policy="drop", us_policy="size-class")
    assert not mixed["like_for_like"] and "not like for like: EU drop vs US size-class" in mixed["suppression_note"]
    both = an.like_for_like(eu, us, eu_units="EU", us_units="US", eu_policy="two-way", us_policy="size-class")
    assert both["like_for_like"] and "EU two-way, US size-class" in both["suppression_note"]
    table = an.robustness([kept, ex])
    assert len(table) == 6 and set(table["imputed"]) == {"keep", "exclude"}
    assert {"pair", "eu_units", "us_units", "eu_regions", "us_regions", "share_us"} <= set(table.columns)


def test_us_category_set_takes_a_given_set() -> None:
    from clustermap.analyses.inputs import us_category_set

    assert us_category_set(2011, categories=US_SET) is US_SET


@pytest.mark.realdata
def test_common_category_set_for_cbp(mirror) -> None:
    from clustermap.analyses.inputs import us_category_set

    cs = us_category_set(2011, mirror=mirror)
    assert cs.name == "eco-nace2-naics2007" and len(cs.traded_categories) == 30  # 29 + coal mining


@pytest.mark.realdata
def test_real_like_for_like_on_region_sets_of_similar_size(real) -> None:
    """Issue 11 item 6: the verdict on NUTS-2 vs states, NUTS-1 vs states (similar sizes), with Gini, Hoover and
    Ellison-Glaeser; every label names its units; both sides from the same year (2011)."""
    from clustermap.warehouse import Warehouse

    eu, us = real["eu"], real["us"]
    year = an.match_year(eu.years, 2011)
    assert year["eu_year"] == 2011 and year["gap"] == 0
    with Warehouse(real["warehouse"]) as wh:
        obs = wh.observations("sbs_r_nuts06_r2@nuts2016").to_pandas()
    obs = obs[obs["year"] == 2011]
    nuts1 = an.map_at_nuts_level(obs, 1, version=2016, mirror=real["mirror"])
    assert 80 <= nuts1["region"].nunique() <= 110 and (nuts1["region"].str.len() == 3).all()
    pairs = [
        an.like_for_like(
            eu.cells, us.cells, eu_units=an.units_label(2), us_units=an.units_label("state"), eu_year=2011
        ),
        an.like_for_like(nuts1, us.cells, eu_units=an.units_label(1), us_units=an.units_label("state"), eu_year=2011),
    ]
    table = an.robustness(pairs)
    assert len(table) == 6 and (table["categories"] >= 25).all()
    assert set(table["pair"]) == {
        "US states (2011) vs EU NUTS-2 regions (2011)",
        "US states (2011) vs EU NUTS-1 regions (2011)",
    }
    by = table.set_index(["eu_units", "measure"])["more_concentrated_in_us"]
    # with NUTS-1 (regions of a size like states) the Gini verdict moves towards the US: the NUTS-2 result was
    # largely the smaller EU regions
    assert by[("EU NUTS-1 regions", "gini")] > by[("EU NUTS-2 regions", "gini")]
    assert table.loc[table["eu_units"] == "EU NUTS-1 regions", "eu_regions"].iloc[0] < 110
