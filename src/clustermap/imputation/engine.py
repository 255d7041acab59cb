"""The ``two-way`` policy inside the mapping engine (:func:`clustermap.mapping.map_observations`).

The other policies are ibis expressions; ``two-way`` solves a convex program per country and year, which no SQL
engine does. So the observations are executed to pandas (on the client: DuckDB or the Spark driver), imputed
with :func:`~clustermap.imputation.two_way.impute_two_way`, and registered back on the same backend with
:func:`clustermap.engines.backends.to_backend`; from there the engine goes on as after ``drop``, with the filled
cells marked ``imputed`` and every cell carrying its bounds ``employment_low`` / ``employment_high`` (persons;
a published cell is its own bound). The whole input passes through client memory once (the SBS panel: 0.4 M
rows, a few tens of MB); a panel too large for that would be imputed once, stored, and mapped as imputed input.

An input imputed beforehand — it has the columns ``imputed`` (bool), ``employment_low`` and ``employment_high``,
as :func:`two_way_frame` writes them — is taken as it is: the main job imputes the SBS panel on every level of
both hierarchies (NUTS 0–2 × NACE sections, divisions, groups), which bounds far more cells than the NUTS-2 rows
alone would, and maps its NUTS-2 rows.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clustermap.engines.backends import to_backend
from clustermap.imputation.two_way import POLICY, impute_two_way

#: the columns an input imputed beforehand carries
PREIMPUTED_COLUMNS = ("imputed", "employment_low", "employment_high")


def two_way_frame(
    frame: pd.DataFrame, *, size_classes: pd.DataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """``frame`` imputed by ``two-way``: every input row, ``employment`` filled where the published totals bound
    the cell (persons; still null where they do not), ``imputed`` (bool), ``employment_low`` /
    ``employment_high`` (persons: the published bounds of an imputed cell; the value itself for a published
    cell; null for a cell left empty)."""
    out = impute_two_way(frame, size_classes=size_classes, strict=strict).frame
    filled = (out["imputed"] == POLICY).to_numpy()
    emp = out["employment"].to_numpy(dtype="float64")
    published = ~filled & ~np.isnan(emp)
    out = out.drop(columns=["imputed", "relaxed"]).rename(columns={"low": "employment_low", "high": "employment_high"})
    out["imputed"] = filled
    for col in ("employment_low", "employment_high"):
        v = out[col].to_numpy(dtype="float64").copy()
        v[published] = emp[published]
        v[np.isnan(emp)] = np.nan
        out[col] = v
    return out


def two_way_filled(obs: ir.Table, *, size_classes: pd.DataFrame | None = None, strict: bool = False) -> ir.Table:
    """``obs`` with its unknown cells filled by ``two-way``, on ``obs``'s backend.

    Returns the table the engine's suppression step returns: every input column, suppressed cells that two-way
    could not fill removed (as ``drop`` does), ``imputed`` (bool) true for filled cells, ``employment_low`` /
    ``employment_high`` (persons) and ``imputation`` (``"two-way"`` or null). An input imputed beforehand (see
    the module docstring) is only filtered and marked.
    """
    if all(c in obs.columns for c in PREIMPUTED_COLUMNS):
        t = obs.filter(obs.employment.notnull())
        t = t.mutate(imputed=t.imputed.fill_null(False))
    else:
        con: Any = obs._find_backend()
        out = two_way_frame(obs.to_pandas(), size_classes=size_classes, strict=strict)
        out = out[out["employment"].notna()].reset_index(drop=True)
        t = to_backend(con, out)
    return t.mutate(imputation=ibis.ifelse(t.imputed, ibis.literal(POLICY), ibis.null("string")))
