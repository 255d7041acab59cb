"""Industry classifications turned into cluster categories, and other small reference definitions.

- :mod:`clustermap.definitions.categories`: category sets by name (``eco-nace2``, ``uscmp``, the derived sets,
  user CSV files, the identity set) — the front door;
- :mod:`clustermap.definitions.category_set`: the record and the CSV reader;
- :mod:`clustermap.definitions.uscmp`: the US Cluster Mapping definitions (mirror or publisher);
- :mod:`clustermap.definitions.derived`: the sets built at run time from classification tables;
- :mod:`clustermap.definitions.relatedness`: the US Cluster Mapping relatedness of clusters;
- :mod:`clustermap.classifications.size_classes`: employment-size classes of withheld CBP cells (re-exported).
"""

from clustermap.definitions.categories import (
    CROSSWALK_COLUMNS,
    USCMP_CREDIT,
    CategorySet,
    available_category_sets,
    category_set_schema,
    identity_category_set,
    load_category_set,
    load_size_classes,
    load_uscmp,
    read_category_csv,
    slugify,
)
from clustermap.definitions.relatedness import load_cluster_relatedness

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
