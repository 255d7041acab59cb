"""clustermap — an open cluster observatory.

Statistical cluster mapping (European Cluster Observatory stars, US Cluster Mapping strong clusters) from
employment by region × industry × year, on DuckDB or PySpark with the same ibis expressions.

>>> import clustermap
>>> result = clustermap.map_clusters(table, categories="eco-nace2", methodology="eco2007")  # doctest: +SKIP
"""

from clustermap._version import __version__
from clustermap.api import map_clusters

__all__ = ["__version__", "map_clusters"]
