"""The Python API for notebooks: tables in, tables out (pandas, polars or pyarrow — the type you give)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from clustermap.definitions.categories import resolve_categories
from clustermap.engines.backends import connect, to_backend
from clustermap.mapping import MappingResult, map_observations
from clustermap.methodology import Methodology
from clustermap.schema import validate_observations
from clustermap.tables import like, to_pandas

T = TypeVar("T")


def map_clusters(
    table: T,
    *,
    categories: Any = "none",
    methodology: str | Methodology = "eco2007",
    totals: Any = None,
    years: Iterable[int] | None = None,
    backend: str = "duckdb",
    full: bool = False,
    **params: Any,
) -> T | MappingResult:
    """Map clusters in a tidy table and return the cells as the same kind of table.

    Parameters
    ----------
    table
        pandas / polars / pyarrow table with ``region, industry, year, employment`` and optionally
        ``establishments, wages, flag, size_class``; blank employment = suppressed (never read as zero).
    categories
        ``"none"`` (each industry is its own traded category), ``"eco-nace2"``, ``"uscmp"``, a CSV path or a
        ``CategorySet``.
    methodology
        ``"eco2007"`` (stars), ``"eco2008"``, ``"uscmp"`` (strong clusters), a TOML path or a ``Methodology``.
    totals
        ``region, year, total`` table for ``total_base="external"``.
    backend
        ``"duckdb"`` (default, in memory) or ``"pyspark"`` (local mode).
    full
        return the whole :class:`~clustermap.mapping.MappingResult` (cells, per-year summary, provenance)
        instead of the cells table.
    **params
        methodology parameters to override, e.g. ``total_base="traded"``, ``min_employment=500``.

    Examples
    --------
    >>> import pandas as pd, clustermap
    >>> t = pd.DataFrame({"region": ["A", "B", "A", "B"], "industry": ["x", "x", "y", "y"],
    ...                   "year": 2012, "employment": [3000, 1000, 1000, 3000]})
    >>> cells = clustermap.map_clusters(t, min_employment=0, size_share=0.5, focus_share=0.5)
    >>> cells[["region", "category", "lq", "size_star", "focus_star", "stars"]]
      region category   lq  size_star  focus_star  stars
    0      A        x  1.5          1           1      2
    1      A        y  0.5          0           0      0
    2      B        x  0.5          0           0      0
    3      B        y  1.5          1           1      2
    """
    frame = validate_observations(to_pandas(table))
    obs = to_backend(connect(backend), frame)
    cats = resolve_categories(categories, frame["industry"].unique())
    totals_frame = to_pandas(totals) if totals is not None else None
    result = map_observations(obs, categories=cats, methodology=methodology, totals=totals_frame, years=years, **params)
    return result if full else like(result.cells, table)
