"""Productivity star (European Cluster Panorama style): wages per person employed against the category's.

For one year and category c, over the cells whose wages are known:

* ``wages_per_person[r,c] = W[r,c] / Ew[r,c]`` — ``W`` wages and salaries (the source's unit; Eurostat SBS
  V13320, EUR million) summed over the cell's industries with known wages — published, or imputed with the
  employment of a confidential cell (:mod:`clustermap.imputation.wages`; the part is ``imputed_wages``) —
  ``Ew`` the persons employed of those same industries (SBS V16110), so that an industry without wages does
  not lower the ratio;
* ``relative_productivity[r,c] = (W[r,c] / Ew[r,c]) / (W[.,c] / Ew[.,c])`` — against the category's average
  across the regions of the year (a ratio, unit-free; 1 = the category's average);
* **productivity star**, by ``productivity_rule``: ``top_share`` — ``relative_productivity`` in the top
  ``productivity_share`` of the regions of R in c (competition ranks, star iff ``rank ≤ share · |R|``, as the size
  star); ``ratio`` — ``relative_productivity ≥ productivity_ratio``.

A cell without known wages has no value and no productivity star (never a 0). The published Panorama cut-offs are not
known (see ``docs/panorama.md``), hence both rules and their thresholds are parameters.
"""

from __future__ import annotations

import ibis.expr.types as ir

from clustermap.indicators.stars import top_share


def relative_productivity(t: ir.Table) -> ir.Table:
    """Add ``wages_per_person`` (wages per person employed, the source's wage unit per person) and
    ``relative_productivity`` (against the category's average across the regions of the year) to cells with
    ``year, category, wages, wage_employment``."""
    t = t.mutate(wages_per_person=t.wages / t.wage_employment.nullif(0))
    known = t.filter(t.wages_per_person.notnull())
    cat = known.group_by(p_year=known.year, p_category=known.category).agg(
        p_avg=known.wages.sum() / known.wage_employment.sum().nullif(0)
    )
    t = t.left_join(cat, [t.year == cat.p_year, t.category == cat.p_category]).drop("p_year", "p_category")
    return t.mutate(relative_productivity=t.wages_per_person / t.p_avg.nullif(0)).drop("p_avg")


def productivity_stars(
    t: ir.Table, *, rule: str = "top_share", share: float = 0.10, ratio: float = 1.2, min_employment: float = 0.0
) -> ir.Table:
    """Add the 0/1 ``productivity_star`` (and, unless present, the columns of :func:`relative_productivity`) to
    cells with ``year, category, employment, wages, wage_employment, n_regions``.

    Pass a table that already has ``relative_productivity`` materialised (the engine caches it) so that the
    threshold and the values it is compared with are the very same floating-point numbers."""
    if rule not in ("top_share", "ratio"):
        raise ValueError(f"productivity_rule must be top_share or ratio, not {rule!r}")
    if "relative_productivity" not in t.columns:
        t = relative_productivity(t)
    if rule == "ratio":
        t = t.mutate(_prod_top=(t.relative_productivity >= ratio).fill_null(False))
    else:
        t = top_share(t, "relative_productivity", ["year", "category"], share, t.n_regions, "_prod_top")
    return t.mutate(productivity_star=((t.employment >= min_employment) & t._prod_top).cast("int8")).drop("_prod_top")
