"""``/api/regions/{code}/related`` on the real warehouse: the answer is the library's, names resolved; bad input
is a 4xx."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap.complexity.related import related_categories

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_related_matches_the_library(client, cells: pd.DataFrame) -> None:
    year = 2012
    counts = cells.loc[(cells["year"] == year) & (cells["stars"] >= 1), "region"].value_counts()
    code = counts[counts.between(3, 10)].index[0]  # a region with a few clusters and many categories without
    r = client.get(f"/api/regions/{code}/related", params={"year": year, "top": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    expected = related_categories(cells, code, year, top=5)
    assert [o["category"] for o in body["opportunities"]] == [o["category"] for o in expected["opportunities"]]
    assert len(body["opportunities"]) == 5
    starred = set(cells.loc[(cells["region"] == code) & (cells["year"] == year) & (cells["stars"] >= 1), "category"])
    assert {c["category"] for c in body["clusters"]} == starred
    assert not starred & {o["category"] for o in body["opportunities"]}
    densities = [o["density"] for o in body["opportunities"]]
    assert densities == sorted(densities, reverse=True)
    assert all(o["category_name"] for o in body["opportunities"])


def test_related_bad_input(client) -> None:
    assert client.get("/api/regions/ZZ99/related").status_code == 404
    assert client.get("/api/regions/DE11/related", params={"top": 0}).status_code in (400, 422)
    assert client.get("/api/regions/DE11/related", params={"year": 1950}).status_code == 400
