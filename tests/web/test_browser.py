"""The site in a real browser: Playwright drives Debian's Chromium (``/usr/bin/chromium``, headless) against the
application served by uvicorn on 127.0.0.1. Screenshots go to ``tests/artifacts/`` and are checked for content:
the map's regions must be drawn in the colour of their stars, not blank.

Skipped, with the reason, when ``/usr/bin/chromium`` or the playwright package is absent (CI installs both:
``apt-get install -y chromium`` and the test extras). ``playwright install`` is never needed.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
YEAR = 2014
VENDOR = Path(__file__).resolve().parents[2] / "src" / "clustermap" / "web" / "static" / "vendor" / "maplibre-gl"
TOLERANCE = 12  # per RGB channel: antialiasing at the sample point


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True, base_url=live_server)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
    assert not errors, errors


def _wait_map(pg) -> str:
    assert pg.evaluate("window.clustermapMap.ready"), "the map did not finish loading"
    return pg.evaluate("window.clustermapMap.rendererName")


def _samples(live_server: str, category: str = "automotive", metric: str = "stars") -> list[tuple[str, float, float]]:
    """For each legend class, the largest region of that class with a point inside it: (code, lon, lat)."""
    import httpx
    import shapely.geometry as sg

    geo = httpx.get(f"{live_server}/api/geometry").json()
    data = httpx.get(
        f"{live_server}/api/map-data", params={"year": YEAR, "category": category, "metric": metric}
    ).json()
    klass = {v["region"]: v["klass"] for v in data["values"]}
    best: dict[int, tuple[float, str, float, float]] = {}
    for f in geo["features"]:
        k = klass.get(f["id"])
        if k is None or k < 0:
            continue
        shape = sg.shape(f["geometry"])
        pt = shape.representative_point()
        if not (-10 < pt.x < 34 and 35 < pt.y < 70):  # inside the initial view
            continue
        if shape.area > best.get(k, (0.0,))[0]:
            best[k] = (shape.area, f["id"], pt.x, pt.y)
    return [(code, x, y) for _, code, x, y in best.values()]


def _assert_coloured(pg, samples) -> None:
    assert len(samples) >= 3
    for code, lon, lat in samples:
        got = pg.evaluate("([x, y]) => window.clustermapMap.colourAt(x, y)", [lon, lat])
        want = pg.evaluate("(id) => window.clustermapMap.expectedColour(id)", code)
        assert got[3] == 255, (code, got)
        assert all(abs(g - w) <= TOLERANCE for g, w in zip(got[:3], want, strict=True)), (code, got, want)


def _distinct_colours(png: bytes) -> set[tuple[int, int, int]]:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return {tuple(int(v) for v in c) for c, n in zip(colours, counts, strict=True) if n >= 50}


def test_map_draws_regions_in_the_colour_of_their_stars(page, live_server, artifacts) -> None:
    page.goto(f"/?year={YEAR}&category=automotive")
    renderer = _wait_map(page)
    assert renderer == ("maplibre" if VENDOR.joinpath("maplibre-gl.js").exists() else "canvas")
    _assert_coloured(page, _samples(live_server))
    legend = page.locator("#legend li")
    imputed = page.evaluate("window.clustermapMap.state.data.values.some((v) => v.imputed)")
    assert legend.count() == 6 + imputed  # 0-3 stars, no data, not in the results (+ the imputed outline)
    if imputed:
        assert "imputed" in page.locator("#legend").inner_text()
        assert page.locator("#map-table td.imputed").count() >= 1
    assert "Automotive" in page.locator("#map-summary").inner_text()
    assert page.locator("#map-table tbody tr").count() > 200
    shot = page.locator("#map").screenshot(path=str(artifacts / "map.png"))
    page.screenshot(path=str(artifacts / "map_page.png"))
    pytest.importorskip("PIL")
    colours = _distinct_colours(shot)
    for hexcode in ("#fde725", "#21918c", "#440154"):  # 1, 2 and 3 stars are on the map
        rgb = tuple(int(hexcode[i : i + 2], 16) for i in (1, 3, 5))
        assert any(all(abs(a - b) <= TOLERANCE for a, b in zip(c, rgb, strict=True)) for c in colours), hexcode


@pytest.mark.skipif(not VENDOR.joinpath("maplibre-gl.js").exists(), reason="run scripts/build_web.sh (npm) first")
def test_the_map_library_is_served_locally(page) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/")
    assert _wait_map(page) == "maplibre"
    assert all(
        u.startswith(page.url.split("/?")[0].rstrip("/")) or u.startswith("blob:") or u.startswith("data:")
        for u in requests
    ), [u for u in requests if "127.0.0.1" not in u]


def test_canvas_fallback_draws_the_same_colours(page, live_server) -> None:
    page.goto(f"/?year={YEAR}&category=automotive&renderer=canvas")
    assert _wait_map(page) == "canvas"
    _assert_coloured(page, _samples(live_server))


def _point_on_page(pg, lon: float, lat: float) -> tuple[float, float]:
    x, y = pg.evaluate("([a, b]) => window.clustermapMap.project(a, b)", [lon, lat])
    box = pg.locator("#map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_hover_click_region_page_and_csv_download(page, live_server, artifacts) -> None:
    page.goto(f"/?year={YEAR}&category=automotive")
    _wait_map(page)
    x, y = _point_on_page(page, 9.15, 48.85)  # Stuttgart (DE11)
    page.mouse.move(x, y)
    tip = page.locator("#map-tooltip")
    tip.wait_for(state="visible")
    assert "Stuttgart" in tip.inner_text() and "★★★" in tip.inner_text()
    page.mouse.click(x, y)
    page.wait_for_url("**/region/DE11**")
    assert "Stuttgart" in page.locator("h1").inner_text()
    chart = page.locator("svg#lq-chart")
    assert chart.get_attribute("role") == "img" and "Automotive" in chart.locator("desc").text_content()
    assert page.locator("#stars-table tbody tr").count() >= 20
    page.screenshot(path=str(artifacts / "region_DE11.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("[data-testid=stars-csv]").click()
    download = info.value
    target = artifacts / download.suggested_filename
    download.save_as(str(target))
    assert target.name == f"clustermap_region-stars_DE11_{YEAR}.csv"
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    auto = next(r for r in rows if r["category"] == "automotive")
    assert auto["region"] == "DE11" and auto["stars"] == "3"


def test_category_page_ranks_by_stars_beside_employment(page, live_server, artifacts) -> None:
    page.goto(f"/category/automotive?year={YEAR}")
    assert page.locator("#by-stars tbody tr").count() == 20
    assert page.locator("#by-employment tbody tr").count() == 20
    assert "Stuttgart" in page.locator("#by-stars tbody tr").first.inner_text()
    assert "FR10" in page.locator("#by-employment").inner_text()  # Ile-de-France: large, one star
    _wait_map(page)
    _assert_coloured(page, _samples(live_server))
    page.screenshot(path=str(artifacts / "category_automotive.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("[data-testid=ranking-csv]").click()
    text = Path(info.value.path()).read_text()
    assert text.startswith("category,by_stars_rank")


def test_switch_to_lq_recolours_the_map(page, live_server) -> None:
    page.goto(f"/?year={YEAR}&category=automotive")
    _wait_map(page)
    page.get_by_label("LQ", exact=True).check()
    page.locator("#legend li", has_text="≥ 3").wait_for()
    page.wait_for_function("window.clustermapMap.state.data.metric === 'lq'")
    page.wait_for_timeout(300)
    _assert_coloured(page, _samples(live_server, metric="lq"))
    assert "metric=lq" in page.url


def test_map_downloads_png_and_svg(page, artifacts) -> None:
    page.goto(f"/?year={YEAR}&category=automotive")
    _wait_map(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Map as PNG").click()
    png = Path(info.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    (artifacts / "map_download.png").write_bytes(png)
    with page.expect_download() as info:
        page.get_by_role("button", name="Map as SVG").click()
    svg = Path(info.value.path()).read_text()
    assert svg.startswith("<svg") and 'id="r-DE11"' in svg and 'fill="#440154"' in svg
    (artifacts / "map_download.svg").write_text(svg)


def test_keyboard_navigation(page) -> None:
    page.goto("/")
    _wait_map(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "ctl-methodology":
            break
    assert page.evaluate("document.activeElement.id") == "ctl-methodology"
    page.focus("#region-q")
    page.keyboard.type("stuttg")
    page.locator("#region-q-list li").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/region/DE11")


def test_compare_page(page, artifacts) -> None:
    page.goto(f"/compare?year={YEAR}&regions=DE11,FR10,ITC4")
    heads = page.locator("#compare-table thead th")
    assert heads.count() == 4
    assert "Stuttgart" in heads.nth(1).inner_text()
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
