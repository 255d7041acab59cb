"""Where does ``map_observations`` spend its time on DuckDB? Times each query it runs, and each ibis step of
the main query materialised on its own, and writes the SQL and DuckDB's EXPLAIN ANALYZE of the main query.

    python benchmarks/profile_engine.py [--panel benchmarks/data/synthetic_panel.parquet] [--categories uscmp]

Output: a table of steps on stdout; ``benchmarks/results/profile_<name>.sql`` and ``..._explain.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import ibis
import pandas as pd

HERE = Path(__file__).resolve().parent


def timed(label: str, fn, rows: list) -> object:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    rows.append((label, dt))
    print(f"  {label:<62} {dt:8.3f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--panel", default=str(HERE / "data" / "synthetic_panel.parquet"))
    ap.add_argument("--categories", default="uscmp")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()

    from clustermap import indicators as ind
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines import connect
    from clustermap.engines.backends import to_backend
    from clustermap.mapping import _input_counts, _with_optional_columns, code_version, map_observations

    cats = load_category_set(args.categories)
    con = connect("duckdb")
    if args.threads:
        con.raw_sql(f"SET threads = {args.threads}")
    rows: list = []
    raw = con.read_parquet(args.panel)
    n = raw.count().to_pyarrow().as_py()
    print(f"panel {args.panel}: {n:,} rows; categories {args.categories}")

    timed(
        "scan bound: sum(employment) by region, year",
        lambda: raw.group_by(["region", "year"]).agg(e=raw.employment.sum()).to_pandas(),
        rows,
    )
    timed("map_observations (whole)", lambda: map_observations(raw, categories=cats), rows)

    # the same steps, one by one (as mapping.map_observations runs them)
    obs = _with_optional_columns(raw)
    cw = timed(
        "register crosswalk (to_backend)",
        lambda: to_backend(con, cats.crosswalk[["industry", "category", "traded", "share"]]),
        rows,
    )
    timed("query 1: input counts per year x industry (one scan)", lambda: _input_counts(obs), rows)
    filled = ind.apply_suppression(obs, "drop")
    cells = ind.aggregate_to_categories(filled, cw)
    timed("  step: aggregate_to_categories -> count", lambda: cells.count().to_pyarrow(), rows)
    cached = timed("query 2: aggregate materialised (cache)", cells.cache, rows)
    lq = ind.location_quotients(cached, ind.region_totals(cached, "input"))
    timed("  step: + totals + location_quotients -> count", lambda: lq.count().to_pyarrow(), rows)
    out = ind.eco_stars(lq)
    timed("  step: + eco_stars (rank windows) -> count", lambda: out.count().to_pyarrow(), rows)
    timed("query 3: stars -> Arrow -> pandas", lambda: out.to_pyarrow().to_pandas(), rows)
    timed("code_version() (git subprocess)", code_version, rows)

    name = Path(args.panel).stem
    res_dir = HERE / "results"
    res_dir.mkdir(exist_ok=True)
    sql = ibis.to_sql(out, dialect="duckdb")
    (res_dir / f"profile_{name}.sql").write_text(str(sql))
    con.raw_sql("PRAGMA enable_profiling = 'query_tree'")
    plan = con.raw_sql("EXPLAIN ANALYZE " + str(sql)).fetchall()
    (res_dir / f"profile_{name}_explain.txt").write_text("\n".join(r[1] for r in plan))
    print(f"SQL and EXPLAIN ANALYZE written to {res_dir}/profile_{name}*.")
    pd.DataFrame(rows, columns=["step", "seconds"]).to_csv(res_dir / f"profile_{name}.csv", index=False)
    cached.release()


if __name__ == "__main__":
    main()
