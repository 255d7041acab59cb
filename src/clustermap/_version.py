"""The version of clustermap (one place; the package root and the provenance of results read it)."""

__version__ = "0.1.0"
