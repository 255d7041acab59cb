"""European Cluster Observatory stars (size, specialisation, focus).

For one year and region set R (``n_regions`` = |R|), category set C (``n_categories`` = |C|, the categories
with a cell in the year) and each category c:

* **size star**: the cell's employment ``E[r,c]`` is in the top ``size_share`` of the regions of R in c. Ranks
  are competition ranks in descending order (ties share the best rank); star iff ``rank ≤ size_share · |R|``.
* **specialisation star**: ``LQ ≥ lq_threshold``.
* **focus star**: the cell's share of its region's employment, ``E[r,c] / T[r]``, is in the top ``focus_share``
  by the same ranking rule, over the ``focus_scope``:

  - ``all`` (the default of ``eco2007`` and ``eco2008``): ranked among all region × category cells of the year,
    star iff ``rank ≤ focus_share · |R| · |C|``. Why: within one category ``E[r,c] / T[r]`` orders the regions
    exactly as ``LQ[r,c]`` does (``LQ = share · T / E[.,c]``, and ``T / E[.,c]`` is the same for every region of
    c), so ranking it within the category repeats the specialisation star; ranked over all cells it measures
    how much of a region's economy the category takes, the reading whose star distribution matches the
    reference's 66 / 26 / 8 % one / two / three-star clusters (1,338 / 524 / 155 of 2,017).
  - ``category``: ranked among the regions of c, star iff ``rank ≤ focus_share · |R|`` (= ranking by LQ).
* **minimum size**: a cell with ``employment < min_employment`` gets no star at all.

``stars`` = number of stars (0–3). Regions without a cell in c rank below every region that has one.
``share · n`` is evaluated with a tolerance of 1e-9 so that, e.g., 0.1 · 30 counts as 3.
A cell whose employment, share or LQ is not a finite number (NULL, NaN, ±inf) gets no star and is not strong,
and takes no place in a ranking: every comparison is guarded, because DuckDB and Spark order NaN above every
number.

**Threshold form.** With ``k = ⌊share · n⌋``, ``rank ≤ k`` ⟺ the value is at least the k-th largest value of its
group (with multiplicity), or the group has at most k values. So the stars need no ``rank()`` window sort: the
k-th largest value per group is an aggregate (:func:`kth_largest`) joined back to the cells. The competition
ranks themselves (``size_rank``, ``focus_rank``) are window functions and are computed only when asked
(``ranks=True``).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clustermap.indicators.topk import finite, kth_largest, top_count


def top_share(t: ir.Table, value: str, by: list[str], share: float, n: ir.IntegerValue, name: str) -> ir.Table:
    """Add boolean column ``name``: ``value`` has competition rank ≤ ⌊share · n⌋ (descending, ties sharing the best
    rank) within the groups ``by``, computed in threshold form (:func:`kth_largest`); null values never qualify."""
    cut = _cut(t.mutate(_k=top_count(n, share)), value, by, "_cut")
    j = _join_cut(t, cut, by)
    return j.mutate(**{name: _at_least(j[value], j._cut)}).drop("_cut")


def _cut(t: ir.Table, value: str, by: list[str], name: str) -> ir.Table:
    """The ``_k``-th largest ``value`` of each group ``by`` as column ``name``, the group keys renamed ``_c_*``
    (so that joining it back keeps one copy of each key)."""
    return kth_largest(t, value, by, "_k").rename(**{name: "kth"}, **{f"_c_{b}": b for b in by})


def _join_cut(t: ir.Table, cut: ir.Table, by: list[str]) -> ir.Table:
    """``t`` with the columns of ``cut`` (from :func:`_cut`) joined on the group keys (every group of ``t`` has a
    row in ``cut``)."""
    return t.join(cut, [t[b] == cut[f"_c_{b}"] for b in by]).drop(*[f"_c_{b}" for b in by])


def _at_least(value: ir.NumericValue, cut: ir.NumericValue) -> ir.BooleanValue:
    """A finite ``value`` at or above ``cut`` (False where either is null or not finite)."""
    return (finite(value) & (value >= cut)).fill_null(False)


def eco_stars(
    t: ir.Table,
    *,
    size_share: float = 0.10,
    focus_share: float = 0.10,
    focus_scope: str = "all",
    lq_threshold: float = 2.0,
    min_employment: float = 1000.0,
    strong_lq: float = 2.0,
    ranks: bool = False,
) -> ir.Table:
    """Add the three 0/1 stars, ``stars``, ``strong`` (``LQ > strong_lq``), ``n_categories`` and, with
    ``ranks=True``, ``size_rank`` and ``focus_rank`` to the output of
    :func:`clustermap.indicators.location_quotients`.

    ``n_categories`` and the size star's threshold ``size_cut`` are taken from ``t`` when it has them (the
    location quotients computed with ``size_share=`` the same share: the threshold then comes out of the
    category aggregate); otherwise they are computed here.
    """
    if focus_scope not in ("all", "category"):
        raise ValueError(f"focus_scope must be all or category, not {focus_scope!r}")
    # Each threshold is one aggregate over the cells joined back to them: the size cut per year × category (or
    # from t), |C| per year from the groups of that same aggregate, the focus cut per year (or per year ×
    # category). No threshold is computed from a table that already carries another one, so each aggregate
    # reads the cells once.
    by_cat = ["year", "category"]
    size = None
    if "size_cut" in t.columns:
        t = t.rename(_size_cut="size_cut")
    else:
        size = _cut(t.mutate(_k=top_count(t.n_regions, size_share)), "employment", by_cat, "_size_cut")
    if "n_categories" not in t.columns:
        groups = size if size is not None else t.select(_c_year=t.year, _c_category=t.category).distinct()
        years = groups.group_by(_y_year=groups._c_year).agg(n_categories=groups.count())
        t = t.join(years, t.year == years._y_year).drop("_y_year")
    if focus_scope == "all":
        focus_by = ["year"]
        focus_k = top_count(t.n_regions * t.n_categories, focus_share)
    else:
        focus_by = by_cat
        focus_k = top_count(t.n_regions, focus_share)
    focus = _cut(t.mutate(_k=focus_k), "share", focus_by, "_focus_cut")
    t = _join_cut(t if size is None else _join_cut(t, size, by_cat), focus, focus_by)
    if ranks:
        by_size = ibis.window(group_by=by_cat, order_by=[ibis.desc(t.employment)])
        by_focus = ibis.window(group_by=focus_by, order_by=[ibis.desc(t.share)])
        t = t.mutate(size_rank=ibis.rank().over(by_size) + 1, focus_rank=ibis.rank().over(by_focus) + 1)
    big = ((t.employment >= min_employment) & finite(t.employment)).fill_null(False)
    size_star = (big & _at_least(t.employment, t._size_cut)).cast("int8")
    specialisation_star = (big & _at_least(t.lq, ibis.literal(lq_threshold))).cast("int8")
    focus_star = (big & _at_least(t.share, t._focus_cut)).cast("int8")
    return t.mutate(
        size_star=size_star,
        specialisation_star=specialisation_star,
        focus_star=focus_star,
        stars=(size_star + specialisation_star + focus_star).cast("int8"),
        strong=(finite(t.lq) & (t.lq > strong_lq)).fill_null(False),
    ).drop("_size_cut", "_focus_cut")
