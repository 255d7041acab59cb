"""Region geometry: GISCO NUTS polygons, us-atlas states and counties, web-ready simplified GeoJSON under a size
budget, and a coverage report of which regions of a result can be drawn.

=================================  ======================================================================
function                           what
=================================  ======================================================================
:func:`load_gisco`                 NUTS polygons of one version (2016, 2021, 2024) and level, from GeoJSON
:func:`load_us_atlas`              US states / counties / nation from the us-atlas TopoJSON (arcs decoded)
:func:`web_geojson`                coverage-simplified (shapely), rounded GeoJSON under a byte budget
:func:`simplify_layer`             the same at a given tolerance
:func:`geometry_coverage`          regions of a result without a NUTS polygon, why, and the fix
:func:`us_geometry_coverage`       the same for US state / county FIPS codes
=================================  ======================================================================
"""

from clustermap.geometry.coverage import CoverageReport, geometry_coverage, nuts_code_versions, us_geometry_coverage
from clustermap.geometry.gisco import gisco_files, load_gisco
from clustermap.geometry.layer import GeoLayer
from clustermap.geometry.simplify import WebMap, geojson_bytes, simplify_layer, web_geojson
from clustermap.geometry.usatlas import load_us_atlas, topojson_features

__all__ = [
    "CoverageReport",
    "GeoLayer",
    "WebMap",
    "geojson_bytes",
    "geometry_coverage",
    "gisco_files",
    "load_gisco",
    "load_us_atlas",
    "nuts_code_versions",
    "simplify_layer",
    "topojson_features",
    "us_geometry_coverage",
    "web_geojson",
]
