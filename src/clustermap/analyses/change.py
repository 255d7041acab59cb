"""Change over time between two years (SEC(2008) 2637 section 1.4: "the number and weight of the measured
clusters is not stable over time").

The two years must be mapped on one region set: harmonise the panel to one NUTS version before mapping
(:func:`clustermap.regions.harmonise`; :func:`clustermap.analyses.inputs.eu_mapping` does it by default).
Comparisons use the regions present in both years and the categories present in both; a cell present in one
year only (its employment was not published in the other) is left out of the transitions and counted.

Kinds of change of a region × category cell, from ``s0`` stars to ``s1`` stars:

``emerged``       0 → ≥ 1 (a new regional cluster)
``disappeared``   ≥ 1 → 0
``gained``        ≥ 1 → more stars
``lost``          ≥ 1 → fewer stars, still ≥ 1
``unchanged``     the same number ≥ 1
``none``          0 → 0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import MissingInputError, cells_frame, define

__all__ = [
    "CHANGE_KINDS",
    "change_summary",
    "cluster_shares_by_year",
    "employment_growth",
    "star_changes",
    "transition_matrix",
]

CHANGE_KINDS = ("emerged", "disappeared", "gained", "lost", "unchanged", "none")

define(
    "star_transition",
    "Star transition matrix",
    "Number of region × category cells with s0 stars in the first year (rows) and s1 stars in the second "
    "(columns), over the regions and categories present in both years.",
    "cells",
)
define(
    "employment_growth",
    "Employment growth",
    "E1 / E0 − 1 between the two years, over the regions present in both; the annual rate is (E1/E0)^(1/(y1−y0)) − 1.",
    "share per period, share per year",
)
define(
    "cluster_share_by_year",
    "Share of employment in clusters, by year",
    "Employment in regional clusters (≥ 1 star) and in strong clusters (LQ > 2) over total employment, per "
    "year, on the regions present in every year compared.",
    "share (0-1)",
)


def _kind(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    return np.select(
        [
            (s0 == 0) & (s1 >= 1),
            (s0 >= 1) & (s1 == 0),
            (s0 >= 1) & (s1 > s0),
            (s1 >= 1) & (s1 < s0),
            (s0 >= 1) & (s1 == s0),
        ],
        ["emerged", "disappeared", "gained", "lost", "unchanged"],
        default="none",
    )


def _two_years(cells: Any, year_from: int, year_to: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    frame = cells_frame(cells, columns=("region", "category", "year", "employment", "region_total", "lq", "stars"))
    have = set(int(y) for y in frame["year"].unique())
    missing = [y for y in (int(year_from), int(year_to)) if y not in have]
    if missing:
        raise MissingInputError(
            "mapping results of both years", missing, f"the results cover {', '.join(map(str, sorted(have)))}"
        )
    a = frame[frame["year"] == int(year_from)]
    b = frame[frame["year"] == int(year_to)]
    regions = sorted(set(a["region"]) & set(b["region"]))
    cats = sorted(set(a["category"]) & set(b["category"]))
    info = {
        "year_from": int(year_from),
        "year_to": int(year_to),
        "regions_common": len(regions),
        "regions_only_from": sorted(set(a["region"]) - set(b["region"])),
        "regions_only_to": sorted(set(b["region"]) - set(a["region"])),
        "categories_common": len(cats),
    }
    if not regions:
        raise MissingInputError(
            f"regions present in both {year_from} and {year_to}",
            hint="harmonise the panel to one NUTS version before mapping",
        )
    a = a[a["region"].isin(regions) & a["category"].isin(cats)]
    b = b[b["region"].isin(regions) & b["category"].isin(cats)]
    return a, b, info


def star_changes(cells: Any, year_from: int, year_to: int) -> pd.DataFrame:
    """Per region × category (present in both years): stars, employment and LQ at both dates and the kind of
    change.

    Returns
    -------
    pandas.DataFrame
        ``region, category, category_name, stars_from, stars_to, employment_from, employment_to, lq_from, lq_to,
        change`` (see the module docstring); ``attrs`` holds ``year_from, year_to, regions_common,
        regions_only_from, regions_only_to, categories_common, cells_in_one_year_only``.
    """
    a, b, info = _two_years(cells, year_from, year_to)
    keep = ["region", "category", "stars", "employment", "lq"]
    m = a[keep + (["category_name"] if "category_name" in a.columns else [])].merge(
        b[keep], on=["region", "category"], how="outer", suffixes=("_from", "_to"), indicator=True
    )
    info["cells_in_one_year_only"] = int((m["_merge"] != "both").sum())
    m = m[m["_merge"] == "both"].drop(columns="_merge")
    m["stars_from"] = m["stars_from"].astype("int64")
    m["stars_to"] = m["stars_to"].astype("int64")
    m["change"] = _kind(m["stars_from"].to_numpy(), m["stars_to"].to_numpy())
    if "category_name" not in m.columns:
        m["category_name"] = m["category"]
    cols = [
        "region",
        "category",
        "category_name",
        "stars_from",
        "stars_to",
        "employment_from",
        "employment_to",
        "lq_from",
        "lq_to",
        "change",
    ]
    out = m[cols].sort_values(["region", "category"], ignore_index=True)
    out.attrs.update(info)
    return out


def transition_matrix(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of cells by stars in the first year (rows ``0 … 3``) and in the second (columns ``0 … 3``), from
    :func:`star_changes`."""
    levels = [0, 1, 2, 3]
    m = pd.crosstab(changes["stars_from"], changes["stars_to"]).reindex(index=levels, columns=levels, fill_value=0)
    m.index.name = "stars_from"
    m.columns.name = "stars_to"
    return m.astype("int64")


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Cells per kind of change (``emerged, disappeared, gained, lost, unchanged, none``), with the number of
    three-star clusters that emerged or disappeared."""
    counts = changes["change"].value_counts().reindex(list(CHANGE_KINDS), fill_value=0)
    out = counts.rename_axis("change").reset_index(name="cells")
    three_new = int(((changes["stars_to"] == 3) & (changes["stars_from"] < 3)).sum())
    three_gone = int(((changes["stars_from"] == 3) & (changes["stars_to"] < 3)).sum())
    extra = pd.DataFrame({"change": ["became 3-star", "ceased to be 3-star"], "cells": [three_new, three_gone]})
    return pd.concat([out, extra], ignore_index=True)


def employment_growth(cells: Any, year_from: int, year_to: int, *, by: str = "category") -> pd.DataFrame:
    """Employment change between two years on the regions present in both.

    Parameters
    ----------
    by : {"category", "region", "region_category"}
        Grouping. ``region`` compares traded employment (Σ over categories) and total employment T[r].

    Returns
    -------
    pandas.DataFrame
        The group columns, ``employment_from, employment_to`` (persons), ``change`` (persons), ``growth``
        (E1/E0 − 1) and ``annual_growth``; for ``by="region"`` also ``total_from, total_to, total_growth``.
    """
    a, b, _ = _two_years(cells, year_from, year_to)
    span = int(year_to) - int(year_from)
    if by == "category":
        keys = ["category"]
    elif by == "region":
        keys = ["region"]
    elif by == "region_category":
        keys = ["region", "category"]
    else:
        raise MissingInputError(f"grouping {by!r}", hint="use category, region or region_category")
    ga = a.groupby(keys, as_index=False)["employment"].sum()
    gb = b.groupby(keys, as_index=False)["employment"].sum()
    out = ga.merge(gb, on=keys, how="outer", suffixes=("_from", "_to")).fillna(0.0)
    if by == "region":
        ta = a.groupby("region")["region_total"].max()
        tb = b.groupby("region")["region_total"].max()
        out["total_from"] = out["region"].map(ta)
        out["total_to"] = out["region"].map(tb)
        out["total_growth"] = out["total_to"] / out["total_from"] - 1
    out["change"] = out["employment_to"] - out["employment_from"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["employment_to"] / out["employment_from"].where(out["employment_from"] > 0)
    out["growth"] = ratio - 1
    out["annual_growth"] = ratio ** (1 / span) - 1 if span else np.nan
    if by != "region" and "category_name" in a.columns:
        names = dict(zip(a["category"], a["category_name"], strict=False))
        out.insert(keys.index("category") + 1, "category_name", out["category"].map(names))
    return out.sort_values("growth", ascending=False, na_position="last", ignore_index=True)


def cluster_shares_by_year(
    cells: Any, years: Any = None, *, common_regions: bool = True, strong_lq: float = 2.0
) -> pd.DataFrame:
    """Per year: regions, total employment, the share in regional clusters (≥ 1 star), the strong-cluster
    share of traded employment, and the number of clusters by stars.

    Parameters
    ----------
    years : iterable of int, optional
        Years to compare (default all).
    common_regions : bool
        Use only the regions present in every one of ``years`` (default), so that the shares compare like
        with like.
    """
    frame = cells_frame(cells, columns=("region", "category", "year", "employment", "region_total", "lq", "stars"))
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
    if frame.empty:
        raise MissingInputError("mapping results of the chosen years", list(years or []))
    if common_regions:
        per = frame.groupby("region")["year"].nunique()
        keep = per[per == frame["year"].nunique()].index
        frame = frame[frame["region"].isin(keep)]
    rows = []
    for year, g in frame.groupby("year", sort=True):
        total = g.groupby("region")["region_total"].max().sum()
        traded = g["employment"].sum()
        cluster = g.loc[g["stars"] >= 1, "employment"].sum()
        strong = g.loc[g["lq"] > strong_lq, "employment"].sum()
        rows.append(
            {
                "year": int(year),
                "regions": int(g["region"].nunique()),
                "total_employment": float(total),
                "traded_employment": float(traded),
                "cluster_employment": float(cluster),
                "share_in_clusters": cluster / total if total else np.nan,
                "strong_of_traded": strong / traded if traded else np.nan,
                "clusters": int((g["stars"] >= 1).sum()),
                "clusters_3_star": int((g["stars"] == 3).sum()),
                "clusters_2_star": int((g["stars"] == 2).sum()),
                "clusters_1_star": int((g["stars"] == 1).sum()),
            }
        )
    return pd.DataFrame(rows)
