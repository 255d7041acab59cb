"""Every suppression policy on a pandas table, with provenance down to the cell.

:func:`impute` is what ``clustermap impute --policy …`` runs: the input rows come back in input order with
``employment`` filled where the policy gives a value, ``imputed`` naming the policy of each filled cell (``""``
for a published or unfilled cell), ``low``/``high`` — the bounds (persons) the published totals and size classes
put on every unknown cell, whatever the policy (:func:`~clustermap.imputation.two_way.propagate_bounds`) — and
``relaxed`` (``two-way`` only: the cell sits in a published total that had to be relaxed).

``drop`` fills nothing (the rows stay, empty, so that the output has the input's rows; the engine leaves them
out when mapping). ``parent-residual`` and ``size-class`` are the engine's own ibis expressions
(:mod:`clustermap.indicators.suppression`), run here on an in-memory DuckDB; ``parent-residual`` gets the
hierarchy of :func:`~clustermap.imputation.problem.industry_parents` (NAICS sector ranges and an all-industries
total included). ``two-way`` is :func:`~clustermap.imputation.two_way.impute_two_way`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import ParameterError
from clustermap.imputation.problem import industry_parents
from clustermap.imputation.two_way import POLICY as TWO_WAY
from clustermap.imputation.two_way import impute_two_way
from clustermap.methodology import ALL_SUPPRESSION_POLICIES

#: every policy, in the order the validation prints them
POLICIES: tuple[str, ...] = ALL_SUPPRESSION_POLICIES  # the one registry: clustermap.methodology.SUPPRESSION
_KEY = ["region", "industry", "year"]


@dataclass
class ImputeResult:
    """Output of :func:`impute`: ``frame`` (see the module docstring), the two-way run's ``relaxations`` and
    ``dropped_families`` (always computed: they give the bounds), and ``stats`` (counts)."""

    frame: pd.DataFrame
    policy: str
    relaxations: pd.DataFrame
    dropped_families: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def industry_hierarchy_table(codes: Any) -> pd.DataFrame:
    """``industry, parent, depth`` for the engine's ``parent-residual`` policy, from :func:`industry_parents`."""
    par = industry_parents(codes)
    depth: dict[str, int] = {}
    for code in par:
        d, p = 0, par[code]
        while p is not None:
            d, p = d + 1, par[p]
        depth[code] = d
    return pd.DataFrame(
        {"industry": list(par), "parent": [par[c] for c in par], "depth": [depth[c] for c in par]}
    ).astype({"depth": "int64"})


def engine_policy(frame: pd.DataFrame, policy: str, *, size_classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cells filled by the engine's ``parent-residual`` or ``size-class`` policy (ibis on in-memory DuckDB).

    Returns
    -------
    pandas.DataFrame
        ``region, industry, year, employment`` (persons) of the filled cells only.
    """
    from clustermap.engines.backends import connect, to_backend
    from clustermap.indicators import apply_suppression

    con = connect("duckdb")
    t = frame[[*_KEY, "employment"]].copy()
    for col in ("flag", "size_class"):
        t[col] = frame[col].fillna("").astype(str) if col in frame.columns else ""
    t["establishments"] = frame["establishments"] if "establishments" in frame.columns else np.nan
    t["employment"] = t["employment"].astype("float64")
    t["establishments"] = t["establishments"].astype("float64")
    table = to_backend(con, t)
    kwargs: dict[str, Any] = {}
    if policy == "parent-residual":
        h = industry_hierarchy_table(frame["industry"].unique())
        kwargs.update(hierarchy=to_backend(con, h), max_depth=int(h["depth"].max()))
    elif policy == "size-class":
        from clustermap.classifications.size_classes import engine_size_classes

        kwargs["size_classes"] = to_backend(con, engine_size_classes(size_classes))
    else:
        raise ParameterError(f"{policy!r} is not an engine policy (parent-residual, size-class)")
    out = apply_suppression(table, policy, **kwargs)
    return out.filter(out.imputed).select(*_KEY, "employment").to_pandas()


def impute(
    frame: pd.DataFrame,
    policy: str = TWO_WAY,
    *,
    size_classes: pd.DataFrame | None = None,
    strict: bool = False,
) -> ImputeResult:
    """Fill the suppressed cells of a tidy table with a policy; every output row says how it got its value.

    Parameters
    ----------
    frame
        tidy rows for every level of both hierarchies: ``region, industry, year, employment`` (persons, null =
        not published), ``flag`` (Eurostat flags), optionally ``size_class`` (CBP) and any other columns (kept).
    policy
        ``drop``, ``parent-residual``, ``size-class`` or ``two-way``.
    size_classes
        CBP size-class bounds (default: the shipped classes).
    strict
        ``two-way``: raise :class:`~clustermap.imputation.two_way.InconsistentTotalsError` instead of relaxing
        inconsistent published totals.

    Returns
    -------
    ImputeResult
    """
    if policy not in POLICIES:
        raise ParameterError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    two = impute_two_way(frame, size_classes=size_classes, strict=strict and policy == TWO_WAY)
    base = frame.reset_index(drop=True)
    out = two.frame.copy()
    if policy != TWO_WAY:
        out["employment"] = base["employment"].astype("float64")
        out["imputed"] = ""
        out["relaxed"] = False
        if policy != "drop":
            got = engine_policy(base, policy, size_classes=size_classes)
            pos = pd.Series(np.arange(len(base)), index=pd.MultiIndex.from_frame(base[_KEY].astype({"year": "int64"})))
            rows = pos.reindex(pd.MultiIndex.from_frame(got[_KEY].astype({"year": "int64"}))).to_numpy()
            ok = ~np.isnan(rows)
            rows = rows[ok].astype("int64")
            emp = out["employment"].to_numpy().copy()
            emp[rows] = got["employment"].to_numpy(dtype="float64")[ok]
            out["employment"] = emp
            imputed = out["imputed"].to_numpy(dtype=object).copy()
            imputed[rows] = policy
            out["imputed"] = imputed
    unknown = base["employment"].isna()
    stats = {
        "policy": policy,
        "cells": len(out),
        "suppressed": int(unknown.sum()),
        "filled": int((out["imputed"] != "").sum()),
        "left_empty": int(out["employment"].isna().sum()),
        "relaxed_constraints": two.stats["relaxed_constraints"],
        "dropped_families": two.stats["dropped_families"],
        "two_way": two.stats,
    }
    return ImputeResult(
        frame=out,
        policy=policy,
        relaxations=two.relaxations,
        dropped_families=two.dropped_families,
        stats=stats,
    )
