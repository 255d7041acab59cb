"""European Cluster Observatory stars (size, specialisation, focus).

For one year and region set R (``n_regions`` = |R|) and each category c:

* **size star**: the cell's employment is in the top ``size_share`` of the regions of R in c. Ranks are
  competition ranks in descending order (ties share the best rank); star iff ``rank ≤ size_share · |R|``.
* **specialisation star**: ``LQ ≥ lq_threshold``.
* **focus star**: the cell's share of its region's total employment is in the top ``focus_share`` of the regions
  of R in c, by the same ranking rule.
* **minimum size**: a cell with ``employment < min_employment`` gets no star at all.

``stars`` = number of stars (0–3). Regions without a cell in c rank below every region that has one.
``size_share · |R|`` is evaluated with a tolerance of 1e-9 so that, e.g., 0.1 · 30 counts as 3.
A cell whose employment or LQ is not a finite number (NULL, NaN, ±inf) gets no star and is not strong: every
comparison is guarded, because DuckDB and Spark order NaN above every number.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

_EPS = 1e-9


def eco_stars(
    t: ir.Table,
    *,
    size_share: float = 0.10,
    focus_share: float = 0.10,
    lq_threshold: float = 2.0,
    min_employment: float = 1000.0,
    strong_lq: float = 2.0,
) -> ir.Table:
    """Add ``size_rank``, ``focus_rank``, the three 0/1 stars, ``stars`` and ``strong`` (``LQ > strong_lq``)
    to the output of :func:`clustermap.indicators.location_quotients`."""
    by_size = ibis.window(group_by=["year", "category"], order_by=[ibis.desc(t.employment)])
    by_focus = ibis.window(group_by=["year", "category"], order_by=[ibis.desc(t.share)])
    t = t.mutate(size_rank=ibis.rank().over(by_size) + 1, focus_rank=ibis.rank().over(by_focus) + 1)
    finite_lq = t.lq.notnull() & ~t.lq.isnan() & ~t.lq.isinf()
    big = (t.employment >= min_employment) & _finite(t.employment)
    size_cut = (t.n_regions * size_share + _EPS).floor()
    focus_cut = (t.n_regions * focus_share + _EPS).floor()
    size_star = (big & (t.size_rank <= size_cut)).fill_null(False).cast("int8")
    spec_star = (big & finite_lq & (t.lq >= lq_threshold)).fill_null(False).cast("int8")
    focus_star = (big & _finite(t.share) & (t.focus_rank <= focus_cut)).fill_null(False).cast("int8")
    t = t.mutate(size_star=size_star, specialisation_star=spec_star, focus_star=focus_star)
    return t.mutate(
        stars=(t.size_star + t.specialisation_star + t.focus_star).cast("int8"),
        strong=(finite_lq & (t.lq > strong_lq)).fill_null(False),
    )


def _finite(x: ir.NumericValue) -> ir.BooleanValue:
    """True where ``x`` is a finite number, False where it is NULL, NaN or ±inf."""
    f = x.cast("float64")
    return (f.notnull() & ~f.isnan() & ~f.isinf()).fill_null(False)
