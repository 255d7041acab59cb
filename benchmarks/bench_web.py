"""Load benchmark of the web application: locust, headless, on loopback, bounded in users and time.

Starts ``clustermap serve``'s application (uvicorn, one worker unless ``--workers``) on 127.0.0.1 on a free port,
waits until it has warmed up, then runs locust headless against the endpoints a visitor of the site hits most:
the map data (``/api/map-data``, random category, year and metric), the region profile
(``/api/profiles/regions/{code}``) and the category profile (``/api/profiles/categories/{slug}``). Prints p50 /
p95 / p99 latency, throughput and error rate per endpoint and in total, and whether the target holds
(p95 < 100 ms, no errors; set for 2-core machines with locust on the same cores).

    python benchmarks/bench_web.py                           # warehouse/clustermap.duckdb, 200 users, 60 s
    python benchmarks/bench_web.py --warehouse FILE --users 200 --duration 60
    python benchmarks/bench_web.py --build                   # map the real SBS data into a temporary warehouse first

This file is also the locustfile (locust imports it with ``-f``); the part below ``__main__`` drives it.
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, between, task

# ---------------------------------------------------------------------------------------------- locust side

_PLAN = json.loads(os.environ.get("CLUSTERMAP_BENCH_PLAN", "{}"))


class Visitor(FastHttpUser):
    """A visitor of the map: looks at maps, opens region and category profiles."""

    wait_time = between(0.5, 1.5)

    @task(5)
    def map_data(self) -> None:
        self.client.get(
            "/api/map-data?"
            + f"year={random.choice(_PLAN['years'])}&category={random.choice(_PLAN['categories'])}"
            + f"&metric={random.choice(('stars', 'stars', 'lq', 'employment'))}",
            name="/api/map-data",
        )

    @task(3)
    def region_profile(self) -> None:
        self.client.get(f"/api/profiles/regions/{random.choice(_PLAN['regions'])}", name="/api/profiles/regions/{code}")

    @task(2)
    def category_profile(self) -> None:
        self.client.get(
            f"/api/profiles/categories/{random.choice(_PLAN['categories'])}?year={random.choice(_PLAN['years'])}",
            name="/api/profiles/categories/{slug}",
        )


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


def main() -> int:
    import argparse
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, default=None, help="DuckDB warehouse of the main job")
    ap.add_argument("--data-dir", type=Path, default=None, help="data mirror (region names, shapes)")
    ap.add_argument("--build", action="store_true", help="run the main job into a temporary warehouse first")
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=50.0)
    ap.add_argument("--duration", type=int, default=60, help="seconds of load")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--p95-target-ms", type=float, default=100.0)
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

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CLUSTERMAP_WAREHOUSE": str(warehouse),
        "CLUSTERMAP_REGISTRY_URL": f"sqlite:///{tmp / 'registry.sqlite3'}",
    }
    if mirror is not None:
        env["CLUSTERMAP_DATA_DIR"] = str(mirror)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "clustermap.cli.serve:app_from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    try:
        _wait(f"{base}/api", 120)
        deadline = time.monotonic() + 300  # the server pre-computes its answers at start-up
        while not _get(f"{base}/api")["ready"] and time.monotonic() < deadline:
            time.sleep(1)
        warm_s = 300 - (deadline - time.monotonic())
        run = _get(f"{base}/api/runs/latest")
        years = [y for y in run["years"] if y not in run.get("incomplete_years", [])] or run["years"]
        categories = sorted({c["slug"] for c in _get(f"{base}/api/categories") if c["in_results"]})
        regions = sorted({v["region"] for v in _get(f"{base}/api/map-data?year={run['default_year']}")["values"]})
        plan = {"years": years, "categories": categories, "regions": regions}
        print(
            f"server {base} (pid {server.pid}, {args.workers} worker(s)); run {run['run_id']}: {len(regions)} regions, "
            f"{len(categories)} categories, years {years[0]}–{years[-1]}; ready after {warm_s:.0f} s",
            flush=True,
        )
        prefix = str(tmp / "locust")
        cmd = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            __file__,
            "--headless",
            "--host",
            base,
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.duration}s",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ]
        print(
            f"locust: {args.users} users (spawn {args.spawn_rate:g}/s), {args.duration} s, wait 0.5–1.5 s", flush=True
        )
        subprocess.run(
            cmd,
            env={**env, "CLUSTERMAP_BENCH_PLAN": json.dumps(plan)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rows = _percentile_table(prefix + "_stats.csv")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    print()
    heads = ("requests", "errors", "err %", "p50 ms", "p95 ms", "p99 ms", "req/s")
    widths = (9, 7, 6, 7, 7, 7, 7)
    print(f"{'endpoint':36} " + " ".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True)))
    total = None
    for r in rows:
        n, fails = int(r["Request Count"]), int(r["Failure Count"])
        line = (
            f"{r['Name']:36} {n:>9} {fails:>7} {100 * fails / n if n else 0:>6.2f} {float(r['50%']):>7.0f} "
            f"{float(r['95%']):>7.0f} {float(r['99%']):>7.0f} {float(r['Requests/s']):>7.1f}"
        )
        print(line)
        if r["Name"] == "Aggregated":
            total = r
    if total is None:
        print("locust wrote no aggregate row", file=sys.stderr)
        return 1
    n, fails, p95 = int(total["Request Count"]), int(total["Failure Count"]), float(total["95%"])
    ok = p95 < args.p95_target_ms and fails == 0
    print()
    print(
        f"p50 {float(total['50%']):.0f} ms, p95 {p95:.0f} ms, p99 {float(total['99%']):.0f} ms; "
        f"throughput {float(total['Requests/s']):.1f} req/s; error rate {100 * fails / n if n else 0:.2f} % "
        f"({fails} of {n}); target p95 < {args.p95_target_ms:g} ms and 0 errors: {'met' if ok else 'NOT met'}"
    )
    print(f"({os.cpu_count()} CPU(s); locust and the server share them)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
