"""Regions as data: the NUTS versions 2006–2024 and the US geographies, harmonisation of panels to one NUTS
version, region levels and custom region sets.

========================================  ===================================================================
:func:`get_registry`                      the :class:`RegionRegistry` built from the data files (cached)
:meth:`RegionRegistry.get`                one :class:`Region` (code, name, level, parent, country, versions)
:meth:`RegionRegistry.search` / ``list``  find regions by name or code; list by level, version, country, kind
:func:`harmonise`                         convert a panel to one NUTS version, with a change report
:func:`detect_versions`                   which NUTS version each code of each year is in
:func:`aggregate_nuts`                    NUTS 2 → NUTS 1 / 0 by code prefix within one version
:func:`aggregate_us`                      US counties → states, BEA economic areas, CBSAs
:func:`load_groups`, :func:`aggregate_groups`   custom region sets from a ``region, group`` CSV
========================================  ===================================================================
"""

from clustermap.regions.conversion import detect_versions
from clustermap.regions.custom import (
    OverlappingRegionsError,
    RegionGroups,
    UnknownRegionError,
    aggregate_groups,
    load_groups,
)
from clustermap.regions.harmonise import Harmonisation, harmonise
from clustermap.regions.levels import Aggregation, aggregate, aggregate_nuts, aggregate_us
from clustermap.regions.nuts import jrc_matrix, load_nuts_table
from clustermap.regions.registry import Region, RegionRegistry, get_registry
from clustermap.regions.sources import NUTS_VERSIONS
from clustermap.regions.us import load_cbsa_delineation, load_economic_areas, load_us_table

__all__ = [
    "NUTS_VERSIONS",
    "Aggregation",
    "Harmonisation",
    "OverlappingRegionsError",
    "Region",
    "RegionGroups",
    "RegionRegistry",
    "UnknownRegionError",
    "aggregate",
    "aggregate_groups",
    "aggregate_nuts",
    "aggregate_us",
    "detect_versions",
    "get_registry",
    "harmonise",
    "jrc_matrix",
    "load_cbsa_delineation",
    "load_economic_areas",
    "load_groups",
    "load_nuts_table",
    "load_us_table",
]
