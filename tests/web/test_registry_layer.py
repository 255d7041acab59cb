"""The registry on the observatory: a map layer of cluster organisations (circles per region and a list), and
from an organisation's page links to its region's and category's mapping. Chromium for the layer (skipped with
the reason when it or playwright is absent); screenshots in tests/artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.realdata
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def test_organisation_page_links_to_its_mapping(client) -> None:
    hits = client.get("/api/registry/search", params={"type": "organisation", "region": "DE11"}).json()["hits"]
    assert hits, "the shipped registry has an organisation in Stuttgart (DE11)"
    page = client.get(f"/registry/organisations/{hits[0]['slug']}")
    assert page.status_code == 200
    links = re.findall(r'<ul class="observatory-links">(.*?)</ul>', page.text, flags=re.S)
    assert links, "no links to the observatory on the organisation page"
    assert 'href="/region/DE11"' in links[0]
    cats = re.findall(r'href="/category/([a-z0-9-]+)"', links[0])
    assert cats and all(f'href="/?category={c}"' in links[0] for c in cats)
    for c in cats:  # the links lead to pages that exist
        assert client.get(f"/category/{c}").status_code == 200
    assert client.get("/region/DE11").status_code == 200


@pytest.mark.slow
def test_map_layer_of_cluster_organisations(browser, live_server, client, artifacts) -> None:
    facets = client.get("/api/registry/search", params={"type": "organisation", "per_page": 1}).json()["facets"]
    regions = {f["value"] for f in facets["region"]}
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/")
    assert page.evaluate("window.clustermapMap.ready")
    assert page.locator("#registry-layer-panel").is_hidden()
    page.get_by_test_id("registry-layer").check()
    page.wait_for_function("window.clustermapMap.registryShown === true")
    orgs = page.evaluate("window.clustermapMap.state.orgs")
    drawn = {f["properties"]["region"]: f["properties"]["count"] for f in orgs["features"]}
    # every organisation with a NUTS-2 region (or a NUTS-3 inside one) is counted on its NUTS-2 region
    assert "DE11" in drawn and all(re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}", code) for code in drawn)
    assert {r[:4] for r in regions if len(r) >= 4} >= set(drawn)
    links = page.locator("#registry-layer-list a")
    assert links.count() == len(drawn)
    assert page.locator('#registry-layer-list a[href="/registry?region=DE11"]').count() == 1
    if page.evaluate("window.clustermapMap.rendererName") == "maplibre":
        shown = page.evaluate(
            "window.clustermapMap.state.renderer.map.queryRenderedFeatures({layers: ['orgs']}).length"
        )
        assert shown >= 1
    page.locator(".map-layout").screenshot(path=str(artifacts / "registry_layer.png"))
    page.get_by_test_id("registry-layer").uncheck()
    page.wait_for_function("window.clustermapMap.registryShown === false")
    assert page.locator("#registry-layer-panel").is_hidden()
    context.close()
    assert not errors, errors
