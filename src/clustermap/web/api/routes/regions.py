"""Regions: search, hierarchy and geometry (names from the region registry)."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from clustermap.errors import ClustermapError
from clustermap.web.api.deps import (
    CODE_PATTERN,
    ERRORS,
    NOT_MODIFIED,
    ApiError,
    ObservatoryDep,
    RunDep,
    SnapshotDep,
    cache_key,
    cached,
)
from clustermap.web.api.schemas import GeoJSONPublic, RegionDetailPublic, RegionPagePublic
from clustermap.web.api.service import Observatory

router = APIRouter(tags=["regions"], responses={**ERRORS, **NOT_MODIFIED})

GEOJSON = "application/geo+json"
_JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorPublic"}}}
#: a GeoJSON answer, and errors in JSON (not in the route's GeoJSON media type)
_GEO_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"model": GeoJSONPublic, "description": "GeoJSON"},
    **{status: {"description": ERRORS[status]["description"], "content": _JSON_ERROR} for status in (400, 404, 422)},
}


class GeoJSONResponse(JSONResponse):
    media_type = GEOJSON


def region_public(obs: Observatory, code: str, *, region: Any = None) -> dict[str, Any]:
    """A region as :class:`~clustermap.web.api.schemas.RegionPublic` fields (from the registry when it knows
    the code, else from the code alone)."""
    r = region if region is not None else obs.region(code)
    snap = obs.snapshot()
    latest = snap.latest
    in_results = bool(latest is not None and code in latest.by_region)
    if r is None:
        is_us = code.isdigit()
        return {
            "code": code,
            "name": code,
            "level": None if is_us else max(0, min(3, len(code) - 2)),
            "kind": "state" if is_us and len(code) == 2 else ("county" if is_us else "nuts"),
            "country": "US" if is_us else code[:2].upper(),
            "country_name": "",
            "parent": None if is_us or len(code) <= 2 else code[:-1],
            "versions": [],
            "name_national": "",
            "in_results": in_results,
        }
    return {
        "code": r.code,
        "name": r.name,
        "level": r.level,
        "kind": r.kind,
        "country": r.country,
        "country_name": r.country_name or "",
        "parent": r.parent or None,
        "versions": [int(v) for v in r.versions],
        "name_national": r.name_national or "",
        "in_results": bool(latest is not None and r.code in latest.by_region),
    }


@router.get("/api/regions", response_model=RegionPagePublic, summary="Search and list regions")
def regions(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="what to find: a region code of any NUTS version, a name (national or English; case, "
            "accents and punctuation ignored) or a city or town (answers its NUTS-2 and NUTS-3 regions)",
        ),
    ] = None,
    level: Annotated[int | None, Query(ge=0, le=3, description="NUTS level 0-3")] = None,
    kind: Annotated[
        str | None,
        Query(pattern=r"^(nuts|state|county|cbsa|economic_area)$", description="region kind"),
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="two-letter country code")] = None,
    version: Annotated[int | None, Query(ge=1999, le=2030, description="NUTS version (2006 … 2024)")] = None,
    in_results: Annotated[bool, Query(description="only regions the newest run has cells for")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Regions found by ``q`` as people type them (best matches first: code, name, city, name prefix …; each
    item says in ``match`` why it was found), or every region of a level, kind, country and NUTS version. Names
    are those of the region registry (GISCO Latin and national names) and English names; cities and towns are
    GeoNames' (CC BY 4.0), placed in their NUTS 2016 regions by point-in-polygon."""

    def build() -> dict[str, Any]:
        reg = obs.registry
        items: list[dict[str, Any]] = []
        if reg is not None:
            try:
                if q and kind in (None, "nuts"):
                    items = []
                    for hit in obs.find_places(q, limit=None):
                        r = obs.region(hit.code)
                        if r is None or (version is not None and version not in r.versions):
                            continue
                        items.append({**region_public(obs, r.code, region=r), "match": hit.match})
                    if kind is None:  # US states, counties, CBSAs by name
                        found = reg.search(q, version=version, kind=None, limit=None)
                        items += [region_public(obs, r.code, region=r) for r in found if r.kind != "nuts"]
                elif q:
                    found = reg.search(q, version=version, kind=kind, limit=None)
                    items = [region_public(obs, r.code, region=r) for r in found]
                else:
                    table = reg.list(level=level, version=version, country=country, kind=kind)
                    latest = snap.latest
                    codes = latest.by_region if latest is not None else {}
                    items = [
                        {
                            "code": str(row.code),
                            "name": str(row.name),
                            "level": None if pd.isna(row.level) else int(row.level),
                            "kind": str(row.kind),
                            "country": str(row.country),
                            "country_name": "",
                            "parent": None if pd.isna(row.parent) or not row.parent else str(row.parent),
                            "versions": [int(v) for v in str(row.versions).split(",") if v.strip().isdigit()],
                            "name_national": "" if pd.isna(row.name_national) else str(row.name_national),
                            "in_results": str(row.code) in codes,
                        }
                        for row in table.itertuples()
                    ]
            except ClustermapError as exc:
                raise ApiError(400, "invalid_parameter", str(exc)) from exc
        else:  # no registry: the regions of the results
            latest = snap.latest
            codes = latest.regions if latest is not None else []
            items = [region_public(obs, c) for c in codes if not q or q.lower() in c.lower()]
        if level is not None:
            items = [i for i in items if i["level"] == level]
        if kind is not None:
            items = [i for i in items if i["kind"] == kind]
        if country is not None:
            cc = country.upper()
            items = [i for i in items if i["country"] == ("EL" if cc == "GR" else cc)]
        if in_results:
            items = [i for i in items if i["in_results"]]
        return RegionPagePublic(
            total=len(items), limit=limit, offset=offset, items=items[offset : offset + limit]
        ).model_dump()

    return cached(request, obs, cache_key(request, snap), build)


@router.get("/api/regions/{code}", response_model=RegionDetailPublic, summary="One region and its hierarchy")
def region(
    request: Request, obs: ObservatoryDep, snap: SnapshotDep, code: Annotated[str, Path(pattern=CODE_PATTERN)]
) -> Response:
    """A region with its ancestors (up to the country) and children, in the latest NUTS version it is valid in."""
    reg = obs.registry
    r = obs.region(code) or obs.region(code.upper())
    latest = snap.latest
    if r is None and not (latest is not None and code in latest.by_region):
        raise ApiError(404, "unknown_region", f"unknown region code {code!r}", parameter="code", value=code)

    def build() -> dict[str, Any]:
        base = region_public(obs, r.code if r is not None else code, region=r)
        ancestors: list[dict[str, Any]] = []
        children: list[dict[str, Any]] = []
        if reg is not None and r is not None:
            try:
                p = reg.parent(r.code, r.version if r.kind == "nuts" else None)
                while p is not None:
                    ancestors.append(region_public(obs, p.code, region=p))
                    p = reg.parent(p.code, p.version if p.kind == "nuts" else None)
                children = [region_public(obs, c.code, region=c) for c in reg.children(r.code, r.version)]
            except ClustermapError:
                pass
        return RegionDetailPublic(
            **base,
            ancestors=ancestors,
            children=children,
            geometry_url=f"/api/regions/{base['code']}/geometry",
            profile_url=f"/api/profiles/regions/{base['code']}",
        ).model_dump()

    return cached(request, obs, cache_key(request, snap), build)


@router.get(
    "/api/regions/{code}/geometry",
    response_model=None,
    response_class=GeoJSONResponse,
    responses=_GEO_RESPONSE,
    summary="One region's polygon (GeoJSON)",
)
def region_geometry(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    code: Annotated[str, Path(pattern=CODE_PATTERN)],
) -> Response:
    """A region's polygon as a GeoJSON FeatureCollection of one feature: the GISCO NUTS 2016 polygon, or for a
    code of an older NUTS version the 2016 polygons of the same territory (recode or split); 404 when the
    territory has no polygon (merged or redrawn since)."""
    latest = snap.latest
    feature = None
    if latest is not None and code in latest.by_region:
        layer = obs.geometry(latest)
        feature = next((f for f in layer["features"] if f["id"] == code), None)
    if feature is None:
        from clustermap.web.api.geo import result_layer

        try:
            layer = result_layer([code], mirror=obs.mirror, names={code: obs.name(code)})
        except (ClustermapError, OSError) as exc:
            raise ApiError(404, "no_geometry", f"no geometry for {code}: {exc}", parameter="code", value=code) from exc
        feature = layer["features"][0] if layer["features"] else None
        if feature is None:
            why = layer["missing"][0]["fix"] if layer["missing"] else "no polygon"
            raise ApiError(404, "no_geometry", f"no polygon for {code}: {why}", parameter="code", value=code)
    body = {"type": "FeatureCollection", "features": [feature]}
    return cached(request, obs, cache_key(request, snap), lambda: body, media_type=GEOJSON)


@router.get(
    "/api/geometry/countries",
    response_model=None,
    response_class=GeoJSONResponse,
    responses=_GEO_RESPONSE,
    summary="Country outlines (GeoJSON)",
)
def countries_geometry(request: Request, obs: ObservatoryDep, snap: SnapshotDep) -> Response:
    """The countries (NUTS 0, GISCO 2016) as simplified GeoJSON: the land drawn under a map's regions."""
    return cached(
        request,
        obs,
        cache_key(request, snap),
        obs.countries_bytes,
        media_type=GEOJSON,
        cache_control="public, max-age=86400",
    )


@router.get(
    "/api/geometry",
    response_model=None,
    response_class=GeoJSONResponse,
    responses=_GEO_RESPONSE,
    summary="Polygons of a run's regions",
)
def geometry(request: Request, obs: ObservatoryDep, snap: SnapshotDep, run: RunDep) -> Response:
    """GeoJSON of every region of the selected run (feature ``id`` = the result's code), drawn with the GISCO
    NUTS 2016 polygons (codes of older versions: the polygons of the same territory). ``missing`` lists the
    regions without a shape and why; ``credit`` names the boundaries' source."""
    return cached(
        request,
        obs,
        cache_key(request, snap, run.run_id),
        lambda: obs.geometry_bytes(run),
        media_type=GEOJSON,
        cache_control="public, max-age=86400",
    )
