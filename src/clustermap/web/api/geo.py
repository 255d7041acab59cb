"""Drawing the regions of a mapping result: polygons for the codes the result uses.

The mirror has GISCO polygons for NUTS 2016, 2021 and 2024 only, while the Eurostat SBS results carry NUTS 2006,
2010 and 2013 codes. :func:`result_layer` draws every code of a result with the polygons of one geometry version
(2016 by default) and, for a code that is not in that version, looks its territory up in the JRC NUTS-converter
matrix (:func:`clustermap.regions.jrc_matrix`):

``recode``
    the code's whole area lies in one region of the geometry version, and that region lies wholly in the code
    (``FR71`` → ``FRK2``): drawn with that polygon;
``split``
    the code's area is the union of several regions of the geometry version, each lying wholly in it
    (``UKI1`` → ``UKI3`` + ``UKI4``): drawn as their union;
``approximate``
    boundary changes (``UKM2`` / ``UKM3`` of NUTS 2013 → ``UKM7``, ``UKM8``, ``UKM9`` of 2016): drawn as the union of
    the regions of the geometry version more than half of whose area lies in the code, and said so (``note``);
otherwise (merges such as ``DE41`` + ``DE42`` → ``DE40``)
    the code has no polygon of its own in the geometry version: it is listed in ``missing`` with the reason and
    the fix from :func:`clustermap.geometry.geometry_coverage`.

"Wholly" allows slivers: intersections below ``sliver`` (2 %) of either side's area are the generalisation
noise of the GIS overlay and are ignored.

US results (two-digit state FIPS codes) are drawn with the us-atlas state polygons.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from clustermap.errors import ClustermapError

log = logging.getLogger(__name__)

__all__ = ["GEOMETRY_VERSION", "countries_layer", "result_layer"]

#: NUTS version of the polygons the site draws
GEOMETRY_VERSION = 2016
#: size budget of the simplified layer (bytes of GeoJSON)
MAX_BYTES = 1_500_000
_SOURCE_VERSIONS = (2006, 2010, 2013, 2016, 2021, 2024)


def _union(geometries: list[dict[str, Any]]) -> dict[str, Any]:
    """The union of GeoJSON polygons, dissolved with shapely."""
    import shapely.geometry as sg
    from shapely.ops import unary_union

    merged = unary_union([sg.shape(g).buffer(0) for g in geometries])
    return json.loads(json.dumps(sg.mapping(merged)))


def _territory(
    code: str, versions: tuple[int, ...], target: int, mirror: Path | None, sliver: float
) -> tuple[list[str], str]:
    """Codes of ``target`` that make up ``code`` exactly (recode or split), or ``([], why not)``."""
    from clustermap.regions import jrc_matrix

    level = len(code) - 2
    if level not in (1, 2, 3):
        return [], ""
    for version in sorted((v for v in versions if v != target and v in _SOURCE_VERSIONS), reverse=True):
        try:
            m = jrc_matrix(level, version, target, mirror=mirror)
        except ClustermapError:
            continue
        m = m[m["areaKm"] > 0]
        mine = m[m["from_code"] == code]
        if mine.empty:
            continue
        area_from = m.groupby("from_code")["areaKm"].sum()
        area_to = m.groupby("to_code")["areaKm"].sum()
        targets = []
        shared: dict[str, list[str]] = {}
        for row in mine.itertuples():
            if row.areaKm < sliver * area_from[code]:
                continue  # a sliver of the overlay
            targets.append(row.to_code)
            if row.areaKm < (1 - sliver) * area_to[row.to_code]:
                others = m[(m["to_code"] == row.to_code) & (m["from_code"] != code)]
                big = others[others["areaKm"] >= sliver * area_to[row.to_code]]
                shared[row.to_code] = sorted(big["from_code"])
        if not targets:
            continue
        if not shared:
            return sorted(targets), ""
        if len(targets) == 1:
            (to,) = targets
            return [], f"merged with {', '.join(shared[to])} into {to} (NUTS {target})"
        others = sorted({c for v in shared.values() for c in v})
        why = f"redrawn: its territory is now in {', '.join(sorted(targets))} (NUTS {target}), with parts of " + (
            ", ".join(others)
        )
        return _majority(code, mine, area_to), why
    return [], ""


def _majority(code: str, mine: Any, area_to: Any) -> list[str]:
    """Regions of the geometry version more than half of whose area lies in ``code``: the approximate shape of a
    redrawn region (``UKM3`` of NUTS 2013 ≈ ``UKM8`` + ``UKM9`` of NUTS 2016)."""
    return sorted(str(r.to_code) for r in mine.itertuples() if r.areaKm > 0.5 * area_to[r.to_code])


@lru_cache(maxsize=8)
def _gisco(version: int, mirror: str | None) -> Any:
    from clustermap.geometry import load_gisco

    return load_gisco(version, level=None, mirror=mirror)


@lru_cache(maxsize=8)
def _simplified(version: int, mirror: str | None) -> dict[str, dict[str, Any]]:
    """The GISCO polygons of every level of ``version``, simplified for the web, by code (computed once)."""
    from clustermap.geometry import web_geojson

    web = web_geojson(_gisco(version, mirror), MAX_BYTES * 2, properties=("id", "name"))
    return {str(f["id"]): f for f in json.loads(web.data)["features"]}


@lru_cache(maxsize=4)
def _us_states(mirror: str | None) -> tuple[Any, dict[str, dict[str, Any]]]:
    from clustermap.geometry import load_us_atlas, web_geojson

    states = load_us_atlas("states", mirror=mirror)
    web = web_geojson(states, 400_000, properties=("id", "name"))
    return states, {str(f["id"]): f for f in json.loads(web.data)["features"]}


def result_layer(
    codes: Iterable[str],
    *,
    version: int = GEOMETRY_VERSION,
    mirror: Path | None = None,
    names: dict[str, str] | None = None,
    sliver: float = 0.02,
) -> dict[str, Any]:
    """A GeoJSON ``FeatureCollection`` with one feature per drawable code of a result.

    Parameters
    ----------
    codes : iterable of str
        Region codes of the result (NUTS of any version 2006–2024, or two-digit US state FIPS).
    version : int, default 2016
        NUTS version of the GISCO polygons.
    mirror : path, optional
        Data mirror root.
    names : dict, optional
        ``code → name`` for the feature properties (default: the GISCO names).
    sliver : float, default 0.02
        Share of a region's area below which an intersection of two versions is ignored.

    Returns
    -------
    dict
        GeoJSON with feature ``id`` = the result's code and properties ``id, name, shape`` (``exact``,
        ``recode``, ``split`` or ``approximate``, then with a ``note``) and ``drawn_as`` (codes of ``version``
        whose polygons make the shape); foreign members ``missing`` (``region, kind, valid_in, fix`` of every
        code without a shape), ``version``, ``credit`` and ``report`` (the simplification report).
    """
    from clustermap.geometry import geometry_coverage, nuts_code_versions
    from clustermap.geometry.gisco import GISCO_CREDIT

    wanted = sorted({str(c) for c in codes})
    nuts = [c for c in wanted if c[:1].isalpha()]
    us = [c for c in wanted if c.isdigit()]
    names = names or {}
    features: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    credits: list[str] = []
    report: dict[str, Any] = {}

    if nuts:
        key = None if mirror is None else str(mirror)
        layer = _gisco(version, key)
        simplified = _simplified(version, key)
        report = {"layer": layer.name, "features": len(simplified)}
        coverage = geometry_coverage(nuts, version=version, layer=layer, mirror=mirror)
        missing_rows = {r["region"]: r for r in coverage.missing.to_dict("records")}
        credits.append(GISCO_CREDIT)
        for code in nuts:
            if code in simplified:
                features.append(_exact(code, names, simplified[code]))
                continue
            row = missing_rows.get(code, {"region": code, "kind": "unknown", "valid_in": "", "fix": ""})
            parts: list[str] = []
            approximate = False
            if row["kind"] == "other NUTS version":
                parts, why = _territory(code, nuts_code_versions(code, mirror=mirror), version, mirror, sliver)
                parts = [p for p in parts if p in simplified]
                approximate = bool(why and parts)  # a redrawn region: drawn with the regions mostly inside it
                if why:
                    row = {**row, "kind": "merged or redrawn", "fix": f"{why}; {row['fix']}"}
            if parts:
                geometry = _union([simplified[p]["geometry"] for p in parts]) if len(parts) > 1 else None
                kind = "approximate" if approximate else "recode" if len(parts) == 1 else "split"
                feature = _feature(
                    code, names.get(code, code), geometry or simplified[parts[0]]["geometry"], kind, parts
                )
                if approximate:
                    feature["properties"]["note"] = row["fix"].split(";")[0]
                features.append(feature)
            else:
                missing.append({**row, "name": names.get(code, code)})
    if us:
        from clustermap.geometry import us_geometry_coverage

        states, simplified = _us_states(None if mirror is None else str(mirror))
        coverage = us_geometry_coverage(us, layer=states)
        for row in coverage.missing.to_dict("records"):
            missing.append({**row, "name": names.get(row["region"], row["region"])})
        features += [_exact(code, names, simplified[code]) for code in us if code in simplified]
        credits.append(states.source.get("credit", "us-atlas (U.S. Census Bureau cartographic boundaries)"))
    return {
        "type": "FeatureCollection",
        "version": version,
        "credit": "; ".join(credits),
        "missing": missing,
        "report": {k: v for k, v in report.items() if isinstance(v, (int, float, str, bool))},
        "features": features,
    }


def _feature(code: str, name: str, geometry: dict[str, Any], shape: str, parts: list[str]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": code,
        "properties": {"id": code, "name": name, "shape": shape, "drawn_as": parts},
        "geometry": geometry,
    }


def _exact(code: str, names: dict[str, str], f: dict[str, Any]) -> dict[str, Any]:
    """Region ``code`` drawn with its own shape ``f``."""
    return _feature(code, names.get(code, f["properties"].get("name", code)), f["geometry"], "exact", [code])


def countries_layer(*, version: int = GEOMETRY_VERSION, mirror: Path | None = None) -> dict[str, Any]:
    """The countries (NUTS 0) of a GISCO version as simplified GeoJSON: the land under the regions of a map."""
    from clustermap.geometry import load_gisco, web_geojson
    from clustermap.geometry.gisco import GISCO_CREDIT

    layer = load_gisco(version, level=0, mirror=mirror)
    doc = json.loads(web_geojson(layer, 400_000, properties=("id", "name")).data)
    return {"type": "FeatureCollection", "version": version, "credit": GISCO_CREDIT, "features": doc["features"]}
