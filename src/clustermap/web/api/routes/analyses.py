"""The analyses of chapter 2 (``clustermap.analyses``): ``/api/analyses`` lists them, ``/api/analyses/{name}``
runs one. Each analysis runs the package's functions on the selected run's
cells (inputs beyond the run — patents, population, GDP — come from the data mirror, read only) and what they
return (frames, dataclasses of frames, dicts, numbers) is served as tables and values.
"""

import dataclasses
import logging
import math
from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, Path, Query, Request, Response

from clustermap import analyses
from clustermap.errors import ClustermapError
from clustermap.web.api.deps import (
    ERRORS,
    NOT_MODIFIED,
    ApiError,
    ObservatoryDep,
    RunDep,
    SnapshotDep,
    YearQuery,
    cache_key,
    cached,
    check_year,
)
from clustermap.web.api.schemas import AnalysesPublic, AnalysisResultPublic
from clustermap.web.api.tables import records

log = logging.getLogger(__name__)

#: URL name → title
ANALYSES: dict[str, str] = {
    "portfolio": "Portfolio strength: stars, clusters and cluster employment per region (Figure 6)",
    "employment-shares": "Employment in clusters and in strong clusters per region and year (section 2.2, Figure 9)",
    "concentration": "Category concentration: strong-cluster share, Gini, Hoover, Herfindahl (section 2.2)",
    "eu-us": "EU vs US concentration per category on the common categories (Figure 8)",
    "innovation": "Patents per inhabitant vs portfolio strength and strong-cluster share (Figure 5)",
    "prosperity": "GDP per capita vs strong-cluster share (Figure 10)",
    "change": "Change between two years: star transitions, emerged and disappeared clusters",
}


def _portfolio(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    portfolios = m.region_portfolios(run.cells, year=p["year"], mirror=ctx["mirror"])
    stats, hist = m.portfolio_distribution(portfolios)
    return {"regions": portfolios, "distribution": stats, "histogram": hist}


def _shares(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    shares = m.region_shares(run.cells, year=p["year"], mirror=ctx["mirror"])
    stats, hist = m.share_distribution(shares)
    return {"regions": shares, "distribution": stats, "histogram": hist, "by_year": m.cluster_shares_by_year(run.cells)}


def _concentration(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    table = m.category_concentration(run.cells, year=p["year"])
    return {"categories": table, "summary": m.concentration_summary(table)}


def _change(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    changes = m.star_changes(run.cells, p["from_year"], p["to_year"])
    return {
        "summary": m.change_summary(changes),
        "transitions": m.transition_matrix(changes),
        "growth": m.employment_growth(run.cells, p["from_year"], p["to_year"]),
        "changes": changes,
    }


def _innovation(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    from clustermap.analyses import inputs

    portfolios = m.region_portfolios(run.cells, year=p["year"], mirror=ctx["mirror"])
    table = m.innovation_table(
        portfolios, inputs.eu_patents(mirror=ctx["mirror"]), inputs.eu_population(mirror=ctx["mirror"])
    )
    return {"regions": table, "relations": m.innovation_relations(table), "unmatched": table.attrs.get("unmatched", [])}


def _prosperity(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    from clustermap.analyses import inputs

    portfolios = m.region_portfolios(run.cells, year=p["year"], mirror=ctx["mirror"])
    table = m.prosperity_table(portfolios, inputs.eu_gdp(mirror=ctx["mirror"]))
    return {"regions": table, "relation": m.prosperity_relation(table), "unmatched": table.attrs.get("unmatched", [])}


def _eu_us(m: Any, run: Any, p: dict[str, Any], ctx: dict[str, Any]) -> Any:
    us_runs = [r for r in ctx["snapshot"].runs.values() if r.regions and all(c.isdigit() for c in r.regions)]
    if not us_runs:
        raise m.MissingInputError(
            "a US mapping run in the warehouse",
            hint="map US CBP states on the common categories and store the run (clustermap report --overview "
            "does it), then reload",
        )
    us = max(us_runs, key=lambda r: r.created)
    eu = m.category_concentration(run.cells, year=p["year"])
    us_table = m.category_concentration(us.cells, year=us.default_year)
    comparison = m.compare_concentration(eu, us_table)
    return {"categories": comparison, "verdict": m.concentration_verdict(comparison), "us_run": us.run_id}


_ADAPTERS: dict[str, Callable[..., Any]] = {
    "portfolio": _portfolio,
    "employment-shares": _shares,
    "concentration": _concentration,
    "eu-us": _eu_us,
    "innovation": _innovation,
    "prosperity": _prosperity,
    "change": _change,
}
#: the functions of clustermap.analyses each adapter runs (published by the index)
_NEEDS: dict[str, tuple[str, ...]] = {
    "portfolio": ("region_portfolios", "portfolio_distribution"),
    "employment-shares": ("region_shares", "share_distribution", "cluster_shares_by_year"),
    "concentration": ("category_concentration", "concentration_summary"),
    "eu-us": ("category_concentration", "compare_concentration", "concentration_verdict"),
    "innovation": ("region_portfolios", "innovation_table", "innovation_relations"),
    "prosperity": ("region_portfolios", "prosperity_table", "prosperity_relation"),
    "change": ("star_changes", "change_summary", "transition_matrix", "employment_growth"),
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, pd.Series):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def flatten(result: Any, prefix: str = "") -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Tables (from DataFrames) and values (everything else) of what an analysis returned; nested names are
    joined with dots (``relations.portfolio_strength.points``)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    values: dict[str, Any] = {}
    name = prefix or "table"
    if isinstance(result, pd.DataFrame):
        tables[name] = records(result.reset_index() if result.index.name else result)
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        for f in dataclasses.fields(result):
            t, v = flatten(getattr(result, f.name), f"{prefix}.{f.name}" if prefix else f.name)
            tables.update(t)
            values.update(v)
    elif isinstance(result, dict):
        if all(not isinstance(v, (pd.DataFrame, dict)) and not dataclasses.is_dataclass(v) for v in result.values()):
            values[name] = _jsonable(result)  # a flat record (e.g. summary statistics): one value
            return tables, values
        for k, v in result.items():
            t, vals = flatten(v, f"{prefix}.{k}" if prefix else str(k))
            tables.update(t)
            values.update(vals)
    else:
        values[name] = _jsonable(result)
    return tables, values


router = APIRouter(tags=["analyses"], responses={**ERRORS, **NOT_MODIFIED})
AnalysisName = Literal[tuple(ANALYSES)]  # type: ignore[valid-type]


@router.get("/api/analyses", response_model=AnalysesPublic, summary="The chapter-2 analyses")
def analyses_index(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """Which analyses this server can run (portfolio, employment shares, concentration, EU–US, innovation,
    prosperity, change over time), the functions of ``clustermap.analyses`` each runs, and where."""
    body = AnalysesPublic(
        available=True,
        reason=None,
        analyses=[
            {
                "name": name,
                "title": title,
                "function": ", ".join(f"clustermap.analyses.{f}" for f in _NEEDS[name]),
                "available": True,
                "url": f"/api/analyses/{name}",
            }
            for name, title in ANALYSES.items()
        ],
    )
    return cached(request, obs, cache_key(request, snap), lambda: body)


@router.get("/api/analyses/{name}", response_model=AnalysisResultPublic, summary="Run one analysis")
def analysis(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    name: Annotated[AnalysisName, Path(description="analysis name (see /api/analyses)")],
    year: YearQuery = None,
    from_year: Annotated[int | None, Query(ge=1900, le=2100, description="first year (change)")] = None,
    to_year: Annotated[int | None, Query(ge=1900, le=2100, description="second year (change)")] = None,
) -> Response:
    """One analysis of the selected run (its latest complete year by default), as tables and values; the
    change analysis compares ``from_year`` (default: the first complete year) with ``to_year`` (default: the
    latest complete year). Inputs beyond the run (patents, population, GDP) are read from the data mirror; a
    missing input is a 422 naming it."""
    complete = [y for y in run.years if y not in run.incomplete_years] or run.years
    params = {
        "year": check_year(run, year),
        "from_year": check_year(run, from_year, "from_year") if from_year is not None else complete[0],
        "to_year": check_year(run, to_year, "to_year") if to_year is not None else run.default_year,
    }
    if params["from_year"] > params["to_year"]:
        raise ApiError(
            400,
            "inconsistent_parameters",
            f"from_year {params['from_year']} is after to_year {params['to_year']}",
            parameter="from_year",
            value=params["from_year"],
            allowed=[y for y in run.years if y <= params["to_year"]],
        )
    ctx = {"mirror": obs.mirror, "snapshot": snap}

    def build() -> AnalysisResultPublic:
        try:
            result = _ADAPTERS[name](analyses, run, params, ctx)
        except (ClustermapError, ValueError, LookupError, KeyError) as exc:
            raise ApiError(422, "analysis_failed", f"{name}: {exc}") from exc
        tables, values = flatten(result)
        return AnalysisResultPublic(name=name, run_id=run.run_id, parameters=params, tables=tables, values=values)

    return cached(request, obs, cache_key(request, snap, run.run_id), build)
