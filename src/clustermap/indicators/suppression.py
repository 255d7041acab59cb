"""Suppression policies: what to do with cells whose employment is not published (``employment`` null).

A suppressed cell is never read as zero. Each policy returns the table with suppressed cells either filled
(``imputed`` true, ``imputation`` naming the policy) or removed:

``drop``
    remove every suppressed cell.
``parent-residual`` (European Cluster Observatory 2008)
    for a suppressed cell, take its parent code's value (published, or filled one level up), subtract the
    published values of its siblings and split the rest equally among the suppressed siblings; a negative rest
    (published children exceeding the parent) is floored at 0. Cells whose parent has no value are removed.
``size-class`` (US County Business Patterns)
    a withheld cell carries an employment-size class (``size_class`` A–M); it takes a value inside that class:
    the midpoint, the low or high bound, or the fixed value the US Cluster Mapping Project used (``cmp``).
    Suppressed cells without a size class are removed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clustermap.errors import ParameterError

_KEYS = ("region", "year")


def _mark(t: ir.Table, policy: str) -> ir.Table:
    imputed = t.imputed if "imputed" in t.columns else ibis.literal(False)
    return t.mutate(imputed=imputed, imputation=ibis.ifelse(imputed, ibis.literal(policy), ibis.null("string")))


def drop(t: ir.Table) -> ir.Table:
    """Remove suppressed cells. An input that was imputed beforehand (a boolean ``imputed`` column, e.g. from
    ``clustermap impute``) keeps its marks, so that results still say which stars rest on imputed cells."""
    kept = t.filter(t.employment.notnull())
    imputed = kept.imputed.fill_null(False) if "imputed" in t.columns else ibis.literal(False)
    return _mark(kept.mutate(imputed=imputed), "drop")


def size_class(t: ir.Table, classes: ir.Table, *, value: str = "midpoint") -> ir.Table:
    """Fill withheld cells from their size class; ``classes`` has ``size_class, low, high, cmp_value``.

    ``value``: ``midpoint`` = (low + high) / 2, with an open top class (no high) taking its low bound;
    ``low``; ``high`` (open top class: low); ``cmp`` = ``cmp_value``.
    """
    high = classes.high.fill_null(classes.low)
    fills = {
        "midpoint": (classes.low + high) / 2,
        "low": classes.low,
        "high": high,
        "cmp": classes.cmp_value,
    }
    if value not in fills:
        raise ParameterError(f"size_class_value must be one of {', '.join(fills)}, not {value!r}")
    lookup = classes.select(sc_key=classes.size_class, sc_fill=fills[value].cast("float64"))
    joined = t.left_join(lookup, t.size_class == lookup.sc_key)
    need = joined.employment.isnull() & joined.sc_fill.notnull()
    filled = joined.mutate(employment=ibis.ifelse(need, joined.sc_fill, joined.employment), imputed=need).drop(
        "sc_key", "sc_fill"
    )
    return _mark(filled.filter(filled.employment.notnull()), "size-class")


def parent_residual(t: ir.Table, hierarchy: ir.Table, *, max_depth: int) -> ir.Table:
    """Fill suppressed cells top-down from the parent's residual; ``hierarchy`` has ``industry, parent,
    depth`` (see :func:`clustermap.indicators.industry_hierarchy`); ``max_depth`` is its largest depth (one
    join per level, unrolled)."""
    h = hierarchy.select(h_industry=hierarchy.industry, parent=hierarchy.parent, depth=hierarchy.depth)
    cur = t.left_join(h, t.industry == h.h_industry).drop("h_industry").mutate(imputed=ibis.literal(False))
    for d in range(1, max_depth + 1):
        level = cur.filter(cur.depth == d)
        siblings = level.group_by(["region", "year", "parent"]).agg(
            known=level.employment.sum().fill_null(0),
            missing=level.employment.isnull().sum(),
        )
        # only parents with a value: greatest() skips nulls on DuckDB and Spark, so a null parent must not
        # reach it (it would make the residual 0 instead of unknown)
        with_value = cur.filter(cur.employment.notnull())
        parents = with_value.select(
            p_region=with_value.region,
            p_year=with_value.year,
            p_code=with_value.industry,
            p_value=with_value.employment,
        )
        fill = siblings.join(
            parents,
            [
                siblings.region == parents.p_region,
                siblings.year == parents.p_year,
                siblings.parent == parents.p_code,
            ],
        ).select(
            f_region="region",
            f_year="year",
            f_parent="parent",
            residual=ibis.greatest(parents.p_value - siblings.known, 0) / siblings.missing.nullif(0).cast("float64"),
        )
        joined = cur.left_join(
            fill, [cur.region == fill.f_region, cur.year == fill.f_year, cur.parent == fill.f_parent]
        )
        need = (joined.depth == d) & joined.employment.isnull() & joined.residual.notnull()
        cur = joined.mutate(
            employment=ibis.ifelse(need, joined.residual, joined.employment),
            imputed=joined.imputed | need,
        ).drop("f_region", "f_year", "f_parent", "residual")
    out = cur.drop("parent", "depth")
    return _mark(out.filter(out.employment.notnull()), "parent-residual")


def apply_suppression(
    t: ir.Table,
    policy: str,
    *,
    hierarchy: ir.Table | None = None,
    max_depth: int = 0,
    size_classes: ir.Table | None = None,
    size_class_value: str = "midpoint",
) -> ir.Table:
    """Apply a named policy; the result has every input column plus ``imputed`` (bool) and ``imputation``."""
    if policy == "drop":
        return drop(t)
    if policy == "parent-residual":
        if hierarchy is None:
            raise ParameterError("parent-residual needs the industry hierarchy")
        return parent_residual(t, hierarchy, max_depth=max_depth)
    if policy == "size-class":
        if size_classes is None:
            raise ParameterError("size-class needs the size-class table")
        return size_class(t, size_classes, value=size_class_value)
    raise ParameterError(f"unknown suppression policy {policy!r}; use drop, parent-residual or size-class")
