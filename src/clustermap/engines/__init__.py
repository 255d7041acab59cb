"""Connection factories for the compute backends (DuckDB by default, PySpark in local mode or on a cluster)."""

from clustermap.engines.backends import BACKENDS, connect, to_backend

__all__ = ["BACKENDS", "connect", "to_backend"]
