"""Dynamism star (European Cluster Panorama style): employment growth of the cell against its category's.

For a window of N years (``dynamism_window``), year t and category c:

* ``employment_growth[r,c,t] = E[r,c,t] / E[r,c,t-N]`` — the growth factor of the cell (1.10 = +10 % over the
  window); null when the cell has no employment in t - N (absent, suppressed and dropped, or 0);
* the category's growth ``G[c,t] = Σ E[r,c,t] / Σ E[r,c,t-N]`` over the same cells (those with a value in
  both years), so that regions present in one year only do not count as growth or decline;
* ``relative_growth[r,c,t] = employment_growth / G`` (1 = as fast as the category);
* **dynamism star**, by ``dynamism_rule``: ``top_share`` — ``relative_growth`` in the top ``dynamism_share`` of
  the regions of R in c (competition ranks, star iff ``rank ≤ share · |R|``); ``ratio`` — ``relative_growth ≥
  dynamism_ratio``.

The first N years of a panel have no dynamism star. The published Panorama cut-offs are not known (see
``docs/panorama.md``), hence the window, the rule and its threshold are parameters.
"""

from __future__ import annotations

import ibis.expr.types as ir

from clustermap.indicators.stars import top_share


def relative_growth(t: ir.Table, window: int = 3) -> ir.Table:
    """Add ``employment_growth`` (growth factor over ``window`` years) and ``relative_growth`` (against the
    category's growth over the same cells) to cells with ``region, category, year, employment``."""
    before = t.select(d_region=t.region, d_category=t.category, d_year=t.year + window, d_before=t.employment)
    t = t.left_join(
        before, [t.region == before.d_region, t.category == before.d_category, t.year == before.d_year]
    ).drop("d_region", "d_category", "d_year")
    t = t.mutate(employment_growth=t.employment / t.d_before.nullif(0))
    both = t.filter(t.employment_growth.notnull())
    cat = both.group_by(g_year=both.year, g_category=both.category).agg(
        g_growth=both.employment.sum() / both.d_before.sum().nullif(0)
    )
    t = t.left_join(cat, [t.year == cat.g_year, t.category == cat.g_category]).drop("g_year", "g_category")
    return t.mutate(relative_growth=t.employment_growth / t.g_growth.nullif(0)).drop("g_growth", "d_before")


def dynamism_stars(
    t: ir.Table,
    *,
    window: int = 3,
    rule: str = "top_share",
    share: float = 0.10,
    ratio: float = 1.1,
    min_employment: float = 0.0,
) -> ir.Table:
    """Add the 0/1 ``dynamism_star`` (and, unless present, the columns of :func:`relative_growth`) to cells
    with ``region, category, year, employment, n_regions``.

    Pass a table that already has ``relative_growth`` materialised (the engine caches it) so that the threshold
    and the values it is compared with are the very same floating-point numbers."""
    if rule not in ("top_share", "ratio"):
        raise ValueError(f"dynamism_rule must be top_share or ratio, not {rule!r}")
    if "relative_growth" not in t.columns:
        t = relative_growth(t, window)
    if rule == "ratio":
        t = t.mutate(_dyn_top=(t.relative_growth >= ratio).fill_null(False))
    else:
        t = top_share(t, "relative_growth", ["year", "category"], share, t.n_regions, "_dyn_top")
    return t.mutate(dynamism_star=((t.employment >= min_employment) & t._dyn_top).cast("int8")).drop("_dyn_top")
