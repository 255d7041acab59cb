"""Time the loaders of the real data mirror and the region registry build, each in a fresh process, against the
floor of a plain ``pandas.read_csv`` of the same compressed file in the same run; print min / median / max wall
time, peak RSS and the ratio to the floor.

    python benchmarks/bench_loaders.py                 # 3 runs each
    python benchmarks/bench_loaders.py --repeat 5 --only registry,load_sbs

These timings used to be asserts inside unit tests (``< 3 s`` for the registry, ``< 10 s`` for the SBS load);
on a shared 2-core machine such tests fail on load, not on code, so the figures live here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from bench_cli import timed

#: what each contender runs in its own process: ``{mirror}`` is the data mirror's path
SNIPPETS = {
    "floor: pandas.read_csv sbs": (
        "import pandas as pd; pd.read_csv('{mirror}/eu/sbs/sbs_r_nuts06_r2.tsv.gz', sep='\\t', dtype=str)"
    ),
    "read_tsv sbs": (
        "from pathlib import Path; from clustermap.loaders import read_tsv; "
        "read_tsv(Path('{mirror}/eu/sbs/sbs_r_nuts06_r2.tsv.gz'))"
    ),
    "load_sbs": "from pathlib import Path; from clustermap.loaders import load_sbs; load_sbs(mirror=Path('{mirror}'))",
    "load_cbp_state": (
        "from pathlib import Path; from clustermap.loaders import load_cbp_state; "
        "load_cbp_state(mirror=Path('{mirror}'))"
    ),
    "registry": (
        "from pathlib import Path; from clustermap.regions import RegionRegistry, load_nuts_table, load_us_table; "
        "m = Path('{mirror}'); r = RegionRegistry(nuts=load_nuts_table(mirror=m), us=load_us_table(mirror=m)); "
        "r.get('DE11'); r.get('06')"
    ),
}
FLOOR = "floor: pandas.read_csv sbs"


def default_mirror() -> Path:
    """``$CLUSTERMAP_DATA_DIR`` or ``../shared/data`` next to the checkout."""
    env = os.environ.get("CLUSTERMAP_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    """Run every contender ``--repeat`` times, interleaved, and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--mirror", type=Path, default=default_mirror())
    ap.add_argument("--only", default=",".join(SNIPPETS), help="comma-separated contenders")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n]
    if FLOOR not in names:
        names.insert(0, FLOOR)
    runs: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for i in range(args.repeat):
        for name in names:
            code = SNIPPETS[name].format(mirror=args.mirror)
            wall, rss, status = timed([sys.executable, "-c", code], dict(os.environ), timeout=600)
            if status == 0:
                runs[name].append((wall, rss))
            print(f"  run {i + 1} {name:28s} {wall:7.2f} s {rss:7.0f} MiB", flush=True)
    floor = statistics.median(w for w, _ in runs[FLOOR])
    print("\n| contender | min s | median s | max s | peak RSS MiB | median ÷ floor |\n|---|---:|---:|---:|---:|---:|")
    for name in names:
        walls = [w for w, _ in runs[name]]
        if not walls:
            print(f"| {name} | failed | | | | |")
            continue
        med = statistics.median(walls)
        rss = max(r for _, r in runs[name])
        print(f"| {name} | {min(walls):.2f} | {med:.2f} | {max(walls):.2f} | {rss:.0f} | {med / floor:.2f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
