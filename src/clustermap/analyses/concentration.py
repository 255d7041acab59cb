"""Category concentration: how much of each category's employment sits in strong clusters, and how unevenly it
is spread across regions (SEC(2008) 2637 section 2.2 and Figure 8).

Measures, for one category c over the regions R (a region without a cell of c counts with E = 0; a cell that is
*unknown* — confidential or missing, a row with null employment, or an imputed cell when ``imputed="exclude"``
— is never read as 0: that region is left out of c's measures and counted in ``regions_unknown``):

* **strong share** ``Σ_r E[r,c]·[LQ[r,c] > 2] / E[.,c]``;
* **locational Gini** (Krugman 1991): order the regions by LQ (equivalently by ``E[r,c]/T[r]``) ascending; the
  Lorenz curve joins the points ``(x_k, y_k)`` of cumulative shares of total employment ``x`` and of category
  employment ``y``; ``G = 1 − Σ_k (x_k − x_{k−1})(y_k + y_{k−1})``, twice the area between the curve and the
  diagonal. 0 = the category is spread like total employment; towards 1 = all of it in a region with a tiny
  share of total employment;
* **Hoover** coefficient of localisation ``H = ½ Σ_r |E[r,c]/E[.,c] − T[r]/T|``: the share of the category's
  employment that would have to move for it to be spread like total employment (0-1);
* **Herfindahl** ``HHI = Σ_r (E[r,c]/E[.,c])²``: concentration regardless of region size (1/|R| … 1); ``1/HHI`` is
  the equivalent number of equal regions.
* **Ellison–Glaeser** (1997) ``γ = (G / (1 − Σ_r x_r²) − H) / (1 − H)`` with ``G = Σ_r (s_r − x_r)²``,
  ``s_r = E[r,c]/E[.,c]``, ``x_r = T[r]/T`` and ``H`` the plant Herfindahl of the category. Its expected value
  is 0 when plants locate at random in proportion to total employment, whatever the number and sizes of the
  regions: unlike Gini and Hoover, which rise as a territory is cut into more, smaller regions, it can be
  compared across region sets of different sizes (EU NUTS-2 against US states or CBSAs). Neither SBS nor the
  CBP region files give plant sizes, so ``H = 0`` on both sides (column ``eg``): that is the same upward shift
  for both, ``γ + H(1 − γ)``, small for categories with many plants.

Gini and Hoover take "how employment is distributed within every region" into account, as the reference's
footnote 70 asks of its disproportionality measure; Herfindahl does not.

:func:`category_concentration` is one ibis expression (a region × category grid, window sums for the Lorenz
curve) and runs where the cells are; :func:`gini`, :func:`hoover` and :func:`herfindahl` compute the same on
arrays.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from clustermap.analyses._base import cells_table, define

__all__ = [
    "category_concentration",
    "category_ranking",
    "concentration_summary",
    "ellison_glaeser",
    "gini",
    "herfindahl",
    "hoover",
]

define(
    "category_strong_share",
    "Category employment in strong clusters",
    "Share of a category's employment (all regions) that is in cells with LQ > 2 (section 2.2 of SEC(2008) "
    "2637: 'on average 32%').",
    "share (0-1)",
)
define(
    "gini",
    "Locational Gini",
    "Regions ordered by LQ ascending; Lorenz curve of cumulative shares of total employment (x) and of the "
    "category's employment (y); G = 1 − Σ (x_k − x_{k−1})(y_k + y_{k−1}). 0 = spread like total employment, "
    "towards 1 = concentrated in a few small regions.",
    "0-1",
)
define(
    "hoover",
    "Hoover coefficient",
    "½ Σ_r |E[r,c]/E[.,c] − T[r]/T|: the share of the category's employment that would have to move for it to be "
    "spread like total employment.",
    "0-1",
)
define(
    "herfindahl",
    "Herfindahl index",
    "Σ_r (E[r,c]/E[.,c])²: concentration of the category's employment over regions, ignoring region size; 1/HHI "
    "is the equivalent number of equal regions.",
    "1/|R|-1",
)
define(
    "eg",
    "Ellison–Glaeser index",
    "(G / (1 − Σ x_r²) − H) / (1 − H), G = Σ_r (E[r,c]/E[.,c] − T[r]/T)², x_r = T[r]/T, plant Herfindahl H = 0: "
    "0 when the category is spread like total employment up to chance, whatever the number and size of the "
    "regions, so EU and US region sets of different sizes can be compared.",
    "index (0 = random)",
)
define(
    "top_region_share",
    "Largest region's share",
    "Share of the category's employment in its largest region.",
    "share (0-1)",
)


def _arrays(employment: Any, totals: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    e = np.asarray(employment, dtype="float64")
    e = np.where(np.isnan(e), 0.0, e)
    if totals is None:
        return e, None
    t = np.asarray(totals, dtype="float64")
    if t.shape != e.shape:
        raise ValueError("employment and totals must have the same length")
    return e, t


def gini(employment: Any, totals: Any) -> float:
    """Locational Gini of one category over regions (see the module docstring).

    Parameters
    ----------
    employment : array-like
        E[r,c] per region (persons; NaN counts 0).
    totals : array-like
        T[r] per region (persons, > 0).

    Examples
    --------
    >>> gini([10, 0], [100, 100])
    0.5
    >>> gini([1, 2], [10, 20])
    0.0
    """
    e, t = _arrays(employment, totals)
    if e.sum() <= 0 or t.sum() <= 0:
        return float("nan")
    order = np.lexsort((np.arange(len(e)), e / t))
    x = np.concatenate([[0.0], np.cumsum(t[order]) / t.sum()])
    y = np.concatenate([[0.0], np.cumsum(e[order]) / e.sum()])
    value = 1.0 - float(np.sum(np.diff(x) * (y[1:] + y[:-1])))
    return round(value, 12) + 0.0


def hoover(employment: Any, totals: Any) -> float:
    """Hoover coefficient of localisation ``½ Σ |E_r/E − T_r/T|``.

    Examples
    --------
    >>> hoover([10, 0], [100, 100])
    0.5
    """
    e, t = _arrays(employment, totals)
    if e.sum() <= 0 or t.sum() <= 0:
        return float("nan")
    return float(0.5 * np.abs(e / e.sum() - t / t.sum()).sum())


def herfindahl(employment: Any) -> float:
    """Herfindahl index ``Σ (E_r/E)²``.

    Examples
    --------
    >>> herfindahl([1, 1, 2])
    0.375
    """
    e, _ = _arrays(employment)
    if e.sum() <= 0:
        return float("nan")
    s = e / e.sum()
    return float(np.sum(s * s))


def ellison_glaeser(employment: Any, totals: Any, *, plant_herfindahl: float = 0.0) -> float:
    """Ellison–Glaeser index of one category over regions (see the module docstring).

    Parameters
    ----------
    employment, totals : array-like
        E[r,c] and T[r] per region (persons).
    plant_herfindahl : float
        H, the Herfindahl of the category's plant sizes (default 0: no plant data).

    Examples
    --------
    >>> ellison_glaeser([10, 0], [100, 100])
    1.0
    >>> ellison_glaeser([1, 2], [10, 20])
    0.0
    """
    e, t = _arrays(employment, totals)
    if e.sum() <= 0 or t.sum() <= 0:
        return float("nan")
    x = t / t.sum()
    g = float(np.sum((e / e.sum() - x) ** 2))
    h = float(plant_herfindahl)
    return round((g / (1.0 - float(np.sum(x * x))) - h) / (1.0 - h), 12) + 0.0


def category_concentration(
    cells: Any, *, year: int | None = None, strong_lq: float = 2.0, imputed: str = "keep"
) -> pd.DataFrame:
    """Per category (and year): employment in strong clusters and the Gini, Hoover and Herfindahl indices over
    the regions.

    Parameters
    ----------
    cells
        Mapping results (pandas or an ibis table on any backend; the computation runs there).
    year : int, optional
        One year (default every year).
    strong_lq : float
        Strong clusters have LQ strictly above this (default 2).
    imputed : {"keep", "exclude"}
        ``keep`` (default) uses imputed cells' values; ``exclude`` treats them as unknown, like confidential
        cells: the region is left out of that category's measures (never counted as 0).

    Returns
    -------
    pandas.DataFrame
        One row per category and year: ``category, category_name, year, employment`` (E[.,c], persons),
        ``regions`` (regions of the year), ``regions_with_employment``, ``strong_clusters`` (cells with LQ >
        ``strong_lq``), ``strong_employment``, ``strong_share``, ``gini``, ``hoover``, ``herfindahl``,
        ``equivalent_regions`` (1/HHI), ``eg`` (Ellison–Glaeser, H = 0), ``regions_unknown`` (regions whose cell
        is confidential, missing or — with ``imputed="exclude"`` — imputed, left out), ``top_region``,
        ``top_region_share``; and ``clusters`` (cells with ≥ 1 star) when the cells have stars. Sorted by year,
        then ``strong_share`` descending.
    """
    if imputed not in ("keep", "exclude"):
        from clustermap.errors import ParameterError

        raise ParameterError(f"imputed must be 'keep' or 'exclude', not {imputed!r}")
    t = cells_table(cells, year=year, columns=("region", "category", "year", "employment", "region_total", "lq"))
    has_stars = "stars" in t.columns
    unknown_cell = t.employment.isnull()
    if imputed == "exclude" and "imputed" in t.columns:
        unknown_cell = unknown_cell | t.imputed.fill_null(False)
    t = t.mutate(_unknown=unknown_cell)
    regions = t.select("region", "year", "region_total").distinct()
    cats = t.select("year", "category").distinct()
    grid = regions.join(cats, "year")
    cols = [t.region, t.year, t.category, t.employment, t.lq, t._unknown]
    if has_stars:
        cols.append(t.stars)
    cell = t.select(*cols)
    g = grid.left_join(cell, ["region", "year", "category"]).select(
        grid.region,
        grid.year,
        grid.category,
        grid.region_total,
        employment=cell.employment.fill_null(0.0),
        lq=cell.lq.fill_null(0.0),
        unknown=cell._unknown.fill_null(False),
        **({"stars": cell.stars.fill_null(0)} if has_stars else {}),
    )
    part = ["year", "category"]
    n_unknown = g.group_by(part).agg(regions_unknown=g.unknown.sum().cast("int64"))
    g = g.filter(~g.unknown)
    w_all = ibis.window(group_by=part)
    w_cum = ibis.window(group_by=part, order_by=[g.employment / g.region_total, g.region], preceding=None, following=0)
    e_c = g.employment.sum().over(w_all)
    t_c = g.region_total.sum().over(w_all)
    cum_e = g.employment.sum().over(w_cum)
    e_max = g.employment.max().over(w_all)
    g = g.mutate(e_c=e_c, t_c=t_c, cum_e=cum_e, e_max=e_max)
    # e_c may be 0 (nobody employed): nullif keeps the ratios null instead of dividing by zero
    lorenz = g.region_total * (2 * g.cum_e - g.employment) / (g.t_c * g.e_c.nullif(0))
    dev = (g.employment / g.e_c.nullif(0) - g.region_total / g.t_c).abs()
    sq = (g.employment / g.e_c.nullif(0)) ** 2
    eg_dev = (g.employment / g.e_c.nullif(0) - g.region_total / g.t_c) ** 2
    x_sq = (g.region_total / g.t_c) ** 2
    strong = g.lq > strong_lq
    aggs = {
        "employment": g.employment.sum(),
        "regions": g.region.count(),
        "regions_with_employment": (g.employment > 0).sum().cast("int64"),
        "strong_clusters": strong.sum().cast("int64"),
        "strong_employment": g.employment.sum(where=strong),
        "gini_sum": lorenz.sum(),
        "hoover2": dev.sum(),
        "herfindahl": sq.sum(),
        "eg_g": eg_dev.sum(),
        "eg_x2": x_sq.sum(),
        "top_region": g.region.min(where=g.employment == g.e_max),
        "top_employment": g.employment.max(),
    }
    if has_stars:
        aggs["clusters"] = (g.stars >= 1).sum().cast("int64")
    out = g.group_by(part).agg(**aggs).to_pandas()
    out = out.merge(n_unknown.to_pandas(), on=part, how="left")
    out["regions_unknown"] = out["regions_unknown"].fillna(0).astype("int64")
    positive = out["employment"] > 0
    out["strong_employment"] = out["strong_employment"].astype("float64").fillna(0.0)
    out["strong_share"] = np.where(positive, out["strong_employment"] / out["employment"].where(positive), np.nan)
    out["gini"] = np.where(positive, 1.0 - out["gini_sum"].astype("float64"), np.nan)
    out["gini"] = out["gini"].round(12) + 0.0
    out["hoover"] = np.where(positive, 0.5 * out["hoover2"].astype("float64"), np.nan)
    out["herfindahl"] = np.where(positive, out["herfindahl"].astype("float64"), np.nan)
    out["equivalent_regions"] = 1.0 / out["herfindahl"]
    denominator = (1.0 - out["eg_x2"].astype("float64")).where(lambda d: d > 0)
    out["eg"] = np.where(positive, out["eg_g"].astype("float64") / denominator, np.nan)
    out["eg"] = out["eg"].round(12) + 0.0
    out["top_region_share"] = np.where(positive, out["top_employment"] / out["employment"].where(positive), np.nan)
    out["top_region"] = out["top_region"].where(positive, None)
    names = _category_names(cells)
    out["category_name"] = out["category"].map(names).fillna(out["category"]) if names else out["category"]
    columns = [
        "category",
        "category_name",
        "year",
        "employment",
        "regions",
        "regions_with_employment",
        "strong_clusters",
        "strong_employment",
        "strong_share",
        "gini",
        "hoover",
        "herfindahl",
        "equivalent_regions",
        "eg",
        "regions_unknown",
        "top_region",
        "top_region_share",
    ]
    if has_stars:
        columns.insert(6, "clusters")
    out = out[columns].sort_values(["year", "strong_share", "category"], ascending=[True, False, True])
    return out.reset_index(drop=True)


def _category_names(cells: Any) -> dict[str, str]:
    data = cells.cells if hasattr(cells, "cells") and not isinstance(cells, pd.DataFrame) else cells
    if isinstance(data, pd.DataFrame) and "category_name" in data.columns:
        return dict(zip(data["category"], data["category_name"], strict=False))
    return {}


def concentration_summary(concentration: pd.DataFrame) -> dict[str, Any]:
    """The section 2.2 figures from :func:`category_concentration` (one year): the unweighted mean of the
    categories' strong shares, the pooled share, the lowest and highest with their categories, and how many
    categories are below 10 % and above 70 %."""
    c = concentration.dropna(subset=["strong_share"])
    lo = c.loc[c["strong_share"].idxmin()] if len(c) else None
    hi = c.loc[c["strong_share"].idxmax()] if len(c) else None
    return {
        "categories": len(c),
        "mean_strong_share": float(c["strong_share"].mean()) if len(c) else np.nan,
        "pooled_strong_share": float(c["strong_employment"].sum() / c["employment"].sum()) if len(c) else np.nan,
        "min_strong_share": float(lo["strong_share"]) if lo is not None else np.nan,
        "min_category": str(lo["category_name"]) if lo is not None else "",
        "max_strong_share": float(hi["strong_share"]) if hi is not None else np.nan,
        "max_category": str(hi["category_name"]) if hi is not None else "",
        "below_10pct": int((c["strong_share"] < 0.10).sum()),
        "above_70pct": int((c["strong_share"] > 0.70).sum()),
        "mean_gini": float(c["gini"].mean()) if len(c) else np.nan,
    }


def category_ranking(
    cells: Any, category: str, *, year: int | None = None, top: int = 13, names: dict[str, str] | None = None
) -> pd.DataFrame:
    """Figure 3 of SEC(2008) 2637: the top regions of one category by stars (then employment) beside the top
    regions by employment.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``by_stars_region``, ``by_stars_name``, ``by_stars_stars``, ``by_stars_employment``,
        ``by_employment_region``, ``by_employment_name``, ``by_employment_stars``, ``by_employment_employment``
        (``top`` rows).

    Raises
    ------
    UnknownNameError
        the category is not in the cells (the message lists the categories there are).
    """
    from clustermap.analyses._base import cells_frame, select_year
    from clustermap.errors import UnknownNameError

    frame = cells_frame(cells, columns=("region", "category", "year", "employment", "stars"))
    year = select_year(frame, year)
    g = frame[(frame["year"] == year) & (frame["category"] == category)]
    if g.empty:
        have = ", ".join(sorted(frame["category"].unique()))
        raise UnknownNameError(f"no category {category!r} in the mapping results of {year}; categories: {have}")
    names = names or {}
    by_stars = g.sort_values(["stars", "employment", "region"], ascending=[False, False, True]).head(top)
    by_emp = g.sort_values(["employment", "region"], ascending=[False, True]).head(top)
    out = pd.DataFrame({"rank": range(1, max(len(by_stars), len(by_emp)) + 1)})
    for prefix, part in (("by_stars", by_stars), ("by_employment", by_emp)):
        part = part.reset_index(drop=True)
        out[f"{prefix}_region"] = part["region"]
        out[f"{prefix}_name"] = part["region"].map(lambda r: names.get(r, ""))
        out[f"{prefix}_stars"] = part["stars"].astype("int64")
        out[f"{prefix}_employment"] = part["employment"]
    return out
