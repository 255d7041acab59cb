"""Geometry on the real mirror: every US state and every NUTS-2 2016 region has a polygon; web-ready maps stay
under budget and keep every feature; the coverage report of the raw SBS regions (NUTS 2010/2013 codes)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from clustermap.errors import UnknownNameError
from clustermap.geometry import (
    geometry_coverage,
    gisco_files,
    load_gisco,
    load_us_atlas,
    simplify_layer,
    us_geometry_coverage,
    web_geojson,
)
from clustermap.loaders import load_cbp_state_totals, load_sbs

pytestmark = pytest.mark.realdata

#: size budgets of the web maps, bytes
NUTS2_BUDGET = 1_500_000
US_STATES_BUDGET = 300_000


def test_every_us_state_has_geometry(mirror) -> None:
    states = load_us_atlas("states", mirror=mirror)
    cbp_states = load_cbp_state_totals(mirror=mirror)["region"].unique()
    assert len(cbp_states) == 51  # 50 states and DC
    report = us_geometry_coverage(cbp_states, layer=states)
    assert report.complete, report.to_text()
    fips = pd.read_csv(mirror / "us/geo/us_states.csv", dtype=str)["state_fips"]
    assert set(fips) == set(states.ids)
    assert states.frame().set_index("id").loc["06", "name"] == "California"
    counties = load_us_atlas("counties", mirror=mirror)
    assert len(counties.ids) == 3231 and counties.features[0]["properties"]["level"] == "county"


def test_every_nuts2_2016_region_has_geometry_in_the_2016_file(mirror) -> None:
    """NUTS-2 codes of 2016 from the mirror's two code lists (ropensci/nuts: EU + EFTA; rOpenGov/regions: EU28
    with the extra-regio ZZ codes) against the GISCO 2016 polygons."""
    a = pd.read_csv(mirror / "eu/nuts/all_nuts_codes_2006_2024_ropensci_nuts.csv", dtype=str)
    b = pd.read_csv(mirror / "eu/nuts/all_valid_nuts_codes_ropengov_regions.csv", dtype=str)
    listed_a = set(a.loc[(a["version"] == "2016") & (a["code"].str.len() == 4), "code"])
    listed_b = set(b.loc[(b["nuts"] == "code_2016") & (b["typology"] == "nuts_level_2"), "geo"])
    layer = load_gisco(2016, 2, mirror=mirror)
    assert len(layer.ids) == 332
    report = geometry_coverage(listed_a | listed_b, version=2016, layer=layer, mirror=mirror)
    print(f"\n{report.to_text()}")
    missing = report.missing.set_index("region")
    # extra-regio codes (..ZZ) have no territory; a code that only one list has at level 2 is a list error
    # (ropensci lists UKN1 for 2016: Northern Ireland is UKN0, which has its polygon)
    disputed = listed_a ^ listed_b
    bad = missing[(missing["kind"] != "extra-regio") & ~missing.index.isin(disputed)]
    assert bad.empty, bad.to_string()
    assert {c for c in listed_a & listed_b if not c.endswith("ZZ")} <= set(layer.ids)
    assert "UKN0" in layer.ids


def test_web_maps_stay_under_budget(mirror) -> None:
    sizes = {}
    for name, layer, budget in (
        ("NUTS-2 2016 (GISCO 1:20M)", load_gisco(2016, 2, mirror=mirror), NUTS2_BUDGET),
        ("NUTS-2 2021 (GISCO 1:60M)", load_gisco(2021, 2, mirror=mirror), NUTS2_BUDGET),
        ("NUTS-2 2024 (GISCO 1:20M)", load_gisco(2024, 2, mirror=mirror), NUTS2_BUDGET),
        ("US states (us-atlas 1:10m)", load_us_atlas("states", mirror=mirror), US_STATES_BUDGET),
        ("US states, tight budget", load_us_atlas("states", mirror=mirror), 200_000),  # needs simplification
    ):
        web = web_geojson(layer, budget)
        doc = json.loads(web.data)
        assert [f["id"] for f in doc["features"]] == layer.ids, name  # every feature kept, in order
        assert web.report["within_budget"], web.report
        assert web.report["invalid_polygons"] <= web.report["invalid_polygons_input"]
        sizes[name] = web.report
    assert sizes["US states, tight budget"]["tolerance"] > 0
    print("\nweb-ready GeoJSON (compact, 4 decimals):")
    for name, r in sizes.items():
        print(
            f"  {name}: {r['bytes']:,} bytes (budget {r['max_bytes']:,}; raw {r['raw_bytes']:,}); "
            f"{r['features']} features; tolerance {r['tolerance']}°; "
            f"vertices {r['vertices_in']:,} → {r['vertices_out']:,}"
        )


def test_nuts2_neighbours_share_their_simplified_borders(mirror) -> None:
    """GISCO NUTS-2 2016 simplified (coverage simplification, 4 decimals): no overlap between neighbours (sum of
    areas = area of the union, deg²) and no gap (the union has as many holes as before and keeps its area)."""
    layer = load_gisco(2016, 2, mirror=mirror)

    def union_of(lay):
        geoms = [shape(f["geometry"]) for f in lay.features]
        union = shapely.union_all(geoms)
        return sum(g.area for g in geoms) - union.area, union

    _, before = union_of(layer)
    holes_before = sum(len(p.interiors) for p in shapely.get_parts(before))
    for tolerance in (0.1, 0.5):
        out, counts = simplify_layer(layer, tolerance, precision=4)
        overlap, union = union_of(out)
        holes = sum(len(p.interiors) for p in shapely.get_parts(union))
        print(
            f"\ntolerance {tolerance}: vertices {counts['vertices_in']:,} → {counts['vertices_out']:,}; "
            f"overlap {overlap:.1e} deg²; union {before.area:.4f} → {union.area:.4f} deg²; "
            f"holes {holes_before} → {holes}"
        )
        assert out.ids == layer.ids and counts["vertices_out"] < counts["vertices_in"]
        assert abs(overlap) < 1e-9
        # the coastline is simplified too: the union loses a little area (2.3 % at 0.5°), but opens no hole
        assert holes == holes_before and abs(union.area - before.area) / before.area < 0.05


def test_gisco_versions_and_errors(mirror) -> None:
    files = gisco_files(mirror=mirror)
    assert {2016, 2021, 2024} <= set(files["version"])
    assert len(load_gisco(2024, 0, mirror=mirror).ids) == 39
    assert load_gisco(2021, 1, crs=3035, mirror=mirror).crs == "EPSG:3035"
    with pytest.raises(UnknownNameError, match="the mirror has"):
        load_gisco(2013, 2, mirror=mirror)


def test_coverage_of_the_raw_sbs_regions(mirror) -> None:
    """The SBS panel mixes NUTS 2010 and 2013 codes: against 2016 geometry the report names each code without a
    polygon and sends it to the region harmonisation."""
    regions = load_sbs(mirror=mirror, years=[2012, 2015]).frame["region"]
    report = geometry_coverage(regions, version=2016, mirror=mirror)
    print(f"\n{report.covered}/{report.regions} SBS regions have NUTS 2016 geometry; missing by kind:")
    print(report.missing["kind"].value_counts().to_string())
    assert not report.complete
    other = report.missing[report.missing["kind"] == "other NUTS version"]
    assert {"FR71", "UKI1", "EL11"} & set(other["region"])
    assert other["fix"].str.contains("clustermap regions convert").all()
    assert not other["valid_in"].str.contains("2016").any()
