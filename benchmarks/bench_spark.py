"""Time `clustermap map --backend pyspark` (Spark local mode) as users run it — a whole process, start-up included —
against the same stars in hand-written Spark SQL (threshold form: the k-th largest value per group from a sorted
``collect_list``, no rank window) and against the DuckDB CLI, all in one run; print min / median / max wall
time, peak RSS of the process tree (the Python driver and its JVM, sampled from /proc) and the ratios, and
check that the stars agree cell by cell with the DuckDB CLI.

    python benchmarks/bench_spark.py --panel cli                          # 10.5 M rows (bench_cli.py's panel)
    python benchmarks/bench_spark.py --panel county --contenders cli-pyspark --years 5 --repeat 1
    python benchmarks/bench_spark.py --panel cli --conf spark.sql.shuffle.partitions=200
    python benchmarks/bench_spark.py --panel county --panel-file ../main/benchmarks/data/county_panel_60m.parquet

``--conf key=value`` (repeatable) passes Spark settings to both Spark contenders (``CLUSTERMAP_SPARK_CONF``:
they override clustermap's defaults, ``clustermap.engines.backends.SPARK_DEFAULTS``). ``--years N`` maps the
first N years of the panel only (a slice, written once beside the panel). The panels, the crosswalk, the
parameters, the timing and the cell-by-cell check come from ``bench_cli.py``. Every contender computes eco2007
(drop suppressed cells, ``total_base = input``, categories ``none``) and writes its cells as Parquet.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cli  # the sibling benchmark: panels, crosswalk, parameters, command line, Spark-free timing

EPS = bench_cli.EPS


def spark_sql_worker(src: str, cw: str, out: str, p: dict[str, Any]) -> None:
    """eco2007 in hand-written Spark SQL on clustermap's Spark session settings: read with ``spark.read``, the
    category aggregate cached, the size and focus thresholds as the k-th largest value of a sorted
    ``collect_list`` per group, the cells written by ``df.write`` (one part per task)."""
    from clustermap.engines.backends import spark_session

    spark = spark_session()
    spark.read.parquet(src).createOrReplaceTempView("obs")
    spark.read.option("header", "true").schema("industry STRING, category STRING, traded BOOLEAN, share DOUBLE").csv(
        cw
    ).createOrReplaceTempView("cw")
    spark.sql(
        """SELECT o.region, CAST(o.year AS BIGINT) AS year, c.category, c.traded,
                  sum(CAST(o.employment AS DOUBLE) * c.share) AS employment
           FROM obs o JOIN cw c ON o.industry = c.industry
           WHERE o.employment IS NOT NULL GROUP BY o.region, o.year, c.category, c.traded"""
    ).createOrReplaceTempView("cells")
    spark.sql("CACHE TABLE cells")
    spark.sql(
        f"""WITH tot AS (SELECT region, year, sum(employment) AS region_total FROM cells GROUP BY region, year
                         HAVING sum(employment) > 0),
           per_year AS (SELECT year, sum(region_total) AS grand_total, count(*) AS n_regions FROM tot GROUP BY year)
           SELECT cells.region, cells.year, cells.category, cells.employment, tot.region_total,
                  per_year.grand_total, per_year.n_regions, cells.employment / tot.region_total AS share,
                  CAST(floor(per_year.n_regions * {p["size_share"]} + {EPS}) AS INT) AS k_size
           FROM cells JOIN tot ON cells.region = tot.region AND cells.year = tot.year
                JOIN per_year ON cells.year = per_year.year
           WHERE cells.traded"""
    ).createOrReplaceTempView("t")
    spark.sql("CACHE TABLE t")
    spark.sql(
        """SELECT year, category, sum(employment) AS category_total, max(k_size) AS k,
                  sort_array(collect_list(employment), false) AS v
           FROM t GROUP BY year, category"""
    ).createOrReplaceTempView("cat_v")
    spark.sql(
        """SELECT year, category, category_total,
                  CASE WHEN k >= 1 THEN element_at(v, least(k, size(v))) END AS top_e FROM cat_v"""
    ).createOrReplaceTempView("cat")
    if p["focus_scope"] == "all":
        k_focus = f"floor(max(n_regions) * count(DISTINCT category) * {p['focus_share']} + {EPS})"
        spark.sql(
            f"""SELECT year, CAST({k_focus} AS INT) AS k, sort_array(collect_list(share), false) AS v
                FROM t GROUP BY year"""
        ).createOrReplaceTempView("fcut_v")
        spark.sql(
            "SELECT year, CASE WHEN k >= 1 THEN element_at(v, least(k, size(v))) END AS cut FROM fcut_v"
        ).createOrReplaceTempView("fcut")
        focus_join, focus_cut = "JOIN fcut ON t.year = fcut.year", "fcut.cut"
    else:
        k_focus = f"floor(max(n_regions) * {p['focus_share']} + {EPS})"
        spark.sql(
            f"""SELECT year, category, CAST({k_focus} AS INT) AS k, sort_array(collect_list(share), false) AS v
                FROM t GROUP BY year, category"""
        ).createOrReplaceTempView("fcut_v")
        spark.sql(
            "SELECT year, category, CASE WHEN k >= 1 THEN element_at(v, least(k, size(v))) END AS cut FROM fcut_v"
        ).createOrReplaceTempView("fcut")
        focus_join = "JOIN fcut ON t.year = fcut.year AND t.category = fcut.category"
        focus_cut = "fcut.cut"
    big = f"t.employment >= {p['min_employment']}"
    inf = "CAST('Infinity' AS DOUBLE)"  # a missing threshold (k < 1) gives no star
    cells = spark.sql(
        f"""SELECT region, category, year, employment, lq, size_star, specialisation_star, focus_star,
                   size_star + specialisation_star + focus_star AS stars
            FROM (SELECT t.region, t.category, t.year, t.employment,
                         t.employment * t.grand_total / nullif(t.region_total * cat.category_total, 0) AS lq,
                         CAST({big} AND t.employment >= coalesce(cat.top_e, {inf}) AS INT) AS size_star,
                         CAST({big} AND coalesce(t.employment * t.grand_total
                              / nullif(t.region_total * cat.category_total, 0) >= {p["lq_threshold"]}, false)
                              AS INT) AS specialisation_star,
                         CAST({big} AND t.share >= coalesce({focus_cut}, {inf}) AS INT) AS focus_star
                  FROM t JOIN cat ON t.year = cat.year AND t.category = cat.category {focus_join})
            ORDER BY year, region, category"""
    )
    cells.write.mode("overwrite").parquet(out)


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (the Python driver and the JVM it starts), from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def timed_tree(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MiB) of the whole process tree (sampled every 0.2 s) and exit status."""
    import subprocess

    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as log:  # a pipe left unread could fill and stall the process
        # its own session: a timeout ends the whole tree (the JVM too), not only the Python driver
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True, start_new_session=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            if time.perf_counter() - start > timeout:
                os.killpg(proc.pid, 9)
                break
            time.sleep(0.2)
        proc.wait()
        wall = time.perf_counter() - start
        log.seek(0)
        err = log.read()
    if proc.returncode != 0:
        print(f"  exit {proc.returncode}: {' '.join(cmd[:4])} … {err[-400:]}", file=sys.stderr)
    return wall, peak / 2**20, proc.returncode


def cli_command(src: Path, cats: str, out: Path, backend: str, years: str | None) -> list[str]:
    """``clustermap map`` on ``backend`` (bench_cli.py's command, plus ``--backend`` and ``--year``)."""
    cmd = bench_cli.commands("cli", src, cats, Path("unused"), out)
    cmd += ["--backend", backend]
    return cmd + (["--year", years] if years else [])


def sliced(src: Path, years: int, into: Path | None = None) -> tuple[Path, str]:
    """The first ``years`` years of the panel as their own Parquet file (written once, beside the panel or in
    ``into``), and the years as a ``--year`` range."""
    import duckdb

    first, last = duckdb.sql(f"SELECT min(year), max(year) FROM read_parquet('{src}')").fetchall()[0]
    upto = min(int(last), int(first) + years - 1)
    path = (into or src.parent) / f"{src.stem}_{first}_{upto}.parquet"
    if not path.exists():
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{src}') WHERE year <= {upto}) TO '{path}' (FORMAT PARQUET)")
    return path, f"{first}-{upto}"


def agreement(ref: Path, outs: dict[str, Path]) -> dict[str, str]:
    """Cells whose stars differ from the DuckDB CLI's (``ref``), per contender; a directory is read as its parts,
    and the rows each contender wrote are counted too."""
    import duckdb

    notes: dict[str, str] = {}
    if not ref.exists():
        return notes
    for name, path in outs.items():
        if not path.exists() or path == ref:
            continue
        source = f"{path}/*.parquet" if path.is_dir() else str(path)
        written = duckdb.sql(f"SELECT count(*) FROM read_parquet('{source}')").fetchall()[0][0]
        note = bench_cli.star_differences(ref, source)
        notes[name] = note.replace(" cells matched", f" cells matched ({written:,} written)")
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--panel", default="cli", choices=["cli", "small", "county", "eu"])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--contenders", default="cli,cli-pyspark,spark-sql")
    ap.add_argument("--conf", action="append", default=[], help="Spark setting key=value for both Spark contenders")
    ap.add_argument("--years", type=int, help="map only the first N years of the panel")
    ap.add_argument(
        "--panel-file",
        type=Path,
        help="an existing panel Parquet file to use for --panel (e.g. main's benchmarks/data copy) instead of "
        "this checkout's benchmarks/data, where a missing panel is generated",
    )
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--markdown", type=Path, help="append the results table to this file")
    ap.add_argument("--worker", nargs=4, metavar=("NAME", "SRC", "CROSSWALK", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        name, src, cw, out = args.worker
        {"spark-sql": spark_sql_worker}[name](src, cw, out, bench_cli.parameters())
        return
    if args.panel_file is not None:
        src, cats = args.panel_file, "eco-nace2" if args.panel == "eu" else "none"
    else:
        src, cats = bench_cli.panel(args.panel)
    years, slices = None, None
    if args.years:
        # a panel given by path may live in another checkout: its slice goes to the temporary directory
        slices = Path(tempfile.mkdtemp(prefix="cm-bench-slice-")) if args.panel_file is not None else None
        src, years = sliced(src, args.years, slices)
    import duckdb

    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{src}')").fetchall()[0][0]
    work = Path(tempfile.mkdtemp(prefix="cm-bench-spark-"))
    cw = bench_cli.crosswalk_file(src, cats, work)
    env = dict(os.environ)
    if args.conf:
        env["CLUSTERMAP_SPARK_CONF"] = ",".join([*filter(None, [env.get("CLUSTERMAP_SPARK_CONF")]), *args.conf])
    names = [c for c in args.contenders.split(",") if c]
    outs = {n: work / (f"{n}.d" if n == "spark-sql" else f"{n}.parquet") for n in names}
    cmds = {
        "cli": cli_command(src, cats, outs.get("cli", work / "x"), "duckdb", years),
        "cli-pyspark": cli_command(src, cats, outs.get("cli-pyspark", work / "x"), "pyspark", years),
        "spark-sql": [sys.executable, __file__, "--worker", "spark-sql", str(src), str(cw), str(outs.get("spark-sql"))],
    }
    results: dict[str, list[tuple[float, float, int]]] = {n: [] for n in names}
    load = os.getloadavg()[0]
    print(
        f"panel {args.panel}: {src} ({rows:,} rows, {src.stat().st_size / 2**20:.0f} MiB), categories {cats}; "
        f"Spark settings {env.get('CLUSTERMAP_SPARK_CONF') or '(clustermap defaults)'}"
    )
    for i in range(args.repeat):  # interleaved, so that a busy spell of the shared machine hits every contender
        for n in names:
            shutil.rmtree(outs[n], ignore_errors=True) if outs[n].is_dir() else outs[n].unlink(missing_ok=True)
            results[n].append(timed_tree(cmds[n], env, args.timeout))
            w, m, c = results[n][-1]
            print(f"  run {i + 1} {n:12s} {w:7.2f} s {m:7.0f} MiB{'' if c == 0 else f'  (exit {c})'}", flush=True)
    ref = "cli" if "cli" in outs else names[-1]  # without the DuckDB CLI, the others against the last contender
    notes = agreement(outs[ref], outs)
    ref_name = "cli-pyspark" if "cli-pyspark" in names else names[0]
    ok_ref = [w for w, _, c in results[ref_name] if c == 0]
    ref_med = statistics.median(ok_ref) if ok_ref else None
    import pyspark

    lines = [
        f"### {args.panel} panel{f' (years {years})' if years else ''} — {rows:,} rows, {args.repeat} runs, "
        + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, PySpark "
        f"{pyspark.__version__}, DuckDB {duckdb.__version__}; load average at start {load:.1f} (the cores are "
        f"shared). Spark settings: {env.get('CLUSTERMAP_SPARK_CONF') or 'clustermap defaults'}.",
        "",
        f"| contender | min s | median s | max s | peak RSS MiB (max) | median ÷ {ref_name} median | "
        f"agreement with {'the DuckDB CLI' if ref == 'cli' else ref} |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for n in names:
        ok = [(w, m) for w, m, c in results[n] if c == 0]
        if not ok:
            lines.append(f"| {n} | failed | | | | | |")
            continue
        walls = [w for w, _ in ok]
        med = statistics.median(walls)
        ratio = f"{med / ref_med:.2f}" if ref_med else ""
        lines.append(
            f"| {n} | {min(walls):.2f} | {med:.2f} | {max(walls):.2f} | {max(m for _, m in ok):.0f} | {ratio} | "
            f"{notes.get(n, '(reference)' if n == ref else '')} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    shutil.rmtree(work, ignore_errors=True)
    if slices is not None:
        shutil.rmtree(slices, ignore_errors=True)


if __name__ == "__main__":
    main()
