"""Topology-aware simplification and TopoJSON decoding on hand-made shapes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.geometry import GeoLayer, build_topology, geojson_bytes, simplify_layer, topojson_features, web_geojson


def wiggle(n: int = 50) -> list[list[float]]:
    """A wiggly shared border from (1, 0) up to (1, 1)."""
    ys = np.linspace(0, 1, n)
    return [[1 + 0.01 * np.sin(20 * y), float(y)] for y in ys]


def two_regions() -> GeoLayer:
    border = wiggle()
    left = [[0.0, 0.0], *border, [0.0, 1.0], [0.0, 0.0]]
    right = [*border[::-1], [2.0, 0.0], [2.0, 1.0], border[-1]]
    island = [[2.5, 0.5], [2.5001, 0.5], [2.5001, 0.5001], [2.5, 0.5]]  # tiny: collapses when simplified
    features = [
        {
            "type": "Feature",
            "id": "L",
            "properties": {"id": "L", "name": "left"},
            "geometry": {"type": "Polygon", "coordinates": [left]},
        },
        {
            "type": "Feature",
            "id": "R",
            "properties": {"id": "R", "name": "right"},
            "geometry": {"type": "MultiPolygon", "coordinates": [[right], [island]]},
        },
    ]
    return GeoLayer("test", features)


def border_points(feature: dict) -> set[tuple[float, float]]:
    geom = feature["geometry"]
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return {tuple(p) for p in polys[0][0] if 0.5 < p[0] < 1.5}


def test_topology_shares_the_border_once() -> None:
    topo = build_topology(two_regions())
    assert topo.shared_arcs == 1
    assert len(topo.arcs) == 4  # the shared border, the rest of each ring, the island


def test_simplified_neighbours_keep_the_same_border() -> None:
    layer = two_regions()
    out, counts = simplify_layer(layer, 0.005)
    assert out.ids == ["L", "R"]
    left, right = border_points(out.features[0]), border_points(out.features[1])
    assert left == right  # no sliver: both sides of the border moved the same way
    assert counts["vertices_out"] < counts["vertices_in"]
    assert counts["polygons_dropped"] == 1  # the island of R collapsed; R keeps its main polygon
    assert out.features[1]["geometry"]["type"] == "Polygon"


def test_web_geojson_meets_a_budget_and_keeps_every_feature() -> None:
    layer = two_regions()
    full = len(geojson_bytes(layer))
    web = web_geojson(layer, full // 2, precision=4)
    doc = json.loads(web.data)
    assert web.report["within_budget"] and len(web.data) <= full // 2
    assert [f["id"] for f in doc["features"]] == ["L", "R"]
    assert web.report["invalid_polygons"] == 0
    tight = web_geojson(layer, 10)
    assert not tight.report["within_budget"] and tight.report["features"] == 2


def test_a_feature_is_never_lost() -> None:
    tiny = [[0.0, 0.0], [0.0001, 0.0], [0.0001, 0.0001], [0.0, 0.0]]
    layer = GeoLayer(
        "tiny",
        [
            {
                "type": "Feature",
                "id": "T",
                "properties": {"id": "T"},
                "geometry": {"type": "Polygon", "coordinates": [tiny]},
            }
        ],
    )
    out, counts = simplify_layer(layer, 1.0, precision=3)  # rounding to 0.001 collapses the triangle
    assert out.ids == ["T"] and counts["kept_unsimplified"] == 1
    assert len(out.features[0]["geometry"]["coordinates"][0]) == 4  # kept as it was


def test_winding() -> None:
    out, _ = simplify_layer(two_regions(), 0, winding="rfc7946")
    ring = np.asarray(out.features[0]["geometry"]["coordinates"][0])
    area = 0.5 * (np.dot(ring[:-1, 0], ring[1:, 1]) - np.dot(ring[1:, 0], ring[:-1, 1]))
    assert area > 0  # exterior counter-clockwise
    with pytest.raises(ParameterError):
        simplify_layer(two_regions(), 0, winding="left")


def test_topojson_decoding() -> None:
    # two unit squares sharing the arc x = 1 (quantised, delta-encoded), the right one using it reversed
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [0.0, 0.0]},
        "arcs": [
            [[2, 0], [0, 2]],  # (1,0) → (1,1): the shared border
            [[2, 2], [-2, 0], [0, -2], [2, 0]],  # (1,1) → (0,1) → (0,0) → (1,0)
            [[2, 0], [2, 0], [0, 2], [-2, 0]],  # (1,0) → (2,0) → (2,1) → (1,1)
        ],
        "objects": {
            "regions": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "A", "properties": {"name": "a"}},
                    {"type": "Polygon", "arcs": [[2, ~0]], "id": "B", "properties": {"name": "b"}},
                ],
            }
        },
    }
    a, b = topojson_features(topology, "regions")
    assert a["geometry"]["coordinates"][0] == [[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]]
    assert b["geometry"]["coordinates"][0] == [[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]
    assert a["id"] == "A" and b["properties"] == {"name": "b"}
    with pytest.raises(UnknownNameError):
        topojson_features(topology, "counties")
