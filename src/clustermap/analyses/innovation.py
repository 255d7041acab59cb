"""Clusters and innovation (SEC(2008) 2637 section 2.1, Figures 5 and 6): patenting against portfolio strength
and against the strong-cluster employment share, across regions.

Patents are an annual average over the chosen priority (EU, EPO applications) or grant (US, USPTO) years,
divided by population (per million inhabitants) or by the mapping's regional employment T[r] (per million
employed). Patent rates are very skewed, so the regression is fitted on ``log10`` of the rate (regions with no
patent left out of the fit only); the rank correlation does not depend on that choice.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import MissingInputError, define
from clustermap.analyses._stats import Relation, WithinRelation, relation, within_relation
from clustermap.errors import ParameterError

__all__ = [
    "RATE_COLUMNS",
    "innovation_relations",
    "innovation_table",
    "innovation_within",
    "patents_by_portfolio_group",
    "top_third_overlap",
]

#: patent-rate column by denominator
RATE_COLUMNS = {"capita": "patents_per_million_inhabitants", "employee": "patents_per_million_employed"}

define(
    "patents_per_million_inhabitants",
    "Patents per million inhabitants",
    "Annual average of patent applications (EU: EPO, by priority year and inventor's region, fractional counts) "
    "or grants (US: USPTO utility patents by first-named inventor's state) over the chosen years, per million "
    "inhabitants.",
    "patents per million inhabitants per year",
)
define(
    "patents_per_million_employed",
    "Patents per million employed",
    "The same patent average per million persons of the region's total employment T[r] in the mapping.",
    "patents per million employed per year",
)
define(
    "top_third",
    "Top third by patents",
    "The regions whose patent rate ranks in the first third (rank ≤ ⌈n/3⌉) of the regions with a rate. The "
    "reference compared instead with the top third of the 2006 Regional Innovation Scoreboard (33 of 203).",
)


def _average(frame: pd.DataFrame, value: str, years: Any) -> pd.DataFrame:
    d = frame if years is None else frame[frame["year"].isin(list(years))]
    if d.empty:
        raise MissingInputError(f"{value} for the years {sorted(set(years)) if years is not None else 'chosen'}")
    return d.groupby("region", as_index=False)[value].mean()


def _nearest_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    years = sorted(frame["year"].unique())
    best = min(years, key=lambda y: (abs(int(y) - year), -int(y)))
    return frame[frame["year"] == best]


def innovation_table(
    portfolios: pd.DataFrame,
    patents: pd.DataFrame,
    population: pd.DataFrame | None = None,
    *,
    years: Any = None,
    per: str = "capita",
) -> pd.DataFrame:
    """Portfolio strength, strong-cluster share and patent rates per region.

    Parameters
    ----------
    portfolios : pandas.DataFrame
        :func:`~clustermap.analyses.portfolio.region_portfolios` of one year.
    patents : pandas.DataFrame
        ``region, year, patents`` (e.g. :func:`~clustermap.analyses.inputs.eu_patents`).
    population : pandas.DataFrame, optional
        ``region, year, population``; the year nearest the portfolios' year is used. Needed for ``per="capita"``.
    years : iterable of int, optional
        Patent years to average (default every year in ``patents``).
    per : {"capita", "employee"}
        Denominator of ``patent_rate``.

    Returns
    -------
    pandas.DataFrame
        The portfolio columns plus ``patents`` (annual average), ``population``,
        ``patents_per_million_inhabitants``, ``patents_per_million_employed``, ``patent_rate`` (the chosen one),
        ``patent_rank`` (1 = highest rate) and ``top_third``. Only regions with a patent count;
        ``attrs["unmatched"]`` lists the regions of ``portfolios`` without one.

    Raises
    ------
    MissingInputError
        no region of the portfolios has patents (or population, for ``per="capita"``).
    """
    if per not in RATE_COLUMNS:
        raise ParameterError(f"per must be 'capita' or 'employee', not {per!r}")
    if portfolios["year"].nunique() != 1:
        raise ParameterError("innovation_table needs the portfolios of one year")
    year = int(portfolios["year"].iloc[0])
    pat = _average(patents, "patents", years)
    out = portfolios.merge(pat, on="region", how="inner")
    unmatched = sorted(set(portfolios["region"]) - set(out["region"]))
    if out.empty:
        raise MissingInputError(
            "patent counts for the mapped regions",
            sorted(portfolios["region"])[:5],
            "the patent table and the mapping use different region codes or NUTS versions",
        )
    if population is not None and not population.empty:
        pop = _nearest_year(population, year)[["region", "population"]]
        out = out.merge(pop, on="region", how="left")
    else:
        out["population"] = np.nan
    if per == "capita" and out["population"].notna().sum() == 0:
        raise MissingInputError("population for the mapped regions", hint="pass population= or use per='employee'")
    out["patents_per_million_inhabitants"] = out["patents"] / out["population"] * 1e6
    out["patents_per_million_employed"] = out["patents"] / out["region_total"] * 1e6
    out["patent_rate"] = out[RATE_COLUMNS[per]]
    out = out[out["patent_rate"].notna()].copy()
    out["patent_rank"] = out["patent_rate"].rank(method="min", ascending=False).astype("int64")
    out["top_third"] = out["patent_rank"] <= math.ceil(len(out) / 3)
    out = out.sort_values("patent_rank", ignore_index=True)
    out.attrs["unmatched"] = unmatched
    out.attrs["rate"] = RATE_COLUMNS[per]
    return out


def innovation_relations(table: pd.DataFrame, *, log_rate: bool = True, alpha: float = 0.05) -> dict[str, Relation]:
    """Patent rate against portfolio strength and against the strong-cluster share (traded): ``{"portfolio_strength":
    Relation, "strong_share_traded": Relation}`` (fit on ``log10`` of the rate by default)."""
    return {
        x: relation(table, x, "patent_rate", log_y=log_rate, alpha=alpha)
        for x in ("portfolio_strength", "strong_share_traded")
    }


def innovation_within(
    table: pd.DataFrame, *, log_rate: bool = True, alpha: float = 0.05, min_group: int = 3
) -> dict[str, WithinRelation]:
    """The same relations as :func:`innovation_relations` within countries: country fixed-effects slope and
    per-country rank correlations with confidence intervals (:func:`~clustermap.analyses._stats.within_relation`).

    Pooled over Europe, patenting follows national levels (Germany, the Nordic countries) more than regional
    cluster strength, and the pooled rank correlation can hide, or reverse, the relation between the regions of
    one country: report both."""
    return {
        x: within_relation(table, x, "patent_rate", log_y=log_rate, alpha=alpha, min_group=min_group)
        for x in ("portfolio_strength", "strong_share_traded")
    }


def top_third_overlap(table: pd.DataFrame, *, min_stars: int) -> dict[str, Any]:
    """How many of the strongest portfolios (``portfolio_strength ≥ min_stars``) are in the top third by patent
    rate (the reference: 7 of 19 in the top third of the Regional Innovation Scoreboard).

    Returns
    -------
    dict
        ``min_stars, strongest`` (regions with a patent rate among them), ``in_top_third``, ``regions`` (with a
        rate), ``top_third_size``, ``share`` (in_top_third / strongest), ``expected_share`` (1/3 if unrelated),
        ``regions_in_top_third`` (codes).
    """
    strongest = table[table["portfolio_strength"] >= min_stars]
    hits = strongest[strongest["top_third"]]
    return {
        "min_stars": int(min_stars),
        "strongest": len(strongest),
        "in_top_third": len(hits),
        "regions": len(table),
        "top_third_size": int(table["top_third"].sum()),
        "share": len(hits) / len(strongest) if len(strongest) else float("nan"),
        "expected_share": float(table["top_third"].mean()) if len(table) else float("nan"),
        "regions_in_top_third": ", ".join(hits["region"].astype(str)),
    }


def patents_by_portfolio_group(table: pd.DataFrame, *, min_stars: int) -> pd.DataFrame:
    """Figure 5 in numbers: patent rates of regions without clusters, with a few, and with a strong portfolio.

    Groups: ``no clusters`` (0 stars), ``some clusters`` (1 … ``min_stars`` − 1 stars), ``strong portfolio``
    (≥ ``min_stars``). Columns ``group, regions, median_rate, mean_rate, min_rate, max_rate, in_top_third,
    share_in_top_third``.
    """
    groups = np.select(
        [table["portfolio_strength"] == 0, table["portfolio_strength"] >= min_stars],
        ["no clusters", "strong portfolio"],
        default="some clusters",
    )
    order = ["no clusters", "some clusters", "strong portfolio"]
    rows = []
    for name in order:
        g = table[groups == name]
        rows.append(
            {
                "group": name,
                "regions": len(g),
                "median_rate": g["patent_rate"].median() if len(g) else np.nan,
                "mean_rate": g["patent_rate"].mean() if len(g) else np.nan,
                "min_rate": g["patent_rate"].min() if len(g) else np.nan,
                "max_rate": g["patent_rate"].max() if len(g) else np.nan,
                "in_top_third": int(g["top_third"].sum()),
                "share_in_top_third": g["top_third"].mean() if len(g) else np.nan,
            }
        )
    return pd.DataFrame(rows)
