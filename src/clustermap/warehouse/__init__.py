"""The warehouse: a DuckDB file holding loaded observations, their provenance, and mapping runs."""

from clustermap.warehouse.store import Warehouse

__all__ = ["Warehouse"]
