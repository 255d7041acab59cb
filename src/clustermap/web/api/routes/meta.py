"""Methodologies, datasets with provenance, runs and categories."""

from __future__ import annotations

import contextlib
import json
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from clustermap.errors import ClustermapError
from clustermap.web.api.deps import (
    ERRORS,
    NAME_PATTERN,
    NOT_MODIFIED,
    SLUG_PATTERN,
    ApiError,
    ObservatoryDep,
    RunDep,
    SnapshotDep,
    cache_key,
    cached,
)
from clustermap.web.api.schemas import (
    CategoryPublic,
    DatasetPublic,
    IndexPublic,
    MethodologyPublic,
    RunPublic,
)
from clustermap.web.api.service import RunData, Snapshot
from clustermap.web.api.tables import records

router = APIRouter(tags=["metadata"], responses={**ERRORS, **NOT_MODIFIED})


@router.get("/api", response_model=IndexPublic, summary="What the API offers")
def index(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """Links to every resource of the API, and what the server has: runs, the registry, the analyses."""
    app = request.app
    links = [
        ("methodologies", "/api/methodologies", "methodologies and the runs that used them"),
        ("datasets", "/api/datasets", "loaded datasets with provenance"),
        ("runs", "/api/runs", "mapping runs"),
        ("categories", "/api/categories", "cluster categories"),
        ("regions", "/api/regions", "region search and hierarchy"),
        ("geometry", "/api/geometry", "region polygons of a run (GeoJSON)"),
        ("results", "/api/results", "mapping results (JSON, CSV, GeoJSON), filtered and paginated"),
        ("map-data", "/api/map-data", "what the choropleth draws"),
        ("region-profile", "/api/profiles/regions/{code}", "a region's portfolio"),
        ("category-profile", "/api/profiles/categories/{slug}", "a category's ranking and concentration"),
        ("compare", "/api/compare", "up to 10 regions side by side"),
        ("analyses", "/api/analyses", "the chapter-2 analyses"),
        ("downloads", "/api/downloads/{table}", "every table as CSV or XLSX"),
        ("openapi", "/openapi.json", "this API's OpenAPI 3 schema"),
    ]
    body = IndexPublic(
        title="clustermap observatory API",
        version=app.version,
        links=[{"rel": r, "href": h, "title": t} for r, h, t in links],
        warehouse=str(obs.warehouse),
        runs=len(snap.runs),
        registry=bool(getattr(app.state, "registry_installed", False)),
        analyses=bool(getattr(app.state, "analyses_installed", False)),
        ready=obs.ready.is_set(),
    )
    return cached(request, obs, cache_key(request, snap, body.ready), lambda: body, cache_control="no-cache")


# ------------------------------------------------------------------------------------------ methodologies


def _methodology(name: str, snap: Snapshot) -> dict[str, Any]:
    from clustermap.methodology import get_methodology

    runs = sorted((r for r in snap.runs.values() if r.methodology == name), key=lambda r: r.created, reverse=True)
    try:
        m = get_methodology(name)
        return {
            "name": m.name,
            "version": m.version,
            "id": m.id,
            "kind": m.kind,
            "title": m.title,
            "description": m.description,
            "reference": m.reference,
            "parameters": dict(m.parameters),
            "parameter_declarations": m.describe_parameters(),
            "runs": [r.run_id for r in runs],
        }
    except ClustermapError:
        if not runs:
            raise
        r = runs[0]  # a methodology read from a user's file: what the run recorded
        return {
            "name": name,
            "version": r.methodology_version,
            "id": f"{name}@{r.methodology_version}",
            "kind": r.kind,
            "title": name,
            "description": "",
            "reference": "",
            "parameters": r.parameters,
            "runs": [x.run_id for x in runs],
        }


@router.get("/api/methodologies", response_model=list[MethodologyPublic], summary="Methodologies")
def methodologies(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """The shipped methodologies (``eco2007``, ``eco2008``, ``uscmp``) and any other the warehouse's runs used,
    each with its parameters and the ids of its runs (newest first)."""
    from clustermap.methodology import available_methodologies

    def build() -> list[dict[str, Any]]:
        names = sorted(set(available_methodologies()) | set(snap.methodologies))
        return [MethodologyPublic(**_methodology(n, snap)).model_dump() for n in names]

    return cached(request, obs, cache_key(request, snap), build)


@router.get("/api/methodologies/{name}", response_model=MethodologyPublic, summary="One methodology")
def methodology(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, name: Annotated[str, Path(pattern=NAME_PATTERN)]
) -> Response:
    """A methodology by name: kind, parameters, description, reference and its runs."""
    try:
        body = MethodologyPublic(**_methodology(name, snap))
    except ClustermapError as exc:
        raise ApiError(404, "unknown_methodology", str(exc), parameter="name", value=name) from exc
    return cached(request, obs, cache_key(request, snap), lambda: body)


# ----------------------------------------------------------------------------------------------- datasets


def public_file_name(file: object) -> str | None:
    """The name of an input file without its directory (public answers never show file-system paths)."""
    if file is None or (isinstance(file, float) and file != file):
        return None
    text = str(file)
    return text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or None


def public_provenance(prov: dict[str, Any]) -> dict[str, Any]:
    """A run's provenance with every ``file`` reduced to its name (no file-system paths in public answers)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: public_file_name(v) if k == "file" else strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(prov)


def datasets_loaded(snap: Snapshot) -> list[dict[str, Any]]:
    """The datasets loaded into the snapshot's warehouse, the latest load of each, sorted by name: the load's
    provenance (rows read, kept and dropped by reason, notes) without file-system paths."""
    if snap.loads.empty:
        return []
    loads = snap.loads.sort_values("loaded_at").drop_duplicates("dataset", keep="last").sort_values("dataset")
    out = []
    for row in records(loads):
        dropped = row.get("rows_dropped")
        if isinstance(dropped, str):
            try:
                dropped = json.loads(dropped)
            except ValueError:
                dropped = {"raw": dropped}
        notes = row.get("notes")
        if isinstance(notes, str):
            with contextlib.suppress(ValueError):
                notes = json.loads(notes)
        out.append(
            DatasetPublic(
                dataset=row["dataset"],
                kind=row.get("kind") or "",
                source=row.get("source"),
                file=public_file_name(row.get("file")),
                sha256=row.get("sha256"),
                url=row.get("url"),
                rows_read=row.get("rows_read"),
                rows_kept=row.get("rows_kept"),
                rows_dropped=dropped or {},
                retrieved=row.get("retrieved"),
                loaded_at=None if row.get("loaded_at") is None else str(row.get("loaded_at")),
                load_id=row["load_id"],
                notes=notes,
            ).model_dump()
        )
    return out


@router.get("/api/datasets", response_model=list[DatasetPublic], summary="Datasets with provenance")
def datasets(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """Every dataset loaded into the warehouse (its latest load): publisher, file, sha256, URL, rows read, kept
    and dropped by reason, when it was retrieved."""
    return cached(request, obs, cache_key(request, snap), lambda: datasets_loaded(snap))


@router.get("/api/datasets/{dataset}", response_model=DatasetPublic, summary="One dataset")
def dataset(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, dataset: Annotated[str, Path(pattern=NAME_PATTERN)]
) -> Response:
    """A loaded dataset's provenance."""
    found = [d for d in datasets_loaded(snap) if d["dataset"] == dataset]
    if not found:
        raise ApiError(
            404,
            "unknown_dataset",
            f"no dataset {dataset!r} in the warehouse",
            parameter="dataset",
            value=dataset,
            allowed=[d["dataset"] for d in datasets_loaded(snap)],
        )
    return cached(request, obs, cache_key(request, snap), lambda: found[0])


# --------------------------------------------------------------------------------------------------- runs


def run_public(run: RunData, published: bool = False) -> RunPublic:
    """The public description of a run (id, created, methodology, categories, years …)."""
    return RunPublic(
        run_id=run.run_id,
        created=run.created,
        dataset=run.dataset,
        methodology=run.methodology,
        methodology_version=run.methodology_version,
        kind=run.kind,
        categories=run.categories,
        parameters=run.parameters,
        years=run.years,
        default_year=run.default_year,
        incomplete_years=run.incomplete_years,
        regions=len(run.by_region),
        family=run.family,
        suppression=run.suppression,
        published=published,
        provenance=public_provenance(run.provenance),
        summary=run.summary,
    )


@router.get("/api/runs", response_model=list[RunPublic], summary="Mapping runs")
def runs(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """Every run of the warehouse, newest first: region family (EU / US), dataset, methodology, parameters,
    suppression policy, category set, years, whether it is the published default of its family, provenance
    (input files and their sha256, code version) and the per-year summary."""
    ordered = sorted(snap.runs.values(), key=lambda r: r.created, reverse=True)
    published = set(snap.published.values())
    return cached(
        request,
        obs,
        cache_key(request, snap),
        lambda: [run_public(r, r.run_id in published).model_dump() for r in ordered],
    )


@router.get("/api/runs/{run_id}", response_model=RunPublic, summary="One run")
def run(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, run_id: Annotated[str, Path(pattern=NAME_PATTERN)]
) -> Response:
    """A run by id (``latest`` = the newest run of any family; ``published`` = the run the site opens on)."""
    chosen = {"latest": snap.newest, "published": snap.default()}.get(run_id) or snap.runs.get(run_id)
    if chosen is None:
        raise ApiError(
            404,
            "unknown_run",
            f"no run {run_id!r} in the warehouse",
            parameter="run_id",
            value=run_id,
            allowed=sorted(snap.runs) or None,
        )
    published = chosen.run_id in set(snap.published.values())
    return cached(request, obs, cache_key(request, snap), lambda: run_public(chosen, published))


# --------------------------------------------------------------------------------------------- categories


@lru_cache(maxsize=8)
def _category_set(name: str, mirror: str | None) -> Any:
    from pathlib import Path as _Path

    from clustermap.definitions.categories import load_category_set

    try:
        return load_category_set(name, mirror=_Path(mirror) if mirror else None)
    except (ClustermapError, OSError):
        return None


def categories_of(run: RunData, mirror: Any) -> list[dict[str, Any]]:
    """The categories of a run's category set with their industries (only the run's own when the set cannot be
    read)."""
    return _categories(run.categories, str(mirror) if mirror else None, tuple(sorted(run.category_names.items())))


@lru_cache(maxsize=32)
def _categories(set_name: str, mirror: str | None, in_results: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    cs = _category_set(set_name, mirror)
    names = dict(in_results)
    out = []
    if cs is not None:
        cw = cs.crosswalk
        groups = {k: g for k, g in cw.groupby("category", sort=False)}
        for row in cs.categories.to_dict("records"):
            slug = str(row["category"])
            inds = groups.get(slug, cw.iloc[0:0])
            out.append(
                {
                    "slug": slug,
                    "name": str(row["category_name"]),
                    "traded": bool(row["traded"]),
                    "category_set": cs.name,
                    "merged_from": str(row.get("merged_from") or ""),
                    "partial": str(row.get("partial") or ""),
                    "industries": [
                        {"industry": str(i.industry), "title": str(i.industry_title or ""), "share": float(i.share)}
                        for i in inds.itertuples()
                    ],
                    "in_results": slug in names,
                }
            )
    known = {c["slug"] for c in out}
    for slug, name in names.items():
        if slug not in known:
            out.append({"slug": slug, "name": name, "traded": True, "category_set": set_name, "in_results": True})
    return out


@router.get("/api/categories", response_model=list[CategoryPublic], summary="Cluster categories")
def categories(request: Request, obs: ObservatoryDep, snap: SnapshotDep, run: RunDep) -> Response:
    """The categories of the selected run's category set (e.g. ``eco-nace2``): slug, name, traded or local, the
    industries (NACE / NAICS codes and shares) that make each one, and whether the run has cells for it."""
    return cached(
        request,
        obs,
        cache_key(request, snap, run.run_id),
        lambda: [CategoryPublic(**c).model_dump() for c in categories_of(run, obs.mirror)],
    )


@router.get("/api/categories/{slug}", response_model=CategoryPublic, summary="One category")
def category(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    slug: Annotated[str, Path(pattern=SLUG_PATTERN)],
) -> Response:
    """A category by slug, with its industries."""
    found = [c for c in categories_of(run, obs.mirror) if c["slug"] == slug]
    if not found:
        raise ApiError(
            404,
            "unknown_category",
            f"no category {slug!r} in {run.categories}",
            parameter="slug",
            value=slug,
            allowed=sorted(run.category_names),
        )
    return cached(request, obs, cache_key(request, snap, run.run_id), lambda: CategoryPublic(**found[0]))
