"""Suppression policies run on a panel before its regions are merged or converted (harmonisation, levels):
the engine's policies (:func:`clustermap.indicators.apply_suppression`) on a pandas frame, and the flags of
merged cells.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clustermap.schema import COLUMNS

#: suppression policies that can run before harmonisation (the engine's)
POLICIES = ("drop", "parent-residual", "size-class")


def apply_policy(frame: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Run the suppression ``policy`` (one of :data:`POLICIES`) on canonical observations with DuckDB.

    Returns the observations (canonical columns, sorted by region, industry, year) and the counts
    ``cells_suppressed`` (null employment in), ``cells_imputed`` and ``cells_dropped`` (suppressed − imputed).
    """
    from clustermap.engines.backends import connect, to_backend
    from clustermap.indicators import apply_suppression, industry_hierarchy

    con = connect("duckdb")
    t = to_backend(con, frame)
    kwargs: dict[str, Any] = {}
    if policy == "parent-residual":
        h = industry_hierarchy(frame["industry"].unique())
        kwargs.update(hierarchy=to_backend(con, h), max_depth=int(h["depth"].max()))
    elif policy == "size-class":
        from clustermap.classifications.size_classes import engine_size_classes

        kwargs["size_classes"] = to_backend(con, engine_size_classes())
    out = apply_suppression(t, policy, **kwargs).to_pandas()
    suppressed = int(frame["employment"].isna().sum())
    imputed = int(out["imputed"].sum()) if len(out) else 0
    out = out[list(COLUMNS)].sort_values(["region", "industry", "year"], kind="stable").reset_index(drop=True)
    return out, {"cells_suppressed": suppressed, "cells_imputed": imputed, "cells_dropped": suppressed - imputed}


def flag_union(flags: pd.Series) -> str:
    """The flag of a cell merged from cells with ``flags``: the union of the letters when all are lower-case
    Eurostat flags, else the first non-empty flag."""
    letters = sorted({ch for f in flags if isinstance(f, str) for ch in f})
    if letters and all(ch.islower() for ch in letters):
        return "".join(letters)
    return next((f for f in flags if isinstance(f, str) and f), "")
