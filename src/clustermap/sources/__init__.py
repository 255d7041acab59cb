"""Where clustermap's input data come from: the dataset catalog and the mirror / cache / download logic."""

from clustermap.sources.catalog import Dataset, datasets, get, ids
from clustermap.sources.fetch import fetch_url, read_bytes, read_text, resolve

__all__ = ["Dataset", "datasets", "fetch_url", "get", "ids", "read_bytes", "read_text", "resolve"]
