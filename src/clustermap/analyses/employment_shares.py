"""Employment in clusters and in strong clusters (SEC(2008) 2637 section 2.2 and Figure 9).

Two readings of "employees working in clusters" are computed, because the reference does not say which it
used: employment in *regional clusters* (cells with at least one star) and employment in *traded categories*
(the categories a cluster map ranks; local categories count in totals only). The strong-cluster share of a
region is its employment in cells with LQ > 2 over its traded employment (Figure 9), and also over its total.

Two bases for "share of all employees"
--------------------------------------
The mapping's ``T[r]`` is the input's total: for Eurostat SBS the *business economy* (sections B–N and S95
without K), about 60 % of all persons employed. The reference's "38 % of all European employees" is a share of
all employment, so :func:`add_total_base` divides by an all-activity total — the Labour Force Survey's
``lfst_r_lfe2en2`` ``nace_r2 = TOTAL`` (persons aged 15+, by place of residence) — and keeps the SBS-base share
as a second column. The LFS counts residents where they live and SBS jobs where they are, so commuter regions
(capitals, their rings) read high or low on the LFS base: a stated caveat, not a correction. A region without an
LFS total has no all-employment share (null), never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import define, describe_distribution, histogram
from clustermap.analyses.portfolio import region_portfolios

__all__ = [
    "LFS_BASE",
    "SHARE_BINS",
    "add_total_base",
    "cluster_employment",
    "region_shares",
    "share_distribution",
    "strong_share_summary",
]

#: how the all-employment base is named in tables and figures
LFS_BASE = "all persons employed (Eurostat LFS lfst_r_lfe2en2, TOTAL, age 15+, place of residence)"

#: histogram bins for shares (0-1): 5 %-point steps
SHARE_BINS = np.round(np.arange(0.0, 1.0001, 0.05), 2)

define(
    "share_in_clusters",
    "Share of employment in regional clusters",
    "Employment in cells with at least one star, summed over all regions, divided by the regions' total "
    "employment Σ T[r].",
    "share (0-1)",
)
define(
    "share_in_traded",
    "Share of employment in traded categories",
    "Employment in the traded categories (the cluster categories), summed over all regions, divided by Σ T[r]; "
    "the rest is in local categories.",
    "share (0-1)",
)
define(
    "share_in_clusters_all",
    "Share of all employment in regional clusters",
    "Employment in cells with at least one star, summed over the regions that have an all-activity total, "
    "divided by that total (LFS lfst_r_lfe2en2 TOTAL): the reference's 'share of all European employees'.",
    "share (0-1)",
)
define(
    "share_in_traded_all",
    "Share of all employment in traded categories",
    "Employment in the traded categories over the all-activity total (LFS TOTAL), same regions.",
    "share (0-1)",
)
define(
    "strong_of_clusters",
    "Share of cluster employment in strong clusters",
    "Of the employment in regional clusters, the part in cells with LQ > 2.",
    "share (0-1)",
)
define(
    "strong_of_traded",
    "Share of traded employment in strong clusters",
    "Of the employment in traded categories, the part in cells with LQ > 2 (pooled over all regions).",
    "share (0-1)",
)


def region_shares(
    cells: Any, *, year: int | None = None, strong_lq: float = 2.0, mirror: Any = None, names: bool = True
) -> pd.DataFrame:
    """Per region: ``traded_share_total``, ``cluster_share_total``, ``strong_share_traded``,
    ``strong_share_total`` and the employment behind them (a view of
    :func:`~clustermap.analyses.portfolio.region_portfolios`)."""
    p = region_portfolios(cells, year=year, strong_lq=strong_lq, mirror=mirror, names=names)
    cols = [
        "region",
        "name",
        "country",
        "year",
        "region_total",
        "traded_employment",
        "cluster_employment",
        "strong_employment",
        "strong_cluster_employment",
        "traded_share_total",
        "cluster_share_total",
        "strong_share_traded",
        "strong_share_total",
    ]
    return p[cols]


def add_total_base(shares: pd.DataFrame, totals: pd.DataFrame | None, *, base: str = LFS_BASE) -> pd.DataFrame:
    """Add the all-employment base to :func:`region_shares` (or region portfolio) rows.

    Parameters
    ----------
    shares : pandas.DataFrame
        Per region and year: ``traded_employment``, ``cluster_employment``, ``strong_employment`` (persons).
    totals : pandas.DataFrame or None
        ``region, year, total``: all persons employed (e.g. :func:`clustermap.loaders.load_lfs_totals`, on the
        same region codes). The year nearest each row's year is used when the year itself is missing.
    base : str
        What the total is (kept in ``attrs["total_base"]`` for labels).

    Returns
    -------
    pandas.DataFrame
        ``shares`` plus ``total_all`` (persons; null when the region has no total), ``total_all_year``,
        ``traded_share_all``, ``cluster_share_all``, ``strong_share_all`` (of all employment). The SBS-base
        columns (``*_share_total``) are kept beside them.
    """
    out = shares.copy()
    out.attrs["total_base"] = base
    if totals is None or totals.empty:
        for col in ("total_all", "total_all_year", "traded_share_all", "cluster_share_all", "strong_share_all"):
            out[col] = np.nan
        return out
    t = totals[["region", "year", "total"]].dropna(subset=["total"])
    t = t[t["total"] > 0]
    pairs = out[["region", "year"]].drop_duplicates().merge(t, on="region", how="inner", suffixes=("", "_t"))
    pairs["gap"] = (pairs["year_t"] - pairs["year"]).abs()
    best = pairs.sort_values(["region", "year", "gap", "year_t"]).drop_duplicates(["region", "year"])
    best = best.rename(columns={"total": "total_all", "year_t": "total_all_year"})[
        ["region", "year", "total_all", "total_all_year"]
    ]
    out = out.merge(best, on=["region", "year"], how="left")
    for name, col in (
        ("traded_share_all", "traded_employment"),
        ("cluster_share_all", "cluster_employment"),
        ("strong_share_all", "strong_employment"),
    ):
        out[name] = out[col] / out["total_all"]
    out.attrs["total_base"] = base
    return out


def cluster_employment(portfolios: pd.DataFrame) -> pd.DataFrame:
    """Pooled shares of employment in clusters, per year, from :func:`region_shares` (or
    :func:`~clustermap.analyses.portfolio.region_portfolios`) output.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``regions``, ``total_employment`` (Σ T[r]), ``traded_employment``,
        ``cluster_employment``, ``strong_employment`` (persons), ``share_in_traded``, ``share_in_clusters``
        (of total), ``strong_of_clusters``, ``strong_of_traded`` (pooled shares 0-1) and the range of the
        regions' cluster shares: ``region_cluster_share_min``, ``_p10``, ``_median``, ``_p90``, ``_max``. When the
        portfolios carry ``total_all`` (:func:`add_total_base`): ``regions_all_base`` (regions with that total),
        ``total_employment_all`` and ``share_in_traded_all``, ``share_in_clusters_all`` (pooled over those
        regions: cluster employment of the regions with a total over their total).
    """
    rows = []
    for year, g in portfolios.groupby("year", sort=True):
        total = g["region_total"].sum()
        traded = g["traded_employment"].sum()
        cluster = g["cluster_employment"].sum()
        strong = g["strong_employment"].sum()
        share = g["cluster_share_total"].dropna()
        rows.append(
            {
                "year": int(year),
                "regions": len(g),
                "total_employment": float(total),
                "traded_employment": float(traded),
                "cluster_employment": float(cluster),
                "strong_employment": float(strong),
                "share_in_traded": traded / total if total else np.nan,
                "share_in_clusters": cluster / total if total else np.nan,
                "strong_of_clusters": float(g["strong_cluster_employment"].sum()) / cluster if cluster else np.nan,
                "strong_of_traded": strong / traded if traded else np.nan,
                "region_cluster_share_min": share.min(),
                "region_cluster_share_p10": share.quantile(0.1),
                "region_cluster_share_median": share.median(),
                "region_cluster_share_p90": share.quantile(0.9),
                "region_cluster_share_max": share.max(),
            }
        )
        if "total_all" in g.columns:
            known = g[g["total_all"].notna()]
            base = float(known["total_all"].sum())
            rows[-1].update(
                {
                    "regions_all_base": len(known),
                    "total_employment_all": base,
                    "share_in_traded_all": float(known["traded_employment"].sum()) / base if base else np.nan,
                    "share_in_clusters_all": float(known["cluster_employment"].sum()) / base if base else np.nan,
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["total_base"] = portfolios.attrs.get("total_base", "")
    return out


def share_distribution(
    shares: pd.DataFrame, column: str = "strong_share_traded", *, bins: Any = SHARE_BINS
) -> tuple[dict[str, float], pd.DataFrame]:
    """Distribution of a share across regions (Figure 9: most specialised, average, median, least specialised
    region): ``n, max, mean, median, min, p25, p75, std`` and ``weighted_mean`` (weights: traded employment),
    plus a histogram ``bin_low, bin_high, count, share``."""
    v = shares[column].astype("float64")
    w = shares.get("traded_employment")
    stats = describe_distribution(v, weights=w)
    stats["argmax"] = str(shares.loc[v.idxmax(), "region"]) if v.notna().any() else ""
    stats["argmin"] = str(shares.loc[v.idxmin(), "region"]) if v.notna().any() else ""
    return stats, histogram(v, bins=bins)


def strong_share_summary(samples: dict[str, pd.DataFrame], column: str = "strong_share_traded") -> pd.DataFrame:
    """Figure 9 side by side: one row per statistic (``max, mean, median, min, n``), one column per sample
    (e.g. ``{"EU NUTS-2": eu_shares, "US states": us_shares}``)."""
    cols = {}
    for label, frame in samples.items():
        stats, _ = share_distribution(frame, column)
        cols[label] = {k: stats[k] for k in ("max", "mean", "median", "min", "p25", "p75", "n")}
    out = pd.DataFrame(cols)
    out.index.name = "statistic"
    return out.reset_index()
