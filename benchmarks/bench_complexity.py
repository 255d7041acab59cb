"""Benchmark ``clustermap.complexity`` against py-ecomplexity, same run, same inputs.

Panels:

* ``synthetic`` — ``make_synthetic_panel.py --regions 3000 --years 10 --absent missing`` (3,000 regions × 963
  real 6-digit NAICS codes × 10 years, ≈ 4.7 M published cells; generated if missing);
* ``eu`` — the real Eurostat SBS V16110 (persons employed), NUTS-2 × NACE divisions, 2008–2015, through
  ``clustermap.loaders.eurostat.load_sbs``.

Both contenders get the same cells: rows with null employment (suppressed) are left out — clustermap's
``missing="drop"``; py-ecomplexity would coerce them to 0, which is the same matrix. Each timing runs in a fresh
subprocess (peak RSS is per run):

* ``clustermap`` — ``complexity(con.read_parquet(path), missing="drop")`` on DuckDB: reading the Parquet, RCA /
  presence in the engine, eigenvectors, proximity, density, outlook, the full rectangular output in memory;
* ``ecomplexity`` — ``ecomplexity.ecomplexity(frame, ..., check_logsupermodularity=False)`` (the extra check is
  work clustermap does not do); the frame is read before the clock starts.

Wall time and CPU time (user + system, all threads) are both printed: on a shared machine the wall time of a
long run depends on what else runs; the CPU time much less.

Agreement: each run writes its output for the last year (synthetic) or all years (eu); the largest absolute
difference per column is printed (ECI / PCI signs are fixed the same way by both, so they compare directly).

    python benchmarks/bench_complexity.py --quick     # 300 regions × 2 years, a smoke test
    python benchmarks/bench_complexity.py             # the full run (py-ecomplexity takes ~10+ minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
COLUMNS = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")
TARGET = 50.0


def _eu_parquet(mirror: str | None) -> Path:
    path = DATA / "eu_sbs_v16110_nuts2_divisions.parquet"
    if not path.exists():
        from clustermap.loaders.eurostat import load_sbs

        frame = load_sbs(mirror=mirror, nuts_level=2).frame
        frame = frame[frame["industry"].str.fullmatch(r"[A-Z]\d\d")]
        DATA.mkdir(parents=True, exist_ok=True)
        frame[["region", "industry", "year", "employment"]].to_parquet(path, index=False)
    return path


def _synthetic_parquet(quick: bool, mirror: str | None) -> Path:
    regions, years = (300, 2) if quick else (3000, 10)
    path = DATA / f"complexity_panel_{regions}x{years}.parquet"
    if not path.exists():
        cmd = [sys.executable, str(HERE / "make_synthetic_panel.py"), "--regions", str(regions), "--years",
               str(years), "--absent", "missing", "--out", str(path)]  # fmt: skip
        if mirror:
            cmd += ["--mirror", mirror]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def _cpu() -> float:
    """CPU seconds (user + system) of this process, all threads (BLAS and DuckDB threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_one(contender: str, path: Path, out: Path, last_year_only: bool) -> dict[str, Any]:
    """One timed run in this (child) process; writes the compared part of the output to ``out``."""
    if contender == "clustermap":
        import ibis

        from clustermap.complexity import complexity

        con = ibis.duckdb.connect()
        cpu0 = _cpu()
        start = time.perf_counter()
        table = con.read_parquet(str(path))
        result = complexity(table, missing="drop").cells
        seconds = time.perf_counter() - start
        cpu = _cpu() - cpu0
    else:
        from ecomplexity import ecomplexity

        frame = pd.read_parquet(path, columns=["region", "industry", "year", "employment"])
        frame = frame[frame["employment"].notna()].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cpu0 = _cpu()
            start = time.perf_counter()
            result = ecomplexity(
                frame,
                {"time": "year", "loc": "region", "prod": "industry", "val": "employment"},
                verbose=False,
                check_logsupermodularity=False,
            )
            seconds = time.perf_counter() - start
            cpu = _cpu() - cpu0
        result = result.dropna(subset=["mcp"])
    if last_year_only:
        result = result[result["year"] == result["year"].max()]
    result = result.astype({"region": str, "industry": str})
    result[["region", "industry", "year", *COLUMNS]].to_parquet(out, index=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": rss, "rows": len(result)}


def _child(contender: str, path: Path, out: Path, last_year_only: bool, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", contender, "--path", str(path), "--result", str(out)]
    if last_year_only:
        cmd.append("--last-year-only")
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _agreement(ours: Path, ref: Path) -> dict[str, float]:
    a = pd.read_parquet(ours)
    b = pd.read_parquet(ref)
    both = a.merge(b, on=["region", "industry", "year"], suffixes=("", "_ref"))
    diffs = {c: float(np.nanmax(np.abs(both[c].astype(float) - both[f"{c}_ref"].astype(float)))) for c in COLUMNS}
    diffs["rows_matched"] = len(both)
    diffs["rows"] = max(len(a), len(b))
    return diffs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small synthetic panel (300 regions × 2 years)")
    ap.add_argument("--panels", default="synthetic,eu")
    ap.add_argument("--mirror", default=os.environ.get("CLUSTERMAP_DATA_DIR"))
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--last-year-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.path), Path(args.result), args.last_year_only)))
        return
    report: dict[str, Any] = {"quick": args.quick, "panels": {}}
    tmp = Path(tempfile.mkdtemp(prefix="bench_complexity_"))
    for panel in args.panels.split(","):
        path = _synthetic_parquet(args.quick, args.mirror) if panel == "synthetic" else _eu_parquet(args.mirror)
        shape = pd.read_parquet(path, columns=["region", "industry", "year"])
        desc = (f"{shape['region'].nunique():,} regions × {shape['industry'].nunique():,} industries × "
                f"{shape['year'].nunique()} years, {len(shape):,} rows")  # fmt: skip
        print(f"\n== {panel}: {desc} ({path.name})", flush=True)
        last = panel == "synthetic"
        runs = {}
        for contender in ("clustermap", "ecomplexity"):
            out = tmp / f"{panel}_{contender}.parquet"
            runs[contender] = _child(contender, path, out, last, args.timeout)
            r = runs[contender]
            print(
                f"  {contender:<12} {r['seconds']:9.2f} s wall  {r['cpu_seconds']:9.2f} s CPU   "
                f"peak RSS {r['peak_rss_mib']:8.0f} MiB",
                flush=True,
            )
        ratio = runs["ecomplexity"]["seconds"] / runs["clustermap"]["seconds"]
        cpu_ratio = runs["ecomplexity"]["cpu_seconds"] / runs["clustermap"]["cpu_seconds"]
        agree = _agreement(tmp / f"{panel}_clustermap.parquet", tmp / f"{panel}_ecomplexity.parquet")
        worst = max(v for k, v in agree.items() if k in COLUMNS)
        print(
            f"  ecomplexity / clustermap = {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU"
            + (f" (target >= {TARGET:.0f}x)" if panel == "synthetic" else "")
        )
        scope = "last year" if last else "all years"
        print(f"  agreement ({scope}, {agree['rows_matched']:,} of {agree['rows']:,} rows matched): "
              f"max |diff| {worst:.2e}; " + ", ".join(f"{c} {agree[c]:.1e}" for c in COLUMNS))  # fmt: skip
        report["panels"][panel] = {
            "shape": desc, "runs": runs, "ratio": ratio, "cpu_ratio": cpu_ratio, "agreement": agree
        }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_complexity{'_quick' if args.quick else ''}.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
