"""The dashboards as JSON (``/api/dashboards/…``): the same figures as the pages' charts and CSV downloads, on the
real run; the figures checked against the run's cells."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.realdata

SERIES_KEYS = {
    "year",
    "employment",
    "employment_in_categories",
    "employment_in_clusters",
    "wages_per_person",
    "establishments",
    "growth",
    "net_jobs",
    "jobs_created",
}


def _csv(client, url: str) -> list[list[str]]:
    got = client.get(url)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), got.text
    return list(csv.reader(io.StringIO(got.text)))


def test_region_dashboard_json(client, cells) -> None:
    got = client.get("/api/dashboards/regions/DE11")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["region"] == "DE11" and body["name"] and body["run"]["run_id"]
    mine = cells[cells["region"] == "DE11"]
    assert [r["year"] for r in body["series"]] == sorted(int(y) for y in mine["year"].unique())
    assert set(body["series"][0]) == SERIES_KEYS
    totals = mine.groupby("year")["region_total"].first()
    assert {r["year"]: r["employment"] for r in body["series"]} == {int(y): float(v) for y, v in totals.items()}
    est = mine.groupby("year")["establishments"].sum(min_count=1)
    assert {r["year"]: r["establishments"] for r in body["series"]} == {int(y): float(v) for y, v in est.items()}
    assert body["series"][0]["growth"] is None  # the first year: null, not 0
    keys = [c["key"] for c in body["charts"]]
    assert keys[:3] == ["employment", "growth", "jobs"] and "establishments" in keys and "related" in keys
    assert body["missing"] == ["wages"]  # the stars run does not load wages
    assert body["related"] and all(0 <= r["density"] <= 1 for r in body["related"])
    # each chart's rows are its CSV download, at the API's and at the page's address
    for chart in body["charts"]:
        rows = _csv(client, chart["csv_url"])
        assert rows[0] == chart["columns"]
        assert rows[1:] == [["" if v is None else str(v) for v in r] for r in chart["rows"]]
    page_csv = _csv(client, f"/dashboard/region/DE11/employment.csv?run={body['run']['run_id']}")
    assert page_csv == _csv(client, body["charts"][0]["csv_url"])


def test_region_dashboard_json_year_and_errors(client) -> None:
    body = client.get("/api/dashboards/regions/de11", params={"year": 2012}).json()
    assert body["region"] == "DE11" and body["year"] == 2012
    assert all("year=2012" in c["csv_url"] for c in body["charts"])
    assert client.get("/api/dashboards/regions/XX99").status_code == 404
    assert client.get("/api/dashboards/regions/DE11", params={"year": 1990}).status_code == 400
    assert client.get("/api/dashboards/regions/DE11/charts/nope.csv").status_code == 404
    assert client.get("/api/dashboards/regions/DE11", params={"run": "no-such-run"}).status_code in (400, 404)


def test_category_dashboard_json(client, cells) -> None:
    body = client.get("/api/dashboards/categories/automotive", params={"year": 2013}).json()
    assert body["category"] == "automotive" and body["year"] == 2013
    mine = cells[cells["category"] == "automotive"]
    totals = mine.groupby("year")["category_total"].first()
    assert {r["year"]: r["employment"] for r in body["series"]} == {int(y): float(v) for y, v in totals.items()}
    assert body["related"] and all(0 < r["share"] <= 1 for r in body["related"])
    related = next(c for c in body["charts"] if c["key"] == "related")
    assert [r[0] for r in related["rows"]] == [r["category"] for r in body["related"]]
    rows = _csv(client, related["csv_url"])
    assert rows[0] == ["category", "category_name", "regions_both", "share"] and len(rows) == 1 + len(body["related"])
    assert client.get("/api/dashboards/categories/nope").status_code == 404


def test_compare_dashboard_json(client) -> None:
    codes = ["DE11", "FR10", "ITC4"]
    got = client.get("/api/dashboards/compare", params={"regions": ",".join(codes), "year": 2013})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["regions"] == codes and set(body["series"]) == set(codes)
    keys = [c["key"] for c in body["charts"]]
    assert keys == ["employment", "clusters", "growth", "jobs", "bars"]
    emp = body["charts"][0]
    assert emp["columns"] == ["year", *codes]
    for row in emp["rows"]:
        for code, v in zip(codes, row[1:], strict=True):
            want = next((r["employment"] for r in body["series"][code] if r["year"] == row[0]), None)
            assert v == want
    bars = _csv(client, body["charts"][-1]["csv_url"])
    assert [r[0] for r in bars[1:]] == [f"{body['names'][c]} ({c})" for c in codes]
    assert (
        client.get(
            "/api/dashboards/compare", params={"regions": ",".join(["DE11"] * 1 + [f"DE{i}" for i in range(11, 23)])}
        ).status_code
        == 422
    )
    assert client.get("/api/dashboards/compare", params={"regions": "XX99"}).status_code == 400
