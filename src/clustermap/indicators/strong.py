"""The US Cluster Mapping Project's strong-cluster rule.

Per year and cluster c, over the regions with ``employment > 0`` in c, with percentiles by linear
interpolation (numpy's default; DuckDB ``quantile_cont``, Spark ``percentile``):

``strong`` iff ``LQ ≥ P_lq(LQ)`` and ``LQ ≥ min_lq`` and ``employment > P_emp(employment)`` and
``establishments > P_est(establishments)``; ``strong_strict`` uses ``P_strict(LQ)`` instead of ``P_lq``.
Defaults: P_lq = 75th, P_strict = 90th, P_emp = P_est = 25th percentile, min_lq = 1. Where no region of a
cluster-year has establishments the establishments condition is not applied; a cell without establishments
where others have them fails it. A cell whose LQ or employment is not a finite number is never strong and does
not enter the percentiles (DuckDB and Spark order NaN above every number).
"""

from __future__ import annotations

import ibis.expr.types as ir


def uscmp_strong(
    t: ir.Table,
    *,
    lq_percentile: float = 0.75,
    strict_lq_percentile: float = 0.90,
    min_lq: float = 1.0,
    employment_percentile: float = 0.25,
    establishments_percentile: float = 0.25,
) -> ir.Table:
    """Add the percentile thresholds, ``strong`` and ``strong_strict`` to the output of
    :func:`clustermap.indicators.location_quotients`."""
    emp = t.employment.cast("float64")
    ok = emp.notnull() & ~emp.isnan() & ~emp.isinf() & (emp > 0)
    t = t.mutate(_ok=ok.fill_null(False))
    pos = t.filter(t._ok)
    q = pos.group_by(q_year=pos.year, q_category=pos.category).agg(
        lq_p=pos.lq.quantile(lq_percentile),
        lq_p_strict=pos.lq.quantile(strict_lq_percentile),
        employment_p=pos.employment.quantile(employment_percentile),
        establishments_p=pos.establishments.quantile(establishments_percentile),
    )
    t = t.left_join(q, [t.year == q.q_year, t.category == q.q_category]).drop("q_year", "q_category")
    est_ok = (t.establishments > t.establishments_p).fill_null(False) | t.establishments_p.isnull()
    lq_ok = t.lq.notnull() & ~t.lq.isnan() & ~t.lq.isinf()
    common = t._ok & lq_ok & (t.lq >= min_lq) & (t.employment > t.employment_p) & est_ok
    return t.mutate(
        strong=(common & (t.lq >= t.lq_p)).fill_null(False),
        strong_strict=(common & (t.lq >= t.lq_p_strict)).fill_null(False),
    ).drop("_ok")
