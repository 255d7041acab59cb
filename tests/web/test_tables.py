"""The tables and charts of the site on tiny hand-made cells (values checked by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from tests.web.reference import map_classes

from clustermap.web import charts
from clustermap.web.api import tables as t


def _cells() -> pd.DataFrame:
    # one category in three regions: employment 60 / 30 / 10 of totals 100 / 300 / 600
    return pd.DataFrame(
        {
            "region": ["A", "B", "C"],
            "region_name": ["Alpha", "Beta", "Gamma"],
            "category": "x",
            "category_name": "X",
            "year": 2014,
            "employment": [60.0, 30.0, 10.0],
            "region_total": [100.0, 300.0, 600.0],
            "lq": [6.0, 1.0, 1 / 6],
            "stars": [3, 1, 0],
            "strong": [True, False, False],
        }
    )


def test_concentration_by_hand() -> None:
    c = t.concentration(_cells())
    assert c["employment"] == 100 and c["regions"] == 3
    assert c["share_in_strong_clusters"] == pytest.approx(0.6)
    assert c["share_in_clusters"] == pytest.approx(0.9)
    assert c["herfindahl"] == pytest.approx(0.36 + 0.09 + 0.01)
    # Hoover: ½ (|0.6 − 0.1| + |0.3 − 0.3| + |0.1 − 0.6|) = 0.5
    assert c["hoover"] == pytest.approx(0.5)
    # Lorenz points sorted by LQ (C, B, A): x = 0, .6, .9, 1; y = 0, .1, .4, 1
    # Gini = 1 − Σ (Δx)(y_k + y_{k−1}) = 1 − (.6·.1 + .3·.5 + .1·1.4) = 0.65
    assert c["gini"] == pytest.approx(0.65)
    assert c["top10_share"] == pytest.approx(1.0)


def test_category_change_and_region_tables() -> None:
    two = pd.concat([_cells(), _cells().assign(year=2015, stars=[2, 0, 0])], ignore_index=True)
    change = t.category_change(two)
    assert change["year"].tolist() == [2014, 2015]
    assert change["clusters"].tolist() == [2, 1] and change["clusters_3_star"].tolist() == [1, 0]
    region = t.region_change(two[two["region"] == "A"])
    assert region["stars"].tolist() == [3, 2] and region["share_in_clusters"].tolist() == [0.6, 0.6]
    wide = t.region_category_years(two[two["region"] == "B"])
    assert wide.to_dict("records") == [{"category": "x", "category_name": "X", "2014": 1, "2015": 0}]
    by_stars, by_emp = t.figure3(_cells(), top=2)
    assert by_stars["region"].tolist() == ["A", "B"] and by_emp["rank"].tolist() == [1, 2]


def test_map_classes() -> None:
    lq = pd.Series([0.2, 0.5, 1.99, 2.0, 3.0, math.nan])
    classes, idx = map_classes(lq, "lq")
    assert [c["label"] for c in classes] == ["< 0.5", "0.5 – < 1", "1 – < 1.5", "1.5 – < 2", "2 – < 3", "≥ 3"]
    assert idx.tolist() == [0, 1, 3, 4, 5, -1]  # 2 is the specialisation threshold: in the "2 – < 3" class
    stars, sidx = map_classes(pd.Series([0, 3, 1, None]), "stars")
    assert [c["count"] for c in stars] == [1, 1, 0, 1] and sidx.tolist() == [0, 3, 1, -1]
    assert [c["color"] for c in stars] == list(t.STAR_COLOURS)
    emp, eidx = map_classes(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 100.0]), "employment")
    assert sum(c["count"] for c in emp) == 6 and eidx.iloc[-1] == len(emp) - 1


def test_charts_are_accessible_svg() -> None:
    rows = [{"category_name": "X", "lq": 6.0, "stars": 3}, {"category_name": "Y", "lq": 0.5, "stars": 0}]
    svg = str(charts.lq_chart(rows, title="LQ of Alpha", ident="c1"))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">LQ of Alpha</title>' in svg and "1 at or above 2" in svg
    change = [{"year": 2014, "clusters_1_star": 2, "clusters_2_star": 1, "clusters_3_star": 0}]
    assert "2014: 2 1 star, 1 2 star, 0 3 star" in str(charts.change_chart(change, title="c", ident="c2"))
    line = str(charts.line_chart([{"year": 2014, "v": 0.5}], "v", title="s", label="Share", ident="c3", percent=True))
    assert "2014: 50.0 %" in line
