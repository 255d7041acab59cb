"""Coverage simplification of web maps and TopoJSON decoding on hand-made shapes."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.geometry import GeoLayer, geojson_bytes, simplify_layer, topojson_features, web_geojson


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


def overlap_and_union(layer: GeoLayer) -> tuple[float, shapely.Geometry]:
    """Sum of the feature areas minus the area of their union (> 0: neighbours overlap) and the union."""
    geoms = [shape(f["geometry"]) for f in layer.features]
    union = shapely.union_all(geoms)
    return sum(g.area for g in geoms) - union.area, union


def assert_shared_borders(out: GeoLayer, before: GeoLayer, eps: float) -> None:
    """No overlap between neighbours (sum of areas = union area to ``eps``, layer units²) and no gap: the union
    has as many holes as before (a sliver between neighbours would be one more) and keeps its area to 1 %."""
    overlap, union = overlap_and_union(out)
    _, union_before = overlap_and_union(before)
    assert abs(overlap) < eps, overlap
    holes = [sum(len(p.interiors) for p in shapely.get_parts(u)) for u in (union, union_before)]
    assert holes[0] == holes[1], holes
    assert abs(union.area - union_before.area) / union_before.area < 0.01


def test_simplified_neighbours_keep_the_same_border() -> None:
    layer = two_regions()
    out, counts = simplify_layer(layer, 0.01)
    assert out.ids == ["L", "R"]
    left, right = border_points(out.features[0]), border_points(out.features[1])
    assert left == right  # no sliver: both sides of the border moved the same way
    assert counts["vertices_out"] < counts["vertices_in"]
    assert_shared_borders(out, layer, 1e-12)


def test_a_moved_border_vertex_is_seen() -> None:
    """The check above can fail: one side of the border moved alone opens an overlap."""
    layer = two_regions()
    ring = layer.features[0]["geometry"]["coordinates"][0]
    ring[10] = [ring[10][0] + 0.005, ring[10][1]]
    with pytest.raises(AssertionError):
        assert_shared_borders(layer, two_regions(), 1e-12)


def test_each_level_is_simplified_as_its_own_coverage() -> None:
    """A layer holding two levels (L and R, and the region LR over both) overlaps itself: each level is simplified
    on its own, so the regions of level 2 come out as they do without LR."""
    layer = two_regions()
    for f in layer.features:
        f["properties"]["level"] = 2
    both = [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0], [0.0, 0.0]]
    whole = {
        "type": "Feature",
        "id": "LR",
        "properties": {"id": "LR", "name": "both", "level": 1},
        "geometry": {"type": "Polygon", "coordinates": [both]},
    }
    mixed = GeoLayer("mixed", [whole, *layer.features])
    out, _ = simplify_layer(mixed, 0.05)
    alone, _ = simplify_layer(layer, 0.05)
    assert [f["geometry"] for f in out.features[1:]] == [f["geometry"] for f in alone.features]


def test_collapsed_parts_are_dropped_but_not_the_feature() -> None:
    out, counts = simplify_layer(two_regions(), 0.01, precision=3)  # rounding to 0.001 collapses R's island
    assert out.ids == ["L", "R"]
    assert counts["polygons_dropped"] == 1 and counts["kept_unsimplified"] == 0
    assert out.features[1]["geometry"]["type"] == "Polygon"


def test_web_geojson_meets_a_budget_and_keeps_every_feature() -> None:
    layer = two_regions()
    full = len(geojson_bytes(layer))
    web = web_geojson(layer, full // 2, precision=4)
    doc = json.loads(web.data)
    assert web.report["within_budget"] and len(web.data) <= full // 2
    assert [f["id"] for f in doc["features"]] == ["L", "R"]
    assert web.report["invalid_polygons"] == 0
    # coordinates rounded to 4 decimals in the bytes themselves
    numbers = np.array([c for f in doc["features"] for ring in f["geometry"]["coordinates"] for c in ring]).ravel()
    assert np.array_equal(numbers, np.round(numbers, 4))
    assert max(len(d) for d in re.findall(r"\d\.(\d+)", web.data.decode())) <= 4
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


def test_broken_input_rings_are_cleaned_first() -> None:
    """A 3-point hole and a ring crossing itself (as in us-atlas Delaware and Oregon) would stop the coverage
    simplifier: the first is left out, the second made valid."""
    layer = two_regions()
    left = layer.features[0]["geometry"]["coordinates"]
    left.append([[0.2, 0.2], [0.3, 0.3], [0.2, 0.2]])  # a hole of 2 distinct points
    bowtie = [[3.0, 0.0], [4.0, 1.0], [4.0, 0.0], [3.0, 1.0], [3.0, 0.0]]
    layer.features.append(
        {
            "type": "Feature",
            "id": "B",
            "properties": {"id": "B"},
            "geometry": {"type": "Polygon", "coordinates": [bowtie]},
        }
    )
    out, counts = simplify_layer(layer, 0.01, precision=4)
    assert out.ids == ["L", "R", "B"]
    assert counts["made_valid"] == 1  # the bow tie
    assert counts["rings_dropped"] == 2  # the 2-point hole, and R's island (collapses at 4 decimals)
    assert all(shape(f["geometry"]).is_valid for f in out.features)


def test_winding() -> None:
    out, _ = simplify_layer(two_regions(), 0, winding="rfc7946")
    ring = np.asarray(out.features[0]["geometry"]["coordinates"][0])
    area = 0.5 * (np.dot(ring[:-1, 0], ring[1:, 1]) - np.dot(ring[1:, 0], ring[:-1, 1]))
    assert area > 0  # exterior counter-clockwise
    out, _ = simplify_layer(two_regions(), 0.01, winding="d3")
    ring = np.asarray(out.features[0]["geometry"]["coordinates"][0])
    area = 0.5 * (np.dot(ring[:-1, 0], ring[1:, 1]) - np.dot(ring[1:, 0], ring[:-1, 1]))
    assert area < 0  # exterior clockwise
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
