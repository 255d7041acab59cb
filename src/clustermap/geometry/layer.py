"""A layer of region polygons: GeoJSON features keyed by region code, with where they came from.

Coordinates are longitude/latitude in degrees (EPSG:4326) unless ``crs`` says otherwise (GISCO also publishes
EPSG:3035, metres). Geometries are GeoJSON ``Polygon`` / ``MultiPolygon`` objects as published (ring winding
kept); every feature carries ``id`` = the region code and ``properties`` with at least ``id``, ``name``,
``level`` and ``country``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.classifications._mirror import mirror_file
from clustermap.errors import CorruptFileError

__all__ = ["GeoLayer", "mirror_file", "read_json"]


def read_json(path: Path) -> Any:
    """Parse a JSON file; a damaged one raises :class:`CorruptFileError` naming the file."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"not a readable JSON file ({exc})", file=path) from exc


@dataclass
class GeoLayer:
    """Region polygons of one region set (e.g. NUTS 2016 level 2, US states).

    Attributes
    ----------
    name : str
        ``"nuts2016-level2"``, ``"us-states"`` …
    features : list of dict
        GeoJSON ``Feature`` objects, ``id`` = region code, ``properties`` with ``id, name, level, country``.
    crs : str
        ``"EPSG:4326"`` (lon/lat degrees) or ``"EPSG:3035"`` (metres).
    source : dict
        ``publisher, file, sha256, licence, credit`` and loader-specific keys (``version``, ``scale``).
    """

    name: str
    features: list[dict[str, Any]]
    crs: str = "EPSG:4326"
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """Region codes, in feature order."""
        return [str(f["id"]) for f in self.features]

    def frame(self) -> pd.DataFrame:
        """``id, name, level, country`` (and the other properties) of every feature, no geometry."""
        return pd.DataFrame([f["properties"] for f in self.features])

    def subset(self, ids: Iterable[str]) -> GeoLayer:
        """The features whose code is in ``ids`` (order kept)."""
        wanted = {str(i) for i in ids}
        return replace(self, features=[f for f in self.features if str(f["id"]) in wanted])

    def to_geojson(self) -> dict[str, Any]:
        """A GeoJSON ``FeatureCollection`` (a dict; ``json.dumps`` it)."""
        out: dict[str, Any] = {"type": "FeatureCollection", "name": self.name, "features": self.features}
        if self.crs != "EPSG:4326":
            out["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{self.crs.replace(':', '::')}"}}
        return out

    def vertex_count(self) -> int:
        """Number of coordinate pairs over all rings (closing points included)."""
        total = 0
        for f in self.features:
            geom = f["geometry"]
            polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
            total += sum(len(ring) for poly in polys for ring in poly)
        return total
