"""The methodology as pure ibis expressions: ``ibis.Table -> ibis.Table`` functions that never touch a
connection, so that DuckDB, PySpark or any other ibis backend runs the very same code.

Tables use the canonical column names of :mod:`clustermap.schema` (``region``, ``industry``, ``year``,
``employment`` …) and, after aggregation, ``category``. Every computation is partitioned by ``year``: one year is
one analysis with its own region set.
"""

from clustermap.indicators.crosswalk import aggregate_to_categories
from clustermap.indicators.dynamism import dynamism_stars, relative_growth
from clustermap.indicators.hierarchy import industry_hierarchy
from clustermap.indicators.lq import location_quotients
from clustermap.indicators.portfolio import portfolio_strength
from clustermap.indicators.productivity import productivity_stars, relative_productivity
from clustermap.indicators.stars import eco_stars
from clustermap.indicators.strong import uscmp_strong
from clustermap.indicators.suppression import apply_suppression
from clustermap.indicators.totals import region_totals

__all__ = [
    "aggregate_to_categories",
    "apply_suppression",
    "dynamism_stars",
    "eco_stars",
    "industry_hierarchy",
    "location_quotients",
    "portfolio_strength",
    "productivity_stars",
    "region_totals",
    "relative_growth",
    "relative_productivity",
    "uscmp_strong",
]
