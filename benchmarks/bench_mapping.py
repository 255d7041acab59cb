"""Benchmark the eco2007 mapping engine (DuckDB, PySpark) against pandas, py-ecomplexity and a scan bound.

Panels:

* ``eu``  — the real Eurostat SBS V16110 (persons employed), NUTS-2, 2008–2015, from the data mirror
  (``eu/sbs/sbs_r_nuts06_r2_V16110_long.csv.gz``), written once to Parquet in canonical columns;
* ``synthetic`` — the county-size synthetic panel of ``make_synthetic_panel.py`` (generated if missing).

Contenders (each timing in a fresh subprocess, so peak memory is per run):

* ``duckdb-engine``   — ``clustermap.mapping.map_observations(con.read_parquet(path), methodology="eco2007")``
* ``pyspark-engine``  — the same on PySpark local[2] (Spark session start-up not timed, reported apart)
* ``pandas``          — a straightforward pandas implementation of the same eco2007 rules (below)
* ``ecomplexity``     — ``ecomplexity.ecomplexity(...)`` (RCA = the LQ) on the category panel; its timing
  includes reading the Parquet and aggregating industries to categories in pandas (ecomplexity needs a
  category column), and the call alone is reported too
* ``ecomplexity-rca`` — (informational) only RCA, via the package's ``ComplexityData`` internals
* ``scan-bound``      — DuckDB only scanning the Parquet and summing employment by region × year

    python benchmarks/bench_mapping.py --quick          # smoke test: small synthetic panel, 1 repeat
    python benchmarks/bench_mapping.py                  # full size, 3 repeats
    python benchmarks/bench_mapping.py --panels synthetic --contenders duckdb-engine,scan-bound
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
EU_LONG = Path("eu/sbs/sbs_r_nuts06_r2_V16110_long.csv.gz")
CONTENDERS = ("duckdb-engine", "pyspark-engine", "pandas", "ecomplexity", "ecomplexity-rca", "scan-bound")
PARAMS = {"size_share": 0.10, "focus_share": 0.10, "lq_threshold": 2.0, "min_employment": 1000.0}
TARGETS = {
    "pandas / duckdb engine >= 5": 5.0,
    "ecomplexity / duckdb engine >= 10": 10.0,
    "duckdb engine / scan bound <= 2": 2.0,
    "duckdb engine peak RSS < 4 GiB": 4096.0,
}


# ----------------------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------------------
def find_mirror(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("CLUSTERMAP_DATA_DIR"):
        candidates.append(Path(os.environ["CLUSTERMAP_DATA_DIR"]))
    candidates.append(HERE.parent.parent / "shared" / "data")
    for c in candidates:
        if (c / EU_LONG).exists():
            return c.resolve()
    raise SystemExit(f"data mirror not found (looked for {EU_LONG} under {', '.join(map(str, candidates))})")


def eu_frame(mirror: Path) -> tuple[pd.DataFrame, str]:
    """The SBS V16110 NUTS-2 panel in canonical columns (the project's loader if it exists)."""
    try:
        from clustermap.loaders.eurostat import load_sbs  # type: ignore[import-not-found]
    except ImportError:
        load_sbs = None
    if load_sbs is not None:
        with contextlib.suppress(Exception):
            res = load_sbs(mirror / "eu/sbs/sbs_r_nuts06_r2.tsv.gz", indicator="V16110", nuts_level=2)
            f = res.frame if hasattr(res, "frame") else res
            f = f if isinstance(f, pd.DataFrame) else f.to_pandas()
            cols = [c for c in ("region", "industry", "year", "employment", "establishments", "flag") if c in f]
            f = f[cols].reset_index(drop=True)
            f["establishments"] = f.get("establishments", np.nan)
            return f.astype({"establishments": "float64"}), "clustermap.loaders.eurostat.load_sbs"
    d = pd.read_csv(mirror / EU_LONG, dtype={"geo": str, "nace_r2": str, "flag": str})
    d = d[d["nuts_level"] == 2]
    f = pd.DataFrame(
        {
            "region": d["geo"].astype(str).to_numpy(),
            "industry": d["nace_r2"].astype(str).to_numpy(),
            "year": d["year"].astype("int64").to_numpy(),
            "employment": d["value"].astype("float64").to_numpy(),
            "establishments": np.full(len(d), np.nan),
            "flag": d["flag"].fillna("").astype(str).to_numpy(),
        }
    )
    return f, f"pandas.read_csv({EU_LONG})"


def prepare_panels(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    DATA.mkdir(parents=True, exist_ok=True)
    panels: dict[str, dict[str, Any]] = {}
    if "eu" in args.panels:
        path = DATA / "eu_sbs_v16110_nuts2.parquet"
        frame, how = eu_frame(find_mirror(args.mirror))
        frame.to_parquet(path, index=False)
        panels["eu"] = {
            "path": str(path),
            "rows": len(frame),
            "source": how,
            "categories": resolve_category_name("eu", str(path), "eco-nace2", args.mirror),
        }
    if "synthetic" in args.panels:
        path = (
            Path(args.synthetic)
            if args.synthetic
            else DATA / ("synthetic_quick.parquet" if args.quick else "synthetic_panel.parquet")
        )
        if not path.exists() or args.regenerate:
            cmd = [sys.executable, str(HERE / "make_synthetic_panel.py"), "--out", str(path)]
            if args.quick:
                cmd += ["--regions", "300", "--years", "3"]
            if args.mirror:
                cmd += ["--mirror", args.mirror]
            print("generating", path, file=sys.stderr)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(path).metadata.num_rows
        panels["synthetic"] = {
            "path": str(path),
            "rows": rows,
            "source": "make_synthetic_panel.py",
            "categories": resolve_category_name("synthetic", str(path), "uscmp", args.mirror),
        }
    return panels


# ----------------------------------------------------------------------------------------------------------
# categories
# ----------------------------------------------------------------------------------------------------------
@dataclass
class SimpleCategorySet:
    """Stand-in with the shape of ``clustermap.definitions.categories.CategorySet`` (used only if that module
    cannot be imported)."""

    name: str
    crosswalk: pd.DataFrame
    version: str = "bench"
    source: str = "benchmarks/bench_mapping.py identity"
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)


def panel_industries(path: str) -> list[str]:
    import duckdb

    return [r[0] for r in duckdb.sql(f"select distinct industry from read_parquet('{path}')").fetchall()]


def load_categories(panel: str, path: str, name: str, mirror: str | None) -> tuple[Any, str]:
    """The category set ``name`` of a panel (``identity``: every industry its own traded category; on the EU
    panel only the NACE divisions, so that sections and groups are not counted twice)."""
    try:
        from clustermap.definitions import categories as cm
    except ImportError:
        cm = None
    if name != "identity":
        if cm is None:
            raise RuntimeError(f"category set {name} wanted but clustermap.definitions.categories is missing")
        return cm.load_category_set(name, mirror=Path(mirror) if mirror else None), name
    inds = panel_industries(path)
    if panel == "eu":
        inds = [i for i in inds if len(i) == 3]
    inds = sorted(inds)
    if cm is not None and hasattr(cm, "identity_category_set"):
        return cm.identity_category_set(inds), "identity"
    cw = pd.DataFrame({"industry": inds, "category": inds, "category_name": inds, "traded": True, "share": 1.0})
    return SimpleCategorySet("identity", cw, categories=cw[["category", "category_name"]]), "identity"


def resolve_category_name(panel: str, path: str, wanted: str, mirror: str | None) -> str:
    """``wanted`` if clustermap can load it now, else ``identity`` (decided once, in the parent)."""
    try:
        load_categories(panel, path, wanted, mirror)
        return wanted
    except Exception as exc:
        print(
            f"[{panel}] category set {wanted} not available ({type(exc).__name__}: {exc}); using identity",
            file=sys.stderr,
        )
        return "identity"


# ----------------------------------------------------------------------------------------------------------
# the pandas implementation of eco2007 (what a careful analyst would write)
# ----------------------------------------------------------------------------------------------------------
def pandas_eco2007(
    obs: pd.DataFrame,
    crosswalk: pd.DataFrame,
    *,
    size_share: float = 0.10,
    focus_share: float = 0.10,
    lq_threshold: float = 2.0,
    min_employment: float = 1000.0,
    focus_scope: str = "all",
) -> pd.DataFrame:
    """eco2007 stars with groupby / merge / rank; suppression policy ``drop``, ``total_base = input``, the focus
    star ranked over all cells of the year (``focus_scope = all``, eco2007's default) or within the category.

    ``obs``: region, industry, year, employment (null = suppressed); ``crosswalk``: industry, category, traded,
    share. Returns one row per traded region × category × year with lq, ranks and stars.
    """
    obs = obs.loc[obs["employment"].notna(), ["region", "industry", "year", "employment"]]
    cw = crosswalk[["industry", "category", "traded", "share"]]
    # industry → category (an industry may be split over categories by `share`)
    j = obs.merge(cw, on="industry", how="inner", sort=False)
    j["employment"] = j["employment"] * j["share"]
    cells = (
        j.groupby(["year", "region", "category", "traded"], observed=True, sort=False)["employment"].sum().reset_index()
    )
    del j
    # T[r] on all mapped industries (traded and local); the region set R = regions with T[r] > 0
    tot = cells.groupby(["year", "region"], observed=True, sort=False)["employment"].sum().rename("region_total")
    tot = tot[tot > 0].reset_index()
    per_year = tot.groupby("year").agg(grand_total=("region_total", "sum"), n_regions=("region_total", "size"))
    t = cells[cells["traded"]].merge(tot, on=["year", "region"], how="inner")
    t["category_total"] = t.groupby(["year", "category"], observed=True)["employment"].transform("sum")
    t = t.merge(per_year.reset_index(), on="year", how="left")
    t["share"] = t["employment"] / t["region_total"]
    denom = (t["region_total"] * t["category_total"]).replace(0.0, np.nan)
    t["lq"] = (t["employment"] * t["grand_total"]) / denom
    g = t.groupby(["year", "category"], observed=True)
    t["size_rank"] = g["employment"].rank(method="min", ascending=False)
    big = t["employment"] >= min_employment
    size_cut = np.floor(t["n_regions"] * size_share + 1e-9)
    if focus_scope == "all":
        t["focus_rank"] = t.groupby("year")["share"].rank(method="min", ascending=False)
        n_categories = t.groupby("year")["category"].transform("nunique")
        focus_cut = np.floor(t["n_regions"] * n_categories * focus_share + 1e-9)
    else:
        t["focus_rank"] = g["share"].rank(method="min", ascending=False)
        focus_cut = np.floor(t["n_regions"] * focus_share + 1e-9)
    t["size_star"] = (big & (t["size_rank"] <= size_cut)).astype("int8")
    t["specialisation_star"] = (big & (t["lq"] >= lq_threshold)).astype("int8")
    t["focus_star"] = (big & (t["focus_rank"] <= focus_cut)).astype("int8")
    t["stars"] = (t["size_star"] + t["specialisation_star"] + t["focus_star"]).astype("int8")
    return t


def read_obs_pandas(path: str) -> pd.DataFrame:
    """The panel as pandas, region and industry as categoricals (the memory-sane way for tens of millions of
    rows)."""
    return pd.read_parquet(
        path, columns=["region", "industry", "year", "employment"], read_dictionary=["region", "industry"]
    )


def category_panel_pandas(obs: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """region × year × category employment (all categories, traded and local) — ecomplexity's input."""
    obs = obs.loc[obs["employment"].notna()]
    j = obs.merge(crosswalk[["industry", "category", "share"]], on="industry", how="inner", sort=False)
    j["employment"] = j["employment"] * j["share"]
    out = j.groupby(["year", "region", "category"], observed=True, sort=False)["employment"].sum().reset_index()
    for c in ("region", "category"):
        out[c] = out[c].astype(str)
    return out


# ----------------------------------------------------------------------------------------------------------
# one timed run (in a child process)
# ----------------------------------------------------------------------------------------------------------
def child(spec: dict[str, Any]) -> dict[str, Any]:
    contender, path = spec["contender"], spec["path"]
    out: dict[str, Any] = {"phases": {}}
    cats = None
    if contender == "idle":  # the interpreter with this module's imports: the RSS floor of every child
        out["seconds"] = 0.0
        out["vmhwm_self_mib"] = vmhwm_mib()
        return out
    if contender != "scan-bound":
        cats, label = load_categories(spec["panel"], path, spec["categories"], spec.get("mirror"))
        out["categories"] = label
        out["n_categories"] = int(cats.crosswalk["category"].nunique())
    if contender == "duckdb-engine":
        from clustermap.engines import connect
        from clustermap.mapping import map_observations

        t0 = time.perf_counter()
        con = connect("duckdb")
        res = map_observations(con.read_parquet(path), categories=cats, methodology="eco2007")
        out["seconds"] = time.perf_counter() - t0
        out["cells"] = len(res.cells)
        out["clusters"] = int((res.cells["stars"] >= 1).sum())
    elif contender == "pyspark-engine":
        from clustermap.engines import connect
        from clustermap.mapping import map_observations

        t0 = time.perf_counter()
        con = connect("pyspark")
        con._session.range(1).count()  # JVM fully up
        out["phases"]["spark_startup"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        con._session.read.parquet(path).createOrReplaceTempView("bench_obs")
        res = map_observations(con.table("bench_obs"), categories=cats, methodology="eco2007")
        out["seconds"] = time.perf_counter() - t0
        out["cells"] = len(res.cells)
        out["clusters"] = int((res.cells["stars"] >= 1).sum())
    elif contender == "pandas":
        cw = cats.crosswalk
        t0 = time.perf_counter()
        obs = read_obs_pandas(path)
        out["phases"]["read"] = time.perf_counter() - t0
        res = pandas_eco2007(obs, cw, **PARAMS)
        out["seconds"] = time.perf_counter() - t0
        out["cells"] = len(res)
        out["clusters"] = int((res["stars"] >= 1).sum())
    elif contender in ("ecomplexity", "ecomplexity-rca"):
        import warnings

        from ecomplexity import ecomplexity

        warnings.simplefilter("ignore")
        cols = {"time": "year", "loc": "region", "prod": "category", "val": "employment"}
        t0 = time.perf_counter()
        data = category_panel_pandas(read_obs_pandas(path), cats.crosswalk)
        out["phases"]["read_and_aggregate"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        try:
            if contender == "ecomplexity":
                with contextlib.redirect_stdout(sys.stderr):
                    res = ecomplexity(data, cols)  # the documented call (RCA + ECI/PCI, density, COI/COG …)
                out["cells"] = len(res)
            else:
                from ecomplexity.ComplexityData import ComplexityData

                cd = ComplexityData(data, cols, "coerce")
                n = 0
                for t in cd.data.index.unique("time"):
                    cd.create_full_df(t)
                    cd.calculate_rca()
                    n += cd.rca_t.size
                out["cells"] = n
        except Exception as exc:  # report why it failed on this panel
            out["error"] = f"{type(exc).__name__}: {exc}"
        out["phases"]["call"] = time.perf_counter() - t1
        out["seconds"] = time.perf_counter() - t0
    elif contender == "scan-bound":
        import duckdb

        t0 = time.perf_counter()
        con = duckdb.connect()
        r = con.sql(f"select region, year, sum(employment) as employment from read_parquet('{path}') group by all").df()
        out["seconds"] = time.perf_counter() - t0
        out["cells"] = len(r)
    else:
        raise SystemExit(f"unknown contender {contender}")
    out["vmhwm_self_mib"] = vmhwm_mib()
    out["loadavg_1min_at_end"] = os.getloadavg()[0]  # the machine is shared: how busy it was
    # ru_maxrss of the children (e.g. Spark's JVM once it has exited); ru_maxrss of self is not used: Linux keeps
    # the high-water mark of the forking parent across exec
    out["maxrss_children_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def vmhwm_mib() -> float:
    """Peak resident set of this process (``VmHWM``), MiB."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeSampler(threading.Thread):
    """High-water mark of the summed RSS of a process and all its descendants (e.g. Spark's JVM)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        while not self._halt.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(spec)]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import psutil

        for p in psutil.Process(proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                p.kill()
        proc.kill()
        stdout, stderr = proc.communicate()
        sampler.stop()
        return {"error": f"timeout after {timeout:.0f} s", "peak_rss_mib": sampler.peak / 2**20}
    sampler.stop()
    wall = time.perf_counter() - t0
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        why = f"exit code {proc.returncode}" + (" (killed: out of memory?)" if proc.returncode in (-9, 137) else "")
        return {"error": f"{why}: {tail}", "peak_rss_mib": sampler.peak / 2**20, "wall": wall}
    res = json.loads(lines[-1])
    res["sampled_tree_peak_mib"] = sampler.peak / 2**20
    res["peak_rss_mib"] = max(sampler.peak / 2**20, res.get("vmhwm_self_mib", 0.0))
    res["process_wall"] = wall
    return res


# ----------------------------------------------------------------------------------------------------------
# agreement check: engine stars vs pandas stars (and ecomplexity RCA vs engine LQ)
# ----------------------------------------------------------------------------------------------------------
def agreement(panel: str, info: dict[str, Any], mirror: str | None) -> dict[str, Any]:
    import warnings

    from clustermap.engines import connect
    from clustermap.mapping import map_observations

    cats, label = load_categories(panel, info["path"], info["categories"], mirror)
    con = connect("duckdb")
    eng = map_observations(con.read_parquet(info["path"]), categories=cats, methodology="eco2007").cells
    pdf = pandas_eco2007(read_obs_pandas(info["path"]), cats.crosswalk, **PARAMS)
    key = ["year", "region", "category"]
    e = eng[[*key, "lq", "size_star", "specialisation_star", "focus_star", "stars"]].copy()
    p = pdf[[*key, "lq", "size_star", "specialisation_star", "focus_star", "stars"]].copy()
    for f in (e, p):
        f["region"] = f["region"].astype(str)
        f["category"] = f["category"].astype(str)
        f["year"] = f["year"].astype("int64")
    m = e.merge(p, on=key, how="outer", suffixes=("_engine", "_pandas"), indicator=True)
    both = m[m["_merge"] == "both"]
    out: dict[str, Any] = {
        "categories": label,
        "engine_cells": len(e),
        "pandas_cells": len(p),
        "cells_only_engine": int((m["_merge"] == "left_only").sum()),
        "cells_only_pandas": int((m["_merge"] == "right_only").sum()),
        "stars_equal": int((both["stars_engine"] == both["stars_pandas"]).sum()),
        "cells_compared": len(both),
        "clusters_engine": int((e["stars"] >= 1).sum()),
        "clusters_pandas": int((p["stars"] >= 1).sum()),
        "max_abs_lq_diff": float((both["lq_engine"] - both["lq_pandas"]).abs().max()),
    }
    for s in ("size_star", "specialisation_star", "focus_star"):
        out[f"{s}_equal"] = int((both[f"{s}_engine"] == both[f"{s}_pandas"]).sum())
    out["agreement"] = out["stars_equal"] / max(len(both), 1)
    # ecomplexity's RCA against the engine's LQ (RCA = LQ when every category, local too, is in its input)
    with contextlib.suppress(Exception):
        from ecomplexity.ComplexityData import ComplexityData

        warnings.simplefilter("ignore")
        data = category_panel_pandas(read_obs_pandas(info["path"]), cats.crosswalk)
        cd = ComplexityData(data, {"time": "year", "loc": "region", "prod": "category", "val": "employment"}, "coerce")
        frames = []
        for t in cd.data.index.unique("time"):
            cd.create_full_df(t)
            cd.calculate_rca()
            f = cd.data_t.reset_index()[["loc", "prod"]]
            f["rca"] = cd.rca_t.ravel()
            f["year"] = int(t)
            frames.append(f)
        r = pd.concat(frames).rename(columns={"loc": "region", "prod": "category"})
        mm = e.merge(r, on=key, how="inner")
        mm = mm[mm["lq"].notna() & np.isfinite(mm["rca"])]
        out["rca_cells_compared"] = len(mm)
        out["rca_vs_lq_max_rel_diff"] = float(((mm["rca"] - mm["lq"]).abs() / mm["lq"].abs().clip(lower=1e-12)).max())
    return out


# ----------------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------------
def fmt_ratio(x: float | None) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}x"


def report(results: dict[str, Any]) -> str:
    lines = []
    hdr = (
        f"{'contender':<18} {'panel':<10} {'rows':>12} {'median s':>10} {'min s':>9} {'peak RSS MiB':>13} "
        f"{'load':>5}  note"
    )
    lines += [hdr, "-" * len(hdr)]
    for panel, pres in results["panels"].items():
        for c, r in pres["contenders"].items():
            med = r.get("median_seconds")
            mn = r.get("min_seconds")
            peak = r.get("peak_rss_mib")
            med_s = f"{med:.3f}" if med is not None else "FAILED"
            mn_s = f"{mn:.3f}" if mn is not None else ""
            peak_s = f"{peak:.0f}" if peak else ""
            loads = [x["loadavg_1min_at_end"] for x in r.get("runs", []) if "loadavg_1min_at_end" in x]
            load_s = f"{statistics.median(loads):.1f}" if loads else ""
            lines.append(
                f"{c:<18} {panel:<10} {pres['rows']:>12,} {med_s:>10} {mn_s:>9} {peak_s:>13} {load_s:>5}  "
                f"{r.get('note', '')}"
            )
    lines.append("")
    lines.append(f"{'ratio (median s)':<36} " + " ".join(f"{p:>12}" for p in results["panels"]))
    names = [
        ("pandas / duckdb engine", "pandas_over_duckdb"),
        ("ecomplexity / duckdb engine", "ecomplexity_over_duckdb"),
        ("ecomplexity call only / duckdb", "ecomplexity_call_over_duckdb"),
        ("duckdb engine / scan bound", "duckdb_over_scan"),
        ("pyspark / duckdb", "pyspark_over_duckdb"),
    ]
    for label, k in names:
        lines.append(
            f"{label:<36} " + " ".join(f"{fmt_ratio(p['ratios'].get(k)):>12}" for p in results["panels"].values())
        )
    lines.append("")
    lines.append(f"{'target':<36} " + " ".join(f"{p:>12}" for p in results["panels"]))
    for t in TARGETS:
        cells = []
        for p in results["panels"].values():
            v = p["targets"].get(t)
            cells.append(f"{'n/a' if v is None else ('met' if v else 'NOT MET'):>12}")
        lines.append(f"{t:<36} " + " ".join(cells))
    if results.get("idle_child_rss_mib"):
        lines.append(
            "\n(peak RSS includes the child interpreter with numpy/pandas imported: "
            f"{results['idle_child_rss_mib']:.0f} MiB idle; PySpark's includes its JVM."
            " load = median 1-min load average at the end of the runs,"
            f" on {os.cpu_count()} cores: the machine is shared)"
        )
    for panel, p in results["panels"].items():
        a = p.get("agreement")
        if a and "agreement" in a:
            lines.append(
                f"\nagreement {panel} (categories {a['categories']}): stars equal on {a['stars_equal']:,} of "
                f"{a['cells_compared']:,} cells ({a['agreement']:.4%}); cells only in engine "
                f"{a['cells_only_engine']}, only in pandas {a['cells_only_pandas']}; clusters engine "
                f"{a['clusters_engine']:,} / pandas {a['clusters_pandas']:,}; max |LQ diff| {a['max_abs_lq_diff']:.3g}"
                + (
                    f"; ecomplexity RCA vs engine LQ max rel diff {a['rca_vs_lq_max_rel_diff']:.3g} "
                    f"over {a['rca_cells_compared']:,} cells"
                    if "rca_vs_lq_max_rel_diff" in a
                    else ""
                )
            )
        elif a:
            lines.append(f"\nagreement {panel}: {a}")
    return "\n".join(lines)


def summarise(panel_res: dict[str, Any]) -> None:
    c = panel_res["contenders"]

    def med(name: str) -> float | None:
        return c.get(name, {}).get("median_seconds")

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    d = med("duckdb-engine")
    ecall = c.get("ecomplexity", {}).get("median_call_seconds")
    panel_res["ratios"] = {
        "pandas_over_duckdb": ratio(med("pandas"), d),
        "ecomplexity_over_duckdb": ratio(med("ecomplexity"), d),
        "ecomplexity_call_over_duckdb": ratio(ecall, d),
        "duckdb_over_scan": ratio(d, med("scan-bound")),
        "pyspark_over_duckdb": ratio(med("pyspark-engine"), d),
    }
    r = panel_res["ratios"]
    peak = c.get("duckdb-engine", {}).get("peak_rss_mib")
    panel_res["targets"] = {
        "pandas / duckdb engine >= 5": None if r["pandas_over_duckdb"] is None else r["pandas_over_duckdb"] >= 5,
        "ecomplexity / duckdb engine >= 10": None
        if r["ecomplexity_over_duckdb"] is None
        else r["ecomplexity_over_duckdb"] >= 10,
        "duckdb engine / scan bound <= 2": None if r["duckdb_over_scan"] is None else r["duckdb_over_scan"] <= 2,
        "duckdb engine peak RSS < 4 GiB": None if peak is None else peak < 4096,
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "machine": platform.machine(), "cpus": str(os.cpu_count())}
    for mod in ("clustermap", "ibis", "duckdb", "pyspark", "pandas", "numpy", "pyarrow", "ecomplexity"):
        with contextlib.suppress(Exception):
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
    with contextlib.suppress(Exception):
        from importlib.metadata import version

        out["ecomplexity"] = version("ecomplexity")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="small synthetic panel, 1 repeat (smoke test)")
    ap.add_argument("--repeat", type=int, default=None, help="timings per contender (default 3, --quick 1)")
    ap.add_argument("--panels", default="eu,synthetic")
    ap.add_argument("--contenders", default=",".join(CONTENDERS))
    ap.add_argument("--synthetic", help="synthetic panel Parquet (default benchmarks/data/synthetic_panel.parquet)")
    ap.add_argument("--regenerate", action="store_true", help="regenerate the synthetic panel")
    ap.add_argument("--mirror", help="data mirror (default $CLUSTERMAP_DATA_DIR or ../shared/data)")
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds per timed run")
    ap.add_argument("--no-agreement", action="store_true", help="skip the engine-vs-pandas star check")
    ap.add_argument("--out", help="results JSON (default benchmarks/results/bench_<time>.json)")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    args.panels = [p for p in args.panels.split(",") if p]
    contenders = [c for c in args.contenders.split(",") if c]
    repeat = args.repeat or (1 if args.quick else 3)
    panels = prepare_panels(args)
    idle = run_child({"contender": "idle"}, 120)
    results: dict[str, Any] = {
        "idle_child_rss_mib": idle.get("peak_rss_mib"),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "repeat": repeat,
        "versions": versions(),
        "params": PARAMS,
        "panels": {},
    }
    for panel, info in panels.items():
        pres: dict[str, Any] = {**info, "contenders": {}}
        results["panels"][panel] = pres
        if not args.no_agreement and (panel == "eu" or (args.quick and panel == "synthetic")):
            print(f"[{panel}] agreement check", file=sys.stderr)
            try:
                pres["agreement"] = agreement(panel, info, args.mirror)
            except Exception as exc:
                pres["agreement"] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"  {pres['agreement']}", file=sys.stderr)
        for c in contenders:
            runs = []
            for i in range(repeat):
                spec = {"contender": c, "panel": panel, "mirror": args.mirror, **info}
                r = run_child(spec, args.timeout)
                runs.append(r)
                msg = r.get("error") or f"{r['seconds']:.2f} s, peak {r['peak_rss_mib']:.0f} MiB"
                print(f"[{panel}] {c} run {i + 1}/{repeat}: {msg}", file=sys.stderr)
                if r.get("error") and "timeout" in r["error"]:
                    break
            ok = [r for r in runs if "seconds" in r and not r.get("error")]
            entry: dict[str, Any] = {"runs": runs}
            if ok:
                secs = [r["seconds"] for r in ok]
                entry.update(
                    median_seconds=statistics.median(secs),
                    min_seconds=min(secs),
                    peak_rss_mib=max(r["peak_rss_mib"] for r in ok),
                    categories=ok[0].get("categories"),
                )
                notes = []
                if ok[0].get("categories"):
                    notes.append(f"cats={ok[0]['categories']}({ok[0].get('n_categories')})")
                if c == "ecomplexity":
                    entry["median_call_seconds"] = statistics.median(r["phases"]["call"] for r in ok)
                    entry["median_read_aggregate_seconds"] = statistics.median(
                        r["phases"]["read_and_aggregate"] for r in ok
                    )
                    notes.append(
                        f"read+aggregate {entry['median_read_aggregate_seconds']:.2f} s + ecomplexity() "
                        f"{entry['median_call_seconds']:.2f} s (full complexity: RCA, ECI/PCI, density, COI/COG)"
                    )
                if c == "ecomplexity-rca":
                    notes.append("RCA only, via ComplexityData internals (informational)")
                if c == "pyspark-engine":
                    entry["median_spark_startup"] = statistics.median(r["phases"]["spark_startup"] for r in ok)
                    notes.append(f"+ {entry['median_spark_startup']:.1f} s Spark start-up, not timed")
                if c == "pandas":
                    notes.append(f"read {statistics.median(r['phases']['read'] for r in ok):.2f} s")
                if c == "scan-bound":
                    notes.append("scan + sum by region x year")
                entry["note"] = "; ".join(notes)
            else:
                entry["note"] = "FAILED: " + (runs[-1].get("error", "?")[:300] if runs else "no run")
                entry["peak_rss_mib"] = max((r.get("peak_rss_mib", 0) for r in runs), default=None)
            pres["contenders"][c] = entry
        summarise(pres)
    table = report(results)
    results["table"] = table
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = (
        Path(args.out)
        if args.out
        else RESULTS / (f"bench_{'quick_' if args.quick else ''}{datetime.now().strftime('%Y%m%d_%H%M%S')}.json")
    )
    out.write_text(json.dumps(results, indent=2, default=str))
    print(table)
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
