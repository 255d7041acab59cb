"""Dashboards: the numbers (hand-checked on tiny tables), the charts (a missing value is never drawn as 0), the
pages and per-chart CSV downloads on the real run, and in Chromium the PNG download of a chart and axe-core."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustermap.web import charts
from clustermap.web import dashboard as d


def _cells(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["region", "category", "category_name", "year", "employment", "region_total", "stars"]
    )


# ---------------------------------------------------------------------------------------------- tiny tables


def test_region_dashboard_growth_and_job_creation_by_hand() -> None:
    cells = _cells(
        [
            ("R", "a", "A", 2010, 100.0, 1000.0, 1),
            ("R", "b", "B", 2010, 50.0, 1000.0, 0),
            ("R", "a", "A", 2011, 130.0, 1100.0, 1),
            ("R", "b", "B", 2011, 40.0, 1100.0, 0),
            # 2012 missing; 2013: b confidential (no value), a grows by 20
            ("R", "a", "A", 2013, 150.0, 1331.0, 1),
            ("R", "b", "B", 2013, None, 1331.0, 0),
        ]
    )
    rows = d.region_dashboard(cells)
    assert [r["year"] for r in rows] == [2010, 2011, 2013]
    assert rows[0]["growth"] is None and rows[0]["jobs_created"] is None and rows[0]["net_jobs"] is None
    assert rows[1]["growth"] == pytest.approx(0.1)
    assert rows[1]["net_jobs"] == pytest.approx(100.0)
    assert rows[1]["jobs_created"] == pytest.approx(30.0)  # a +30, b −10: the decrease is not netted
    assert rows[2]["growth"] == pytest.approx(0.1)  # 1100 → 1331 over two years: 10 % a year
    assert rows[2]["jobs_created"] == pytest.approx(20.0)  # b has no value in 2013: left out, not read as 0
    assert rows[2]["employment_in_categories"] == pytest.approx(150.0)
    assert [r["employment_in_clusters"] for r in rows] == [100.0, 130.0, 150.0]
    unknown = cells.assign(employment=[None, 50.0, None, 40.0, None, None])
    assert d.region_dashboard(unknown)[0]["employment_in_clusters"] is None  # the cluster's size unknown: not 0
    assert d.region_dashboard(cells.assign(stars=0))[0]["employment_in_clusters"] == 0.0  # no cluster at all
    assert all(r["wages_per_person"] is None and r["establishments"] is None for r in rows)


def test_wages_per_person_and_establishments_when_the_run_has_them() -> None:
    cells = _cells([("R", "a", "A", 2010, 100.0, 1000.0, 1), ("R", "b", "B", 2010, 50.0, 1000.0, 0)])
    cells["wages"] = [3.0, None]  # EUR million
    cells["wage_employment"] = [100.0, None]
    cells["establishments"] = [None, None]
    row = d.region_dashboard(cells)[0]
    assert row["wages_per_person"] == pytest.approx(30_000.0)  # EUR per person
    assert row["establishments"] is None  # unknown everywhere: not 0
    cells["establishments"] = [7.0, None]
    assert d.region_dashboard(cells)[0]["establishments"] == 7.0


def test_wages_per_person_of_a_panorama_run() -> None:
    """Panorama cells carry wages and wages per person (not the persons): the region's figure weights them."""
    cells = _cells([("R", "a", "A", 2010, 100.0, 1000.0, 1), ("R", "b", "B", 2010, 50.0, 1000.0, 0)])
    cells["wages"] = [3.0, 1.0]  # EUR million
    cells["wages_per_person"] = [3.0 / 100, 1.0 / 50]  # EUR million per person
    assert d.region_dashboard(cells)[0]["wages_per_person"] == pytest.approx(4e6 / 150)


def test_colocated_categories_by_hand() -> None:
    cells = _cells(
        [
            ("R1", "a", "A", 2010, 1.0, 1.0, 2),
            ("R1", "b", "B", 2010, 1.0, 1.0, 1),
            ("R2", "a", "A", 2010, 1.0, 1.0, 1),
            ("R2", "c", "C", 2010, 1.0, 1.0, 3),
            ("R2", "b", "B", 2010, 1.0, 1.0, 0),
            ("R3", "b", "B", 2010, 1.0, 1.0, 1),
        ]
    )
    got = d.related_categories_by_colocation(cells, "a")
    assert [(r["category"], r["regions_both"], r["share"]) for r in got] == [("b", 1, 0.5), ("c", 1, 0.5)]
    assert d.related_categories_by_colocation(cells, "zzz") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(1, 1e6)), min_size=1, max_size=8))
def test_growth_is_none_exactly_where_a_value_is_missing(values: list[float | None]) -> None:
    """Growth exists for a year iff it has a value and an earlier year has one; it compounds back to e1."""
    rows = d.growth_rows([{"year": 2000 + i, "employment": v} for i, v in enumerate(values)])
    last = None
    for r in rows:
        e = r["employment"]
        if e is None or last is None:
            assert r["growth"] is None
        else:
            span = r["year"] - last["year"]
            assert math.isclose(last["employment"] * (1 + r["growth"]) ** span, e, rel_tol=1e-9)
        if e is not None:
            last = r


def test_bar_chart_says_not_available_instead_of_zero() -> None:
    svg = str(charts.bar_chart([("A", 10.0), ("B", None)], title="t", label="Persons", ident="x"))
    assert "not available" in svg
    assert svg.count("<rect x=") == 1  # one bar for A, none for B
    assert "B 0" not in svg and "B not available" in svg


def test_line_chart_breaks_at_a_missing_year() -> None:
    svg = str(
        charts.multi_line_chart(
            {"R": [(2010, 1.0), (2011, 2.0), (2012, None), (2013, 3.0), (2014, 4.0)]}, title="t", label="L", ident="x"
        )
    )
    assert svg.count("<path ") == 2  # two segments, nothing drawn at 2012
    assert svg.count("<circle ") == 4
    assert "2012 not available" in svg


def test_numbers_formatted_by_kind() -> None:
    assert charts.format_value(1234567.0, "persons") == "1,234,567"
    assert charts.format_value(0.0512, "percent") == "+5.1 %"
    assert charts.format_value(0.5, "share") == "50 %"
    assert charts.format_value(31234.4, "eur") == "EUR 31,234"
    assert charts.format_value(None, "eur") == "not available"


# ---------------------------------------------------------------------------------------------- real run


@pytest.mark.realdata
def test_region_dashboard_page_and_csv(client, cells) -> None:
    page = client.get("/dashboard/region/DE11")
    assert page.status_code == 200
    html = page.text
    for key in ("employment", "growth", "jobs", "related"):
        assert f'data-chart="{key}"' in html
        assert f'href="/dashboard/region/DE11/{key}.csv?' in html
    assert "Not in this run" in html  # the stars run does not load wages: said, not drawn
    # establishments: SBS V11210 local units, summed over the region's cells that have them
    assert 'data-chart="establishments"' in html
    est = list(csv.reader(io.StringIO(client.get("/dashboard/region/DE11/establishments.csv").text)))
    assert est[0] == ["year", "establishments"]
    mine_est = cells[cells["region"] == "DE11"].groupby("year")["establishments"].sum(min_count=1)
    assert {int(y): float(v) for y, v in est[1:]} == {int(y): float(v) for y, v in mine_est.items()}
    assert all(float(v) > 0 for _, v in est[1:])
    got = list(csv.reader(io.StringIO(client.get("/dashboard/region/DE11/employment.csv").text)))
    assert got[0] == ["year", "employment"]
    mine = cells[cells["region"] == "DE11"].groupby("year")["region_total"].first()
    assert {int(y): float(v) for y, v in got[1:]} == {int(y): float(v) for y, v in mine.items()}
    growth = list(csv.reader(io.StringIO(client.get("/dashboard/region/DE11/growth.csv").text)))
    assert growth[1][1] == ""  # the first year has no growth: empty, not 0
    related = client.get("/dashboard/region/DE11/related.csv").text
    api = client.get("/api/regions/DE11/related", params={"top": 10}).json()
    assert [r["category"] for r in api["opportunities"]] == [
        row[0] for row in list(csv.reader(io.StringIO(related)))[1:]
    ]
    assert client.get("/dashboard/region/DE11/nope.csv").status_code == 404
    assert client.get("/region/DE11").text.count("/dashboard/region/DE11?") == 1


@pytest.mark.realdata
def test_sbs_local_units_are_read_as_establishments(mirror) -> None:
    from clustermap.loaders.eurostat import load_sbs

    frame = load_sbs(mirror=mirror, years=[2015], establishments=True).frame.set_index(["region", "industry"])
    assert frame.at[("DE11", "C29"), "establishments"] == 598  # C29,V11210,DE11 2015: 598
    assert frame.at[("DE11", "C29"), "employment"] > 598  # still V16110 persons employed
    assert pd.isna(frame.at[("FR10", "C29"), "establishments"])  # ':' is unknown, not 0
    assert load_sbs(mirror=mirror, years=[2015]).frame["establishments"].isna().all()  # only when asked


@pytest.mark.realdata
def test_the_main_job_carries_establishments(cells) -> None:
    assert cells["establishments"].notna().mean() > 0.5
    de11 = cells[(cells["region"] == "DE11") & (cells["category"] == "automotive")]
    assert (de11["establishments"].dropna() > 0).all() and len(de11["establishments"].dropna())


@pytest.mark.realdata
def test_category_dashboard_and_compare_charts(client) -> None:
    html = client.get("/dashboard/category/automotive").text
    assert 'data-chart="related"' in html and "co-located" in html.lower()
    rows = list(csv.reader(io.StringIO(client.get("/dashboard/category/automotive/related.csv").text)))
    assert rows[0] == ["category", "category_name", "regions_both", "share"] and len(rows) > 3
    assert all(0 < float(r[3]) <= 1 for r in rows[1:])
    # the table under the chart: regions as counts, the share as a percentage
    first = rows[1]
    assert f'<td class="num">{int(first[2]):,}</td>' in html
    assert f'<td class="num">{float(first[3]) * 100:.0f} %</td>' in html
    codes = ["DE11", "FR10", "ITC4", "ES51", "DE21", "NL33", "SE11", "PL12", "BE10", "AT13"]
    cmp = client.get("/compare", params={"regions": ",".join(codes)}).text
    for key in ("employment", "clusters", "growth", "jobs", "bars"):
        assert f'data-chart="{key}"' in cmp
    bars = list(csv.reader(io.StringIO(client.get("/compare/bars.csv", params={"regions": codes}).text)))
    assert len(bars) == 1 + 10
    emp = list(csv.reader(io.StringIO(client.get("/compare/employment.csv", params={"regions": codes}).text)))
    assert emp[0] == ["year", *codes]
    assert "0" not in {c for r in emp[1:] for c in r[1:]}  # a region without a value that year: empty


# ---------------------------------------------------------------------------------------------- browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = (
    Path(__file__).resolve().parents[2] / "src" / "clustermap" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.mark.realdata
@pytest.mark.slow
def test_dashboard_in_chromium_png_download_and_axe(browser, live_server, artifacts) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, base_url=live_server, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/dashboard/region/DE11")
    page.screenshot(path=str(artifacts / "dashboard_region.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_test_id("png-employment").click()
    path = info.value.path()
    assert info.value.suggested_filename == "employment.png"
    assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Path(path).stat().st_size > 2000
    page.goto("/compare?regions=DE11,FR10,ITC4,ES51,DE21")
    page.locator("[data-chart=employment]").screenshot(path=str(artifacts / "dashboard_compare.png"))
    assert re.search(r"\d", page.locator("#compare-employment-d").text_content() or "")
    if AXE.exists():
        for url in ("/dashboard/region/DE11", "/dashboard/category/automotive", "/compare?regions=DE11,FR10"):
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
            )
            bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, (url, bad)
    context.close()
    assert not errors, errors


def test_every_methodology_kind_is_a_run_kind_of_the_api() -> None:
    """/api/runs answered 500 once a panorama run was stored: the schema must accept every bundled kind."""
    import typing

    from clustermap.methodology import available_methodologies, get_methodology
    from clustermap.web.api.schemas import RunPublic

    allowed = set(typing.get_args(RunPublic.model_fields["kind"].annotation))
    kinds = {get_methodology(m).kind for m in available_methodologies()}
    assert "panorama" in kinds and kinds <= allowed, (kinds, allowed)
