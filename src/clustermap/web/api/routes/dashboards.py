"""The dashboards as JSON: the figures the dashboard pages chart (:mod:`clustermap.web.dashboard_pages`) for a
region, a category and up to 10 regions side by side, with each chart's numbers and its CSV download.

Every answer carries ``series`` — one row per year of the run (definitions in :mod:`clustermap.web.dashboard`:
``employment`` persons employed, ``employment_in_categories``, ``employment_in_clusters`` persons,
``wages_per_person`` EUR per person, ``establishments`` local units, ``growth`` fraction per year, ``net_jobs``
and ``jobs_created`` persons; ``null`` where the value is confidential, not published or not loaded, never 0) —
and ``charts``: the charts the page draws, each with its columns, rows and ``csv_url``. ``missing`` names the
series the run does not carry (no chart is drawn for them).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from clustermap.web import dashboard as d
from clustermap.web import dashboard_pages as dp
from clustermap.web.api.answers import run_ref
from clustermap.web.api.deps import (
    ERRORS,
    NOT_MODIFIED,
    ApiError,
    CodePath,
    ObservatoryDep,
    RunDep,
    SlugPath,
    SnapshotDep,
    YearQuery,
    answer_key,
    cached,
    check_category,
    check_region,
    check_year,
)
from clustermap.web.api.routes.profiles import compare_codes, region_year
from clustermap.web.api.service import Observatory, RunData

router = APIRouter(tags=["dashboards"], responses={**ERRORS, **NOT_MODIFIED})

CHART_PATTERN = r"^[a-z]{1,20}$"
#: a chart's numbers as a CSV file
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "the chart's numbers (CSV)", "content": {"text/csv": {"schema": {"type": "string"}}}}
}


class DashboardYearPublic(BaseModel):
    """One year of a dashboard (see :mod:`clustermap.web.dashboard`); ``null`` = unknown, never 0."""

    year: int
    employment: float | None = Field(None, description="persons employed (region or category total)")
    employment_in_categories: float | None = Field(None, description="persons employed in the cells with a value")
    employment_in_clusters: float | None = Field(None, description="persons employed in cells with ≥ 1 star")
    wages_per_person: float | None = Field(None, description="wages and salaries per person employed, EUR")
    establishments: float | None = Field(None, description="local units (SBS V11210) or establishments")
    growth: float | None = Field(None, description="employment growth per year since the previous year, fraction")
    net_jobs: float | None = Field(None, description="change of employment since the previous year, persons")
    jobs_created: float | None = Field(None, description="gross job creation since the previous year, persons")


class DashboardChartPublic(BaseModel):
    """One chart of a dashboard page: its numbers (as in its CSV download) and where to download them."""

    key: str
    title: str
    label: str
    kind: str = Field(description="kind of number: persons, percent, eur, count, index, share")
    columns: list[str]
    rows: list[list[Any]]
    csv_url: str


class RegionDashboardPublic(BaseModel):
    region: str
    name: str
    run: dict[str, Any]
    year: int = Field(description="the year of the related clusters")
    years: list[int]
    series: list[DashboardYearPublic]
    related: list[dict[str, Any]] = Field(description="categories without a star, by relatedness density")
    charts: list[DashboardChartPublic]
    missing: list[str] = Field(description="series the run does not carry")


class CategoryDashboardPublic(BaseModel):
    category: str
    category_name: str
    run: dict[str, Any]
    year: int = Field(description="the year of the co-located clusters")
    series: list[DashboardYearPublic]
    related: list[dict[str, Any]] = Field(description="categories co-located with this one (share of its regions)")
    charts: list[DashboardChartPublic]
    missing: list[str]


class CompareDashboardPublic(BaseModel):
    regions: list[str]
    names: dict[str, str]
    run: dict[str, Any]
    year: int = Field(description="the year of the bar chart")
    series: dict[str, list[DashboardYearPublic]] = Field(description="each region's years")
    charts: list[DashboardChartPublic]


def _plain(v: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN as ``None``."""
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _charts(chart_list: list[dict[str, Any]], csv_base: str, query: str) -> list[DashboardChartPublic]:
    return [
        DashboardChartPublic(
            key=c["key"],
            title=c["title"],
            label=c["label"],
            kind=c["kind"],
            columns=list(c["columns"]),
            rows=[[_plain(v) for v in row] for row in c["rows"]],
            csv_url=f"{csv_base}/{c['key']}.csv?{query}",
        )
        for c in chart_list
    ]


def _series(rows: list[dict[str, Any]]) -> list[DashboardYearPublic]:
    return [DashboardYearPublic(**{k: _plain(v) for k, v in r.items()}) for r in rows]


def _missing(chart_list: list[dict[str, Any]]) -> list[str]:
    drawn = {c["key"] for c in chart_list}
    return [key for key, *_ in dp.SERIES if key not in drawn]


def region_dashboard(obs: Observatory, run: RunData, code: str, year: int | None) -> RegionDashboardPublic:
    cells, y, years = region_year(run, code, year)
    name = obs.name(code)
    chart_list = dp.region_charts(run, code, name, y)
    return RegionDashboardPublic(
        region=code,
        name=name,
        run=run_ref(run),
        year=y,
        years=years,
        series=_series(d.region_dashboard(cells)),
        related=[{k: _plain(v) for k, v in r.items()} for r in dp.related_region(run, code, y)],
        charts=_charts(chart_list, f"/api/dashboards/regions/{code}/charts", f"run={run.run_id}&year={y}"),
        missing=_missing(chart_list),
    )


def category_dashboard(run: RunData, slug: str, year: int) -> CategoryDashboardPublic:
    name = run.category_names[slug]
    chart_list = dp.category_charts(run, slug, name, year)
    related = d.related_categories_by_colocation(run.rows(run.by_year.get(year)), slug)
    return CategoryDashboardPublic(
        category=slug,
        category_name=name,
        run=run_ref(run),
        year=year,
        series=_series(d.category_dashboard(run.rows(run.by_category.get(slug)))),
        related=related,
        charts=_charts(chart_list, f"/api/dashboards/categories/{slug}/charts", f"run={run.run_id}&year={year}"),
        missing=_missing(chart_list),
    )


def compare_dashboard(obs: Observatory, run: RunData, codes: list[str], year: int) -> CompareDashboardPublic:
    names = {c: obs.name(c) for c in codes}
    chart_list = dp.compare_charts(run, codes, names, year)
    query = f"run={run.run_id}&year={year}&regions={','.join(codes)}"
    return CompareDashboardPublic(
        regions=codes,
        names=names,
        run=run_ref(run),
        year=year,
        series={c: _series(d.region_dashboard(run.rows(run.by_region.get(c)))) for c in codes},
        charts=_charts(chart_list, "/api/dashboards/compare/charts", query),
    )


def _csv(chart_list: list[DashboardChartPublic], chart: str, filename: str) -> Response:
    for c in chart_list:
        if c.key == chart:
            return dp.chart_csv({"columns": c.columns, "rows": c.rows}, filename)
    raise ApiError(404, "unknown_chart", f"there is no chart {chart!r} here", allowed=[c.key for c in chart_list])


ChartPath = Annotated[str, Path(pattern=CHART_PATTERN, description="a chart's key, e.g. employment")]
RegionsQuery = Annotated[
    list[Annotated[str, Query(max_length=120)]],
    Query(description="region codes, repeated or comma-separated (at most 10), e.g. DE11,FR10"),
]


@router.get(
    "/api/dashboards/regions/{code}", response_model=RegionDashboardPublic, summary="A region's dashboard figures"
)
def region_route(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, run: RunDep, code: CodePath, year: YearQuery = None
) -> Response:
    """Employment, growth, job creation, wages per person and establishments of a region over the run's years,
    its related clusters in ``year`` (default: the run's latest complete year, or the region's latest), and the
    charts of ``/dashboard/region/{code}`` with their numbers."""
    code = check_region(run, code, parameter="code", status=404)
    y = region_year(run, code, year, cells=False)[1]
    key = answer_key(snap, "dashboard-region", run.run_id, code, y)
    return cached(request, obs, key, lambda: region_dashboard(obs, run, code, y))


@router.get(
    "/api/dashboards/regions/{code}/charts/{chart}.csv",
    response_model=None,
    responses=CSV_RESPONSE,
    summary="One chart of a region's dashboard (CSV)",
)
def region_csv_route(
    obs: ObservatoryDep, run: RunDep, code: CodePath, chart: ChartPath, year: YearQuery = None
) -> Response:
    """The numbers of one chart of a region's dashboard; a missing value is an empty field (never 0)."""
    code = check_region(run, code, parameter="code", status=404)
    y = region_year(run, code, year, cells=False)[1]
    return _csv(region_dashboard(obs, run, code, y).charts, chart, f"{code}-{chart}.csv")


@router.get(
    "/api/dashboards/categories/{slug}",
    response_model=CategoryDashboardPublic,
    summary="A category's dashboard figures",
)
def category_route(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, run: RunDep, slug: SlugPath, year: YearQuery = None
) -> Response:
    """A category's European employment, growth, job creation, wages per person and establishments over the
    run's years, the categories co-located with it in ``year``, and the charts of ``/dashboard/category/{slug}``."""
    slug = check_category(run, slug, parameter="slug", status=404)
    y = check_year(run, year)
    key = answer_key(snap, "dashboard-category", run.run_id, slug, y)
    return cached(request, obs, key, lambda: category_dashboard(run, slug, y))


@router.get(
    "/api/dashboards/categories/{slug}/charts/{chart}.csv",
    response_model=None,
    responses=CSV_RESPONSE,
    summary="One chart of a category's dashboard (CSV)",
)
def category_csv_route(run: RunDep, slug: SlugPath, chart: ChartPath, year: YearQuery = None) -> Response:
    """The numbers of one chart of a category's dashboard; a missing value is an empty field (never 0)."""
    slug = check_category(run, slug, parameter="slug", status=404)
    y = check_year(run, year)
    return _csv(category_dashboard(run, slug, y).charts, chart, f"{slug}-{chart}.csv")


@router.get("/api/dashboards/compare", response_model=CompareDashboardPublic, summary="Up to 10 regions' figures")
def compare_route(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    regions: RegionsQuery,
    year: YearQuery = None,
) -> Response:
    """Each region's employment, employment in clusters, growth and job creation over the run's years, and the
    charts of ``/compare`` (one line per region; persons employed in ``year`` as bars)."""
    codes = compare_codes(run, regions)
    y = check_year(run, year)
    key = answer_key(snap, "dashboard-compare", run.run_id, tuple(codes), y)
    return cached(request, obs, key, lambda: compare_dashboard(obs, run, codes, y))


@router.get(
    "/api/dashboards/compare/charts/{chart}.csv",
    response_model=None,
    responses=CSV_RESPONSE,
    summary="One chart of the comparison (CSV)",
)
def compare_csv_route(
    obs: ObservatoryDep, run: RunDep, regions: RegionsQuery, chart: ChartPath, year: YearQuery = None
) -> Response:
    """The numbers of one chart of the comparison; a missing value is an empty field (never 0)."""
    codes = compare_codes(run, regions)
    y = check_year(run, year)
    return _csv(compare_dashboard(obs, run, codes, y).charts, chart, f"compare-{chart}.csv")
