"""The REST API against the warehouse of the real main job (TestClient, no network)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

pytestmark = pytest.mark.realdata

YEAR = 2014  # the latest complete SBS year


def test_index_and_schema(client) -> None:
    body = client.get("/api").json()
    assert body["runs"] >= 1
    hrefs = {link["href"] for link in body["links"]}
    assert {"/api/results", "/api/map-data", "/openapi.json"} <= hrefs
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/results",
        "/api/map-data",
        "/api/profiles/regions/{code}",
        "/api/profiles/categories/{slug}",
        "/api/regions",
        "/api/regions/{code}",
        "/api/geometry",
        "/api/methodologies",
        "/api/datasets",
        "/api/categories",
        "/api/compare",
        "/api/downloads/{table}",
        "/api/analyses",
    ):
        assert path in schema["paths"], path
    assert not any(p.startswith("/region/") for p in schema["paths"])  # pages are not API


def test_methodologies_runs_datasets(client) -> None:
    methods = {m["name"]: m for m in client.get("/api/methodologies").json()}
    assert {"eco2007", "eco2008", "uscmp"} <= set(methods)
    assert methods["eco2007"]["runs"] and methods["eco2007"]["kind"] == "stars"
    runs = client.get("/api/runs").json()
    run = runs[0]
    assert run["methodology"] == "eco2007" and run["categories"] == "eco-nace2"
    assert run["years"] == list(range(2008, 2016)) and run["default_year"] == YEAR
    assert run["incomplete_years"] == [2008, 2009, 2015]  # fewer than 90 % of the 282 regions of 2010 and 2014
    assert {i["dataset"] for i in run["provenance"]["inputs"]} == {"sbs_r_nuts06_r2", "lfst_r_lfe2en2_total"}
    assert client.get(f"/api/runs/{run['run_id']}").json()["run_id"] == run["run_id"]
    assert client.get("/api/runs/latest").json()["run_id"] == run["run_id"]
    datasets = {d["dataset"]: d for d in client.get("/api/datasets").json()}
    sbs = datasets["sbs_r_nuts06_r2"]
    assert len(sbs["sha256"]) == 64 and sbs["rows_read"] > sbs["rows_kept"] > 0
    assert sbs["rows_dropped"]["other indicator"] > 0
    assert client.get("/api/datasets/sbs_r_nuts06_r2").json()["sha256"] == sbs["sha256"]


def test_categories(client) -> None:
    cats = {c["slug"]: c for c in client.get("/api/categories").json()}
    auto = cats["automotive"]
    assert auto["name"] == "Automotive" and auto["in_results"] and auto["category_set"] == "eco-nace2"
    assert [i["industry"] for i in auto["industries"]] == ["C29"]
    assert client.get("/api/categories/automotive").json() == auto
    assert client.get("/api/categories/nonsense").status_code == 404


def test_results_match_the_warehouse(client, cells: pd.DataFrame) -> None:
    ref = cells[(cells["region"] == "DE11") & (cells["category"] == "automotive") & (cells["year"] == YEAR)].iloc[0]
    body = client.get("/api/results", params={"region": "DE11", "category": "automotive", "year": YEAR}).json()
    assert body["total"] == 1
    item = body["items"][0]
    assert item["region_name"] == "Stuttgart"
    assert item["stars"] == int(ref["stars"]) == 3
    assert item["employment"] == pytest.approx(float(ref["employment"]))
    assert item["lq"] == pytest.approx(float(ref["lq"]))
    assert (item["size_star"], item["specialisation_star"], item["focus_star"]) == (
        int(ref["size_star"]),
        int(ref["specialisation_star"]),
        int(ref["focus_star"]),
    )


def test_results_filters_and_pagination(client, cells: pd.DataFrame) -> None:
    params = {"year": YEAR, "min_stars": 2, "sort": "-lq", "limit": 25}
    first = client.get("/api/results", params=params).json()
    expected = cells[(cells["year"] == YEAR) & (cells["stars"] >= 2)]
    assert first["total"] == len(expected)
    lqs = [i["lq"] for i in first["items"]]
    assert lqs == sorted(lqs, reverse=True)
    assert all(i["stars"] >= 2 and i["year"] == YEAR for i in first["items"])
    assert first["links"]["previous"] is None
    second = client.get(first["links"]["next"]).json()
    assert second["offset"] == 25 and second["items"][0]["lq"] <= lqs[-1]
    seen = {(i["region"], i["category"]) for i in first["items"]} & {
        (i["region"], i["category"]) for i in second["items"]
    }
    assert not seen
    de = client.get(
        "/api/results", params={"country": "de", "year": YEAR, "category": "automotive", "limit": 1000}
    ).json()
    assert de["total"] == len(
        cells[(cells["year"] == YEAR) & (cells["category"] == "automotive") & cells["region"].str.startswith("DE")]
    )
    two = client.get(
        "/api/results", params=[("year", 2013), ("year", 2014), ("region", "DE11"), ("category", "automotive")]
    ).json()
    assert [i["year"] for i in two["items"]] == [2013, 2014]
    level = client.get("/api/results", params={"level": 1, "year": YEAR}).json()
    assert level["total"] == 0  # SBS: NUTS 2 only


def test_results_csv_and_geojson(client) -> None:
    r = client.get("/api/results", params={"format": "csv", "year": YEAR, "category": "automotive", "limit": 500})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == int(r.headers["x-total-count"]) > 200
    assert {"region", "region_name", "lq", "stars"} <= set(rows[0])
    g = client.get(
        "/api/results", params={"format": "geojson", "year": YEAR, "category": "automotive", "region": "DE11"}
    )
    assert g.headers["content-type"] == "application/geo+json"
    feature = g.json()["features"][0]
    assert feature["properties"]["region"] == "DE11" and feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_etag_and_cache_control(client) -> None:
    r = client.get("/api/map-data", params={"year": YEAR, "category": "automotive"})
    etag = r.headers["etag"]
    assert "max-age" in r.headers["cache-control"]
    again = client.get(
        "/api/map-data", params={"year": YEAR, "category": "automotive"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/map-data", params={"year": YEAR, "category": "chemical"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    gz = client.get(
        "/api/map-data", params={"year": YEAR, "category": "automotive"}, headers={"Accept-Encoding": "gzip"}
    )
    assert gz.headers.get("content-encoding") == "gzip" and gz.json()["category"] == "automotive"


@pytest.mark.parametrize(
    ("url", "status", "code", "parameter"),
    [
        ("/api/results?year=1999", 400, "unknown_year", "year"),
        ("/api/results?year=abc", 422, "invalid_parameter", "year"),
        ("/api/results?limit=0", 422, "invalid_parameter", "limit"),
        ("/api/results?category=nope", 400, "unknown_category", "category"),
        ("/api/results?region=XX99", 400, "unknown_region", "region"),
        ("/api/results?methodology=nope", 400, "unknown_methodology", "methodology"),
        ("/api/results?run=nope", 400, "unknown_run", "run"),
        ("/api/results?sort=bogus", 422, "invalid_parameter", "sort"),
        ("/api/map-data?metric=bogus", 422, "invalid_parameter", "metric"),
        ("/api/profiles/regions/XX99", 404, "unknown_region", "code"),
        ("/api/profiles/categories/nope", 404, "unknown_category", "slug"),
        (
            "/api/compare?regions=" + ",".join(["DE11"] * 2 + [f"DE{i}" for i in range(12, 22)]),
            422,
            "too_many_regions",
            "regions",
        ),
        ("/api/downloads/region-stars", 422, "missing_parameter", "region"),
        ("/api/regions/ZZ99", 404, "unknown_region", "code"),
    ],
)
def test_errors_are_machine_readable(client, url: str, status: int, code: str, parameter: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["parameter"] == parameter and err["message"]


def test_unknown_year_lists_the_years(client) -> None:
    err = client.get("/api/map-data?year=2001").json()["error"]
    assert err["allowed"] == list(range(2008, 2016))


def test_map_data(client, cells: pd.DataFrame) -> None:
    body = client.get("/api/map-data", params={"year": YEAR, "category": "automotive"}).json()
    year = cells[(cells["year"] == YEAR) & (cells["category"] == "automotive")]
    assert len(body["values"]) == len(year)
    legend = {c["index"]: c for c in body["legend"]}
    assert [legend[i]["color"] for i in range(4)] == ["#ffffff", "#fde725", "#21918c", "#440154"]
    for s in range(4):
        assert legend[s]["count"] == int((year["stars"] == s).sum())
    de11 = next(v for v in body["values"] if v["region"] == "DE11")
    assert de11["klass"] == 3 and de11["value"] == 3
    assert "Automotive" in body["summary"] and str(YEAR) in body["summary"]
    lq = client.get("/api/map-data", params={"year": YEAR, "category": "automotive", "metric": "lq"}).json()
    labels = [c["label"] for c in lq["legend"]]
    assert labels[0] == "< 0.5" and labels[-1] == "≥ 3"
    de11 = next(v for v in lq["values"] if v["region"] == "DE11")
    assert de11["klass"] == 5  # LQ 5.9
    emp = client.get("/api/map-data", params={"year": YEAR, "category": "automotive", "metric": "employment"}).json()
    assert sum(c["count"] for c in emp["legend"]) == sum(1 for v in emp["values"] if v["value"] is not None)


def test_geometry_draws_old_codes_with_2016_shapes(client) -> None:
    geo = client.get("/api/geometry").json()
    by_id = {f["id"]: f for f in geo["features"]}
    assert len(by_id) > 280
    assert by_id["DE11"]["properties"]["shape"] == "exact"
    assert by_id["FR71"]["properties"] == {"id": "FR71", "name": "Rhône-Alpes", "shape": "recode", "drawn_as": ["FRK2"]}
    assert by_id["UKI1"]["properties"]["shape"] == "split"
    assert by_id["UKI1"]["properties"]["drawn_as"] == ["UKI3", "UKI4"]
    missing = {m["region"]: m for m in geo["missing"]}
    assert missing["DE41"]["kind"] == "merged or redrawn"
    assert missing["DE41"]["fix"].startswith("merged with DE42 into DE40")
    assert not set(missing) & set(by_id)
    assert "EuroGeographics" in geo["credit"]
    countries = client.get("/api/geometry/countries").json()
    assert {"DE", "FR", "CH"} <= {f["id"] for f in countries["features"]}
    one = client.get("/api/regions/UKI1/geometry").json()
    assert one["features"][0]["properties"]["drawn_as"] == ["UKI3", "UKI4"]


def test_regions_search_and_hierarchy(client) -> None:
    page = client.get("/api/regions", params={"q": "stuttgart"}).json()
    assert page["items"][0]["code"] == "DE11" and page["items"][0]["in_results"]
    lombardia = client.get("/api/regions", params={"q": "lombardia"}).json()["items"]
    assert "ITC4" in [r["code"] for r in lombardia]
    de11 = client.get("/api/regions/DE11").json()
    assert [a["code"] for a in de11["ancestors"]] == ["DE1", "DE"]
    assert "DE111" in [c["code"] for c in de11["children"]]
    level2 = client.get("/api/regions", params={"level": 2, "country": "AT", "limit": 100}).json()
    assert level2["total"] >= 9 and all(r["level"] == 2 and r["country"] == "AT" for r in level2["items"])


def test_region_profile(client, cells: pd.DataFrame) -> None:
    body = client.get("/api/profiles/regions/DE11", params={"year": YEAR}).json()
    mine = cells[(cells["region"] == "DE11") & (cells["year"] == YEAR)]
    assert body["region"]["name"] == "Stuttgart" and body["year"] == YEAR
    assert body["totals"]["clusters"] == int((mine["stars"] >= 1).sum())
    assert body["totals"]["clusters_3_star"] == int((mine["stars"] == 3).sum())
    assert body["portfolio"][0]["category"] == "automotive" and body["portfolio"][0]["stars"] == 3
    assert len(body["stars"]) == len(mine)
    assert [c["year"] for c in body["change"]] == list(range(2008, 2016))
    assert body["registry_url"] is None or body["registry_url"].startswith("/api/registry/")
    row = next(r for r in body["category_years"] if r["category"] == "automotive")
    assert row[str(YEAR)] == 3
    default = client.get("/api/profiles/regions/DE11").json()
    assert default["year"] == YEAR


def test_category_profile_is_figure_3(client, cells: pd.DataFrame) -> None:
    body = client.get("/api/profiles/categories/automotive", params={"year": YEAR, "top": 13}).json()
    year = cells[(cells["year"] == YEAR) & (cells["category"] == "automotive")]
    assert len(body["by_stars"]) == len(body["by_employment"]) == 13
    assert [r["region"] for r in body["by_employment"]] == list(year.nlargest(13, "employment")["region"])
    assert body["by_stars"][0]["region"] == "DE11" and all(r["stars"] == 3 for r in body["by_stars"][:10])
    assert "FR10" in [r["region"] for r in body["by_employment"][:3]]  # large but not specialised
    c = body["concentration"]
    e = year["employment"]
    assert c["employment"] == pytest.approx(e.sum())
    assert c["share_in_strong_clusters"] == pytest.approx(e[year["strong"]].sum() / e.sum())
    assert c["herfindahl"] == pytest.approx(((e / e.sum()) ** 2).sum())
    assert 0 < c["gini"] < 1 and 0 < c["hoover"] < 1
    assert [i["industry"] for i in body["definition"]] == ["C29"]


def test_compare(client) -> None:
    body = client.get("/api/compare", params=[("regions", "DE11,FR10"), ("regions", "ITC4"), ("year", YEAR)]).json()
    assert [r["code"] for r in body["regions"]] == ["DE11", "FR10", "ITC4"]
    auto = next(r for r in body["rows"] if r["category"] == "automotive")
    assert auto["DE11"] == 3
    lq = client.get("/api/compare", params={"regions": "DE11,FR10", "value": "lq", "year": YEAR}).json()
    assert next(r for r in lq["rows"] if r["category"] == "automotive")["DE11"] > 5


@pytest.mark.parametrize(
    ("table", "params"),
    [
        ("results", {"year": YEAR, "category": "automotive"}),
        ("map", {"year": YEAR, "category": "automotive", "metric": "lq"}),
        ("region-stars", {"region": "DE11", "year": YEAR}),
        ("region-portfolio", {"region": "DE11", "year": YEAR}),
        ("region-change", {"region": "DE11"}),
        ("region-category-years", {"region": "DE11"}),
        ("category-ranking", {"category": "automotive", "year": YEAR}),
        ("category-concentration", {"category": "automotive", "year": YEAR}),
        ("category-change", {"category": "automotive"}),
        ("compare", {"regions": "DE11,FR10", "year": YEAR}),
        ("summary", {}),
        ("categories", {}),
        ("datasets", {}),
        ("runs", {}),
        ("coverage", {}),
    ],
)
def test_every_table_downloads_as_csv_and_xlsx(client, table: str, params: dict) -> None:
    r = client.get(f"/api/downloads/{table}", params={**params, "format": "csv"})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"] and ".csv" in r.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(r.text))
    assert len(frame) > 0 and len(frame.columns) > 1
    x = client.get(f"/api/downloads/{table}", params={**params, "format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    sheets = pd.read_excel(io.BytesIO(x.content), sheet_name=None)
    assert list(sheets) == [table[:31], "about"]
    assert len(sheets[table[:31]]) == len(frame)
    about = dict(zip(sheets["about"]["field"], sheets["about"]["value"], strict=False))
    assert about["methodology"].startswith("eco2007")


def test_analyses_index(client) -> None:
    body = client.get("/api/analyses").json()
    assert {a["name"] for a in body["analyses"]} == {
        "portfolio",
        "employment-shares",
        "concentration",
        "eu-us",
        "innovation",
        "prosperity",
        "change",
    }
    if not body["available"]:
        assert body["reason"] and client.get("/api/analyses/portfolio").status_code == 404


def test_analyses_run_on_the_selected_run(client) -> None:
    body = client.get("/api/analyses").json()
    ready = {a["name"] for a in body["analyses"] if a["available"]}
    if "concentration" not in ready:
        pytest.skip(f"clustermap.analyses cannot run here: {body['reason']}")
    conc = client.get("/api/analyses/concentration", params={"year": YEAR}).json()
    assert conc["parameters"]["year"] == YEAR and len(conc["tables"]["categories"]) == 30
    change = client.get("/api/analyses/change", params={"from_year": 2010, "to_year": YEAR}).json()
    assert {"summary", "transitions"} <= set(change["tables"])
    missing = client.get("/api/analyses/eu-us")
    if missing.status_code == 422:  # no US run in this warehouse: the error names the input
        assert "US mapping run" in missing.json()["error"]["message"]
    bad = client.get("/api/analyses/change", params={"from_year": 1999})
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "from_year"
