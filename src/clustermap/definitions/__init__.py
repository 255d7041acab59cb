"""Industry classifications turned into cluster categories, and other small reference definitions.

- :mod:`clustermap.definitions.categories`: category sets by name (``eco-nace2``, ``uscmp``, the derived sets,
  user CSV files, the identity set) — the front door;
- :mod:`clustermap.definitions.category_set`: the record and the CSV reader;
- :mod:`clustermap.definitions.uscmp`: the US Cluster Mapping definitions (mirror or publisher);
- :mod:`clustermap.definitions.derived`: the sets built at run time from classification tables;
- :mod:`clustermap.definitions.relatedness`: the US Cluster Mapping relatedness of clusters;
- :mod:`clustermap.classifications.size_classes`: employment-size classes of withheld CBP cells (re-exported).
"""

from clustermap.definitions import categories
from clustermap.definitions.categories import *  # noqa: F403 - the front door's names, listed once in its __all__
from clustermap.definitions.relatedness import load_cluster_relatedness

__all__ = [*categories.__all__, "load_cluster_relatedness"]
