"""Europe and the United States side by side (SEC(2008) 2637 Figures 8 and 9), from the same functions on both
mappings.

For the comparison to mean anything both sides need the same categories and the same method: the US CBP state
data are mapped on the common category set ``eco-nace2-naics<vintage>`` (US NAICS put on the ``eco-nace2``
categories through ISIC Rev. 4; :mod:`clustermap.classifications.eu_us`) with the EU's star method and cut-offs,
as the reference says it did ("the same methodology and cut-off points").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import MissingInputError, define
from clustermap.analyses.employment_shares import share_distribution

__all__ = ["compare_concentration", "compare_strong_shares", "concentration_verdict"]

define(
    "more_concentrated_in_us",
    "More concentrated in the US",
    "A category whose concentration measure (default the locational Gini) is higher over US states than over "
    "EU NUTS-2 regions (Figure 8 of SEC(2008) 2637: 32 of 38 categories).",
)


def compare_concentration(
    eu: pd.DataFrame, us: pd.DataFrame, *, measure: str = "gini", tolerance: float = 1e-9
) -> pd.DataFrame:
    """Per category: a concentration measure in the EU and in the US, from
    :func:`~clustermap.analyses.concentration.category_concentration` of each side (one year each).

    Returns
    -------
    pandas.DataFrame
        ``category, category_name, eu_<measure>, us_<measure>, difference`` (US − EU),
        ``more_concentrated_in`` (``US``, ``EU`` or ``equal``), ``eu_strong_share``, ``us_strong_share``,
        ``eu_employment``, ``us_employment``; categories on both sides only, sorted by difference.

    Raises
    ------
    MissingInputError
        the two sides share no category (different category sets).
    """
    for side, frame in (("EU", eu), ("US", us)):
        if measure not in frame.columns:
            raise MissingInputError(f"{measure} of the {side} categories", [measure])
    cols = list(dict.fromkeys(["category", measure, "strong_share", "employment"]))
    m = eu[["category", "category_name", *cols[1:]]].merge(us[cols], on="category", suffixes=("_eu", "_us"))
    if m.empty:
        raise MissingInputError(
            "categories common to the EU and US results",
            hint="map both sides on the same category set (e.g. eco-nace2 and eco-nace2-naics2007)",
        )
    out = pd.DataFrame(
        {
            "category": m["category"],
            "category_name": m["category_name"],
            f"eu_{measure}": m[f"{measure}_eu"],
            f"us_{measure}": m[f"{measure}_us"],
        }
    )
    out["difference"] = out[f"us_{measure}"] - out[f"eu_{measure}"]
    out["more_concentrated_in"] = np.select(
        [out["difference"] > tolerance, out["difference"] < -tolerance], ["US", "EU"], default="equal"
    )
    out["eu_strong_share"] = m["strong_share_eu"]
    out["us_strong_share"] = m["strong_share_us"]
    out["eu_employment"] = m["employment_eu"]
    out["us_employment"] = m["employment_us"]
    return out.sort_values(["difference", "category"], ascending=[False, True], ignore_index=True)


def concentration_verdict(comparison: pd.DataFrame) -> dict[str, Any]:
    """Counts behind Figure 8: ``categories``, ``more_concentrated_in_us``, ``more_concentrated_in_eu``,
    ``equal``, ``share_us`` (of the categories)."""
    counts = comparison["more_concentrated_in"].value_counts()
    n = len(comparison)
    us = int(counts.get("US", 0))
    return {
        "categories": n,
        "more_concentrated_in_us": us,
        "more_concentrated_in_eu": int(counts.get("EU", 0)),
        "equal": int(counts.get("equal", 0)),
        "share_us": us / n if n else float("nan"),
    }


def compare_strong_shares(
    eu_shares: pd.DataFrame, us_shares: pd.DataFrame, *, column: str = "strong_share_traded"
) -> dict[str, Any]:
    """Figure 9: the distribution of the regions' strong-cluster shares in the EU and the US.

    Returns
    -------
    dict
        ``eu`` and ``us`` (each ``n, max, mean, median, min, p25, p75, std, weighted_mean, argmax, argmin``),
        ``mean_gap`` = 1 − EU mean / US mean ("a quarter lower" in the reference), ``median_gap`` (same for the
        medians; "about a third"), ``eu_histogram``, ``us_histogram``.
    """
    eu_stats, eu_hist = share_distribution(eu_shares, column)
    us_stats, us_hist = share_distribution(us_shares, column)
    return {
        "eu": eu_stats,
        "us": us_stats,
        "mean_gap": 1 - eu_stats["mean"] / us_stats["mean"] if us_stats["mean"] else float("nan"),
        "median_gap": 1 - eu_stats["median"] / us_stats["median"] if us_stats["median"] else float("nan"),
        "eu_histogram": eu_hist,
        "us_histogram": us_hist,
    }
