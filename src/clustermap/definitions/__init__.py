"""Industry classifications turned into cluster categories, and other small reference definitions.

- :mod:`clustermap.definitions.categories`: category sets (``eco-nace2``, ``uscmp``, user CSV files, the
  identity set), the US Cluster Mapping relatedness of clusters;
- :mod:`clustermap.definitions.size_classes`: employment-size classes of withheld CBP cells.
"""

from clustermap.definitions.categories import (
    CROSSWALK_COLUMNS,
    USCMP_CREDIT,
    CategorySet,
    available_category_sets,
    category_set_schema,
    identity_category_set,
    load_category_set,
    load_cluster_relatedness,
    load_uscmp,
    read_category_csv,
    slugify,
)
from clustermap.definitions.size_classes import load_size_classes

__all__ = [
    "CROSSWALK_COLUMNS",
    "USCMP_CREDIT",
    "CategorySet",
    "available_category_sets",
    "category_set_schema",
    "identity_category_set",
    "load_category_set",
    "load_cluster_relatedness",
    "load_size_classes",
    "load_uscmp",
    "read_category_csv",
    "slugify",
]
