"""The DuckDB materialisation rule for common table expressions (clustermap.engines.ctes)."""

from __future__ import annotations

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

from clustermap.engines.backends import to_backend
from clustermap.engines.ctes import duckdb_sql, plan_ctes, to_arrow


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


def test_scalar_and_in_subqueries_stay_where_they_are() -> None:
    sql = (
        "WITH t AS (SELECT region, y FROM c WHERE region IN (SELECT DISTINCT region FROM d) "
        "AND y > (SELECT avg(y) FROM c)) SELECT * FROM t AS a JOIN t AS b USING (region)"
    )
    out = plan_ctes(sqlglot.parse_one(sql, read="duckdb")).sql(dialect="duckdb")
    assert "cm_agg_" not in out and _ctes(out) == {"t": False}
    con = ibis.duckdb.connect()
    con.raw_sql("CREATE TABLE c AS SELECT 'a' AS region, 2.0 AS y UNION ALL SELECT 'b', 1.0")
    con.raw_sql("CREATE TABLE d AS SELECT 'a' AS region")
    assert con.con.sql(out).fetchall() == [("a", 2.0, 2.0)]


def test_text_constants_become_one_value_enums_and_come_back_as_text(tmp_path) -> None:
    con = ibis.duckdb.connect()
    t = con.create_table("t", pd.DataFrame({"region": ["a", "b"], "y": [1.0, 2.0]}))
    expr = t.mutate(policy=ibis.literal("drop"), flags=ibis.literal(""), tag=t.region + "x")
    sql = duckdb_sql(con, expr)
    assert "CAST('drop' AS ENUM('drop'))" in sql and "CAST('' AS ENUM(''))" in sql
    assert "ENUM('x')" not in sql  # a constant inside an expression is left alone
    table = to_arrow(expr)
    assert table.schema.field("policy").type == pa.string() and table.column("policy").to_pylist() == ["drop"] * 2
    assert table.column("tag").to_pylist() == ["ax", "bx"]
    # COPY writes the ENUM as a text column of the file
    path = tmp_path / "o.parquet"
    con.raw_sql(f"COPY ({sql}) TO '{path}' (FORMAT PARQUET)")
    written = pq.read_table(path)
    assert written.schema.field("policy").type == pa.string() and written.column("flags").to_pylist() == ["", ""]


def test_labels_are_enums_that_ibis_reads_as_text(tmp_path) -> None:
    con = ibis.duckdb.connect()
    codes = {"c1", "c2", "it's"}
    cw = to_backend(
        con, pd.DataFrame({"industry": ["i1", "i2"], "category": ["c1", "it's"]}), labels={"category": codes}
    )
    names = to_backend(con, pd.DataFrame({"n_cat": ["c1", "c2"], "name": ["One", "Two"]}), labels={"n_cat": codes})
    types = {r[0]: r[1] for r in con.con.execute(f"DESCRIBE {cw.get_name()}").fetchall()}
    assert types["category"].startswith("ENUM(") and types["industry"] == "VARCHAR"
    assert cw.schema()["category"].is_string()
    obs = con.create_table("obs", pd.DataFrame({"industry": ["i1", "i2", "i9"]}))
    joined = (
        obs.join(cw, "industry").left_join(names, cw.category == names.n_cat).select("industry", "category", "name")
    )
    rows = to_arrow(joined.order_by("industry"))
    assert rows.schema.field("category").type == pa.string()
    assert rows.to_pylist() == [
        {"industry": "i1", "category": "c1", "name": "One"},
        {"industry": "i2", "category": "it's", "name": None},
    ]
