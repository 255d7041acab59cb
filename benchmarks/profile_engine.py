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
    ap.add_argument(
        "--whatif",
        action="store_true",
        help="only: run map_observations as is and with n_industries = count(*) instead of "
        "count(distinct), compare the cells, time and peak memory of each (fresh subprocesses)",
    )
    ap.add_argument("--variant", choices=("as-is", "count", "count+cache"), help=argparse.SUPPRESS)
    ap.add_argument("--variants", default="as-is,count,as-is,count", help="for --whatif")
    ap.add_argument("--backend", default="duckdb", choices=("duckdb", "pyspark"), help="for --whatif")
    args = ap.parse_args()
    if args.variant:
        return run_variant(args)
    if args.whatif:
        return whatif(args)

    from clustermap import indicators as ind
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines import connect
    from clustermap.engines.backends import to_backend
    from clustermap.mapping import _suppression_counts, _with_optional_columns, code_version, map_observations

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

    # the same steps, one by one
    obs = _with_optional_columns(raw)
    cw = timed(
        "register crosswalk (to_backend)",
        lambda: to_backend(con, cats.crosswalk[["industry", "category", "traded", "share"]]),
        rows,
    )
    filled = ind.apply_suppression(obs, "drop")
    timed("query 1+2: _suppression_counts (2 scans)", lambda: _suppression_counts(obs, filled), rows)
    timed(
        "query 3: per-industry counts (unmapped report)",
        lambda: obs.group_by(["year", "industry"]).agg(n=obs.count(), emp=obs.employment.sum()).to_pandas(),
        rows,
    )
    cells = ind.aggregate_to_categories(filled, cw)
    timed("  step: aggregate_to_categories (incl. nunique) -> count", lambda: cells.count().to_pyarrow(), rows)
    cws = cw.select(cw_industry=cw.industry, category=cw.category, traded=cw.traded, share=cw.share.cast("float64"))
    j = filled.join(cws, filled.industry == cws.cw_industry)
    no_nuniq = j.group_by(["region", "year", "category", "traded"]).agg(
        employment=(j.employment * j.share).sum(),
        establishments=(j.establishments.cast("float64") * j.share).sum(),
        imputed_employment=ibis.ifelse(j.imputed, j.employment * j.share, 0.0).sum(),
    )
    timed("  step: same aggregate without n_industries nunique -> count", lambda: no_nuniq.count().to_pyarrow(), rows)
    tot = ind.region_totals(cells, "input")
    lq = ind.location_quotients(cells, tot)
    timed("  step: + totals + location_quotients -> count", lambda: lq.count().to_pyarrow(), rows)
    stars = ind.eco_stars(lq)
    out = stars.mutate(imputed=stars.imputed_employment > 0)
    timed("  step: + eco_stars (rank windows) -> count", lambda: out.count().to_pyarrow(), rows)
    frame = timed("query 4: main query -> to_pandas", lambda: out.to_pandas(), rows)
    timed(
        "pandas post-processing (sort_values)",
        lambda: frame.sort_values(["year", "region", "category"], kind="stable").reset_index(drop=True),
        rows,
    )
    timed("code_version() (git subprocess)", code_version, rows)

    # materialised once: the same main query on a cached category-level table
    con.create_table("cells_cached", cells, temp=True, overwrite=True)
    cc = con.table("cells_cached")
    out2 = ind.eco_stars(ind.location_quotients(cc, ind.region_totals(cc, "input")))
    timed("  main query minus the raw scan (cells materialised)", lambda: out2.to_pandas(), rows)

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


def aggregate_with_count(t, crosswalk):
    """``aggregate_to_categories`` with ``n_industries = count(*)``: the same number whenever the input has one
    row per region × industry × year (the canonical key) and the crosswalk one row per industry × category."""
    cw = crosswalk.select(
        cw_industry=crosswalk.industry,
        category=crosswalk.category,
        traded=crosswalk.traded,
        share=crosswalk.share.cast("float64"),
    )
    j = t.join(cw, t.industry == cw.cw_industry)
    imputed = j.imputed if "imputed" in t.columns else ibis.literal(False)
    j = j.mutate(
        w_emp=j.employment * j.share,
        w_est=j.establishments.cast("float64") * j.share,
        w_imp=ibis.ifelse(imputed, j.employment * j.share, 0.0),
    )
    return j.group_by(["region", "year", "category", "traded"]).agg(
        employment=j.w_emp.sum(),
        establishments=j.w_est.sum(),
        imputed_employment=j.w_imp.sum(),
        n_industries=j.count(),
    )


def run_variant(args) -> None:
    import json

    import clustermap.indicators as ind
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines import connect
    from clustermap.mapping import map_observations

    if args.variant == "count":
        ind.aggregate_to_categories = aggregate_with_count
    elif args.variant == "count+cache":  # and materialise the category cells once (ibis Table.cache())
        ind.aggregate_to_categories = lambda t, cw: aggregate_with_count(t, cw).cache()
    cats = load_category_set(args.categories)
    if args.backend == "pyspark":
        con = connect("pyspark")
        con._session.range(1).count()
        t0 = time.perf_counter()
        con._session.read.parquet(args.panel).createOrReplaceTempView("whatif_obs")
        obs = con.table("whatif_obs")
    else:
        t0 = time.perf_counter()
        con = connect("duckdb")
        obs = con.read_parquet(args.panel)
    res = map_observations(obs, categories=cats)
    dt = time.perf_counter() - t0
    out = HERE / "results" / f"whatif_{args.backend}_{args.variant}.parquet"
    res.cells.to_parquet(out)
    hwm = next(int(x.split()[1]) for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
    print(
        json.dumps(
            {
                "backend": args.backend,
                "variant": args.variant,
                "seconds": dt,
                "vmhwm_mib": hwm / 1024,
                "cells": len(res.cells),
            }
        )
    )


def whatif(args) -> None:
    import json
    import subprocess
    import sys

    (HERE / "results").mkdir(exist_ok=True)
    import psutil

    variants = args.variants.split(",")
    for v in variants:
        p = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--panel",
                args.panel,
                "--categories",
                args.categories,
                "--variant",
                v,
                "--backend",
                args.backend,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        peak, proc = 0, psutil.Process(p.pid)
        while p.poll() is None:  # summed RSS of the process tree (PySpark: + its JVM)
            with __import__("contextlib").suppress(psutil.Error):
                peak = max(peak, sum(q.memory_info().rss for q in [proc, *proc.children(recursive=True)]))
            time.sleep(0.05)
        r = json.loads(p.stdout.read().strip().splitlines()[-1])
        r["tree_peak_mib"] = round(peak / 2**20)
        print(r, flush=True)
    a = pd.read_parquet(HERE / "results" / f"whatif_{args.backend}_{variants[0]}.parquet")
    for v in sorted(set(variants[1:])):
        b = pd.read_parquet(HERE / "results" / f"whatif_{args.backend}_{v}.parquet")
        print(f"cells of {v} identical to {variants[0]}:", a.equals(b))


if __name__ == "__main__":
    main()
