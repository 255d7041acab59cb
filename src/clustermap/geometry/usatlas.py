"""US states and counties from the us-atlas TopoJSON files (``us/geo/states-10m.json``, ``counties-10m.json``).

us-atlas 3.0.1 (Mike Bostock, ISC licence) is built from the US Census Bureau's 2017 cartographic boundary files
at 1:10 million, unprojected (lon/lat degrees), quantised. Objects: ``states`` (56: 50 states, DC, Puerto Rico
and four territories; ``id`` = 2-digit state FIPS), ``counties`` (3,231; ``id`` = 5-digit county FIPS) and
``nation``.

TopoJSON stores each shared border once, as an *arc*: a delta-encoded list of integer positions; a polygon ring
is a list of arc indices, ``~i`` (= ``-i - 1``) meaning arc ``i`` reversed. :func:`topojson_features` decodes
that into GeoJSON geometries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from clustermap.errors import CorruptFileError, UnknownNameError
from clustermap.geometry.layer import GeoLayer, mirror_file, read_json
from clustermap.provenance import sha256_file

__all__ = ["US_ATLAS_CREDIT", "decode_arcs", "load_us_atlas", "topojson_features"]

US_ATLAS_CREDIT = "us-atlas 3.0.1 (ISC licence, Mike Bostock) from US Census Bureau cartographic boundary files 2017"
_LEVELS = {"states": "state", "counties": "county", "nation": "nation"}
_FILES = {
    "states": "us/geo/states-10m.json",
    "counties": "us/geo/counties-10m.json",
    "nation": "us/geo/states-10m.json",
}


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """The arcs of a TopoJSON topology as float arrays (n × 2, lon/lat), transform and delta encoding undone."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        a = np.asarray(arc, dtype="float64")[:, :2]
        if transform is not None:
            a = np.cumsum(a, axis=0)
            scale = np.asarray(transform["scale"], dtype="float64")
            a = a * scale + np.asarray(transform["translate"], dtype="float64")
        arcs.append(a)
    return arcs


def _ring(indices: list[int], arcs: list[np.ndarray]) -> list[list[float]]:
    parts = []
    for k, i in enumerate(indices):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])
    coords = np.concatenate(parts) if parts else np.empty((0, 2))
    return coords.tolist()


def _geometry(obj: dict[str, Any], arcs: list[np.ndarray]) -> dict[str, Any] | None:
    kind = obj.get("type")
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": [_ring(r, arcs) for r in obj["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [[_ring(r, arcs) for r in p] for p in obj["arcs"]]}
    if kind is None:
        return None
    raise CorruptFileError(f"unsupported TopoJSON geometry type {kind!r} (only Polygon and MultiPolygon)")


def topojson_features(topology: dict[str, Any], object_name: str) -> list[dict[str, Any]]:
    """GeoJSON features of one object of a TopoJSON topology (a ``GeometryCollection`` of polygons).

    Raises
    ------
    UnknownNameError
        the topology has no object ``object_name``.
    """
    objects = topology.get("objects", {})
    if object_name not in objects:
        raise UnknownNameError(f"TopoJSON object {object_name!r} not found; objects: {', '.join(objects)}")
    arcs = decode_arcs(topology)
    obj = objects[object_name]
    geoms = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    out = []
    for g in geoms:
        geometry = _geometry(g, arcs)
        if geometry is None:
            continue
        props = dict(g.get("properties") or {})
        out.append({"type": "Feature", "id": g.get("id"), "properties": props, "geometry": geometry})
    return out


def load_us_atlas(kind: str = "states", *, mirror: str | Path | None = None) -> GeoLayer:
    """US states, counties or the nation outline from the us-atlas TopoJSON of the mirror.

    Parameters
    ----------
    kind : {"states", "counties", "nation"}
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    GeoLayer
        ``name="us-{kind}"``, lon/lat degrees; feature ``id`` = 2-digit state FIPS (``"06"``) or 5-digit county
        FIPS (``"06037"``), ``"US"`` for the nation; properties ``id, name, level`` (``state``/``county``/
        ``nation``), ``country`` (``US``) and ``state`` (2-digit FIPS of the state).

    Raises
    ------
    UnknownNameError
        an unknown kind.
    SourceError, CorruptFileError
        the file is missing or damaged.
    """
    if kind not in _FILES:
        raise UnknownNameError(f"unknown us-atlas layer {kind!r}; known: states, counties, nation")
    path = mirror_file(_FILES[kind], mirror)
    topology = read_json(path)
    features = []
    for f in topojson_features(topology, kind):
        code = "US" if kind == "nation" else str(f["id"])
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "id": code,
                    "name": f["properties"].get("name", "United States" if kind == "nation" else code),
                    "level": _LEVELS[kind],
                    "country": "US",
                    "state": code[:2] if kind != "nation" else "",
                },
                "geometry": f["geometry"],
            }
        )
    return GeoLayer(
        name=f"us-{kind}",
        features=features,
        source={
            "publisher": "us-atlas (Mike Bostock) from US Census Bureau cartographic boundary files 2017, 1:10m",
            "file": str(path),
            "sha256": sha256_file(path),
            "licence": "ISC (us-atlas); boundaries: US Census Bureau, public domain",
            "credit": US_ATLAS_CREDIT,
        },
    )
