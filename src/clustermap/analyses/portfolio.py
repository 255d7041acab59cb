"""Portfolio strength: the stars of each region, their ranking and distribution, the regions with the strongest
portfolios (SEC(2008) 2637, Figure 6), a region's portfolio and the regions with portfolios like it.

The per-region aggregation (:func:`region_portfolios`) is one ibis expression: it runs where the cells are
(DuckDB, PySpark …); the rest works on its small result.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import numpy as np
import pandas as pd

from clustermap.analyses._base import (
    MissingInputError,
    cells_frame,
    cells_table,
    country_of,
    define,
    describe_distribution,
    histogram,
    region_names,
    select_year,
)
from clustermap.errors import ParameterError, UnknownNameError

#: the smallest published share of a region's traded employment for it to be ranked
MIN_COVERAGE = 0.5

#: the columns naming a region and counting its stars, first in every portfolio table
PORTFOLIO_STARS = [
    "rank",
    "region",
    "name",
    "country",
    "portfolio_strength",
    "n_clusters",
    "n_3_star",
    "n_2_star",
    "n_1_star",
]
#: the columns a portfolio table shows (CLI and reports)
PORTFOLIO_COLUMNS = [*PORTFOLIO_STARS, "cluster_share_total", "strong_share_traded", "coverage"]

__all__ = [
    "ECO_CATEGORIES",
    "PORTFOLIO_COLUMNS",
    "PORTFOLIO_STARS",
    "REFERENCE_MIN_STARS",
    "portfolio_composition",
    "portfolio_distribution",
    "portfolio_peers",
    "region_portfolios",
    "scaled_star_threshold",
    "strong_portfolios",
]

#: categories of the European Cluster Observatory's 2007 map (SEC(2008) 2637, footnote 35)
ECO_CATEGORIES = 38
#: Figure 6 of SEC(2008) 2637 lists the regions with 25 stars or more
REFERENCE_MIN_STARS = 25

define(
    "portfolio_strength",
    "Portfolio strength",
    "Sum of a region's stars over all traded categories (0-3 per category). With 38 categories (ECO 2007) the "
    "maximum is 114, with the 30 categories of eco-nace2 it is 90.",
    "stars",
)
define(
    "n_clusters", "Regional clusters of a region", "Number of the region's categories with at least one star.", "cells"
)
define(
    "strong_share_traded",
    "Strong-cluster employment share (traded)",
    "Employment of the region in its strong clusters (LQ > 2) divided by its employment in all traded "
    "categories (Figure 9 of SEC(2008) 2637).",
    "share (0-1)",
)
define(
    "strong_share_total",
    "Strong-cluster employment share (total)",
    "Employment of the region in its strong clusters (LQ > 2) divided by its total employment T[r].",
    "share (0-1)",
)
define(
    "cluster_share_total",
    "Cluster employment share",
    "Employment of the region in its regional clusters (cells with at least one star) divided by its total "
    "employment T[r].",
    "share (0-1)",
)
define(
    "portfolio_rank",
    "Portfolio rank",
    "Rank of the region by portfolio strength, largest first; ties share the best rank (1, 2, 2, 4 …).",
    "rank",
)
define(
    "scaled_star_threshold",
    "Scaled star threshold",
    "The reference's 25-star cut (of 38 × 3 = 114 possible stars) scaled to the number of categories mapped: "
    "round(25 × |C| / 38); 19 for the 29 eco-nace2 categories.",
    "stars",
)
define(
    "peer_similarity",
    "Portfolio similarity",
    "Cosine similarity of two regions' vectors over the traded categories (location quotients, or stars): "
    "Σ a·b / (|a|·|b|), 1 = the same profile up to scale, 0 = no category in common.",
    "-1 to 1",
)


def scaled_star_threshold(n_categories: int, reference: int = REFERENCE_MIN_STARS) -> int:
    """The reference's star cut scaled from 38 categories to ``n_categories``: ``round(reference·n/38)``."""
    if n_categories <= 0:
        raise ParameterError("the number of categories must be positive")
    return math.floor(reference * n_categories / ECO_CATEGORIES + 0.5)


def region_portfolios(
    cells: Any,
    *,
    year: int | None = None,
    strong_lq: float = 2.0,
    names: bool = True,
    mirror: Any = None,
    min_coverage: float = MIN_COVERAGE,
) -> pd.DataFrame:
    """Per region (and year): its portfolio strength, clusters by stars, and its employment in clusters and in
    strong clusters.

    Parameters
    ----------
    cells
        Mapping results with stars (see :func:`clustermap.analyses._base.cells_frame`); a pandas frame or an
        ibis table on any backend (the aggregation runs there).
    year : int, optional
        One year (default: every year of the cells; ``rank`` is per year).
    strong_lq : float
        A strong cluster has LQ strictly above this (default 2).
    names : bool
        Add ``name`` from the region registry (needs the data mirror; blank when unknown).
    min_coverage : float
        A region whose published (not imputed) share of traded employment is under this (default 0.5) is not
        ranked (``rank`` empty, listed last).

    Returns
    -------
    pandas.DataFrame
        One row per region and year: ``region, name, country, year, portfolio_strength`` (Σ stars),
        ``rank`` (competition rank, descending), ``n_clusters`` (cells with ≥ 1 star), ``n_1_star, n_2_star,
        n_3_star``, ``n_strong`` (cells with LQ > ``strong_lq``), ``traded_employment`` (Σ E over traded
        categories, persons), ``cluster_employment`` (in cells with ≥ 1 star), ``strong_employment`` (in strong
        cells), ``region_total`` (T[r], persons), ``traded_share_total`` (traded / total),
        ``cluster_share_total``, ``strong_share_traded``, ``strong_share_total`` (shares 0-1), ``coverage``
        (published share of traded employment: 1 − imputed / traded; 1 for a run on published cells) and
        ``ranked``. Sorted by year and rank.
    """
    t = cells_table(cells, year=year, columns=("region", "year", "employment", "region_total", "lq", "stars"))
    strong = t.lq > strong_lq
    if "imputed_employment" not in t.columns:  # a run on published cells
        t = t.mutate(imputed_employment=ibis.literal(0.0))
    g = t.group_by(["region", "year"]).agg(
        imputed_employment=t.imputed_employment.cast("float64").sum(),
        portfolio_strength=t.stars.sum().cast("int64"),
        n_clusters=(t.stars >= 1).sum().cast("int64"),
        n_1_star=(t.stars == 1).sum().cast("int64"),
        n_2_star=(t.stars == 2).sum().cast("int64"),
        n_3_star=(t.stars == 3).sum().cast("int64"),
        n_strong=strong.sum().cast("int64"),
        traded_employment=t.employment.sum(),
        cluster_employment=t.employment.sum(where=t.stars >= 1),
        strong_employment=t.employment.sum(where=strong),
        strong_cluster_employment=t.employment.sum(where=strong & (t.stars >= 1)),
        region_total=t.region_total.max(),
    )
    out = g.to_pandas()
    for c in ("cluster_employment", "strong_employment", "strong_cluster_employment"):
        out[c] = out[c].astype("float64").fillna(0.0)
    total = out["region_total"].where(out["region_total"] > 0)
    traded = out["traded_employment"].where(out["traded_employment"] > 0)
    out["traded_share_total"] = out["traded_employment"] / total
    out["cluster_share_total"] = out["cluster_employment"] / total
    out["strong_share_traded"] = out["strong_employment"] / traded
    out["strong_share_total"] = out["strong_employment"] / total
    imputed_share = out["imputed_employment"].astype("float64").fillna(0.0) / traded
    out["coverage"] = (1.0 - imputed_share).fillna(1.0).clip(0.0, 1.0)
    out["ranked"] = out["coverage"] >= min_coverage
    ranks = out[out["ranked"]].groupby("year")["portfolio_strength"].rank(method="min", ascending=False)
    out["rank"] = ranks.reindex(out.index).astype("Int64")
    if out["ranked"].all():
        out["rank"] = out["rank"].astype("int64")
    out["country"] = out["region"].map(country_of)
    out["name"] = out["region"].map(region_names(out["region"].unique(), mirror=mirror)) if names else ""
    columns = [
        "region",
        "name",
        "country",
        "year",
        "portfolio_strength",
        "rank",
        "n_clusters",
        "n_1_star",
        "n_2_star",
        "n_3_star",
        "n_strong",
        "traded_employment",
        "cluster_employment",
        "strong_employment",
        "strong_cluster_employment",
        "region_total",
        "traded_share_total",
        "cluster_share_total",
        "strong_share_traded",
        "strong_share_total",
        "coverage",
        "ranked",
    ]
    return out[columns].sort_values(["year", "rank", "region"], ignore_index=True, na_position="last")


def strong_portfolios(portfolios: pd.DataFrame, *, min_stars: int = REFERENCE_MIN_STARS) -> pd.DataFrame:
    """The regions with at least ``min_stars`` stars (Figure 6 of SEC(2008) 2637 lists 19 with 25 or more), by
    rank. ``portfolios`` is :func:`region_portfolios` output (one year)."""
    return portfolios[portfolios["portfolio_strength"] >= min_stars].sort_values(
        ["year", "rank", "region"], ignore_index=True
    )


def portfolio_distribution(portfolios: pd.DataFrame, *, bin_width: int = 5) -> tuple[dict[str, float], pd.DataFrame]:
    """How portfolio strength is distributed across regions: summary statistics and a histogram.

    Returns
    -------
    (dict, pandas.DataFrame)
        ``n, max, mean, median, min, p25, p75, std`` of portfolio strength (stars) and ``regions_without_clusters``;
        the histogram ``bin_low, bin_high, count, share`` in bins of ``bin_width`` stars.
    """
    v = portfolios["portfolio_strength"].astype("float64")
    stats = describe_distribution(v)
    stats["regions_without_clusters"] = int((portfolios["n_clusters"] == 0).sum())
    top = int(v.max()) if len(v) else 0
    edges = np.arange(0, max(top, 1) + bin_width + 1, bin_width)
    return stats, histogram(v, bins=edges)


def portfolio_composition(cells: Any, region: str, *, year: int | None = None) -> pd.DataFrame:
    """A region's cluster portfolio: its categories with at least one star, strongest first.

    Returns
    -------
    pandas.DataFrame
        ``category, category_name, stars, size_star, specialisation_star, focus_star, employment, lq, share``
        (E[r,c]/T[r]), ``share_of_portfolio_employment`` (of the region's cluster employment), sorted by stars,
        then LQ.

    Raises
    ------
    UnknownNameError
        the region is not in the cells of that year (the message lists near codes).
    """
    frame = cells_frame(cells, columns=("region", "category", "year", "employment", "lq", "stars"))
    year = select_year(frame, year)
    g = frame[frame["year"] == year]
    mine = g[g["region"] == str(region)]
    if mine.empty:
        near = sorted(r for r in g["region"].unique() if str(r)[:2] == str(region)[:2])
        raise UnknownNameError(
            f"region {region!r} is not in the mapping results of {year}"
            + (f"; regions of that country: {', '.join(near[:20])}" if near else "")
        )
    out = mine[mine["stars"] >= 1].copy()
    total = out["employment"].sum()
    out["share_of_portfolio_employment"] = out["employment"] / total if total else np.nan
    if "category_name" not in out.columns:
        out["category_name"] = out["category"]
    cols = [
        "category",
        "category_name",
        "stars",
        "size_star",
        "specialisation_star",
        "focus_star",
        "employment",
        "lq",
        "share",
        "share_of_portfolio_employment",
    ]
    cols = [c for c in cols if c in out.columns]
    return out.sort_values(["stars", "lq"], ascending=[False, False])[cols].reset_index(drop=True)


def portfolio_peers(
    cells: Any,
    region: str,
    *,
    year: int | None = None,
    by: str = "lq",
    n: int = 10,
    same_country: bool | None = None,
    mirror: Any = None,
) -> pd.DataFrame:
    """The regions whose portfolios are most like ``region``'s: cosine similarity of their vectors over the
    traded categories.

    Parameters
    ----------
    by : {"lq", "stars"}
        Compare location quotients (a missing cell counts 0) or star counts.
    n : int
        How many peers.
    same_country : bool or None
        ``True`` only peers of the same country, ``False`` only of other countries, ``None`` any.

    Returns
    -------
    pandas.DataFrame
        ``region, name, country, similarity`` (−1 … 1), ``portfolio_strength`` and ``shared_clusters``
        (categories where both have ≥ 1 star), most similar first.
    """
    if by not in ("lq", "stars"):
        raise ParameterError(f"peers by 'lq' or 'stars', not {by!r}")
    frame = cells_frame(cells, columns=("region", "category", "year", "lq", "stars"))
    year = select_year(frame, year)
    g = frame[frame["year"] == year]
    mat = g.pivot_table(index="region", columns="category", values=by, aggfunc="first").fillna(0.0)
    if str(region) not in mat.index:
        raise UnknownNameError(f"region {region!r} is not in the mapping results of {year}")
    v = mat.loc[str(region)].to_numpy(dtype="float64")
    m = mat.to_numpy(dtype="float64")
    norms = np.linalg.norm(m, axis=1) * np.linalg.norm(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(norms > 0, m @ v / norms, np.nan)
    stars = g.pivot_table(index="region", columns="category", values="stars", aggfunc="first").fillna(0)
    stars = stars.reindex(index=mat.index, columns=mat.columns, fill_value=0)
    mine = stars.loc[str(region)] >= 1
    out = pd.DataFrame(
        {
            "region": mat.index,
            "similarity": sim,
            "portfolio_strength": stars.sum(axis=1).astype("int64").to_numpy(),
            "shared_clusters": ((stars >= 1) & mine).sum(axis=1).astype("int64").to_numpy(),
        }
    )
    out = out[out["region"] != str(region)]
    out["country"] = out["region"].map(country_of)
    if same_country is not None:
        own = country_of(str(region))
        out = out[(out["country"] == own) == bool(same_country)]
    out = out.sort_values(["similarity", "region"], ascending=[False, True]).head(n)
    if out.empty:
        raise MissingInputError(f"peers of {region} in {year}", hint="no other region fits the filter")
    out["name"] = out["region"].map(region_names(out["region"], mirror=mirror))
    return out[["region", "name", "country", "similarity", "portfolio_strength", "shared_clusters"]].reset_index(
        drop=True
    )
