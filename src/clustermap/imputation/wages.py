"""Wages of the cells whose employment is imputed: the wage bill imputed from the published wage totals, with a
prior that follows the imputed employment.

The productivity star of the ``panorama`` methodology needs, per region × category, wages and salaries (Eurostat
SBS V13320, EUR million) over the persons employed of the same industries. Where a cell's employment is
confidential its wage bill almost always is too (DE91 × C29 in 2014: both ``: c``), so once employment is
imputed the cell would enter the employment of the category but not its productivity. :func:`impute_wages`
fills the wage bill of those cells with the same ``two-way`` program as employment
(:mod:`clustermap.imputation.two_way`: every published wage total of both hierarchies, NUTS 0–2 × NACE
sections, divisions, groups, met at once), with one change — the prior:

``prior_wages[r, i] = employment[r, i] × wages_per_person[ancestor(r), i]``

where ``employment`` is the cell's persons employed (published, or imputed by ``two-way``) and
``wages_per_person[ancestor(r), i]`` the published wage bill over the published persons employed of the same
industry and year in the nearest region above ``r`` that publishes both (NUTS-1, else the country), so that an
imputed wage bill is the imputed employment paid at the industry's going rate, moved only as far as the
published wage totals require. Where no ancestor publishes both (or the cell's employment is unknown), the prior
is the ``two-way`` default (regional size × national industry structure of the wage bills).

A cell is a wage *unknown* when its wage bill is not published and its employment is not a published zero (a
cell with no persons employed has no wage bill: 0, not an estimate). Unknowns that no published wage total
bounds stay null ("unknown", counted in :attr:`WageImputation.stats`), never zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clustermap.imputation.problem import build_problem
from clustermap.imputation.two_way import POLICY, impute_two_way

__all__ = ["WageImputation", "impute_wages", "wage_prior_rates"]


@dataclass
class WageImputation:
    """``frame``: the input rows with ``wages`` filled where the published wage totals bound the cell (the
    source's unit) and ``wages_imputed`` (bool); ``stats``: counts (``wage_unknown``, ``wage_imputed``,
    ``wage_left_unknown``, ``wage_unknown_with_employment`` …, ``prior_from_rate``)."""

    frame: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def wage_prior_rates(frame: pd.DataFrame) -> np.ndarray:
    """Per row of ``frame`` (``region, industry, year, employment, wages``): wages per person employed of the same
    industry and year in the nearest region above (NUTS codes: the code one character shorter, down to the
    two-letter country) where both are published and employment > 0; NaN if none."""
    known = frame["wages"].notna() & frame["employment"].notna() & (frame["employment"] > 0)
    if "imputed" in frame.columns:  # a rate is read from published values only
        known &= ~frame["imputed"].fillna(False).astype(bool)
    pub = frame.loc[known, ["region", "industry", "year", "wages", "employment"]]
    rates = pd.Series(
        (pub["wages"] / pub["employment"]).to_numpy(),
        index=pd.MultiIndex.from_frame(pub[["region", "industry", "year"]]),
    )
    rates = rates[~rates.index.duplicated()]
    out = np.full(len(frame), np.nan)
    region = frame["region"].astype(str)
    for cut in (1, 2, 3):  # NUTS-2 → NUTS-1 → NUTS-0 (and NUTS-3 → NUTS-2 …)
        todo = np.isnan(out)
        parent = region.str[:-cut]
        ok = todo & (parent.str.len() >= 2).to_numpy()
        if not ok.any():
            break
        keys = pd.MultiIndex.from_arrays(
            [parent[ok].to_numpy(), frame["industry"].to_numpy()[ok], frame["year"].to_numpy()[ok]]
        )
        out[np.flatnonzero(ok)] = rates.reindex(keys).to_numpy()
    return out


def impute_wages(frame: pd.DataFrame, *, strict: bool = False) -> WageImputation:
    """Fill the unknown wage bills of ``frame`` (see the module docstring).

    Parameters
    ----------
    frame
        every level of both hierarchies: ``region, industry, year, employment`` (persons; published or imputed,
        null if unknown), ``wages`` (the source's unit, null if not published) and optionally ``imputed`` (bool,
        employment imputed) and ``flag``; other columns are carried through.
    strict
        raise :class:`~clustermap.imputation.two_way.InconsistentTotalsError` when the published wage totals
        contradict each other beyond tolerance, instead of relaxing them.

    Returns
    -------
    WageImputation
    """
    frame = frame.reset_index(drop=True)
    emp = frame["employment"].to_numpy(dtype="float64")
    wages = frame["wages"].to_numpy(dtype="float64").copy()
    no_persons = emp == 0
    wages[no_persons & np.isnan(wages)] = 0.0  # no persons employed: no wage bill (a fact, not an estimate)
    unknown = np.isnan(wages)
    wage_frame = pd.DataFrame(
        {
            "region": frame["region"].to_numpy(),
            "industry": frame["industry"].to_numpy(),
            "year": frame["year"].to_numpy(),
            "employment": wages,  # the two-way program's value column: here the wage bill
            "flag": np.where(unknown, "c", ""),
        }
    )
    prob = build_problem(wage_frame)
    is_cell = prob.var_row >= 0
    rows = prob.var_row[is_cell]
    rate = wage_prior_rates(frame)
    guided = emp[rows] * rate[rows]
    use = np.isfinite(guided)
    prior = prob.var_prior  # per variable; replaced in place where the rate gives one
    cell_vars = np.flatnonzero(is_cell)
    lo, hi = prob.var_lower[cell_vars[use]], prob.var_upper[cell_vars[use]]
    prior[cell_vars[use]] = np.clip(guided[use], lo, hi)
    res = impute_two_way(wage_frame, problem=prob, strict=strict)
    filled = (res.frame["imputed"] == POLICY).to_numpy()
    out = frame.copy()
    out["wages"] = res.frame["employment"].to_numpy(dtype="float64")
    out["wages_imputed"] = filled
    has_emp = ~np.isnan(emp) & ~no_persons
    stats = {
        "wage_unknown": int(unknown.sum()),
        "wage_imputed": int(filled.sum()),
        "wage_left_unknown": int((unknown & ~filled).sum()),
        "wage_unknown_with_employment": int((unknown & has_emp).sum()),
        "wage_left_unknown_with_employment": int((unknown & ~filled & has_emp).sum()),
        "wage_zero_for_no_persons": int((no_persons & frame["wages"].isna().to_numpy()).sum()),
        "prior_from_rate": int(use.sum()),
        "relaxed_constraints": res.stats.get("relaxed_constraints", 0),
    }
    return WageImputation(out, stats)
