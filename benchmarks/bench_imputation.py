"""Benchmark the suppression policies: accuracy on the real mirrors, and the speed of ``two-way``.

Records, in ``benchmarks/results/imputation_<timestamp>.json`` (git-ignored) and on screen:

* **accuracy** — ``clustermap.analyses.imputation_check`` (the masking experiment behind ``clustermap impute
  --validate``) on the Eurostat regional SBS panel (``sbs_r_nuts06_r2`` V16110, NUTS 0–2 × sections, divisions
  and G groups, 2008–2015) and on US County Business Patterns by state (all NAICS levels and the state totals,
  2000–2011): per dataset, year and policy the MdAPE, the weighted error, the Spearman rank correlation and how
  many stars change against the unmasked map;
* **speed** — ``impute_two_way`` on the real SBS panel, and on synthetic panels of 300 regions × 100 industries ×
  8 years with both hierarchies (NUTS 0 → 1 → 2, sections → divisions), in two shapes: one country of 300 regions
  (one block of ~4,000 unknowns per year) and ten countries of 30 (ten blocks per year). Target: under a minute.

    python benchmarks/bench_imputation.py                 # everything (~2–4 min on 2 cores)
    python benchmarks/bench_imputation.py --only speed    # synthetic timings only (no mirror needed)
    python benchmarks/bench_imputation.py --mask-share 0.1 --seed 1 --cbp-years 2009-2011

The mirror is found with ``--mirror DIR``, ``$CLUSTERMAP_DATA_DIR`` or ``../shared/data`` beside the checkout.
Nothing read from the mirror is written anywhere but the results file (scores and counts only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGET_SECONDS = 60.0


def find_mirror(explicit: str | None) -> Path:
    candidates = [Path(explicit)] if explicit else []
    if os.environ.get("CLUSTERMAP_DATA_DIR"):
        candidates.append(Path(os.environ["CLUSTERMAP_DATA_DIR"]))
    candidates.append(HERE.parent.parent / "shared" / "data")
    for c in candidates:
        if (c / "eu" / "sbs").is_dir():
            return c
    raise SystemExit(f"data mirror not found (looked in {', '.join(map(str, candidates))}); use --mirror DIR")


def _years(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


# ------------------------------------------------------------------------------------------------ synthetic


def synthetic_panel(
    *, countries: int, regions_per_country: int, years: int = 8, seed: int = 0, suppressed: float = 0.15
) -> pd.DataFrame:
    """``countries`` × (1 NUTS 0 + k NUTS 1 + the rest NUTS 2) regions × (10 sections + 90 divisions) × ``years``.

    Leaf cells (NUTS 2 × division) are regional size × national industry structure × log-normal noise (σ 0.8),
    rounded to whole persons; every parent is the exact sum of its children; ``suppressed`` of the cells are
    confidential (``c``), small cells three times as often as large ones, at every level.
    """
    rng = np.random.default_rng(seed)
    sections = [chr(ord("A") + k) for k in range(10)]
    divisions = {s: [f"{s}{10 + 9 * k + j}" for j in range(9)] for k, s in enumerate(sections)}
    frames = []
    for c in range(countries):
        cc = chr(ord("A") + c // 26) + chr(ord("A") + c % 26)
        n1 = max(1, round((regions_per_country - 1) ** 0.5 / 1.5))
        n2 = regions_per_country - 1 - n1
        nuts1 = [f"{cc}{k + 1:X}" if k < 9 else f"{cc}{chr(ord('A') + k - 9)}" for k in range(n1)]
        nuts2 = [
            f"{nuts1[k % n1]}{k // n1 + 1:X}" if k // n1 < 9 else f"{nuts1[k % n1]}{chr(55 + k // n1)}"
            for k in range(n2)
        ]
        size = rng.lognormal(10, 1.0, n2)
        weight = {d: rng.lognormal(0, 1.0) for s in sections for d in divisions[s]}
        for year in range(2008, 2008 + years):
            growth = rng.lognormal(0, 0.05, n2)
            leaf = np.array(
                [
                    [
                        size[r] * growth[r] * weight[d] * rng.lognormal(0, 0.8) / 20
                        for s in sections
                        for d in divisions[s]
                    ]
                    for r in range(n2)
                ]
            ).round()
            divs = [d for s in sections for d in divisions[s]]
            sec = np.stack([leaf[:, 9 * k : 9 * k + 9].sum(axis=1) for k in range(10)], axis=1)
            table = np.concatenate([sec, leaf], axis=1)  # NUTS 2 × (sections, divisions)
            codes = sections + divs
            parent_of = np.array([nuts1.index(r[:-1]) for r in nuts2])
            t1 = np.stack([table[parent_of == k].sum(axis=0) for k in range(n1)])
            t0 = table.sum(axis=0, keepdims=True)
            regs = [cc, *nuts1, *nuts2]
            values = np.concatenate([t0, t1, table])
            frames.append(
                pd.DataFrame(
                    {
                        "region": np.repeat(regs, len(codes)),
                        "industry": np.tile(codes, len(regs)),
                        "year": year,
                        "employment": values.ravel(),
                    }
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    small = frame["employment"] < frame["employment"].median()
    p = np.where(small, 1.5 * suppressed, 0.5 * suppressed)
    hide = rng.random(len(frame)) < p
    frame["flag"] = np.where(hide, "c", "")
    frame.loc[hide, "employment"] = np.nan
    return frame


def speed(seed: int) -> list[dict[str, Any]]:
    from clustermap.imputation import impute_two_way

    rows = []
    for label, countries, per in (("one country of 300 regions", 1, 300), ("ten countries of 30 regions", 10, 30)):
        frame = synthetic_panel(countries=countries, regions_per_country=per, seed=seed)
        t0 = time.perf_counter()
        res = impute_two_way(frame)
        seconds = time.perf_counter() - t0
        rows.append(
            {
                "panel": f"synthetic: {label} × 100 industries × 8 years",
                "cells": len(frame),
                "unknown": res.stats["unknown"],
                "filled": res.stats["filled"],
                "constraints": res.stats["constraints"],
                "seconds": round(seconds, 2),
                "seconds_build": res.stats["seconds_build"],
                "seconds_solve": res.stats["seconds_solve"],
                "under_target": seconds < TARGET_SECONDS,
            }
        )
        print(f"{rows[-1]['panel']}: {seconds:.1f} s ({res.stats})", flush=True)
    return rows


# ------------------------------------------------------------------------------------------------ real data


def sbs_frame(mirror: Path) -> pd.DataFrame:
    from clustermap.loaders.eurostat import load_sbs

    return load_sbs(nuts_level=None, mirror=mirror).frame


def cbp_frame(mirror: Path, years: list[int]) -> pd.DataFrame:
    from clustermap.loaders.cbp import load_cbp_state, load_cbp_state_totals

    cells = load_cbp_state(years=years, naics_digits=None, mirror=mirror).frame
    totals = load_cbp_state_totals(years=years, mirror=mirror)
    totals = totals.rename(columns={"total": "employment"}).assign(industry="total", flag="", size_class="")
    return pd.concat([cells, totals], ignore_index=True)


def accuracy(name: str, frame: pd.DataFrame, *, mask_share: float, seed: int) -> dict[str, Any]:
    from clustermap.analyses.imputation_check import format_validation, validate
    from clustermap.imputation import impute_two_way

    t0 = time.perf_counter()
    full = impute_two_way(frame)
    t_full = time.perf_counter() - t0
    print(
        f"{name}: two-way on the whole panel ({len(frame):,} cells, {full.stats['unknown']:,} unknown): "
        f"{t_full:.1f} s; {full.stats}",
        flush=True,
    )
    t0 = time.perf_counter()
    res = validate(frame, mask_share=mask_share, seed=seed, dataset=name)
    text = format_validation(res)
    print(text, flush=True)
    return {
        "dataset": name,
        "cells": len(frame),
        "two_way_full_panel": {**full.stats, "seconds": round(t_full, 2)},
        "relaxed_totals": full.relaxations[~full.relaxations["tolerated"]].to_dict("records"),
        "families_not_additive": full.dropped_families.to_dict("records"),
        "validation_seconds": round(time.perf_counter() - t0, 1),
        "settings": res.settings,
        "per_year": res.table.to_dict("records"),
        "overall": res.overall.to_dict("records"),
        "printed": text,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror")
    ap.add_argument("--only", choices=["speed", "accuracy"], default=None)
    ap.add_argument("--mask-share", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cbp-years", default="2000-2011")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    record: dict[str, Any] = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "mask_share": args.mask_share,
        "seed": args.seed,
    }
    if args.only in (None, "speed"):
        record["speed"] = speed(args.seed)
    if args.only in (None, "accuracy"):
        mirror = find_mirror(args.mirror)
        record["accuracy"] = [
            accuracy("eu-sbs", sbs_frame(mirror), mask_share=args.mask_share, seed=args.seed),
            accuracy(
                "us-cbp-state", cbp_frame(mirror, _years(args.cbp_years)), mask_share=args.mask_share, seed=args.seed
            ),
        ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"imputation_{datetime.now(UTC):%Y%m%d_%H%M%S}.json"
    out.write_text(json.dumps(record, indent=1, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
