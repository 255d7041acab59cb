"""The server-rendered pages (without a browser) and the warehouse snapshot: an empty warehouse, a run stored
while the site is up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.realdata
YEAR = 2014


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "<span data-title-category>Automotive</span> clusters in Europe"),
        ("/?year=2012&category=chemical&metric=lq", "Chemical</span> clusters in Europe, <span data-title-year>2012"),
        (f"/region/DE11?year={YEAR}", "Stuttgart"),
        ("/region/FR71", "drawn with the NUTS 2016 shape of FRK2 (recode)"),
        ("/region/UKM2", "drawn approximately with the NUTS 2016 shape of UKM7"),
        ("/region/DE41", "has no shape on the NUTS 2016 map"),
        (f"/category/automotive?year={YEAR}", "Top 20 regions by stars and by employment"),
        ("/categories", "Cluster categories"),
        ("/compare?regions=DE11,FR10", "Ile-de-France"),
        ("/compare", "Choose regions above"),
        ("/about", "merged with DE42 into DE40"),
        ("/regions?q=lomb", "Lombardia (ITC4)"),
    ],
)
def test_pages(client, url: str, expected: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert expected in r.text
    assert '<a class="skip" href="#main">' in r.text  # keyboard users skip the navigation
    assert "https://" not in r.text.split("<footer")[0].replace("https://ec.europa.eu", "")  # nothing from a CDN


def test_region_page_has_text_alternatives(client) -> None:
    html = client.get(f"/region/DE11?year={YEAR}").text
    assert html.count('role="img"') >= 2 and "<desc" in html  # LQ chart and change chart
    assert 'id="stars-table"' in html and "<caption>" in html
    assert "/api/downloads/region-stars?run=" in html and "format=xlsx" in html


def test_region_search_redirects_to_a_known_code(client) -> None:
    r = client.get("/regions?q=de11", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/region/DE11"


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/region/XX99", 404, "no region with the code"),
        ("/category/nonsense", 404, "no category"),
        ("/?year=1999", 400, "no cells for 1999"),
        ("/?category=nonsense", 400, "no category"),
        ("/no-such-page", 404, "Not Found"),
    ],
)
def test_page_errors_are_pages(client, url: str, status: int, text: str) -> None:
    r = client.get(url)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert text in r.text


def test_static_files_and_vendor(client) -> None:
    assert client.get("/static/map.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    vendor = Path(__file__).resolve().parents[2] / "src/clustermap/web/static/vendor/maplibre-gl/maplibre-gl.js"
    if vendor.exists():
        assert 'src="/static/vendor/maplibre-gl/maplibre-gl.js"' in client.get("/").text


def _tiny_run() -> object:
    import clustermap

    frame = pd.DataFrame(
        {
            "region": ["DE11", "DE12", "DE11", "DE12"],
            "industry": ["C29", "C29", "C10", "C10"],
            "year": 2014,
            "employment": [3000.0, 1000.0, 1000.0, 3000.0],
        }
    )
    return clustermap.map_clusters(frame, categories="eco-nace2", full=True, min_employment=0)


def test_empty_warehouse_then_a_run_appears(tmp_path: Path, mirror: Path) -> None:
    from clustermap.warehouse import Warehouse
    from clustermap.web.api.app import create_app

    path = tmp_path / "wh.duckdb"
    app = create_app(warehouse=path, data_dir=mirror, registry_url=f"sqlite:///{tmp_path / 'reg.sqlite3'}", warm=False)
    app.state.observatory.recheck_seconds = 0
    with TestClient(app) as c:
        err = c.get("/api/results").json()["error"]
        assert err["code"] == "no_results" and "clustermap run" in err["message"]
        assert "No mapping results yet" in c.get("/").text
        assert not path.exists()  # the site never creates or writes the warehouse
        with Warehouse(path) as wh:
            run_id = wh.save_run(_tiny_run(), dataset="tiny")
        body = c.get("/api/results", params={"category": "automotive"}).json()
        assert body["run_id"] == run_id and {i["region"] for i in body["items"]} == {"DE11", "DE12"}
        data = c.get("/api/map-data", params={"category": "automotive"}).json()
        assert {v["region"]: v["lq"] for v in data["values"]} == {"DE11": 1.5, "DE12": 0.5}
        assert "Stuttgart" in c.get("/region/DE11").text


def test_api_docs_are_served_without_a_cdn(client) -> None:
    html = client.get("/api/docs").text
    assert "cdn." not in html and "https://" not in html
    vendor = Path(__file__).resolve().parents[2] / "src/clustermap/web/static/vendor/swagger-ui/swagger-ui-bundle.js"
    if vendor.exists():
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
        assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    else:
        assert "scripts/build_web.sh" in html
