"""Location quotients.

``LQ[r,c] = (E[r,c] / T[r]) / (E[.,c] / T)`` where ``E[r,c]`` is the employment of category c in region r,
``T[r]`` the region's total on the chosen base, ``E[.,c] = Σ_r E[r,c]`` and ``T = Σ_r T[r]``, all over the
region set R of the year: the regions with ``T[r] > 0``. It is computed as ``(E[r,c] · T) / (T[r] · E[.,c])``,
one correctly rounded division, so that an exact ratio such as 2 comes out exactly 2.0 on every backend.
A quotient that is not a finite number (the products overflow, e.g. employment ≥ 1e154) is NULL — unknown, never
NaN: DuckDB and Spark order NaN above every number, so a NaN LQ would pass every ``LQ ≥ threshold`` test.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clustermap.indicators.topk import backend_name, kth_of, top_count, top_values


def location_quotients(cells: ir.Table, totals: ir.Table, *, size_share: float | None = None) -> ir.Table:
    """Traded cells of the region set with ``region_total``, ``share`` (= E[r,c] / T[r]), ``category_total``
    (= E[.,c]), ``grand_total`` (= T), ``n_regions`` (= |R|), ``n_categories`` (= |C|, the categories with a
    traded cell in R in the year) and ``lq``.

    Regions with no total or a total of 0 are not in R (their cells are left out); local categories count in
    ``T[r]`` only.

    With ``size_share``, also ``size_cut``: the threshold of the size star of
    :func:`clustermap.indicators.stars.eco_stars` (the k-th largest finite E[r,c] of the year and category, k =
    ⌊size_share · |R|⌋), computed in the aggregate that sums ``category_total`` — one pass over the cells
    less than a separate aggregate (on the 10.5 M-row benchmark panel, one read of the input and two joins).
    """
    regions = totals.filter(totals.region_total > 0)
    per_year = regions.group_by("year").agg(grand_total=regions.region_total.sum(), n_regions=regions.count())
    traded = cells.filter(cells.traded)
    t = traded.join(regions, ["region", "year"]).join(per_year, "year")
    aggs = {"category_total": t.employment.sum()}
    if size_share is not None:
        aggs["_vals"], aggs["_k"] = top_values(t, "employment", top_count(t.n_regions, size_share))
    by_cat = t.group_by(["year", "category"]).agg(**aggs)
    if size_share is not None:
        cut = kth_of(by_cat._vals, by_cat._k, duckdb=backend_name(t) == "duckdb")
        by_cat = by_cat.mutate(size_cut=cut).drop("_vals", "_k")
    n_cat = by_cat.group_by(_y_year=by_cat.year).agg(n_categories=by_cat.count())
    t = t.join(by_cat, ["year", "category"])
    t = t.join(n_cat, t.year == n_cat._y_year).drop("_y_year")
    denom = (t.region_total * t.category_total).nullif(0)
    share = t.employment / t.region_total
    lq = (t.employment * t.grand_total) / denom
    return t.mutate(share=finite_or_null(share), lq=finite_or_null(lq))


def finite_or_null(x: ir.FloatingValue) -> ir.FloatingValue:
    """``x`` where it is a finite number, else NULL (NaN and ±inf compare as true on some backends)."""
    return ibis.ifelse(x.isnan() | x.isinf(), ibis.null(), x)
