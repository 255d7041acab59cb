"""Clusters and prosperity (SEC(2008) 2637 section 2.3, Figure 10): GDP per capita against the share of
employment in strong clusters, for a chosen set of regions (EU15 without Portugal and Greece as in Figure 10,
EU27, EU28, countries) and for US states.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from clustermap.analyses._base import MissingInputError, define
from clustermap.analyses._stats import Relation, WithinRelation, relation, within_relation
from clustermap.errors import ParameterError, UnknownNameError

__all__ = ["SUBSETS", "prosperity_relation", "prosperity_table", "prosperity_within", "select_regions"]

_EU15 = ("AT", "BE", "DE", "DK", "EL", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PT", "SE", "UK")
_EU27 = (*_EU15, "BG", "CY", "CZ", "EE", "HU", "LT", "LV", "MT", "PL", "RO", "SI", "SK")
#: named region subsets (countries as NUTS country codes; Greece is EL)
SUBSETS: dict[str, tuple[str, ...]] = {
    "EU15": _EU15,
    "EU27": _EU27,  # the EU of 2007-2013 (SEC(2008) 2637 was written for it)
    "EU28": (*_EU27, "HR"),
    "EU27_2020": tuple(c for c in (*_EU27, "HR") if c != "UK"),
}

define(
    "gdp_per_capita",
    "GDP per capita",
    "EU: regional GDP at current market prices per inhabitant (Eurostat nama_10r_2gdp, EUR or PPS); US: state GDP "
    "(BEA, current USD) over resident population.",
    "EUR, PPS or USD per inhabitant",
)


def select_regions(
    frame: pd.DataFrame, subset: str | Iterable[str] | None = None, *, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """The rows of ``frame`` whose ``country`` is in ``subset`` and not in ``exclude``.

    Parameters
    ----------
    subset : str, iterable of str or None
        A name of :data:`SUBSETS` (``EU15``, ``EU27``, ``EU28``, ``EU27_2020``), ``"all"``/None, or country codes.
    exclude : iterable of str
        Country codes to leave out (Figure 10: ``PT``, ``EL``).
    """
    if subset is None or (isinstance(subset, str) and subset.lower() == "all"):
        countries = None
    elif isinstance(subset, str):
        if subset.upper() in SUBSETS:
            countries = set(SUBSETS[subset.upper()])
        elif len(subset) == 2:
            countries = {subset.upper()}
        else:
            raise UnknownNameError(f"unknown region subset {subset!r}; use {', '.join(SUBSETS)}, all, or countries")
    else:
        countries = {str(c).upper() for c in subset}
    out = frame if countries is None else frame[frame["country"].isin(countries)]
    ex = {str(c).upper() for c in exclude}
    return out[~out["country"].isin(ex)] if ex else out


def prosperity_table(portfolios: pd.DataFrame, gdp: pd.DataFrame) -> pd.DataFrame:
    """Strong-cluster shares and GDP per capita per region (the GDP year nearest the portfolios' year).

    Parameters
    ----------
    portfolios : pandas.DataFrame
        :func:`~clustermap.analyses.portfolio.region_portfolios` of one year.
    gdp : pandas.DataFrame
        ``region, year, gdp_per_capita`` (:func:`~clustermap.analyses.inputs.eu_gdp`,
        :func:`~clustermap.analyses.inputs.us_economy`).

    Returns
    -------
    pandas.DataFrame
        The portfolio columns plus ``gdp_year`` and ``gdp_per_capita``; ``attrs["unmatched"]`` lists the regions
        without GDP.
    """
    if portfolios["year"].nunique() != 1:
        raise ParameterError("prosperity_table needs the portfolios of one year")
    year = int(portfolios["year"].iloc[0])
    if gdp.empty:
        raise MissingInputError("GDP per capita", hint="the GDP table is empty")
    years = sorted(int(y) for y in gdp["year"].unique())
    best = min(years, key=lambda y: (abs(y - year), -y))
    g = gdp[gdp["year"] == best][["region", "gdp_per_capita"]]
    out = portfolios.merge(g, on="region", how="inner")
    if out.empty:
        raise MissingInputError("GDP per capita for the mapped regions", hint="region codes do not match")
    out["gdp_year"] = best
    out.attrs["unmatched"] = sorted(set(portfolios["region"]) - set(out["region"]))
    return out.reset_index(drop=True)


def prosperity_relation(
    table: pd.DataFrame,
    *,
    x: str = "strong_share_traded",
    subset: Any = None,
    exclude: Iterable[str] = (),
    alpha: float = 0.05,
) -> Relation:
    """GDP per capita against a cluster measure (default the strong-cluster share of traded employment) over a
    region subset: correlation, rank correlation, OLS with confidence intervals, outliers."""
    return relation(select_regions(table, subset, exclude=exclude), x, "gdp_per_capita", alpha=alpha)


def prosperity_within(
    table: pd.DataFrame,
    *,
    x: str = "strong_share_traded",
    subset: Any = None,
    exclude: Iterable[str] = (),
    alpha: float = 0.05,
    min_group: int = 3,
) -> WithinRelation:
    """GDP per capita against a cluster measure *within* countries (country fixed-effects slope, per-country
    rank correlations, with confidence intervals) over a region subset: the pooled :func:`prosperity_relation`
    mostly compares rich and poor countries."""
    return within_relation(
        select_regions(table, subset, exclude=exclude), x, "gdp_per_capita", alpha=alpha, min_group=min_group
    )
