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


def test_us_category_set_takes_a_given_set() -> None:
    from clustermap.analyses.inputs import us_category_set

    assert us_category_set(2011, categories=US_SET) is US_SET


@pytest.mark.realdata
def test_common_category_set_for_cbp(mirror) -> None:
    from clustermap.analyses.inputs import us_category_set

    cs = us_category_set(2011, mirror=mirror)
    assert cs.name == "eco-nace2-naics2007" and len(cs.traded_categories) == 29
