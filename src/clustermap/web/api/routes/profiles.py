"""Region profile, category profile and the comparison of up to 10 regions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request, Response

from clustermap.web.api import tables as t
from clustermap.web.api.answers import category_profile_answer, compare_answer, region_profile_answer
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
    cache_key,
    cached_async,
    check_category,
    check_region,
    check_year,
)
from clustermap.web.api.schemas import CategoryProfilePublic, ComparePublic, RegionProfilePublic
from clustermap.web.api.service import RunData

router = APIRouter(tags=["profiles"], responses={**ERRORS, **NOT_MODIFIED})

MAX_COMPARE = 10
COMPARE_VALUES = ("stars", "lq", "employment", "share")


# ---------------------------------------------------------------------------------------------- regions


def resolve_region_year(run: RunData, code: str, year: int | None) -> int:
    """The year of a region's profile: ``year`` if the region has it (else a 400), by default the run's
    default year, or the region's latest when it lacks that one."""
    return region_year(run, code, year, cells=False)[1]


def region_year(
    run: RunData, code: str, year: int | None, *, cells: bool = True
) -> tuple[pd.DataFrame, int, list[int]]:
    """A region's cells, the year asked for (default: the run's default year, else the region's latest) and
    the years the region has."""
    years = run.region_years.get(code, [])
    frame = run.rows(run.by_region.get(code)) if cells else run.cells.iloc[0:0]
    if year is None:
        year = run.default_year if run.default_year in years else years[-1]
    elif year not in years:
        raise ApiError(
            400,
            "unknown_year",
            f"region {code} has no cells for {year} in run {run.run_id}",
            parameter="year",
            value=year,
            allowed=years,
        )
    return frame, year, years


def region_totals(cells_year: pd.DataFrame) -> dict[str, Any]:
    """A region's totals in one year (the row of :func:`tables.region_change` without ``year``): ``{}`` when it
    has no cells."""
    change = t.region_change(cells_year)
    row = t.records(change)[0] if not change.empty else {}
    row.pop("year", None)
    return row


@router.get("/api/profiles/regions/{code}", response_model=RegionProfilePublic, summary="Region profile")
async def region_profile_route(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    code: CodePath,
    year: YearQuery = None,
) -> Response:
    """A region in one year: totals, its portfolio (categories with at least one star, strongest first), the
    stars table of every category (employment, LQ, size / specialisation / focus stars, ranks), the change over
    the years (clusters by stars, employment in clusters) and the stars of each category by year."""
    code = check_region(run, code, parameter="code", status=404)
    y = resolve_region_year(run, code, year)
    registry = bool(getattr(request.app.state, "registry_installed", False))
    key = answer_key(snap, "region-profile", run.run_id, code, y, registry)
    return await cached_async(request, obs, key, lambda: region_profile_answer(obs, run, code, y, registry))


# ------------------------------------------------------------------------------------------- categories


@router.get("/api/profiles/categories/{slug}", response_model=CategoryProfilePublic, summary="Category profile")
async def category_profile_route(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    slug: SlugPath,
    year: YearQuery = None,
    top: Annotated[int, Query(ge=1, le=500, description="regions in each ranking")] = 20,
) -> Response:
    """A category in one year: the top regions by stars beside the top regions by employment (Figure 3 of
    SEC(2008) 2637), how concentrated its employment is (share in strong clusters, top-10 share, Herfindahl,
    Hoover, locational Gini — definitions in :mod:`clustermap.web.api.tables`), its change over the years and
    the industries that define it."""
    slug = check_category(run, slug, parameter="slug", status=404)
    y = check_year(run, year)
    key = answer_key(snap, "category-profile", run.run_id, slug, y, top)
    return await cached_async(request, obs, key, lambda: category_profile_answer(obs, run, slug, y, top))


# ---------------------------------------------------------------------------------------------- compare


def parse_regions(values: list[str] | None) -> list[str]:
    """Region codes from repeated and/or comma-separated parameters, each once, in order."""
    out: list[str] = []
    for v in values or []:
        for code in v.split(","):
            code = code.strip()
            if code and code not in out:
                out.append(code)
    return out


def compare_codes(run: RunData, regions: list[str]) -> list[str]:
    """The run's spelling of the 1 to :data:`MAX_COMPARE` region codes of ``regions`` (:func:`parse_regions`);
    a 422 for none or too many, a 400 for an unknown one."""
    codes = parse_regions(regions)
    if not codes:
        raise ApiError(422, "invalid_parameter", "give at least one region code", parameter="regions", value=regions)
    if len(codes) > MAX_COMPARE:
        raise ApiError(
            422,
            "too_many_regions",
            f"compare at most {MAX_COMPARE} regions, not {len(codes)}",
            parameter="regions",
            value=codes,
        )
    return [check_region(run, c, parameter="regions") for c in codes]


@router.get("/api/compare", response_model=ComparePublic, summary="Compare up to 10 regions")
async def compare_route(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    regions: Annotated[
        list[Annotated[str, Query(max_length=120)]],
        Query(description="region codes, repeated or comma-separated (at most 10), e.g. DE11,FR10"),
    ],
    year: YearQuery = None,
    value: Annotated[Literal[COMPARE_VALUES], Query(description="what each cell shows")] = "stars",  # type: ignore[valid-type]
) -> Response:
    """Up to 10 regions side by side in one year: one row per category with each region's stars (or LQ,
    employment, share), and each region's totals."""
    codes = compare_codes(run, regions)
    y = check_year(run, year)
    key = cache_key(request, snap, run.run_id, y)
    return await cached_async(request, obs, key, lambda: compare_answer(obs, run, codes, y, value))
