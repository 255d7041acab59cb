"""The k-th largest value of each group, as aggregates: the threshold form of a competition-rank test.

With ``k = ⌊share · n⌋``, "competition rank ≤ k" (descending, ties sharing the best rank) holds iff the value is
at least the k-th largest value of its group counted with multiplicity, or the group has at most k values. So a
"top share" test needs no ``rank()`` window sort: the k-th largest value per group is an aggregate joined back to
the rows. Used by the stars (:mod:`clustermap.indicators.stars`) and, for the size star's threshold, by the
location quotients' category aggregate (:mod:`clustermap.indicators.lq`).
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

_EPS = 1e-9


@ibis.udf.agg.builtin(name="max")
def _top_n(x: dt.float64, n: dt.int64) -> dt.Array(dt.float64):  # type: ignore[valid-type]
    """DuckDB's top-n aggregate ``max(x, n)``: the ``n`` largest values of the group, descending, with
    multiplicity (a bounded heap per group, no sort of the group)."""


def kth_largest(t: ir.Table, value: str, by: list[str], k: str) -> ir.Table:
    """Per group ``by``: ``kth`` = the ``k``-th largest finite ``value`` counted with multiplicity (the value
    at competition rank ≤ k and beyond which rank > k), or the smallest value when the group has fewer than k
    values; null when ``k < 1`` or the group has no finite value. ``k`` is a column constant within each group.
    Every group of ``t`` has a row (the non-finite values are left out of the aggregate, not their groups).

    One aggregate per group, pure ibis (:func:`top_values`, then :func:`kth_of`).
    """
    values, k_max = top_values(t, value, t[k])
    g = t.group_by(by).agg(_vals=values, _k=k_max)
    return g.select(*by, kth=kth_of(g._vals, g._k, duckdb=backend_name(t) == "duckdb"))


def top_values(t: ir.Table, value: str, k: ir.IntegerValue) -> tuple[ir.Value, ir.Value]:
    """The two aggregates behind :func:`kth_largest`, for a ``group_by`` that computes other things too: the
    group's largest finite values and ``k``'s value in the group. On DuckDB the top-``k`` aggregate ``max(value,
    k)`` (a heap of k values per group, descending); elsewhere (Spark) every finite value of the group
    (``collect``, sorted by :func:`kth_of`). Both count ties alike."""
    x = ibis.ifelse(finite(t[value]), t[value].cast("float64"), ibis.null("float64"))
    if backend_name(t) == "duckdb":
        return _top_n(x, ibis.greatest(k.cast("int64"), 1)), k.max()
    return x.collect(), k.max()  # collect leaves nulls out


def kth_of(values: ir.ArrayValue, k: ir.IntegerValue, *, duckdb: bool) -> ir.FloatingValue:
    """The k-th largest of the aggregates of :func:`top_values` (``duckdb``: they were computed on DuckDB)."""
    if duckdb:
        idx = ibis.least(values.length(), k.cast("int64")) - 1  # descending, at most k long
    else:
        values = values.sort()  # ascending
        idx = ibis.greatest(values.length() - k.cast("int64"), 0)
    found = (k >= 1) & (values.length() > 0)
    kth = ibis.ifelse(found, values[idx.cast("int32")], ibis.null("float64"))  # Spark's element_at takes an INT
    return kth.cast("float64")


def backend_name(t: ir.Table) -> str | None:
    """The name of the backend ``t`` is bound to (``duckdb``, ``pyspark``), None for an unbound table."""
    try:
        return t._find_backend().name
    except Exception:  # an unbound expression (ibis.table / memtable only): no backend-specific form
        return None


def top_count(n: ir.NumericValue, share: float) -> ir.IntegerValue:
    """``k = ⌊share · n⌋`` (a count of places), with a tolerance of 1e-9 so that, e.g., 0.1 · 30 counts as 3."""
    return (n * share + _EPS).floor().cast("int64")


def finite(x: ir.NumericValue) -> ir.BooleanValue:
    """True where ``x`` is a finite number, False where it is NULL, NaN or ±inf."""
    f = x.cast("float64")
    return (f.notnull() & ~f.isnan() & ~f.isinf()).fill_null(False)
