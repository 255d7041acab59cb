"""How DuckDB runs the common tables of one mapping query: aggregates computed once, row-wise tables recomputed.

ibis writes a relation that several parts of an expression read as a common table expression (CTE). DuckDB
materialises a CTE that is read more than once unless told otherwise: on the 10.5 M-row benchmark panel that
meant writing the cells and the location-quotient table (10 M rows, about 20 columns each) to memory and, under
the engine's memory limit, to disk — the largest cost of the query (profile in benchmarks/RESULTS.md). Both are
row-by-row work (a scan, joins with small tables, arithmetic) that is cheaper to recompute for each reader.

The rule of :func:`duckdb_sql`, applied to the SQL ibis compiles:

* a CTE that ends in an aggregate (``GROUP BY``, ``DISTINCT``) or computes a window is ``MATERIALIZED``: it is
  computed once, so every reader sees the same float sums (a region total summed twice may differ in the last
  bit, and a star compares each value with a threshold taken from the same column);
* every other CTE is ``NOT MATERIALIZED`` (recomputed by each reader), after each aggregate written inside it as
  a subquery has been lifted into a CTE of its own — so that what is recomputed is row-wise work only, and each
  aggregate is still computed once.

The results are the same as with DuckDB's own choice; only where the work is done changes.

A second rule: a text constant that a select names as a column (``'drop' AS imputation_policy``, ``'' AS
flags``) is cast to an ``ENUM`` of its one value. DuckDB carries it as a constant and ``COPY … TO`` writes it
into Parquet as a dictionary index: on the 10.5 M-row panel a constant text column cost 0.45 CPU s to write as
text and 0.03 s as an ENUM. A file's readers see a text column; :func:`to_arrow` gives text too.
"""

from __future__ import annotations

import itertools
from typing import Any

import pyarrow as pa
import sqlglot.expressions as sge

_names = itertools.count()


def duckdb_sql(con: Any, expr: Any) -> str:
    """The DuckDB SQL of the ibis expression ``expr`` with the materialisation rule of this module."""
    query = con.compiler.to_sqlglot(expr)
    plan_ctes(query)
    label_constants(query)
    return query.sql(dialect="duckdb", copy=False)


def to_arrow(expr: Any) -> pa.Table:
    """Execute the ibis table ``expr`` into a ``pyarrow.Table``: on DuckDB with the rules of this module, on any
    other backend as ibis does. Text comes back as text (an ENUM column as ``string``, not as a dictionary)."""
    con = expr._find_backend()
    if con.name != "duckdb":
        return expr.to_pyarrow()
    table = con.con.sql(duckdb_sql(con, expr)).to_arrow_table()
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    return table


def label_constants(query: sge.Expression) -> sge.Expression:
    """Cast each text constant that a select of ``query`` (a sqlglot tree, changed in place) names as a column to
    an ``ENUM`` of its one value (the second rule of this module)."""
    for alias in list(query.find_all(sge.Alias)):
        value = alias.this
        if isinstance(value, sge.Literal) and value.is_string and isinstance(alias.parent, sge.Select):
            enum = sge.DataType(this=sge.DataType.Type.ENUM, expressions=[sge.Literal.string(value.this)])
            alias.set("this", sge.Cast(this=value.copy(), to=enum))
    return query


def plan_ctes(query: sge.Expression) -> sge.Expression:
    """Mark each CTE of ``query`` (a sqlglot tree, changed in place) ``MATERIALIZED`` or ``NOT MATERIALIZED`` by
    the rule of this module, lifting the aggregates inside row-wise CTEs into CTEs of their own."""
    with_ = query.args.get("with_") or query.args.get("with")
    if with_ is None:
        return query
    planned: list[sge.CTE] = []
    for cte in list(with_.expressions):
        if _aggregated(cte.this):
            cte.set("materialized", True)
        else:
            for lifted in _lift_aggregates(cte.this):
                lifted.set("materialized", True)
                planned.append(lifted)
            cte.set("materialized", False)
        planned.append(cte)
    with_.set("expressions", planned)
    return query


def _aggregated(body: sge.Expression) -> bool:
    """The select ends in an aggregate or a window, looking through selects that only filter or project one
    subquery (``SELECT * FROM (SELECT … GROUP BY …) WHERE …``)."""
    while isinstance(body, sge.Select):
        if body.args.get("group") or body.args.get("distinct") or body.find(sge.Window) is not None:
            return True
        source = body.args.get("from_") or body.args.get("from")
        if body.args.get("joins") or source is None or not isinstance(source.this, sge.Subquery):
            return False
        body = source.this.this
    return False


def _lift_aggregates(body: sge.Expression) -> list[sge.CTE]:
    """Replace each aggregate subquery that ``body`` reads as a table (in ``FROM`` or ``JOIN``; outermost first) by
    a reference to a new CTE; return the new CTEs in the order they must be defined."""
    lifted: list[sge.CTE] = []
    for sub in list(body.find_all(sge.Subquery, bfs=True)):
        if not isinstance(sub.parent, (sge.From, sge.Join)) or not _within(sub, body) or not _aggregated(sub.this):
            continue  # a scalar or IN subquery, inside an aggregate lifted already, or row-wise
        name = f"cm_agg_{next(_names)}"
        lifted.append(sge.CTE(this=sub.this.copy(), alias=sge.TableAlias(this=sge.to_identifier(name))))
        alias = sub.args.get("alias")
        sub.replace(sge.Table(this=sge.to_identifier(name), alias=alias.copy() if alias is not None else None))
    return lifted


def _within(node: sge.Expression, root: sge.Expression) -> bool:
    """``node`` is still part of the tree under ``root`` (a replaced subquery is cut off from it)."""
    while node is not root and node.parent is not None:
        node = node.parent
    return node is root
