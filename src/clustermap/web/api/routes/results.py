"""Mapping results: filtered, paginated cells as JSON, CSV or GeoJSON, and the data the choropleth draws."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from clustermap.web.api.answers import map_answer, results_positions
from clustermap.web.api.deps import (
    CODE_PATTERN,
    ERRORS,
    NOT_MODIFIED,
    SLUG_PATTERN,
    ApiError,
    ObservatoryDep,
    RunDep,
    SnapshotDep,
    YearQuery,
    answer_key,
    cache_key,
    cached_async,
    check_category,
    check_region,
    check_year,
)
from clustermap.web.api.schemas import MapDataPublic, ResultsPagePublic
from clustermap.web.api.service import Observatory, RunData
from clustermap.web.api.tables import (
    CELL_FIELDS,
    METRICS,
    records,
    to_csv,
)

router = APIRouter(tags=["results"], responses={**ERRORS, **NOT_MODIFIED})

CSV = "text/csv; charset=utf-8"
GEOJSON = "application/geo+json"
SORTS = ("year", "region", "category", "stars", "-stars", "lq", "-lq", "employment", "-employment")
_RESULTS_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a page of cells: JSON (default), CSV or GeoJSON (format=csv|geojson)",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            GEOJSON: {"schema": {"$ref": "#/components/schemas/GeoJSONPublic"}},
        },
    }
}
Year = Annotated[int, Field(ge=1900, le=2100)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Code = Annotated[str, Field(pattern=CODE_PATTERN)]


def cell_columns(run: RunData) -> list[str]:
    """The result columns the run's cells have, in the order of ``CELL_FIELDS``."""
    return [c for c in CELL_FIELDS if c in run.cells.columns]


def cells_csv(run: RunData, positions: np.ndarray) -> bytes:
    """The run's cells at ``positions`` as CSV, from their pre-rendered lines (:mod:`clustermap.web.api.cellindex`);
    pandas writes it when a text field spans lines."""
    ix = run.index
    if ix.csv_lines is None:
        return to_csv(run.cells.iloc[positions][cell_columns(run)])
    return ix.csv_header + b"".join(ix.csv_lines[i] for i in positions.tolist())


def check_filters(
    run: RunData,
    *,
    years: list[int] | None = None,
    level: int | None = None,
    categories: list[str] | None = None,
    regions: list[str] | None = None,
    country: str | None = None,
    min_stars: int | None = None,
    strong: bool | None = None,
    sort: str = "year",
) -> dict[str, Any]:
    """The filters of :func:`clustermap.web.api.answers.results_positions` checked against the run (a 400
    naming the first unknown value), with region codes in the run's spelling."""
    for y in years or []:
        check_year(run, y)
    for c in categories or []:
        check_category(run, c)
    if regions:
        regions = [check_region(run, r) for r in regions]
    if min_stars is not None and "stars" not in run.cells.columns:
        raise ApiError(
            400,
            "not_applicable",
            f"run {run.run_id} ({run.methodology}) has no stars: filter by strong instead",
            parameter="min_stars",
            value=min_stars,
        )
    if sort.lstrip("-") not in run.cells.columns:
        raise ApiError(
            400, "not_applicable", f"run {run.run_id} has no column {sort.lstrip('-')}", parameter="sort", value=sort
        )
    return {
        "years": years,
        "level": level,
        "categories": categories,
        "regions": regions,
        "country": country,
        "min_stars": min_stars,
        "strong": strong,
        "sort": sort,
    }


def to_geojson(obs: Observatory, run: RunData, frame: pd.DataFrame) -> dict[str, Any]:
    """Cells as GeoJSON features: the region's polygon (``null`` when it has none) and the cell as properties."""
    layer = obs.geometry(run)
    shapes = {f["id"]: f["geometry"] for f in layer["features"]}
    features = [
        {
            "type": "Feature",
            "id": f"{r['region']}/{r['category']}/{r['year']}",
            "properties": r,
            "geometry": shapes.get(r["region"]),
        }
        for r in records(frame)
    ]
    return {"type": "FeatureCollection", "credit": layer.get("credit", ""), "features": features}


def _link(request: Request, offset: int | None) -> str | None:
    if offset is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
    params.append(("offset", str(offset)))
    return f"{request.url.path}?{urlencode(params)}"


@router.get(
    "/api/results",
    response_model=ResultsPagePublic,
    responses=_RESULTS_CONTENT,
    summary="Mapping results, filtered and paginated (JSON, CSV, GeoJSON)",
)
async def results(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    year: Annotated[list[Year] | None, Query(description="year(s); repeat for several")] = None,
    level: Annotated[int | None, Query(ge=0, le=3, description="NUTS level 0-3 of the regions")] = None,
    category: Annotated[list[Slug] | None, Query(description="category slug(s), e.g. automotive")] = None,
    region: Annotated[list[Code] | None, Query(description="region code(s), e.g. DE11")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="two-letter country code")] = None,
    min_stars: Annotated[
        int | None, Query(ge=0, le=5, description="at least this many stars (0-3; 0-5 on a panorama run)")
    ] = None,
    strong: Annotated[bool | None, Query(description="only strong (true) or only other (false) cells")] = None,
    sort: Annotated[Literal[SORTS], Query(description="sort key; '-' = descending")] = "year",  # type: ignore[valid-type]
    limit: Annotated[int, Query(ge=1, le=10_000, description="page size")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")] = 0,
    format: Annotated[Literal["json", "csv", "geojson"], Query(description="answer format")] = "json",
) -> Response:
    """Cells of the selected run (newest run, or of ``methodology``, or ``run``) with every filter applied.
    JSON answers carry ``total`` and ``next`` / ``previous`` links; CSV and GeoJSON answers carry the same page
    and the total in ``X-Total-Count``. Answers have an ``ETag``; send it in ``If-None-Match`` to get 304."""
    filters = {
        "years": year,
        "level": level,
        "categories": category,
        "regions": region,
        "country": country,
        "min_stars": min_stars,
        "strong": strong,
        "sort": sort,
    }
    positions = results_positions(run, **check_filters(run, **filters))
    total = len(positions)
    page = positions[offset : offset + limit]
    key = cache_key(request, snap, run.run_id)
    ix = run.index
    count = {"X-Total-Count": str(total)}
    if format == "csv":
        filename = f"clustermap_results_{run.run_id}.csv"
        return await cached_async(
            request, obs, key, lambda: cells_csv(run, page), media_type=CSV, filename=filename, headers=count
        )
    if format == "geojson":

        def geojson() -> dict[str, Any]:
            return to_geojson(obs, run, run.cells.iloc[page][cell_columns(run)])

        return await cached_async(request, obs, key, geojson, media_type=GEOJSON, headers=count)

    def build() -> dict[str, Any]:
        nxt = offset + limit if offset + limit < total else None
        prev = max(0, offset - limit) if offset > 0 else None
        return {
            "run_id": run.run_id,
            "methodology": run.methodology,
            "kind": run.kind,
            "total": total,
            "limit": limit,
            "offset": offset,
            "links": {
                "self": str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
                "next": _link(request, nxt),
                "previous": _link(request, prev),
            },
            "items": [{**_NO_CELL, **r} for r in ix.records(page, CELL_FIELDS)],
        }

    return await cached_async(request, obs, key, build, headers=count)


#: every field of a published cell, ``None`` where the run lacks the column (as ``CellPublic`` writes them)
_NO_CELL: dict[str, Any] = dict.fromkeys(CELL_FIELDS)


# ------------------------------------------------------------------------------------------------ the map


def default_category(run: RunData) -> str:
    """The category shown first: ``automotive`` when the run has it, else the first by name."""
    return "automotive" if "automotive" in run.category_names else next(iter(sorted(run.category_names)))


@router.get("/api/map-data", response_model=MapDataPublic, summary="What the choropleth draws")
async def map_data_route(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    year: YearQuery = None,
    category: Annotated[
        str | None, Query(pattern=SLUG_PATTERN, description="category slug; default automotive")
    ] = None,
    metric: Annotated[Literal[METRICS], Query(description="what colours the regions")] = "stars",  # type: ignore[valid-type]
) -> Response:
    """One value per region for a run, year, category and metric (stars, LQ, employment, share, strong), with
    the legend classes (colour-blind-safe viridis), the regions the map cannot draw, and a one-sentence text
    alternative of the map."""
    y = check_year(run, year)
    c = check_category(run, category) if category else default_category(run)
    key = answer_key(snap, "map-data", run.run_id, y, c, metric)
    return await cached_async(request, obs, key, lambda: map_answer(obs, run, y, c, metric))


def map_frame(data: MapDataPublic) -> pd.DataFrame:
    """The map's values as a table (for downloads)."""
    frame = pd.DataFrame([v.model_dump() for v in data.values])
    if frame.empty:
        return frame
    labels = {c.index: c.label for c in data.legend}
    frame["class"] = frame.pop("klass").map(labels).fillna("no value")
    frame.insert(0, "year", data.year)
    frame.insert(1, "category", data.category)
    frame.insert(2, "metric", data.metric)
    return frame
