"""A panorama run on the site: five stars (size, specialisation, focus, productivity, dynamism) in the map's colours
and legend, the map's table, the region and category pages, read as "4 of 5 stars"; eco2007 runs stay 0-3.

The panorama run is made here by the main job (what ``clustermap run --methodology panorama`` runs) on the real SBS
data, four years, in a copy of the session's warehouse.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.web.serving import serve

from clustermap.web.stars import max_stars, star_classes, star_colours, star_columns, star_label

# ---------------------------------------------------------------------------------------------- tiny


def test_star_classes_by_hand() -> None:
    classes, idx = star_classes(np.array([0, 1, 4, 5, np.nan, 5, 7]), 5)
    assert [c["count"] for c in classes] == [1, 1, 0, 0, 1, 3]  # 7 is above the scale: the top class
    assert idx.tolist() == [0, 1, 4, 5, -1, 5, 5]
    assert [c["color"] for c in classes] == list(star_colours(5)) and len(set(star_colours(5))) == 6
    three, idx3 = star_classes(np.array([0.0, 3.0, np.nan]), 3)
    assert len(three) == 4 and idx3.tolist() == [0, 3, -1]
    assert star_colours(3) == ("#ffffff", "#fde725", "#21918c", "#440154")  # the colours the site always used


def test_star_words() -> None:
    assert star_label(4, 5) == "4 of 5 stars" and star_label(1, 3) == "1 of 3 stars"
    assert max_stars("panorama") == 5 and max_stars("stars") == 3 and max_stars("strong") == 3
    assert [c for c, _ in star_columns("panorama")][-2:] == ["productivity_star", "dynamism_star"]
    assert len(star_columns("stars")) == 3


def test_stars_filter_reads_the_runs_scale() -> None:
    from types import SimpleNamespace

    from clustermap.web.pages import templates

    tpl = templates.env.from_string("{{ 4|stars }}")
    five = str(tpl.render(run=SimpleNamespace(kind="panorama")))
    assert 'aria-label="4 of 5 stars"' in five and five.count("★") == 5
    three = str(templates.env.from_string("{{ 2|stars }}").render(run=SimpleNamespace(kind="stars")))
    assert 'aria-label="2 of 3 stars"' in three and three.count("★") == 3


def test_category_year_table_counts_the_top_classes_of_the_scale() -> None:
    """The category page's table by year counts 3-star cells for an ECO run and 5-, 4- and 3-star cells for a
    panorama run, highest first; a run without stars has no such column."""
    from clustermap.web.pages import top_star_classes, with_star_counts

    cells = pd.DataFrame({"year": [2010, 2010, 2010, 2011, 2011], "stars": [5, 4, 4, 3, 0]})
    assert top_star_classes("panorama", cells) == [5, 4, 3]
    assert top_star_classes("stars", cells) == [3]
    assert top_star_classes("strong", cells.drop(columns="stars")) == []
    rows = with_star_counts([{"year": 2010}, {"year": 2011}], cells, "panorama")
    assert [(r["clusters_5_star"], r["clusters_4_star"]) for r in rows] == [(1, 2), (0, 0)]


# ---------------------------------------------------------------------------------------------- real run

PANORAMA_YEARS = [2010, 2011, 2012, 2013]


@pytest.fixture(scope="module")
def panorama(warehouse_path: Path, mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The session's warehouse (an eco2007 run) plus a panorama run of the real SBS data, 2010-2013."""
    from clustermap.jobs import run_main_job
    from clustermap.warehouse import Warehouse

    tmp = tmp_path_factory.mktemp("panorama")
    path = tmp / "wh.duckdb"
    shutil.copy(warehouse_path, path)
    with Warehouse(path) as wh:
        eco = str(wh.runs()["run_id"].iloc[-1])
        eco_cells = wh.run(eco)[1]
        out = run_main_job(wh, mirror=mirror, methodology="panorama", years=PANORAMA_YEARS)
    cells = out.result.cells
    return {"path": path, "tmp": tmp, "run": out.run_id, "eco": eco, "cells": cells, "eco_cells": eco_cells}


@pytest.fixture(scope="module")
def pclient(panorama: dict, mirror: Path):
    from fastapi.testclient import TestClient

    from clustermap.web.api.app import create_app

    app = create_app(
        warehouse=panorama["path"],
        data_dir=mirror,
        registry_url=f"sqlite:///{panorama['tmp'] / 'r.sqlite3'}",
        warm=False,
    )
    with TestClient(app) as c:
        yield c


def _four_star(cells: pd.DataFrame) -> pd.Series:
    """A cell with 4 stars (the largest), to look for on the pages."""
    four = cells[cells["stars"] == 4].sort_values("employment", ascending=False)
    assert len(four), "the panorama run has no four-star cell"
    return four.iloc[0]


@pytest.mark.realdata
def test_map_data_legend_of_a_panorama_run(pclient, panorama) -> None:
    """The server's legend of a panorama map has six classes and says 0–5; an eco2007 map keeps 0–3."""
    cell = _four_star(panorama["cells"])
    params = {"run": panorama["run"], "year": int(cell.year), "category": cell.category, "metric": "stars"}
    got = pclient.get("/api/map-data", params=params).json()
    assert got["metric_label"] == "Stars (0–5)" and [c["index"] for c in got["legend"]] == [0, 1, 2, 3, 4, 5]
    assert next(v for v in got["values"] if v["region"] == cell.region)["klass"] == 4
    eco = pclient.get("/api/map-data", params={"run": panorama["eco"], "category": "automotive"}).json()
    assert eco["metric_label"] == "Stars (0–3)" and len(eco["legend"]) == 4


@pytest.mark.realdata
def test_region_page_shows_five_star_columns(pclient, panorama) -> None:
    cell = _four_star(panorama["cells"])
    html = pclient.get(f"/region/{cell.region}", params={"run": panorama["run"], "year": int(cell.year)}).text
    table = html[html.index('id="stars-table"') :]
    table = table[: table.index("</table>")]
    for label in ("Size", "Specialisation", "Focus", "Productivity", "Dynamism"):
        assert f'<th scope="col">{label}</th>' in table
    assert 'aria-label="4 of 5 stars"' in table and "of 3 stars" not in table
    row = table[table.index(f">{cell.category_name}</a>") :]
    row = row[: row.index("</tr>")]
    for col in ("productivity_star", "dynamism_star"):
        said = re.search(rf'data-col="{col}">(.*?)</td>', row).group(1)
        assert ("✓" in said) == bool(cell[col]), (col, said)
    # the clusters per year count four- and five-star clusters too
    assert "five-star" in html and "four-star" in html


@pytest.mark.realdata
def test_category_page_and_eco_run_stay_three(pclient, panorama) -> None:
    cell = _four_star(panorama["cells"])
    html = pclient.get(
        f"/category/{cell.category}", params={"run": panorama["run"], "year": int(cell.year), "top": 100}
    ).text
    assert 'aria-label="4 of 5 stars"' in html and "of 3 stars" not in html
    eco = pclient.get("/region/DE11", params={"run": panorama["eco"]}).text
    assert "of 3 stars" in eco and "of 5 stars" not in eco and "Productivity" not in eco


def _year_table(html: str) -> tuple[list[str], dict[int, list[int]]]:
    """The star classes the category page's table by year has (``data-stars`` of its headers) and, per year, the
    counts under them."""
    table = html[html.index('id="category-change-table"') :]
    table = table[: table.index("</table>")]
    classes = re.findall(r'<th scope="col" class="num" data-stars="(\d)">', table)
    body = table[table.index("<tbody>") :]
    counts = {}
    for year, row in re.findall(r'<tr><th scope="row">(\d{4})\*?</th>(.*?)</tr>', body):
        figures = re.findall(r'<td class="num">([^<]*)</td>', row)
        counts[int(year)] = [int(x) for x in figures[2 : 2 + len(classes)]]  # after regions and clusters
    return classes, counts


@pytest.mark.realdata
def test_category_year_table_of_a_panorama_run_counts_five_four_and_three_stars(pclient, panorama) -> None:
    """On a panorama run the category page's table by year counts the cells with 5, 4 and 3 stars (it showed no
    star column at all: only an eco2007 run had its 3-star column); on the eco2007 run, 3-star cells only."""
    cells = panorama["cells"]
    cell = _four_star(cells)
    html = pclient.get(f"/category/{cell.category}", params={"run": panorama["run"], "year": int(cell.year)}).text
    classes, counts = _year_table(html)
    assert classes == ["5", "4", "3"]
    assert '<span class="visually-hidden">5 of 5 stars</span>' in html
    mine = cells[cells["category"] == cell.category]
    assert sorted(counts) == PANORAMA_YEARS
    for year in PANORAMA_YEARS:
        stars = mine.loc[mine["year"] == year, "stars"]
        assert counts[year] == [int((stars == s).sum()) for s in (5, 4, 3)], year
    assert counts[int(cell.year)][1] >= 1  # the four-star cell is counted

    eco_cells = panorama["eco_cells"]
    eco = pclient.get("/category/automotive", params={"run": panorama["eco"]}).text
    classes, counts = _year_table(eco)
    assert classes == ["3"] and "of 5 stars" not in eco
    auto = eco_cells[eco_cells["category"] == "automotive"]
    assert counts and all(counts[y] == [int((auto.loc[auto["year"] == y, "stars"] == 3).sum())] for y in counts), counts
    assert sum(c[0] for c in counts.values()) > 0


@pytest.mark.realdata
def test_compare_counts_clusters_up_to_five_stars(pclient, panorama) -> None:
    cell = _four_star(panorama["cells"])
    year = int(cell.year)
    html = pclient.get("/compare", params={"regions": [cell.region], "run": panorama["run"], "year": year}).text
    totals = html[html.rindex("<thead>") :]
    assert (
        '<span class="visually-hidden">5 stars</span>' in totals
        and '<span class="visually-hidden">4 stars</span>' in totals
    )
    mine = panorama["cells"][(panorama["cells"]["region"] == cell.region) & (panorama["cells"]["year"] == year)]
    counts = [int((mine["stars"] == s).sum()) for s in (5, 4, 3, 2, 1)]
    row = totals[totals.index("<tbody>") :]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert [int(x) for x in cells[1:6]] == counts, (cells, counts)  # after the clusters' count
    eco = pclient.get("/compare", params={"regions": ["DE11"], "run": panorama["eco"]}).text
    assert "4 stars" not in eco[eco.rindex("<thead>") :]


@pytest.fixture(scope="module")
def pserver(panorama: dict, mirror: Path) -> Iterator[str]:
    from clustermap.web.api.app import create_app

    app = create_app(
        warehouse=panorama["path"],
        data_dir=mirror,
        registry_url=f"sqlite:///{panorama['tmp'] / 's.sqlite3'}",
        warm=False,
    )
    with serve(app) as url:
        yield url


@pytest.mark.realdata
@pytest.mark.slow
def test_map_of_a_panorama_run_in_chromium(pserver, panorama, artifacts) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    cell = _four_star(panorama["cells"])
    url = f"/?run={panorama['run']}&year={int(cell.year)}&category={cell.category}&metric=stars"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, base_url=pserver)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(60_000)
        page.goto(url)
        assert page.evaluate("window.clustermapMap.ready")
        legend = page.locator("#legend li .label").all_inner_texts()
        assert legend[:6] == ["no star", "★ 1 star", "★★ 2 stars", "★★★ 3 stars", "★★★★ 4 stars", "★★★★★ 5 stars"]
        # the four-star region is painted in the fourth step of the five-star scale
        want = page.evaluate("(id) => window.clustermapMap.expectedColour(id)", cell.region)
        hexes = star_colours(5)[4].lstrip("#")
        assert want == [int(hexes[i : i + 2], 16) for i in (0, 2, 4)]
        got = page.evaluate("(id) => window.clustermapMap.state.byId.get(id).klass", cell.region)
        assert got == 4
        # the table beside the map reads the stars out of five
        row = page.locator("#map-table tbody tr", has=page.locator(f"text={cell.region}")).first
        assert "4 of 5 stars" in row.inner_text()
        page.screenshot(path=str(artifacts / "panorama_map.png"))
        # an eco2007 map keeps four classes
        page.goto(f"/?run={panorama['eco']}&category=automotive&metric=stars")
        assert page.evaluate("window.clustermapMap.ready")
        labels = page.locator("#legend li .label").all_inner_texts()
        assert labels[:4] == ["no star", "★ 1 star", "★★ 2 stars", "★★★ 3 stars"]
        assert not any("4 stars" in x for x in labels)
        browser.close()
    assert not errors, errors


@pytest.mark.realdata
@pytest.mark.slow
def test_category_year_table_of_a_panorama_run_in_chromium(pserver, panorama, artifacts) -> None:
    """In Chromium the category page's table by year has the 5-, 4- and 3-star columns of a panorama run, read as
    "5 of 5 stars" …, with the counts of the run's cells; an eco2007 run's page has the 3-star column only."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    cells = panorama["cells"]
    cell = _four_star(cells)
    year = int(cell.year)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1300, "height": 1000}, base_url=pserver)
        page.set_default_timeout(60_000)
        page.goto(f"/category/{cell.category}?run={panorama['run']}&year={year}")
        heads = page.locator("#category-change-table thead th[data-stars]")
        want = ["★★★★★5 of 5 stars", "★★★★4 of 5 stars", "★★★3 of 5 stars"]
        assert [h.strip() for h in heads.all_text_contents()] == want
        # the stars are drawn, the words are for screen readers
        assert heads.first.locator("span[aria-hidden=true]").is_visible()
        row = page.locator("#category-change-table tbody tr", has=page.locator(f"th:text-is('{year}')")).first
        figures = row.locator("td").all_inner_texts()
        mine = cells[(cells["category"] == cell.category) & (cells["year"] == year)]
        assert [int(x) for x in figures[2:5]] == [int((mine["stars"] == s).sum()) for s in (5, 4, 3)]
        page.locator("#category-change-table").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "panorama_category_years.png"))
        page.goto(f"/category/automotive?run={panorama['eco']}")
        assert page.locator("#category-change-table thead th[data-stars]").count() == 1
        browser.close()


@pytest.mark.realdata
def test_category_change_api_and_download_count_up_to_five_stars(pclient, panorama) -> None:
    """The category profile's table by year and its CSV count the 5-, 4- and 3-star cells of a panorama run (they
    counted 3-star cells only), and the results filter takes min_stars up to 5 (it stopped at 3)."""
    import io

    cells = panorama["cells"]
    cell = _four_star(cells)
    mine = cells[cells["category"] == cell.category]
    want = {int(y): {k: int((g["stars"] == k).sum()) for k in (3, 4, 5)} for y, g in mine.groupby("year")}
    profile = pclient.get(f"/api/profiles/categories/{cell.category}", params={"run": panorama["run"]}).json()
    rows = {r["year"]: r for r in profile["change"]}
    assert {y: {k: rows[y][f"clusters_{k}_star"] for k in (3, 4, 5)} for y in rows} == want
    csv = pclient.get("/api/downloads/category-change", params={"run": panorama["run"], "category": cell.category}).text
    table = pd.read_csv(io.StringIO(csv)).set_index("year")
    assert {int(y): {k: int(table.at[y, f"clusters_{k}_star"]) for k in (3, 4, 5)} for y in table.index} == want
    eco = pclient.get("/api/profiles/categories/automotive", params={"run": panorama["eco"]}).json()
    assert all("clusters_3_star" in r and "clusters_4_star" not in r for r in eco["change"])
    top = pclient.get("/api/results", params={"run": panorama["run"], "min_stars": 5, "format": "json"})
    assert top.status_code == 200, top.text
