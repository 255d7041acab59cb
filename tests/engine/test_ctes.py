"""The DuckDB materialisation rule for common table expressions (clustermap.engines.ctes)."""

from __future__ import annotations

import ibis
import pandas as pd
import sqlglot

from clustermap.engines.ctes import duckdb_sql, plan_ctes


def _ctes(sql: str) -> dict[str, bool | None]:
    tree = sqlglot.parse_one(sql, read="duckdb")
    return {cte.alias: cte.args.get("materialized") for cte in tree.find_all(sqlglot.exp.CTE)}


def test_aggregates_are_materialised_and_row_wise_tables_recomputed() -> None:
    sql = (
        "WITH cells AS (SELECT region, x * 2 AS y FROM t), "
        "tot AS (SELECT * FROM (SELECT region, sum(y) AS s FROM cells GROUP BY region) WHERE s > 0), "
        "ranked AS (SELECT region, rank() OVER (ORDER BY y) AS r FROM cells) "
        "SELECT * FROM cells JOIN tot USING (region) JOIN ranked USING (region)"
    )
    tree = plan_ctes(sqlglot.parse_one(sql, read="duckdb"))
    marks = _ctes(tree.sql(dialect="duckdb"))
    assert marks == {"cells": False, "tot": True, "ranked": True}


def test_an_aggregate_inside_a_row_wise_table_is_lifted_and_computed_once() -> None:
    sql = (
        "WITH t AS (SELECT c.region, c.y / g.s AS share FROM c "
        "JOIN (SELECT region, sum(y) AS s FROM c GROUP BY region) AS g ON c.region = g.region) "
        "SELECT * FROM t AS a JOIN t AS b USING (region)"
    )
    out = plan_ctes(sqlglot.parse_one(sql, read="duckdb")).sql(dialect="duckdb")
    marks = _ctes(out)
    lifted = [name for name in marks if name.startswith("cm_agg_")]
    assert len(lifted) == 1 and marks[lifted[0]] is True and marks["t"] is False
    # the lifted table is defined before the table that reads it, under the subquery's alias
    assert out.index(lifted[0]) < out.index("t AS NOT MATERIALIZED")
    assert f"{lifted[0]} AS g" in out


def test_same_rows_as_duckdb_own_plan() -> None:
    con = ibis.duckdb.connect()
    frame = pd.DataFrame({"region": list("aabbc"), "y": [1.0, 2.0, 3.0, 0.5, 4.0]})
    t = con.create_table("t", frame)
    tot = t.group_by("region").agg(s=t.y.sum())
    j = t.join(tot, "region").mutate(share=lambda r: r.y / r.s)
    expr = j.join(j.group_by("region").agg(top=j.share.max()), "region").order_by(["region", "y"])
    planned = con.con.sql(duckdb_sql(con, expr)).df()
    assert "MATERIALIZED" in duckdb_sql(con, expr)
    pd.testing.assert_frame_equal(planned, expr.to_pandas(), check_dtype=False)
