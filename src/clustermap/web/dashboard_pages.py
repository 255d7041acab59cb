"""Dashboard pages: a region's and a category's employment, growth, job creation, wages per person,
establishments and related clusters over the years, and up to 10 regions side by side — each chart an inline SVG
(:mod:`clustermap.web.charts`) with its numbers downloadable as CSV (``…/{chart}.csv``) and as PNG (drawn in the
browser from the SVG by ``static/common.js``). Numbers: :mod:`clustermap.web.dashboard`.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from clustermap.csv_safety import neutralise_cell
from clustermap.web import charts
from clustermap.web import dashboard as d
from clustermap.web.api import tables as t
from clustermap.web.api.deps import ApiError, check_year
from clustermap.web.api.routes.profiles import MAX_COMPARE, parse_regions, region_totals
from clustermap.web.api.service import RunData
from clustermap.web.pages import (
    Methodology,
    RunId,
    Year,
    base,
    no_results,
    observatory,
    page_run,
    render,
    with_star_counts,
)

router = APIRouter(include_in_schema=False)

#: the charts of a region's or category's dashboard: key, column, label, kind of number
SERIES = (
    ("employment", "employment", "Persons employed", "persons"),
    ("growth", "growth", "Employment growth per year", "percent"),
    ("jobs", "jobs_created", "Jobs created (gross, persons)", "persons"),
    ("wages", "wages_per_person", "Wages and salaries per person employed (EUR)", "eur"),
    ("establishments", "establishments", "Establishments (local units)", "count"),
)
#: the charts of the comparison
COMPARE_SERIES = (
    ("employment", "employment", "Persons employed", "persons"),
    ("clusters", "employment_in_clusters", "Persons employed in clusters (≥ 1 star)", "persons"),
    ("growth", "growth", "Employment growth per year", "percent"),
    ("jobs", "jobs_created", "Jobs created (gross, persons)", "persons"),
)


def _chart(
    key: str,
    title: str,
    label: str,
    kind: str,
    svg: Any,
    columns: list[str],
    rows: list[list[Any]],
    kinds: list[str] | None = None,
) -> dict:
    """A chart and its numbers; ``kinds``: the format of each column's numbers (default: ``kind`` for all)."""
    return {
        "key": key,
        "title": title,
        "label": label,
        "kind": kind,
        "svg": svg,
        "columns": columns,
        "rows": rows,
        "kinds": kinds or [kind] * len(columns),
    }


def _series_charts(name: str, rows: list[dict[str, Any]], ident: str) -> list[dict[str, Any]]:
    out = []
    for key, column, label, kind in SERIES:
        pts = [(int(r["year"]), r.get(column)) for r in rows]
        if all(v is None for _, v in pts) and key in ("wages", "establishments"):
            continue  # not loaded by this run: said once on the page, not drawn as an empty chart
        title = f"{label}, {name}"
        svg = charts.multi_line_chart({name: pts}, title=title, label=label, ident=f"{ident}-{key}", kind=kind)
        out.append(_chart(key, title, label, kind, svg, ["year", column], [[y, v] for y, v in pts]))
    return out


def region_charts(run: RunData, code: str, name: str, year: int) -> list[dict[str, Any]]:
    """The charts of a region's dashboard (every year of the run) and its related clusters in ``year``."""
    rows = d.region_dashboard(run.rows(run.by_region.get(code)))
    out = _series_charts(name, rows, "region")
    related = related_region(run, code, year)
    if related:
        title = f"Related clusters of {name}, {year}: relatedness density of categories without a star"
        svg = charts.bar_chart(
            [(r["category_name"], r["density"]) for r in related],
            title=title,
            label="Relatedness density (0–1)",
            ident="region-related",
            kind="index",
        )
        out.append(
            _chart(
                "related",
                title,
                "Relatedness density (0–1)",
                "index",
                svg,
                ["category", "category_name", "density", "related_to"],
                [[r["category"], r["category_name"], r["density"], r["related_to_name"]] for r in related],
            )
        )
    return out


def related_region(run: RunData, code: str, year: int) -> list[dict[str, Any]]:
    """The region's opportunities (:func:`clustermap.complexity.related.related_categories`, the function of
    ``/api/regions/{code}/related``), ``[]`` when they cannot be computed."""
    from clustermap.complexity.related import related_categories
    from clustermap.errors import InputError

    try:
        raw = related_categories(run.cells, code, year, top=10)
    except InputError:
        return []
    names = run.category_names
    return [
        {
            **r,
            "category_name": names.get(r["category"], r["category"]),
            "related_to_name": names.get(r["related_to"], r["related_to"]) if r.get("related_to") else None,
        }
        for r in raw["opportunities"]
        if r.get("density") is not None
    ]


def category_charts(run: RunData, slug: str, name: str, year: int) -> list[dict[str, Any]]:
    """The charts of a category's dashboard and the categories that co-locate with it in ``year``."""
    rows = d.category_dashboard(run.rows(run.by_category.get(slug)))
    out = _series_charts(name, rows, "category")
    related = d.related_categories_by_colocation(run.rows(run.by_year.get(year)), slug)
    if related:
        title = f"Clusters co-located with {name}, {year}"
        label = f"Share of the regions with a {name} cluster that also have this cluster"
        svg = charts.bar_chart(
            [(r["category_name"], r["share"]) for r in related],
            title=title,
            label=label,
            ident="category-related",
            kind="share",
        )
        out.append(
            _chart(
                "related",
                title,
                label,
                "share",
                svg,
                ["category", "category_name", "regions_both", "share"],
                [[r["category"], r["category_name"], r["regions_both"], r["share"]] for r in related],
                kinds=["text", "text", "count", "share"],
            )
        )
    return out


def compare_charts(run: RunData, codes: list[str], names: dict[str, str], year: int) -> list[dict[str, Any]]:
    """One line per region for each of :data:`COMPARE_SERIES`, and bars of persons employed in ``year``."""
    out = []
    sub = run.cells[run.cells["region"].isin(codes)]
    per_region = {}
    for c in codes:
        cells = sub[sub["region"] == c]
        per_region[c] = d.region_dashboard(cells)
    years = sorted({int(r["year"]) for rows in per_region.values() for r in rows})
    for key, column, label, kind in COMPARE_SERIES:
        series = {}
        for c in codes:
            got = {int(r["year"]): r.get(column) for r in per_region[c]}
            series[f"{names[c]} ({c})"] = [(y, got.get(y)) for y in years]
        title = f"{label}, {len(codes)} regions"
        svg = charts.multi_line_chart(series, title=title, label=label, ident=f"compare-{key}", kind=kind)
        rows = [[y, *[dict(series[f"{names[c]} ({c})"]).get(y) for c in codes]] for y in years]
        out.append(_chart(key, title, label, kind, svg, ["year", *codes], rows))
    bars = []
    for c in codes:
        got = {int(r["year"]): r.get("employment") for r in per_region[c]}
        bars.append((f"{names[c]} ({c})", got.get(year)))
    title = f"Persons employed, {year}"
    svg = charts.bar_chart(bars, title=title, label="Persons employed", ident="compare-bars", kind="persons")
    out.append(
        _chart("bars", title, "Persons employed", "persons", svg, ["region", "employment"], [list(b) for b in bars])
    )
    return out


def chart_csv(chart: dict[str, Any], filename: str) -> Response:
    """A chart's numbers as CSV; a missing value is an empty field (never 0)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(chart["columns"])
    for row in chart["rows"]:
        w.writerow(["" if v is None else neutralise_cell(v) for v in row])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _pick(chart_list: list[dict[str, Any]], key: str) -> dict[str, Any]:
    for c in chart_list:
        if c["key"] == key:
            return c
    raise ApiError(404, "unknown_chart", f"There is no chart {key!r} here.", allowed=[c["key"] for c in chart_list])


def _dashboard(
    request: Request,
    chosen: RunData,
    y: int,
    title: str,
    subject: str,
    chart_list: list[dict[str, Any]],
    *,
    page: str,
    csv_base: str,
    related_json: str | None,
) -> HTMLResponse:
    """The dashboard page of a region or a category: its charts, and the series the run lacks."""
    ctx = base(
        request,
        title,
        run=chosen,
        year=y,
        subject=subject,
        back=f"{page}?run={chosen.run_id}&year={y}",
        charts=chart_list,
        csv_base=csv_base,
        query=f"run={chosen.run_id}&year={y}",
        missing=[label for key, _, label, _ in SERIES if key not in {c["key"] for c in chart_list}],
        related_json=related_json,
    )
    return render("dashboard.html", ctx)


def _csv_run(request: Request, methodology: str | None, run: str | None) -> RunData:
    """The run of a chart's CSV download; a 404 when the warehouse has no mapping results."""
    chosen = page_run(request, methodology, run)
    if chosen is None:
        raise ApiError(404, "no_results", "The warehouse has no mapping results.")
    return chosen


def _region_view(
    request: Request, chosen: RunData, code: str, year: int | None
) -> tuple[str, int, str, list[dict[str, Any]]]:
    """The run's spelling of region ``code`` (a 404 when it has no cells), the year shown, its name and charts."""
    from clustermap.web.api.routes.profiles import region_year

    if code not in chosen.by_region and code.upper() in chosen.by_region:
        code = code.upper()
    if code not in chosen.by_region:
        raise ApiError(404, "unknown_region", f"Region {code!r} has no cells in run {chosen.run_id}.")
    _, y, _ = region_year(chosen, code, year)
    name = observatory(request).name(code)
    return code, y, name, region_charts(chosen, code, name, y)


@router.get("/dashboard/region/{code}", response_class=HTMLResponse)
def region_dashboard_page(
    request: Request, code: str, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> HTMLResponse:
    """A region's dashboard."""
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    code, y, name, chart_list = _region_view(request, chosen, code, year)
    return _dashboard(
        request,
        chosen,
        y,
        f"Dashboard of {name} ({code})",
        name,
        chart_list,
        page=f"/region/{code}",
        csv_base=f"/dashboard/region/{code}",
        related_json=f"/api/regions/{code}/related?run={chosen.run_id}&year={y}",
    )


@router.get("/dashboard/region/{code}/{chart}.csv")
def region_dashboard_csv(
    request: Request, code: str, chart: str, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> Response:
    """The numbers of one chart of a region's dashboard."""
    code, _, _, chart_list = _region_view(request, _csv_run(request, methodology, run), code, year)
    return chart_csv(_pick(chart_list, chart), f"{code}-{chart}.csv")


def _category_view(chosen: RunData, slug: str, year: int | None) -> tuple[int, str, list[dict[str, Any]]]:
    """The year shown of category ``slug`` (a 404 when the run has no such category), its name and charts."""
    if slug not in chosen.category_names:
        raise ApiError(404, "unknown_category", f"There is no category {slug!r} in {chosen.categories}.")
    y = check_year(chosen, year)
    name = chosen.category_names[slug]
    return y, name, category_charts(chosen, slug, name, y)


@router.get("/dashboard/category/{slug}", response_class=HTMLResponse)
def category_dashboard_page(
    request: Request, slug: str, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> HTMLResponse:
    """A category's dashboard."""
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    y, name, chart_list = _category_view(chosen, slug, year)
    return _dashboard(
        request,
        chosen,
        y,
        f"Dashboard of {name}",
        name,
        chart_list,
        page=f"/category/{slug}",
        csv_base=f"/dashboard/category/{slug}",
        related_json=None,
    )


@router.get("/dashboard/category/{slug}/{chart}.csv")
def category_dashboard_csv(
    request: Request, slug: str, chart: str, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> Response:
    """The numbers of one chart of a category's dashboard."""
    chart_list = _category_view(_csv_run(request, methodology, run), slug, year)[2]
    return chart_csv(_pick(chart_list, chart), f"{slug}-{chart}.csv")


@router.get("/compare/{chart}.csv")
def compare_csv(
    request: Request,
    chart: str,
    regions: Annotated[list[str] | None, Query()] = None,
    methodology: Methodology = None,
    run: RunId = None,
    year: Year = None,
) -> Response:
    """The numbers of one chart of the comparison: the known regions of ``regions`` (at most
    :data:`MAX_COMPARE`)."""
    chosen = _csv_run(request, methodology, run)
    y = check_year(chosen, year)
    codes = [c for c in parse_regions(regions)[:MAX_COMPARE] if c in chosen.by_region]
    if not codes:
        raise ApiError(400, "no_regions", "Name at least one region with cells in this run.", parameter="regions")
    names = {c: observatory(request).name(c) for c in codes}
    return chart_csv(_pick(compare_charts(chosen, codes, names, y), chart), f"compare-{chart}.csv")


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    regions: Annotated[list[str] | None, Query()] = None,
    methodology: Methodology = None,
    run: RunId = None,
    year: Year = None,
    value: Annotated[str, Query(pattern="^(stars|lq|employment|share)$")] = "stars",
) -> HTMLResponse:
    """Up to 10 regions side by side: the table of a value by category, and charts of employment, growth and
    job creation over the years (:func:`clustermap.web.dashboard_pages.compare_charts`)."""
    obs = observatory(request)
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    y = check_year(chosen, year)
    codes = parse_regions(regions)
    notes = []
    if len(codes) > MAX_COMPARE:
        notes.append(f"Only the first {MAX_COMPARE} regions are compared.")
        codes = codes[:MAX_COMPARE]
    cells = chosen.rows(chosen.by_year.get(y))
    present_codes = set(cells["region"])
    unknown = [c for c in codes if c not in present_codes]
    codes = [c for c in codes if c in present_codes]
    if unknown:
        notes.append(f"No cells in {y} for: {', '.join(unknown)}.")
    column = value if value in cells.columns else "strong"
    wide = t.records(t.compare_table(cells, codes, column)) if codes else []
    totals = [
        with_star_counts(
            [{"region": c, "name": obs.name(c), **region_totals(cells[cells["region"] == c])}],
            cells[cells["region"] == c],
            chosen.kind,
        )[0]
        for c in codes
    ]
    options = sorted(((c, obs.name(c)) for c in present_codes), key=lambda kv: kv[0])
    ctx = base(
        request,
        "Compare regions",
        run=chosen,
        year=y,
        codes=codes,
        names={c: obs.name(c) for c in codes},
        value=value,
        rows=wide,
        totals=totals,
        notes=notes,
        options=options,
        max_compare=MAX_COMPARE,
        charts=compare_charts(chosen, codes, {c: obs.name(c) for c in codes}, y) if codes else [],
        csv_base="/compare",
        query=f"run={chosen.run_id}&year={y}&" + "&".join(f"regions={c}" for c in codes),
        dl=f"run={chosen.run_id}&year={y}&value={value}&" + "&".join(f"regions={c}" for c in codes),
    )
    return render("compare.html", ctx)
