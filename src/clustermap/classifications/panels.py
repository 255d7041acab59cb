"""County Business Patterns panels on NAICS: the 6-digit level of a table that stores some industries under a
parent code (:func:`six_digit_panel`), and how much of each year's employment a category set assigns
(:func:`category_coverage`). Moving a panel between NAICS vintages is :mod:`clustermap.classifications.concordance`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from clustermap.classifications.concordance import empty_observations
from clustermap.classifications.naics import CBP_VINTAGE_BY_YEAR, naics_titles, vintages_of
from clustermap.schema import validate_observations

__all__ = ["category_coverage", "six_digit_panel"]


def category_coverage(frame: pd.DataFrame, categories: object) -> pd.DataFrame:
    """How much employment of each year a category set assigns (industries in its crosswalk).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical observations (``industry, year, employment``).
    categories : CategorySet
        The set (e.g. ``load_category_set("uscmp")``); an industry counts as assigned when it is in the
        crosswalk with a share > 0 (its employment times the sum of its shares is assigned).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``employment`` (published persons), ``assigned`` (persons), ``share_assigned`` (fraction),
        ``cells``, ``cells_assigned``, ``unassigned_codes`` (``|``-joined codes with employment left out).
    """
    cw = categories.crosswalk  # type: ignore[attr-defined]
    shares = cw.groupby("industry")["share"].sum()
    s = frame["industry"].map(shares).fillna(0.0).clip(upper=1.0)
    e = frame["employment"].fillna(0.0)
    t = pd.DataFrame({"year": frame["year"], "e": e, "a": e * s, "in": s > 0, "industry": frame["industry"]})
    rows = []
    for y, g in t.groupby("year", sort=True):
        left = g.loc[~g["in"]]
        rows.append(
            {
                "year": int(y),
                "employment": float(g["e"].sum()),
                "assigned": float(g["a"].sum()),
                "share_assigned": float(g["a"].sum() / g["e"].sum()) if g["e"].sum() else np.nan,
                "cells": len(g),
                "cells_assigned": int(g["in"].sum()),
                "unassigned_codes": "|".join(sorted(left.loc[left["e"] > 0, "industry"].unique())),
            }
        )
    return pd.DataFrame(rows)


def six_digit_panel(
    frame: pd.DataFrame,
    *,
    vintage_by_year: Mapping[int, int] | None = None,
    mirror: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 6-digit (national industry) level of a CBP table that stores some industries under a parent code.

    A NAICS industry whose 5-digit (or shorter) parent has no other 6-digit code has the same title at both
    levels (``42311`` = ``423110``). Some copies of CBP — the mirror's state file among them, which kept "one
    code per industry description" — store such industries only under the shorter code, so that the 6-digit
    rows alone cover about 30 % of employment. This function reads a code of 2–5 digits as its only 6-digit
    descendant ``d`` in the year's vintage when no 6-digit code under it is in the data of that year (in any
    region) and no longer code standing for ``d`` is; every other row of fewer than 6 digits is dropped (an
    aggregate of 6-digit rows that are there). NAICS 1997 years use the NAICS 2002 titles (there are no 1997
    titles in the mirror): 1997 codes that do not exist in 2002 are not recovered.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical observations with NAICS codes of every level (e.g. ``load_cbp_state(naics_digits=None)``);
        ``total`` rows are ignored.
    vintage_by_year : mapping, optional
        Default :data:`CBP_VINTAGE_BY_YEAR`.
    mirror : path, optional
        Data mirror root (NAICS titles).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The canonical frame with only 6-digit codes, and the recovered codes: ``year``, ``code`` (as stored),
        ``as_code`` (6-digit code it stands for), ``cells``, ``employment`` (published persons).
    """
    vintage_by_year = CBP_VINTAGE_BY_YEAR if vintage_by_year is None else vintage_by_year
    data = frame[frame["industry"].astype(str).str.fullmatch(r"\d{2,6}")].copy()
    vint = vintages_of(data["year"].unique(), vintage_by_year)
    keep: list[pd.DataFrame] = [data[data["industry"].str.len() == 6]]
    recovered: list[pd.DataFrame] = []
    prefix_cache: dict[int, dict[str, list[str]]] = {}
    for year, g in data.groupby("year", sort=True):
        v = vint[int(year)]
        titles_v = 2002 if v == 1997 else v
        if titles_v not in prefix_cache:
            prefixes: dict[str, list[str]] = {}
            for code in naics_titles(titles_v, digits=6, mirror=mirror)["naics"]:
                for n in range(2, 6):
                    prefixes.setdefault(code[:n], []).append(code)
            prefix_cache[titles_v] = prefixes
        prefixes = prefix_cache[titles_v]
        codes = set(g["industry"].unique())
        present6 = {c for c in codes if len(c) == 6}
        covered = {c[:n] for c in present6 for n in range(2, 6)}
        best: dict[str, str] = {}
        for code in sorted(codes - present6, key=len):
            desc = prefixes.get(code, [])
            if len(desc) == 1 and code not in covered and desc[0] not in present6:
                best[desc[0]] = code  # longer codes come later and win
        as_code = {code: six for six, code in best.items()}
        rows = g[g["industry"].isin(as_code)]
        if len(rows):
            keep.append(rows.assign(industry=rows["industry"].map(as_code)))
            rec = rows.groupby("industry").agg(cells=("region", "size"), employment=("employment", "sum"))
            recovered.append(
                rec.reset_index()
                .rename(columns={"industry": "code"})
                .assign(year=int(year), as_code=lambda t, m=as_code: t["code"].map(m))
            )
    out = pd.concat(keep, ignore_index=True)
    out = validate_observations(out) if len(out) else empty_observations()
    rec = (
        pd.concat(recovered, ignore_index=True)[["year", "code", "as_code", "cells", "employment"]]
        if recovered
        else pd.DataFrame(columns=["year", "code", "as_code", "cells", "employment"])
    )
    return out, rec
