"""Load benchmark of the web application under real traffic: locust, headless, on loopback, bounded in users
and time, with a baseline in the same run.

Starts ``clustermap serve``'s application (uvicorn, ``--workers`` processes sharing one read-only warehouse) on
127.0.0.1 on a free port, waits until it has warmed up, then runs locust headless with users that send requests
back to back, **spread over every year, category, region and metric** so that most answers are not in the
response cache:

* ``/api/map-data`` — a random year, category and metric (stars, lq, employment, share);
* ``/api/profiles/regions/{code}`` — a random region in a random year of its own;
* ``/api/profiles/categories/{slug}`` — a random category and year, a random ranking length;
* ``/api/compare`` — 2–4 random regions, a random year and value;
* ``/api/results?format=csv`` — a filtered download (a year and a category, or a region and a year).

The same server then gets the **baseline** load: the same mix on a handful of URLs only (response cache hits).
``--previous-src DIR`` adds a third phase: the spread load against the application of another source tree
(e.g. the main branch before this change), started the same way. For each phase it prints requests, errors,
p50 / p95 / p99 latency, throughput and the server's peak RSS (all its processes), then the ratios to the
baseline. The target (issue 12): ≥ 1,000 req/s at p95 < 100 ms, 0 errors, bounded RSS, on 2 cores with locust
on the same cores.

    python benchmarks/bench_web.py --warehouse FILE                 # 100 users, 30 s per phase, 1 worker
    python benchmarks/bench_web.py --warehouse FILE --workers 2 --previous-src ../main/src
    python benchmarks/bench_web.py --build                          # map the real SBS data first

This file is also the locustfile (locust imports it with ``-f``); the part below ``__main__`` drives it.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, constant, task

# ---------------------------------------------------------------------------------------------- locust side

_PLAN = json.loads(os.environ.get("CLUSTERMAP_BENCH_PLAN", "{}"))
_METRICS = ("stars", "stars", "lq", "employment", "share")
_VALUES = ("stars", "lq", "employment", "share")


def _pick(key: str) -> object:
    return random.choice(_PLAN[key])


class Visitor(FastHttpUser):
    """A visitor who never waits: maps, region and category profiles, comparisons and downloads, each with
    parameters drawn from the whole run (or, for the baseline, from a few fixed ones)."""

    wait_time = constant(0)

    @task(5)
    def map_data(self) -> None:
        self.client.get(
            f"/api/map-data?year={_pick('years')}&category={_pick('categories')}&metric={random.choice(_METRICS)}",
            name="/api/map-data",
        )

    @task(3)
    def region_profile(self) -> None:
        code = _pick("regions")
        year = random.choice(_PLAN["region_years"][code])
        self.client.get(f"/api/profiles/regions/{code}?year={year}", name="/api/profiles/regions/{code}")

    @task(2)
    def category_profile(self) -> None:
        self.client.get(
            f"/api/profiles/categories/{_pick('categories')}?year={_pick('years')}&top={random.choice((10, 20, 50))}",
            name="/api/profiles/categories/{slug}",
        )

    @task(1)
    def compare(self) -> None:
        codes = ",".join(random.sample(_PLAN["regions"], min(len(_PLAN["regions"]), random.randint(2, 4))))
        self.client.get(
            f"/api/compare?regions={codes}&year={_pick('years')}&value={random.choice(_VALUES)}", name="/api/compare"
        )

    @task(1)
    def download(self) -> None:
        if random.random() < 0.5:
            query = f"year={_pick('years')}&category={_pick('categories')}"
        else:
            code = _pick("regions")
            query = f"region={code}&year={random.choice(_PLAN['region_years'][code])}"
        self.client.get(f"/api/results?format=csv&limit=1000&{query}", name="/api/results?format=csv")


# ---------------------------------------------------------------------------------------------- the driver


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")
        time.sleep(0.3)


def _get(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def _percentile_table(stats_csv: str) -> list[dict[str, str]]:
    import csv

    with open(stats_csv, newline="") as fh:
        return list(csv.DictReader(fh))


class _Server:
    """``uvicorn clustermap.cli.serve:app_from_env`` in a subprocess, and the peak RSS of its processes."""

    def __init__(self, env: dict[str, str], workers: int) -> None:
        import subprocess
        import sys

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "clustermap.cli.serve:app_from_env",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )
        self.peak_rss = 0
        self._stop = False

    def rss(self) -> int:
        """Bytes resident in the server and its worker processes now."""
        import contextlib

        import psutil

        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def watch(self) -> None:
        """Sample the RSS every 0.25 s until :meth:`stop_watching` (run in a thread)."""
        import time

        self._stop = False
        self.peak_rss = self.rss()
        while not self._stop:
            self.peak_rss = max(self.peak_rss, self.rss())
            time.sleep(0.25)

    def stop_watching(self) -> None:
        self._stop = True

    def ready(self, timeout: float = 300) -> float:
        """Wait until the server answers and has pre-computed its answers; seconds waited."""
        import time

        start = time.monotonic()
        _wait(f"{self.base}/api", 120)
        while not _get(f"{self.base}/api")["ready"] and time.monotonic() - start < timeout:
            time.sleep(1)
        return time.monotonic() - start

    def close(self) -> None:
        import subprocess

        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _plan(base: str) -> dict[str, object]:
    """Years, categories, regions (with their years) of the published run, from the API."""
    run = _get(f"{base}/api/runs/latest")
    years = list(run["years"])
    categories = sorted({c["slug"] for c in _get(f"{base}/api/categories") if c["in_results"]})
    regions = sorted({v["region"] for y in years for v in _get(f"{base}/api/map-data?year={y}")["values"]})
    region_years: dict[str, list[int]] = {}
    for y in years:
        for v in _get(f"{base}/api/map-data?year={y}")["values"]:
            region_years.setdefault(v["region"], []).append(y)
    return {
        "run_id": run["run_id"],
        "years": years,
        "categories": categories,
        "regions": regions,
        "region_years": region_years,
    }


def _hits_plan(plan: dict[str, object]) -> dict[str, object]:
    """The baseline: the same mix on two years, two categories and three regions (answers from the cache)."""
    years = list(plan["years"])[-2:]  # type: ignore[arg-type]
    regions = [r for r in plan["regions"] if set(years) <= set(plan["region_years"][r])][:3]  # type: ignore[index,union-attr]
    return {
        **plan,
        "years": years,
        "categories": list(plan["categories"])[:2],  # type: ignore[arg-type]
        "regions": regions,
        "region_years": {r: years for r in regions},
    }


def _load(server: _Server, plan: dict[str, object], args: object, prefix: str) -> dict[str, str] | None:
    """One locust run against ``server``; the aggregate row of its statistics (``None`` if locust wrote none)."""
    import subprocess
    import sys
    import threading

    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        __file__,
        "--headless",
        "--host",
        server.base,
        "-u",
        str(args.users),  # type: ignore[attr-defined]
        "-r",
        str(args.spawn_rate),  # type: ignore[attr-defined]
        "-t",
        f"{args.duration}s",  # type: ignore[attr-defined]
        "--csv",
        prefix,
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "5",
    ]
    watcher = threading.Thread(target=server.watch, daemon=True)
    watcher.start()
    try:
        subprocess.run(
            cmd,
            env={**os.environ, "CLUSTERMAP_BENCH_PLAN": json.dumps(plan)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        server.stop_watching()
        watcher.join(timeout=5)
    rows = _percentile_table(prefix + "_stats.csv")
    for r in rows:
        print(_row(r["Name"], r))
    return next((r for r in rows if r["Name"] == "Aggregated"), None)


_HEADS = ("requests", "errors", "err %", "p50 ms", "p95 ms", "p99 ms", "req/s")


def _row(name: str, r: dict[str, str]) -> str:
    n, fails = int(r["Request Count"]), int(r["Failure Count"])
    return (
        f"  {name:34} {n:>9} {fails:>7} {100 * fails / n if n else 0:>6.2f} {float(r['50%']):>7.0f} "
        f"{float(r['95%']):>7.0f} {float(r['99%']):>7.0f} {float(r['Requests/s']):>7.1f}"
    )


def main() -> int:
    import argparse
    import sys
    import tempfile
    from pathlib import Path

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, default=None, help="DuckDB warehouse of the main job")
    ap.add_argument("--data-dir", type=Path, default=None, help="data mirror (region names, shapes)")
    ap.add_argument("--build", action="store_true", help="run the main job into a temporary warehouse first")
    ap.add_argument("--users", type=int, default=100, help="locust users, each sending requests back to back")
    ap.add_argument("--spawn-rate", type=float, default=100.0)
    ap.add_argument("--duration", type=int, default=30, help="seconds of load per phase")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--previous-src", type=Path, default=None, help="source tree of the code to compare with")
    ap.add_argument("--no-baseline", action="store_true", help="skip the cache-hits baseline")
    ap.add_argument("--p95-target-ms", type=float, default=100.0)
    ap.add_argument("--rps-target", type=float, default=1000.0)
    args = ap.parse_args()

    from clustermap.settings import get_settings

    settings = get_settings()
    mirror = args.data_dir or settings.mirror()
    tmp = Path(tempfile.mkdtemp(prefix="clustermap-bench-web-"))
    warehouse = args.warehouse or settings.warehouse
    if args.build:
        from clustermap.jobs import run_main_job
        from clustermap.warehouse import Warehouse

        warehouse = tmp / "wh.duckdb"
        print(f"building {warehouse} with the main job …", flush=True)
        with Warehouse(warehouse) as wh:
            run_main_job(wh, mirror=mirror)
    if not Path(warehouse).exists():
        print(f"no warehouse at {warehouse}: run `clustermap run` first, or pass --build", file=sys.stderr)
        return 2

    env = {
        **os.environ,
        "CLUSTERMAP_WAREHOUSE": str(warehouse),
        "CLUSTERMAP_REGISTRY_URL": f"sqlite:///{tmp / 'registry.sqlite3'}",
    }
    if mirror is not None:
        env["CLUSTERMAP_DATA_DIR"] = str(mirror)
    print(f"locust: {args.users} users without waits, {args.duration} s per phase; {os.cpu_count()} CPU(s) shared")
    print(f"  {'endpoint':34} " + " ".join(f"{h:>{w}}" for h, w in zip(_HEADS, (9, 7, 6, 7, 7, 7, 7), strict=True)))
    results: dict[str, tuple[dict[str, str], int]] = {}
    server = _Server(env, args.workers)
    try:
        warm = server.ready()
        plan = _plan(server.base)
        print(
            f"server (pid {server.proc.pid}, {args.workers} worker(s)), ready after {warm:.0f} s, RSS "
            f"{server.rss() / 2**20:.0f} MiB; run {plan['run_id']}: {len(plan['regions'])} regions, "  # type: ignore[arg-type]
            f"{len(plan['categories'])} categories, years {plan['years'][0]}–{plan['years'][-1]}",  # type: ignore[index,arg-type]
            flush=True,
        )
        print("phase spread (this code; requests over every year, category, region and metric):", flush=True)
        total = _load(server, plan, args, str(tmp / "spread"))
        if total is not None:
            results["spread"] = (total, server.peak_rss)
        if not args.no_baseline:
            print("phase hits (baseline: the same mix on a few URLs, answered from the response cache):", flush=True)
            total = _load(server, _hits_plan(plan), args, str(tmp / "hits"))
            if total is not None:
                results["hits"] = (total, server.peak_rss)
    finally:
        server.close()
    if args.previous_src is not None:
        prev_env = {**env, "PYTHONPATH": str(args.previous_src.resolve())}
        server = _Server(prev_env, args.workers)
        try:
            warm = server.ready()
            print(f"phase previous ({args.previous_src}; the spread load), ready after {warm:.0f} s:", flush=True)
            total = _load(server, plan, args, str(tmp / "previous"))
            if total is not None:
                results["previous"] = (total, server.peak_rss)
        finally:
            server.close()

    if "spread" not in results:
        print("locust wrote no aggregate row", file=sys.stderr)
        return 1
    print()
    for phase, (r, rss) in results.items():
        n, fails = int(r["Request Count"]), int(r["Failure Count"])
        print(
            f"{phase:9} {float(r['Requests/s']):8.1f} req/s  p50 {float(r['50%']):5.0f} ms  p95 "
            f"{float(r['95%']):5.0f} ms  p99 {float(r['99%']):5.0f} ms  errors {fails} of {n}  "
            f"server peak RSS {rss / 2**20:.0f} MiB"
        )
    spread = results["spread"][0]
    for other in ("hits", "previous"):
        if other in results:
            o = results[other][0]
            rps = float(spread["Requests/s"]) / max(float(o["Requests/s"]), 1e-9)
            p95 = float(spread["95%"]) / max(float(o["95%"]), 1e-9)
            print(f"spread / {other}: throughput × {rps:.2f}, p95 × {p95:.2f}")
    rps, p95, fails = float(spread["Requests/s"]), float(spread["95%"]), int(spread["Failure Count"])
    ok = rps >= args.rps_target and p95 < args.p95_target_ms and fails == 0
    print(
        f"target ≥ {args.rps_target:g} req/s at p95 < {args.p95_target_ms:g} ms, 0 errors (spread load): "
        f"{'met' if ok else 'NOT met'} on this machine ({os.cpu_count()} CPU(s), locust on the same cores)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
