"""In Chromium: the site opens on the published EU run whatever runs were stored after it, the run selector and
the EU / US switch, every choice in a shareable URL, and places found as people type them.

Same set-up as :mod:`tests.web.test_browser` (Debian's ``/usr/bin/chromium``, headless; skipped with the reason
when it or the playwright package is absent). Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from tests.web.serving import serve

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _later_runs() -> tuple[object, object]:
    """What ``clustermap report`` leaves behind after ``clustermap run``: a newer EU run and a newer US run."""
    import clustermap

    eu = pd.DataFrame(
        {
            "region": ["DE11", "DE12", "DE11", "DE12"],
            "industry": ["C29", "C29", "C10", "C10"],
            "year": 2014,
            "employment": [3000.0, 1000.0, 1000.0, 3000.0],
        }
    )
    us = pd.DataFrame(
        {
            "region": ["06", "48", "06", "48"],
            "industry": ["auto", "auto", "food", "food"],
            "year": 2011,
            "employment": [5000.0, 1000.0, 1000.0, 5000.0],
        }
    )
    return (
        clustermap.map_clusters(eu, categories="eco-nace2", full=True, min_employment=0),
        clustermap.map_clusters(us, categories="none", full=True, min_employment=0),
    )


@pytest.fixture(scope="module")
def site(warehouse_path: Path, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The main job's warehouse with its run published, then a later EU and a later US run stored; served."""

    from clustermap.warehouse import Warehouse
    from clustermap.web.api.app import create_app

    tmp = tmp_path_factory.mktemp("choices")
    path = tmp / "wh.duckdb"
    shutil.copy(warehouse_path, path)
    with Warehouse(path) as wh:
        runs = wh.runs()
        main = str(runs[runs["dataset"] == "sbs_r_nuts06_r2"]["run_id"].iloc[-1])
        wh.publish(main)
        eu, us = _later_runs()
        later_eu = wh.save_run(eu, dataset="tiny-eu")
        later_us = wh.save_run(us, dataset="tiny-us")
    app = create_app(warehouse=path, data_dir=mirror, registry_url=f"sqlite:///{tmp / 'r.sqlite3'}", warm=False)
    app.state.observatory.warm()
    with serve(app, timeout=30) as url:
        yield {"url": url, "main": main, "later_eu": later_eu, "later_us": later_us}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=site["url"])
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert not errors, errors


COLOURED = """() => {
  const s = window.clustermapMap.state;
  return s.geo.features.filter((f) => s.byId.has(f.id) && s.byId.get(f.id).klass >= 0).length;
}"""


def test_opens_on_the_published_eu_run(page, site, artifacts) -> None:
    page.goto("/")
    assert page.evaluate("window.clustermapMap.ready")
    assert page.evaluate("window.clustermapMap.state.run") == site["main"]
    assert "clusters in Europe" in page.locator("h1").inner_text()
    assert page.evaluate(COLOURED) >= 200
    # the URL now names every choice: opened elsewhere, it shows the same map
    url = page.url
    for key in ("run=", "dataset=sbs_r_nuts06_r2", "methodology=eco2007", "year=", "category=automotive"):
        assert key in url, url
    page.screenshot(path=str(artifacts / "choices_eu.png"))
    other = page.context.new_page()
    other.goto(url)
    assert other.evaluate("window.clustermapMap.ready")
    assert other.evaluate("window.clustermapMap.state.run") == site["main"]
    assert other.locator("#ctl-year").input_value() == url.split("year=")[1].split("&")[0]
    other.close()


def test_run_selector_lists_runs_and_switches(page, site) -> None:
    page.goto("/")
    assert page.evaluate("window.clustermapMap.ready")
    options = page.locator("#ctl-run option").all_inner_texts()
    assert len(options) == 2 and "published" in options[0] and "suppression two-way" in options[0]
    assert any("tiny-eu" in o for o in options) and not any("tiny-us" in o for o in options)
    with page.expect_navigation():
        page.select_option("#ctl-run", site["later_eu"])
    assert page.evaluate("window.clustermapMap.ready")
    assert page.evaluate("window.clustermapMap.state.run") == site["later_eu"]
    assert f"run={site['later_eu']}" in page.url
    assert page.evaluate(COLOURED) == 2


def test_us_switch_draws_us_shapes(page, site, artifacts) -> None:
    page.goto("/")
    assert page.evaluate("window.clustermapMap.ready")
    with page.expect_navigation():
        page.get_by_label("United States").check()
    assert page.evaluate("window.clustermapMap.ready")
    assert "clusters in the United States" in page.locator("h1").inner_text()
    assert page.evaluate("window.clustermapMap.state.run") == site["later_us"]
    assert page.evaluate(COLOURED) == 2
    got = page.evaluate("([x, y]) => window.clustermapMap.colourAt(x, y)", [-119.5, 37.2])  # California
    want = page.evaluate("(id) => window.clustermapMap.expectedColour(id)", "06")
    assert all(abs(g - w) <= 12 for g, w in zip(got[:3], want, strict=True)), (got, want)
    page.screenshot(path=str(artifacts / "choices_us.png"))


@pytest.mark.parametrize(
    ("typed", "code"), [("munich", "DE21"), ("münchen", "DE21"), ("ile de france", "FR10"), ("bavaria", "DE2")]
)
def test_search_suggests_places_as_people_type_them(page, typed: str, code: str) -> None:
    page.goto("/about")
    page.fill("#region-q", typed)
    page.wait_for_selector("#region-q-list li")
    first = page.locator("#region-q-list li").first.inner_text()
    assert f"({code})" in first, first


def test_search_by_city_goes_to_its_region(page, artifacts) -> None:
    page.goto("/about")
    page.fill("#region-q", "wolfsburg")
    page.wait_for_selector("#region-q-list li")
    items = page.locator("#region-q-list li").all_inner_texts()
    assert "(DE91)" in items[0] and "city Wolfsburg" in items[0], items
    page.screenshot(path=str(artifacts / "search_wolfsburg.png"))
    page.press("#region-q", "ArrowDown")
    with page.expect_navigation():
        page.press("#region-q", "Enter")
    assert page.url.endswith("/region/DE91")


def test_region_and_category_pages_list_the_registry(page, artifacts) -> None:
    page.goto("/region/DE11")
    page.wait_for_selector("[data-registry-kind] li a")
    orgs = page.locator("[data-registry-kind=organisation] li a").all_inner_texts()
    assert any("Stuttgart" in o for o in orgs), orgs
    href = page.locator("[data-registry-kind=organisation] li a").first.get_attribute("href")
    assert href.startswith("/registry/organisations/")
    page.locator("section[data-registry]").screenshot(path=str(artifacts / "registry_region.png"))
    page.goto("/category/automotive")
    page.wait_for_selector("[data-registry-list] h3, [data-registry-list]:has-text('no entry')")
    kinds = page.locator("[data-registry-kind]").count()
    assert kinds >= 1, page.locator("[data-registry-list]").inner_text()


AXE = (
    Path(__file__).resolve().parents[2] / "src" / "clustermap" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
)


@pytest.mark.skipif(not AXE.exists(), reason="axe-core comes from npm: run scripts/build_web.sh first")
@pytest.mark.parametrize("url", ["/", "/?family=US", "/region/DE11", "/category/automotive", "/regions?q=munich"])
def test_no_serious_accessibility_violations(page, url: str, artifacts) -> None:
    """axe-core (WCAG 2 A / AA rules) finds no serious or critical violation on the pages of each point."""
    page.goto(url)
    if url.startswith("/?") or url == "/":
        assert page.evaluate("window.clustermapMap.ready")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    assert len(result["passes"]) > 10  # the rules ran
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def test_search_answers_todays_region_of_an_old_nuts_code(page, artifacts) -> None:
    page.goto("/about")
    page.fill("#region-q", "FR24")
    page.wait_for_selector("#region-q-list li")
    items = page.locator("#region-q-list li").all_inner_texts()
    assert "(FRB0)" in items[0] and "formerly FR24" in items[0], items
    page.screenshot(path=str(artifacts / "search_old_code.png"))
    page.press("#region-q", "ArrowDown")
    with page.expect_navigation():
        page.press("#region-q", "Enter")
    assert page.url.endswith("/region/FRB0")
    # the run is in NUTS 2013 codes: the page leads to the same territory under its code in the run
    link = page.locator(".same-territory a").first
    assert "(FR24)" in link.inner_text()
    with page.expect_navigation():
        link.click()
    assert "/region/FR24" in page.url
