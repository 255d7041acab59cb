"""clustermap — an open cluster observatory.

Statistical cluster mapping (European Cluster Observatory stars, US Cluster Mapping strong clusters) from
employment by region × industry × year, on DuckDB or PySpark with the same ibis expressions.

>>> import clustermap
>>> result = clustermap.map_clusters(table, categories="eco-nace2", methodology="eco2007")  # doctest: +SKIP
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clustermap.api import map_clusters

__all__ = ["__version__", "map_clusters"]


def __getattr__(name: str) -> Any:
    """``clustermap.map_clusters`` is imported on first use: the CLI starts without loading the engine."""
    if name == "map_clusters":
        from clustermap.api import map_clusters

        return map_clusters
    raise AttributeError(f"module 'clustermap' has no attribute {name!r}")
