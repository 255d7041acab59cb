"""Every table the site shows, as CSV or XLSX (the XLSX has a second sheet saying where the numbers come from)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Path, Query, Request, Response

from clustermap import columns as vocabulary
from clustermap.settings import get_settings
from clustermap.web.api import tables as t
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
    cache_key,
    cached,
    check_category,
    check_region,
    check_year,
)
from clustermap.web.api.routes.meta import categories_of, datasets_loaded, public_file_name, run_public
from clustermap.web.api.routes.profiles import MAX_COMPARE, parse_regions, region_year
from clustermap.web.api.routes.results import (
    cell_columns,
    cells_csv,
    check_filters,
    default_category,
    map_frame,
    to_csv,
)
from clustermap.web.api.schemas import ErrorPublic, MapDataPublic
from clustermap.web.api.service import Observatory, RunData, Snapshot

router = APIRouter(tags=["downloads"], responses={**ERRORS, **NOT_MODIFIED})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: table name → what it is (and which parameter it needs)
TABLES: dict[str, str] = {
    "results": "cells of the run, filtered by year / category / region / min_stars",
    "map": "the values of the map (year, category, metric)",
    "region-stars": "a region's stars table (region, year)",
    "region-portfolio": "a region's clusters (region, year)",
    "region-change": "a region's clusters by year (region)",
    "region-category-years": "a region's stars per category and year (region)",
    "category-ranking": "top regions by stars beside top regions by employment (category, year, top)",
    "category-concentration": "concentration of a category's employment (category, year)",
    "category-change": "a category by year (category)",
    "compare": "regions side by side (regions, year, value)",
    "summary": "the run's summary per year",
    "categories": "the categories and their industries",
    "datasets": "the loaded datasets with provenance",
    "runs": "the mapping runs",
    "coverage": "regions of the run the map cannot draw, and why",
}
TableName = Literal[tuple(TABLES)]  # type: ignore[valid-type]


def _need(value: Any, parameter: str, table: str) -> Any:
    if value is None or value == []:
        raise ApiError(422, "missing_parameter", f"the {table} table needs {parameter}", parameter=parameter)
    return value


def build_table(
    obs: Observatory,
    snap: Snapshot,
    run: RunData,
    table: str,
    *,
    year: int | None = None,
    region: str | None = None,
    category: str | None = None,
    regions: list[str] | None = None,
    metric: str = "stars",
    value: str = "stars",
    min_stars: int | None = None,
    top: int = 20,
) -> tuple[pd.DataFrame, str]:
    """The table and a file stem naming what it holds."""
    stem = f"clustermap_{table}"
    if table == "results":
        positions = results_positions(run, **_results_filters(run, year, region, category, min_stars))
        frame = run.cells.iloc[positions][cell_columns(run)]
        stem += "".join(f"_{x}" for x in (region, category, year) if x)
    elif table == "map":
        y = check_year(run, year)
        c = check_category(run, category) if category else default_category(run)
        frame = map_frame(MapDataPublic.model_validate(map_answer(obs, run, y, c, metric)))
        stem += f"_{c}_{y}_{metric}"
    elif table.startswith("region-"):
        code = check_region(run, _need(region, "region", table))
        cells, y, _ = region_year(run, code, year)
        this_year = cells[cells["year"] == y]
        if table == "region-stars":
            frame, stem = t.region_stars_table(this_year), f"{stem}_{code}_{y}"
        elif table == "region-portfolio":
            frame, stem = t.portfolio(this_year), f"{stem}_{code}_{y}"
        elif table == "region-change":
            frame, stem = t.region_change(cells), f"{stem}_{code}"
        else:
            frame, stem = t.region_category_years(cells), f"{stem}_{code}"
        frame.insert(0, "region", code)
        frame.insert(1, "region_name", obs.name(code))
    elif table.startswith("category-"):
        c = check_category(run, _need(category, "category", table))
        if table == "category-change":
            frame, stem = t.category_change(run.rows(run.by_category.get(c)), run.kind), f"{stem}_{c}"
        else:
            y = check_year(run, year)
            cells = run.rows(run.by_year_category.get((y, c)))
            if table == "category-ranking":
                by_stars, by_emp = t.figure3(cells, top=top)
                frame = pd.concat([by_stars.add_prefix("by_stars_"), by_emp.add_prefix("by_employment_")], axis=1)
            else:
                frame = pd.DataFrame([t.concentration(cells)])
            stem += f"_{c}_{y}"
        frame.insert(0, "category", c)
    elif table == "compare":
        codes = parse_regions(_need(regions, "regions", table))
        if len(codes) > MAX_COMPARE:
            raise ApiError(422, "too_many_regions", f"compare at most {MAX_COMPARE} regions", parameter="regions")
        codes = [check_region(run, c, parameter="regions") for c in codes]
        y = check_year(run, year)
        cells = run.rows(run.by_year.get(y))
        frame = t.compare_table(cells, codes, value if value in cells.columns else "strong")
        frame = frame.rename(columns={c: f"{c} {obs.name(c)}" for c in codes})
        stem += f"_{y}_{value}"
    elif table == "summary":
        frame = pd.DataFrame(run.summary)
    elif table == "categories":
        rows = []
        for c in categories_of(run, obs.mirror):
            for i in c.get("industries") or [{"industry": "", "title": "", "share": None}]:
                rows.append({"category": c["slug"], "category_name": c["name"], "traded": c["traded"], **i})
        frame = pd.DataFrame(rows)
    elif table == "datasets":
        frame = pd.DataFrame(datasets_loaded(snap))
        for col in ("rows_dropped", "notes"):
            if col in frame:
                frame[col] = frame[col].map(lambda v: json.dumps(v, default=str))
    elif table == "runs":
        frame = pd.DataFrame(
            [
                {k: v for k, v in run_public(r).model_dump().items() if k not in ("provenance", "summary")}
                for r in snap.runs.values()
            ]
        )
        for col in ("parameters", "years"):
            if col in frame:
                frame[col] = frame[col].map(json.dumps)
    else:  # coverage
        frame = pd.DataFrame(obs.geometry(run)["missing"], columns=["region", "name", "kind", "valid_in", "fix"])
    return frame, stem


def about_sheet(run: RunData, table: str, request: Request, columns: Iterable[str] = ()) -> pd.DataFrame:
    """The 'about' sheet of a download: table, run, methodology, parameters, inputs, code version, URL, and the
    meaning and unit of each of ``columns`` that the result vocabulary (:mod:`clustermap.columns`) defines."""
    prov = run.provenance
    inputs = prov.get("inputs") or []
    rows = [
        ("table", table),
        ("what", TABLES[table]),
        ("url", str(request.url)),
        ("run", run.run_id),
        ("methodology", f"{run.methodology} {run.methodology_version}"),
        ("parameters", json.dumps(run.parameters)),
        ("category set", run.categories),
        ("code version", str(prov.get("code_version", ""))),
    ]
    rows += [
        ("input", f"{i.get('dataset')} — {public_file_name(i.get('file'))} sha256 {i.get('sha256')} ({i.get('url')})")
        for i in inputs
    ]
    rows.append(("credit", "Source: Eurostat (© European Union); computed with clustermap"))
    rows += [(f"column {name}", vocabulary.describe(name)) for name in columns if name in vocabulary.CELL_COLUMNS]
    return pd.DataFrame(rows, columns=["field", "value"])


def to_xlsx(frame: pd.DataFrame, sheet: str, about: pd.DataFrame) -> bytes:
    """An Excel workbook of ``frame`` (sheet ``sheet``) with the ``about`` sheet beside it."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name=sheet[:31], index=False)
        about.to_excel(xl, sheet_name="about", index=False)
    return buf.getvalue()


@router.get(
    "/api/downloads/{table}",
    response_model=None,
    responses={
        200: {
            "description": "the table as a file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        413: {"model": ErrorPublic, "description": "the table is too large for XLSX (setting xlsx_max_cells)"},
    },
    summary="Download a table (CSV or XLSX)",
)
def download(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    table: Annotated[TableName, Path(description="which table: " + "; ".join(f"{k} = {v}" for k, v in TABLES.items()))],
    format: Annotated[Literal["csv", "xlsx"], Query(description="file format")] = "csv",
    year: YearQuery = None,
    region: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
    category: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None,
    regions: Annotated[list[Annotated[str, Query(max_length=120)]] | None, Query(description="for compare")] = None,
    metric: Annotated[Literal["stars", "lq", "employment", "share", "strong"], Query()] = "stars",
    value: Annotated[Literal["stars", "lq", "employment", "share"], Query()] = "stars",
    min_stars: Annotated[int | None, Query(ge=0, le=5, description="0-3 (eco2007, eco2008), 0-5 (panorama)")] = None,
    top: Annotated[int, Query(ge=1, le=500)] = 20,
) -> Response:
    """Any table of the site as a CSV or an XLSX file (XLSX: a second sheet ``about`` with the run, the
    methodology and its parameters, the input files with their sha256, and the credit line)."""
    if table == "results" and format == "csv":
        return _results_csv(request, obs, snap, run, year=year, region=region, category=category, min_stars=min_stars)
    frame, stem = build_table(
        obs,
        snap,
        run,
        table,
        year=year,
        region=region,
        category=category,
        regions=regions,
        metric=metric,
        value=value,
        min_stars=min_stars,
        top=top,
    )
    key = cache_key(request, snap, run.run_id)
    if format == "xlsx":
        limit = get_settings().xlsx_max_cells
        if frame.size > limit:
            raise ApiError(
                413,
                "too_large_for_xlsx",
                f"the table has {len(frame):,} rows x {frame.shape[1]} columns = {frame.size:,} cells; XLSX is "
                f"limited to {limit:,} cells: download it as CSV (format=csv) or filter it (year, category, region)",
                parameter="format",
                value="xlsx",
                allowed=["csv"],
            )
        return cached(
            request,
            obs,
            key,
            lambda: to_xlsx(frame, table, about_sheet(run, table, request, frame.columns)),
            media_type=XLSX,
            filename=f"{stem}.xlsx",
        )
    return cached(
        request, obs, key, lambda: to_csv(frame), media_type="text/csv; charset=utf-8", filename=f"{stem}.csv"
    )


def _results_csv(
    request: Request,
    obs: Observatory,
    snap: Snapshot,
    run: RunData,
    *,
    year: int | None,
    region: str | None,
    category: str | None,
    min_stars: int | None,
) -> Response:
    """The ``results`` table as CSV from the run's pre-rendered lines (:mod:`clustermap.web.api.cellindex`):
    the same file as ``build_table`` + ``to_csv``, without pandas."""
    filters = _results_filters(run, year, region, category, min_stars)
    stem = "clustermap_results" + "".join(f"_{x}" for x in (region, category, year) if x)

    def build() -> bytes:
        return cells_csv(run, results_positions(run, **filters))

    key = cache_key(request, snap, run.run_id)
    return cached(request, obs, key, build, media_type="text/csv; charset=utf-8", filename=f"{stem}.csv", by_url=True)


def _results_filters(
    run: RunData, year: int | None, region: str | None, category: str | None, min_stars: int | None
) -> dict[str, Any]:
    """The ``results`` table's filters checked against the run (a 400 naming the first unknown value)."""
    return check_filters(
        run,
        years=[check_year(run, year)] if year is not None else None,
        categories=[category] if category else None,
        regions=[region] if region else None,
        min_stars=min_stars,
    )
