"""The ``two-way`` policy inside the mapping engine (:func:`clustermap.mapping.map_observations`).

The other policies are ibis expressions; ``two-way`` solves a convex program per country and year, which no SQL
engine does. So the observations are executed to pandas (on the client: DuckDB or the Spark driver), imputed
with :func:`~clustermap.imputation.two_way.impute_two_way`, and registered back on the same backend with
:func:`clustermap.engines.backends.to_backend`; from there the engine goes on as after ``drop``, with the filled
cells marked ``imputed``. The whole input passes through client memory once (the SBS panel: 0.4 M rows, a few
tens of MB); a panel too large for that would be imputed once, stored, and mapped with ``drop``.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from clustermap.engines.backends import to_backend
from clustermap.imputation.two_way import POLICY, impute_two_way


def two_way_filled(obs: ir.Table, *, size_classes: pd.DataFrame | None = None, strict: bool = False) -> ir.Table:
    """``obs`` with its unknown cells filled by ``two-way``, on ``obs``'s backend.

    Returns the table the engine's suppression step returns: every input column, suppressed cells that two-way
    could not fill removed (as ``drop`` does), ``imputed`` (bool) true for filled cells and ``imputation``
    (``"two-way"`` or null).
    """
    con: Any = obs._find_backend()
    frame = obs.to_pandas()
    result = impute_two_way(frame, size_classes=size_classes, strict=strict)
    out = result.frame
    filled = out["imputed"] == POLICY
    out = out.drop(columns=["imputed", "low", "high", "relaxed"])
    out["imputed"] = filled.to_numpy()
    out = out[out["employment"].notna()].reset_index(drop=True)
    t = to_backend(con, out)
    return t.mutate(imputation=ibis.ifelse(t.imputed, ibis.literal(POLICY), ibis.null("string")))
