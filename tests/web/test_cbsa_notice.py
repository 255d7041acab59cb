"""US CBSA runs: the site says once, in a notice, why metropolitan areas are not drawn (no CBSA delineation in the
mirror or in a maintained PyPI / npm package), instead of listing each code as "cannot be drawn"."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.web.serving import serve

pytestmark = pytest.mark.realdata

#: New York-Newark-Jersey City and Chicago-Naperville-Elgin: CBSA codes the region registry knows
CBSAS = ["35620", "16980"]


@pytest.fixture(scope="module")
def cbsa_site(warehouse_path: Path, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    import clustermap
    from clustermap.warehouse import Warehouse

    tmp = tmp_path_factory.mktemp("cbsa")
    path = tmp / "wh.duckdb"
    shutil.copy(warehouse_path, path)
    us = pd.DataFrame(
        {
            "region": [CBSAS[0], CBSAS[1], CBSAS[0], CBSAS[1]],
            "industry": ["auto", "auto", "food", "food"],
            "year": 2019,
            "employment": [5000.0, 1000.0, 1000.0, 5000.0],
        }
    )
    with Warehouse(path) as wh:
        run_id = wh.save_run(
            clustermap.map_clusters(us, categories="none", full=True, min_employment=0), dataset="cbsa-tiny"
        )
    return {"path": path, "tmp": tmp, "run": run_id}


@pytest.fixture(scope="module")
def cclient(cbsa_site: dict, mirror: Path):
    from fastapi.testclient import TestClient

    from clustermap.web.api.app import create_app

    app = create_app(
        warehouse=cbsa_site["path"],
        data_dir=mirror,
        registry_url=f"sqlite:///{cbsa_site['tmp'] / 'r.sqlite3'}",
        warm=False,
    )
    with TestClient(app) as c:
        yield c


def test_map_and_about_say_why_cbsas_are_not_drawn(cclient, cbsa_site) -> None:
    html = cclient.get("/", params={"run": cbsa_site["run"]}).text
    assert 'id="cbsa-notice"' in html and "2 metropolitan areas are not on the map" in html
    assert "OMB delineation" in html and "PyPI or npm" in html
    config = html[html.index("window.CLUSTERMAP = ") :]
    config = config[: config.index("</script>")]
    assert "cbsa_undrawn" in config and all(c in config for c in CBSAS)
    about = cclient.get("/about", params={"run": cbsa_site["run"]}).text
    assert 'id="cbsa-notice"' in about
    table = about[about.index('id="coverage-table"') :]
    assert "35620" not in table[: table.index("</table>")]  # not listed one by one
    # an EU run has no such notice
    assert 'id="cbsa-notice"' not in cclient.get("/").text


@pytest.fixture(scope="module")
def cserver(cbsa_site: dict, mirror: Path) -> Iterator[str]:
    from clustermap.web.api.app import create_app

    app = create_app(
        warehouse=cbsa_site["path"],
        data_dir=mirror,
        registry_url=f"sqlite:///{cbsa_site['tmp'] / 's.sqlite3'}",
        warm=False,
    )
    with serve(app) as url:
        yield url


@pytest.mark.slow
def test_cbsa_map_in_chromium_says_it_once(cserver, cbsa_site, artifacts) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, base_url=cserver)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(60_000)
        page.goto(f"/?run={cbsa_site['run']}")
        assert page.evaluate("window.clustermapMap.ready")
        assert page.get_by_test_id("cbsa-notice").is_visible()
        summary = page.locator("#map-summary").inner_text()
        assert "2 metropolitan areas are not drawn" in summary and "cannot be drawn" not in summary, summary
        assert page.locator("#map-missing").inner_text() == ""
        assert page.locator("#map-table tbody tr").count() == 2  # their values are in the table
        page.screenshot(path=str(artifacts / "cbsa_notice.png"))
        browser.close()
    assert not errors, errors
