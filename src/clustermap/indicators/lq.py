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


def location_quotients(cells: ir.Table, totals: ir.Table) -> ir.Table:
    """Traded cells of the region set with ``region_total``, ``share`` (= E[r,c] / T[r]), ``category_total``
    (= E[.,c]), ``grand_total`` (= T), ``n_regions`` (= |R|) and ``lq``.

    Regions with no total or a total of 0 are not in R (their cells are left out); local categories count in
    ``T[r]`` only.
    """
    regions = totals.filter(totals.region_total > 0)
    per_year = regions.group_by("year").agg(grand_total=regions.region_total.sum(), n_regions=regions.count())
    traded = cells.filter(cells.traded)
    t = traded.join(regions, ["region", "year"])
    by_cat = t.group_by(["year", "category"]).agg(category_total=t.employment.sum())
    t = t.join(by_cat, ["year", "category"]).join(per_year, "year")
    denom = (t.region_total * t.category_total).nullif(0)
    share = t.employment / t.region_total
    lq = (t.employment * t.grand_total) / denom
    return t.mutate(share=finite_or_null(share), lq=finite_or_null(lq))


def finite_or_null(x: ir.FloatingValue) -> ir.FloatingValue:
    """``x`` where it is a finite number, else NULL (NaN and ±inf compare as true on some backends)."""
    return ibis.ifelse(x.isnan() | x.isinf(), ibis.null(), x)
