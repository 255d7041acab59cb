"""Time `clustermap map` as users run it — a whole process, start-up included — against the same stars computed
by a plain pandas script, by hand-written DuckDB SQL in threshold form, and (where the work overlaps: the RCA,
i.e. the location quotient) by py-ecomplexity, all in one run; print min / median / max wall time, the CPU time
(user + system of every thread: on a shared machine the fairer comparison), peak RSS and the ratios, and check
that the stars agree cell by cell.

    python benchmarks/bench_cli.py --panel cli                # 3,000 regions x 1,000 industries x 10 years: 10.5 M rows
    python benchmarks/bench_cli.py --panel county --repeat 1  # make_synthetic_panel.py, 3,200 x 963 x 20: 61.6 M rows
    python benchmarks/bench_cli.py --panel eu                 # the real Eurostat SBS NUTS-2 panel, eco-nace2
    python benchmarks/bench_cli.py --panel small              # a 1,000-row file: fixed overheads

Each timed run is a fresh process (``os.wait4`` gives its peak RSS and CPU time); the panels are written once to
``benchmarks/data/`` (git-ignored) and not timed. ``--markdown FILE`` appends the table to a results file.
Every contender computes eco2007 with the methodology's parameters (drop suppressed cells, ``total_base =
input``), reads the Parquet panel and writes its cells as Parquet, unsorted (``clustermap map`` sorts only with
``--sort``). The CLI runs with its defaults (DuckDB engine memory limit 1.5GB, ``CLUSTERMAP_MEMORY_LIMIT``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EPS = 1e-9


# ------------------------------------------------------------------------------------------------ panels
def make_cli_panel(path: Path, regions: int = 3000, industries: int = 1000, years: int = 10, seed: int = 1) -> None:
    """The issue's panel: ``regions x industries x years`` with 35 % of the cells present (≈ 10.5 M rows at
    full size), log-normal region sizes, Dirichlet industry weights, 3 % suppressed (null)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    size = rng.lognormal(9, 1.4, regions)
    weight = rng.dirichlet(np.full(industries, 0.3))
    rcodes = np.array([f"R{r:05d}" for r in range(regions)], dtype=object)
    icodes = np.array([f"{100000 + i:06d}" for i in range(industries)], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    for y in range(years):
        r, i = np.nonzero(rng.random((regions, industries)) < 0.35)
        emp = np.round(size[r] * weight[i] * 50 * rng.lognormal(0, 1.1, len(r)))
        emp[rng.random(len(r)) < 0.03] = np.nan
        table = pa.table(
            {
                "region": rcodes[r],
                "industry": icodes[i],
                "year": np.full(len(r), 2010 + y, dtype="int64"),
                "employment": pa.array(emp, from_pandas=True),  # NaN → null: suppressed
                "establishments": np.maximum(1, np.round(np.nan_to_num(emp) / 12)),
            }
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def make_eu_panel(path: Path) -> None:
    """The Eurostat SBS V16110 NUTS-2 panel through clustermap's own loader, as canonical Parquet."""
    from clustermap.loaders.eurostat import load_sbs
    from clustermap.settings import get_settings

    res = load_sbs(None, mirror=get_settings().mirror(), nuts_level=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    res.frame.to_parquet(path, index=False)


def panel(name: str) -> tuple[Path, str]:
    """Path of the panel (written on first use) and its category set."""
    if name == "cli":
        path = DATA / "cli_panel_10m.parquet"
        if not path.exists():
            make_cli_panel(path)
        return path, "none"
    if name == "small":
        path = DATA / "cli_panel_small.parquet"
        if not path.exists():
            make_cli_panel(path, regions=10, industries=100, years=3)
        return path, "none"
    if name == "county":
        path = DATA / "county_panel_60m.parquet"
        if not path.exists():
            cmd = [sys.executable, str(HERE / "make_synthetic_panel.py"), "--regions", "3200", "--years", "20"]
            subprocess.run([*cmd, "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
        return path, "none"
    if name == "eu":
        path = DATA / "eu_sbs_v16110_nuts2_canonical.parquet"
        if not path.exists():
            make_eu_panel(path)
        return path, "eco-nace2"
    raise SystemExit(f"unknown panel {name}")


def crosswalk_file(path: Path, categories: str, work: Path) -> Path:
    """The category set's crosswalk (industry, category, traded, share) as CSV for the pandas / SQL scripts."""
    import duckdb

    from clustermap.api import resolve_categories

    industries = [r[0] for r in duckdb.sql(f"SELECT DISTINCT industry FROM read_parquet('{path}')").fetchall()]
    cats = resolve_categories(categories, industries)
    out = work / "crosswalk.csv"
    cats.crosswalk[["industry", "category", "traded", "share"]].to_csv(out, index=False)
    return out


def parameters() -> dict[str, Any]:
    from clustermap.methodology import get_methodology

    p = dict(get_methodology("eco2007").parameters)
    p.setdefault("focus_scope", "category")
    return p


# ------------------------------------------------------------------------------------------------ contenders
def pandas_worker(src: str, cw: str, out: str, p: dict[str, Any]) -> None:
    """eco2007 with groupby / merge / rank (competition ranks), as a pandas user would write it."""
    import numpy as np
    import pandas as pd

    obs = pd.read_parquet(src, columns=["region", "industry", "year", "employment"])
    obs = obs[obs["employment"].notna()]
    crosswalk = pd.read_csv(cw, dtype={"industry": str, "category": str})
    j = obs.merge(crosswalk, on="industry")
    j["employment"] = j["employment"] * j["share"]
    cells = j.groupby(["year", "region", "category", "traded"], sort=False)["employment"].sum().reset_index()
    del j, obs
    tot = cells.groupby(["year", "region"], sort=False)["employment"].sum().rename("region_total")
    tot = tot[tot > 0].reset_index()
    per_year = tot.groupby("year").agg(grand_total=("region_total", "sum"), n_regions=("region_total", "size"))
    t = cells[cells["traded"]].merge(tot, on=["year", "region"]).merge(per_year.reset_index(), on="year")
    t["category_total"] = t.groupby(["year", "category"])["employment"].transform("sum")
    t["share"] = t["employment"] / t["region_total"]
    t["lq"] = t["employment"] * t["grand_total"] / (t["region_total"] * t["category_total"]).replace(0.0, np.nan)
    g = t.groupby(["year", "category"])
    size_rank = g["employment"].rank(method="min", ascending=False)
    big = t["employment"] >= p["min_employment"]
    t["size_star"] = (big & (size_rank <= np.floor(t["n_regions"] * p["size_share"] + EPS))).astype("int8")
    t["specialisation_star"] = (big & (t["lq"] >= p["lq_threshold"])).astype("int8")
    if p["focus_scope"] == "all":
        focus_rank = t.groupby("year")["share"].rank(method="min", ascending=False)
        n_cat = t.groupby("year")["category"].transform("nunique")
        cut = np.floor(t["n_regions"] * n_cat * p["focus_share"] + EPS)
    else:
        focus_rank = g["share"].rank(method="min", ascending=False)
        cut = np.floor(t["n_regions"] * p["focus_share"] + EPS)
    t["focus_star"] = (big & (focus_rank <= cut)).astype("int8")
    t["stars"] = t["size_star"] + t["specialisation_star"] + t["focus_star"]
    cols = ["region", "category", "year", "employment", "lq", "size_star", "specialisation_star", "focus_star"]
    t[[*cols, "stars"]].to_parquet(out, index=False)  # unsorted, as the CLI writes by default


def sql_worker(src: str, cw: str, out: str, p: dict[str, Any]) -> None:
    """eco2007 in hand-written DuckDB SQL as one lean query, stars in threshold form: the k-th largest value per
    category (and per year, for the focus scope ``all``) by the top-k aggregate ``max(x, k)`` and a join; no rank
    window, no temporary table, no sort (the CLI does not sort either)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    if os.environ.get("CLUSTERMAP_THREADS"):
        con.execute(f"SET threads = {int(os.environ['CLUSTERMAP_THREADS'])}")
    eps, big = EPS, f"t.employment >= {p['min_employment']}"
    all_scope = p["focus_scope"] == "all"
    n_focus = "n_regions * n_categories" if all_scope else "n_regions"
    # the cut is taken from the top-k list inside the aggregate: a join must not carry the lists to every cell
    focus_cut = "fcut.cut_s" if all_scope else "cat.cut_s"
    kth = "list_extract(max({x}, greatest(k.{k}, 1)), least(count({x}), greatest(any_value(k.{k}), 1)))"
    cat_focus = "" if all_scope else f", {kth.format(x='t.share', k='k_focus')} AS cut_s"
    fcut = (
        f", fcut AS (SELECT t.year, {kth.format(x='t.share', k='k_focus')} AS cut_s "
        "FROM t JOIN k USING (year) GROUP BY t.year)"
        if all_scope
        else ""
    )
    fjoin = "JOIN fcut USING (year)" if all_scope else ""
    con.execute(
        f"""COPY (
        WITH cells AS (
            SELECT o.region, o.year, c.category, c.traded, sum(o.employment * c.share) AS employment
            FROM read_parquet('{src}') o JOIN read_csv('{cw}', types = {{'industry': 'VARCHAR',
                'category': 'VARCHAR'}}) c USING (industry)
            WHERE o.employment IS NOT NULL GROUP BY ALL),
        tot AS (SELECT region, year, sum(employment) AS region_total FROM cells GROUP BY ALL
                HAVING sum(employment) > 0),
        per_year AS (SELECT year, sum(region_total) AS grand_total, count(*) AS n_regions FROM tot GROUP BY year),
        t AS MATERIALIZED (
            SELECT cells.region, cells.year, cells.category, cells.employment, tot.region_total,
                   per_year.grand_total, cells.employment / tot.region_total AS share
            FROM cells JOIN tot USING (region, year) JOIN per_year USING (year) WHERE cells.traded),
        k AS (SELECT year, n_regions, n_categories,
                     floor(n_regions * {p["size_share"]} + {eps})::BIGINT AS k_size,
                     floor({n_focus} * {p["focus_share"]} + {eps})::BIGINT AS k_focus
              FROM per_year JOIN (SELECT year, count(DISTINCT category) AS n_categories FROM t GROUP BY year) nc
                   USING (year)),
        cat AS (SELECT t.year, t.category, sum(t.employment) AS category_total,
                       {kth.format(x="t.employment", k="k_size")} AS cut_e{cat_focus}
                FROM t JOIN k USING (year) GROUP BY t.year, t.category){fcut}
        SELECT region, category, year, employment, lq, size_star, specialisation_star, focus_star,
               size_star + specialisation_star + focus_star AS stars
        FROM (SELECT t.region, t.category, t.year, t.employment,
                 t.employment * t.grand_total / nullif(t.region_total * cat.category_total, 0) AS lq,
                 ({big} AND k.k_size > 0
                      AND t.employment >= cat.cut_e)::INT AS size_star,
                 ({big} AND coalesce(lq >= {p["lq_threshold"]}, false))::INT AS specialisation_star,
                 ({big} AND k.k_focus > 0 AND t.share >= {focus_cut})::INT AS focus_star
              FROM t JOIN cat USING (year, category) JOIN k USING (year) {fjoin})
        ) TO '{out}' (FORMAT PARQUET)"""
    )


def ecomplexity_worker(src: str, cw: str, out: str, p: dict[str, Any]) -> None:
    """py-ecomplexity's documented call on the category panel: it computes the RCA (= the LQ on total_base
    input) together with ECI / PCI, proximity, density and COG; the overlap with the mapping is the RCA."""
    import pandas as pd
    from ecomplexity import ecomplexity

    obs = pd.read_parquet(src, columns=["region", "industry", "year", "employment"])
    obs = obs[obs["employment"].notna()]
    crosswalk = pd.read_csv(cw, dtype={"industry": str, "category": str})
    j = obs.merge(crosswalk, on="industry")
    j["employment"] = j["employment"] * j["share"]
    data = j.groupby(["year", "region", "category"], sort=False)["employment"].sum().reset_index()
    cols = {"time": "year", "loc": "region", "prod": "category", "val": "employment"}
    res = ecomplexity(data, cols, presence_test="rca", verbose=False)
    res.to_parquet(out, index=False)


WORKERS = {"pandas": pandas_worker, "duckdb-sql": sql_worker, "ecomplexity": ecomplexity_worker}


# ------------------------------------------------------------------------------------------------ timing
def timed(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, float, int, float]:
    """Wall seconds, peak RSS (MiB), exit status and CPU seconds (user + system, every thread) of one process.
    On a shared machine the CPU seconds compare contenders better than the wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace")[-400:] if proc.stderr else ""
        print(f"  exit {code}: {' '.join(cmd[:4])} … {err}", file=sys.stderr)
    return wall, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime


def commands(name: str, src: Path, cats: str, cw: Path, out: Path) -> list[str]:
    if name == "cli":
        exe = shutil.which("clustermap") or str(Path(sys.executable).with_name("clustermap"))
        return [
            exe,
            "map",
            "--input",
            str(src),
            "--categories",
            cats,
            "--methodology",
            "eco2007",
            "--total-base",
            "input",
            "--out",
            str(out),
        ]
    return [sys.executable, __file__, "--worker", name, str(src), str(cw), str(out)]


def star_differences(ref: Path, source: str) -> str:
    """How many of the cells of ``ref`` (a Parquet file) ``source`` (a Parquet file or glob) has, and how many of
    them differ in each star (size, specialisation, focus, stars)."""
    import duckdb

    row = duckdb.sql(
        f"""SELECT count(*), count(b.region),
             count(*) FILTER (WHERE a.size_star <> b.size_star),
             count(*) FILTER (WHERE a.specialisation_star <> b.specialisation_star),
             count(*) FILTER (WHERE a.focus_star <> b.focus_star),
             count(*) FILTER (WHERE a.stars <> b.stars)
        FROM read_parquet('{ref}') a LEFT JOIN read_parquet('{source}') b
          ON a.region = b.region AND a.category = b.category AND a.year = b.year"""
    ).fetchall()[0]
    differing = "/".join(str(n) for n in row[2:6])
    return f"{row[1]:,} of {row[0]:,} cells matched; differing size/spec/focus/stars: {differing}"


def agreement(outs: dict[str, Path]) -> dict[str, str]:
    """Cells whose stars differ from the CLI's, per contender (size, specialisation, focus, stars)."""
    ref = outs.get("cli")
    if ref is None or not ref.exists():
        return {}
    return {
        name: star_differences(ref, str(path))
        for name, path in outs.items()
        if name not in ("cli", "ecomplexity") and path.exists()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--panel", default="cli", choices=["cli", "small", "county", "eu"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--contenders", default="cli,pandas,duckdb-sql,ecomplexity")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--markdown", type=Path, help="append the results table to this file")
    ap.add_argument("--worker", nargs=4, metavar=("NAME", "SRC", "CROSSWALK", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        name, src, cw, out = args.worker
        WORKERS[name](src, cw, out, parameters())
        return
    src, cats = panel(args.panel)
    import duckdb

    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{src}')").fetchall()[0][0]
    work = Path(tempfile.mkdtemp(prefix="cm-bench-"))
    cw = crosswalk_file(src, cats, work)
    env = dict(os.environ)
    names = [c for c in args.contenders.split(",") if c]
    results: dict[str, list[tuple[float, float, int, float]]] = {n: [] for n in names}
    outs = {n: work / f"{n}.parquet" for n in names}
    print(f"panel {args.panel}: {src} ({rows:,} rows, {src.stat().st_size / 2**20:.0f} MiB), categories {cats}")
    for i in range(args.repeat):  # interleaved, so that a busy spell of the shared machine hits every contender
        for n in names:
            results[n].append(timed(commands(n, src, cats, cw, outs[n]), env, args.timeout))
            w, m, c, cpu = results[n][-1]
            note = "" if c == 0 else f"  (exit {c})"
            print(f"  run {i + 1} {n:12s} {w:7.2f} s {cpu:7.2f} CPU s {m:7.0f} MiB{note}", flush=True)
    notes = agreement(outs)
    cli_ok = [(w, cpu) for w, _, c, cpu in results.get("cli", []) if c == 0]
    cli_med = statistics.median(w for w, _ in cli_ok) if cli_ok else None
    cli_cpu = statistics.median(cpu for _, cpu in cli_ok) if cli_ok else None
    lines = [
        f"### {args.panel} panel — {rows:,} rows, {args.repeat} runs, "
        + time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}; load average at start "
        f"{os.getloadavg()[0]:.1f} (the cores are shared).",
        "",
        "| contender | min s | median s | max s | median CPU s | peak RSS MiB (max) | median ÷ CLI median "
        "| CPU ÷ CLI CPU | agreement with the CLI |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n in names:
        ok = [(w, m, cpu) for w, m, c, cpu in results[n] if c == 0]
        if not ok:
            lines.append(f"| {n} | failed | | | | | | | |")
            continue
        walls = [w for w, _, _ in ok]
        med = statistics.median(walls)
        cpu = statistics.median(c for _, _, c in ok)
        ratio = f"{med / cli_med:.2f}" if cli_med else ""
        cpu_ratio = f"{cpu / cli_cpu:.2f}" if cli_cpu else ""
        note = notes.get(n, "(reference)" if n == "cli" else "RCA only" if n == "ecomplexity" else "")
        lines.append(
            f"| {n} | {min(walls):.2f} | {med:.2f} | {max(walls):.2f} | {cpu:.2f} | {max(m for _, m, _ in ok):.0f} | "
            f"{ratio} | {cpu_ratio} | {note} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
