"""Generate a synthetic region × 6-digit NAICS × year panel of US-county size for the mapping benchmarks.

The *shape* comes from the real CBSA × NAICS County Business Patterns file of the data mirror
(``us/cbp/cbp_cbsa_naics_2018_2019.csv.gz``); no real cell value is copied:

* industries: the real 6-digit NAICS 2017 codes of that file (≈ 965); each keeps its real national employment
  share ``w_i`` and its establishments-per-employee ratio ``e_i``;
* region sizes: a log-normal fitted to the real CBSA totals (NAICS ``00``), its scale shifted so that the
  synthetic regions together hold the real national total (counties split the country, CBSAs cover it);
* cell employment: ``S_r · w_i · exp(σ z_ri)`` renormalised so each region sums to its size ``S_r``; ``σ`` is
  the real standard deviation of ``log(E_ri / (S_r w_i))`` over published CBSA cells;
* sparsity: a cell exists with probability ``1 - exp(-k · S_r · w_i · e_i)`` (at least one establishment
  expected), ``k`` calibrated so that, on the real CBSA sizes, the share of published cells equals the real
  one (≈ 22 %); on smaller county-sized regions this gives the sparser county panel;
* suppression: ``--suppressed`` (default 3 %) of the existing cells get a null employment, small cells
  (≤ 3 establishments) six times as often as the others, as disclosure rules do;
* years: region growth ~ N(1 %, 2 %) a year, cell noise persists with a yearly log-normal shock (sd 0.1), the
  existence of a cell jitters a little from year to year.

Cells that do not exist are written as explicit zero rows (``--absent zero``, the default: the full
region × industry × year grid, ≈ 31 M rows at full size — a rectangular panel as an analyst would hold it) or
left out (``--absent missing``: only published or suppressed cells, ≈ 7 M rows).

Output: one Parquet file (one row group batch per year, written year by year so memory stays ~1 GiB) with the
canonical columns ``region, industry, year, employment, establishments`` (string, string, int64, float64,
float64) plus a ``<file>.json`` describing the panel (sizes, sparsity, seed, fitted parameters).

    python benchmarks/make_synthetic_panel.py                      # full size: 3,200 × all codes × 10 years
    python benchmarks/make_synthetic_panel.py --regions 300 --years 2 --out benchmarks/data/quick.parquet
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
CBSA_FILE = Path("us/cbp/cbp_cbsa_naics_2018_2019.csv.gz")


def find_mirror(explicit: str | None) -> Path:
    """The data mirror: ``--mirror``, else ``$CLUSTERMAP_DATA_DIR``, else ``../shared/data`` next to the repo."""
    candidates = []
    if explicit:
        candidates.append(Path(explicit))
    if os.environ.get("CLUSTERMAP_DATA_DIR"):
        candidates.append(Path(os.environ["CLUSTERMAP_DATA_DIR"]))
    candidates += [HERE.parent.parent / "shared" / "data", HERE.parent / ".." / "shared" / "data"]
    for c in candidates:
        if (c / CBSA_FILE).exists():
            return c.resolve()
    raise SystemExit(f"data mirror not found (looked for {CBSA_FILE} under {', '.join(map(str, candidates))})")


def real_shape(mirror: Path) -> dict:
    """Industry shares, establishment ratios, region-size fit, noise sd and density of the real CBSA file."""
    d = pd.read_csv(
        mirror / CBSA_FILE, dtype={"cbsa_code": str, "naics_code": str}, usecols=lambda c: c != "naics_level"
    )
    six = d[d["naics_code"].str.fullmatch(r"\d{6}")]
    totals = d[d["naics_code"] == "00"].set_index(["year", "cbsa_code"])["emp"].astype(float)
    last = int(six["year"].max())
    # industries: union over years; national employment and establishments per code (latest year it occurs)
    six = six.sort_values("year")
    per_ind = six.groupby(["naics_code", "year"]).agg(emp=("emp", "sum"), est=("estab", "sum")).reset_index()
    per_ind = per_ind.drop_duplicates("naics_code", keep="last").set_index("naics_code")
    per_ind["emp"] = per_ind["emp"].clip(lower=1.0)
    w = per_ind["emp"] / per_ind["emp"].sum()
    e = (per_ind["est"] / per_ind["emp"]).clip(upper=1.0)
    # regions: log-normal fit of the CBSA totals (latest year)
    tot_last = totals.loc[last]
    logs = np.log(tot_last.to_numpy())
    # noise of a cell around S_r · w_i, over published cells of the latest year
    cur = six[six["year"] == last]
    cur = cur[cur["emp"] > 0]
    s_r = tot_last.reindex(cur["cbsa_code"]).to_numpy()
    expect = s_r * w.reindex(cur["naics_code"]).to_numpy()
    resid = np.log(cur["emp"].to_numpy() / expect)
    n_cbsa = d["cbsa_code"].nunique()
    density = len(six[six["year"] == last]) / (n_cbsa * six[six["year"] == last]["naics_code"].nunique())
    return {
        "industries": per_ind.index.to_numpy(dtype=object),
        "w": w.to_numpy(),
        "e": e.to_numpy(),
        "log_mu": float(logs.mean()),
        "log_sigma": float(logs.std(ddof=1)),
        "cbsa_sizes": tot_last.to_numpy(),
        "national_total": float(cur["emp"].sum()),
        "noise_sigma": float(resid.std(ddof=1)),
        "density": float(density),
        "n_cbsa": int(n_cbsa),
        "year": last,
    }


def presence_probability(sizes: np.ndarray, w: np.ndarray, e: np.ndarray, k: float) -> np.ndarray:
    return 1.0 - np.exp(-k * np.outer(sizes, w * e))


def calibrate_k(shape: dict) -> float:
    """``k`` such that the expected share of existing cells on the real CBSA sizes equals the real density."""
    lo, hi = 1e-6, 1e6
    for _ in range(80):
        mid = np.sqrt(lo * hi)
        dens = presence_probability(shape["cbsa_sizes"], shape["w"], shape["e"], mid).mean()
        lo, hi = (mid, hi) if dens < shape["density"] else (lo, mid)
    return float(np.sqrt(lo * hi))


def region_codes(n: int) -> np.ndarray:
    """FIPS-like 5-character county codes: state 01…, county 001, 003, … (64 per state)."""
    i = np.arange(n)
    return np.array([f"{s:02d}{c:03d}" for s, c in zip(i // 64 + 1, (i % 64) * 2 + 1, strict=True)], dtype=object)


def generate(args: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    mirror = find_mirror(args.mirror)
    shape = real_shape(mirror)
    rng = np.random.default_rng(args.seed)
    n_real = len(shape["industries"])
    if args.industries and args.industries < n_real:
        pick = np.sort(rng.choice(n_real, size=args.industries, replace=False))
    else:
        pick = np.arange(n_real)
    industries = shape["industries"][pick]
    w = shape["w"][pick] / shape["w"][pick].sum()
    e = shape["e"][pick]
    if args.industries and args.industries > n_real:  # extra made-up codes (not in any category set)
        extra = args.industries - n_real
        industries = np.concatenate([industries, np.array([f"99{i:04d}" for i in range(extra)], dtype=object)])
        w_extra = rng.choice(w, size=extra)
        w = np.concatenate([w, w_extra])
        w = w / w.sum()
        e = np.concatenate([e, rng.choice(e, size=extra)])
    n_reg, n_ind = args.regions, len(industries)
    k = calibrate_k(shape)

    # base state (year independent)
    sizes = np.exp(rng.normal(shape["log_mu"], shape["log_sigma"], size=n_reg))
    sizes *= shape["national_total"] / sizes.sum()
    z = rng.normal(0.0, 1.0, size=(n_reg, n_ind)).astype(np.float32)
    u = rng.random(size=(n_reg, n_ind), dtype=np.float32)
    regions = region_codes(n_reg)
    region_col = pa.array(np.repeat(regions, n_ind), type=pa.string())
    industry_col = pa.array(np.tile(industries, n_reg), type=pa.string())
    first_year = args.first_year
    sigma = shape["noise_sigma"]

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema(
        [
            ("region", pa.string()),
            ("industry", pa.string()),
            ("year", pa.int64()),
            ("employment", pa.float64()),
            ("establishments", pa.float64()),
        ]
    )
    stats = {"rows": 0, "cells": 0, "existing": 0, "suppressed": 0, "zero_rows": 0, "per_year": []}
    tmp = out.with_suffix(".parquet.tmp")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        growth = np.zeros(n_reg)
        for y in range(args.years):
            year = first_year + y
            if y:
                growth += rng.normal(0.01, 0.02, size=n_reg)
                z += rng.normal(0.0, 0.1, size=z.shape).astype(np.float32)  # persistent cell shocks
            s_y = sizes * np.exp(growth)
            p = presence_probability(s_y, w, e, k)
            jitter = rng.normal(0.0, 0.02, size=u.shape).astype(np.float32)
            exists = (u + jitter) < p
            del p, jitter
            raw = np.exp(sigma * z.astype(np.float64)) * w[None, :]
            raw = np.where(exists, raw, 0.0)
            row_sum = raw.sum(axis=1, keepdims=True)
            row_sum[row_sum == 0] = 1.0
            emp = np.rint(raw * (s_y[:, None] / row_sum))
            del raw
            emp = np.where(exists, np.maximum(emp, 1.0), 0.0)
            lam = emp * e[None, :]
            est = np.where(exists, np.maximum(rng.poisson(lam), 1), 0).astype(np.float64)
            del lam
            # suppression: small cells (≤ 3 establishments) six times as likely
            weight = np.where(exists, np.where(est <= 3, 6.0, 1.0), 0.0)
            n_exist = int(exists.sum())
            scale = args.suppressed * n_exist / max(weight.sum(), 1.0)
            supp = rng.random(size=weight.shape) < weight * scale
            del weight
            emp_flat = emp.ravel()
            est_flat = est.ravel()
            supp_flat = supp.ravel()
            if args.absent == "zero":
                keep = None
                n_rows = emp_flat.size
            else:
                keep = exists.ravel()
                n_rows = int(keep.sum())
            emp_arr = pa.array(
                emp_flat if keep is None else emp_flat[keep], mask=supp_flat if keep is None else supp_flat[keep]
            )
            est_arr = pa.array(est_flat if keep is None else est_flat[keep])
            reg = region_col if keep is None else region_col.filter(pa.array(keep))
            ind = industry_col if keep is None else industry_col.filter(pa.array(keep))
            table = pa.table(
                [reg, ind, pa.array(np.full(n_rows, year, dtype=np.int64)), emp_arr, est_arr], schema=schema
            )
            writer.write_table(table, row_group_size=1 << 20)
            ys = {
                "year": year,
                "rows": n_rows,
                "existing_cells": n_exist,
                "suppressed": int(supp.sum()),
                "employment": float(emp[~supp].sum()),
                "density": n_exist / emp.size,
            }
            stats["per_year"].append(ys)
            stats["rows"] += n_rows
            stats["cells"] += int(emp.size)
            stats["existing"] += n_exist
            stats["suppressed"] += ys["suppressed"]
            stats["zero_rows"] += n_rows - n_exist
            del emp, est, supp, exists, table
            print(
                f"  year {year}: {n_rows:,} rows, {ys['density']:.1%} cells exist, {ys['suppressed']:,} suppressed",
                file=sys.stderr,
            )
    tmp.replace(out)
    meta = {
        "file": str(out),
        "seed": args.seed,
        "regions": n_reg,
        "industries": n_ind,
        "years": args.years,
        "first_year": first_year,
        "absent": args.absent,
        "suppressed_share_target": args.suppressed,
        "rows": stats["rows"],
        "grid_cells": stats["cells"],
        "existing_cells": stats["existing"],
        "density": stats["existing"] / stats["cells"],
        "suppressed_cells": stats["suppressed"],
        "suppressed_share_of_existing": stats["suppressed"] / max(stats["existing"], 1),
        "zero_rows": stats["zero_rows"],
        "per_year": stats["per_year"],
        "shape_source": str(mirror / CBSA_FILE),
        "fit": {
            "cbsa_year": shape["year"],
            "n_cbsa": shape["n_cbsa"],
            "region_log_mu": shape["log_mu"],
            "region_log_sigma": shape["log_sigma"],
            "national_total": shape["national_total"],
            "cell_noise_sigma": sigma,
            "cbsa_density": shape["density"],
            "presence_k": k,
        },
        "seconds": round(time.perf_counter() - t0, 1),
        "bytes": out.stat().st_size,
    }
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return meta


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--regions", type=int, default=3200)
    ap.add_argument("--industries", type=int, default=0, help="0 = every real 6-digit code (≈ 965)")
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--first-year", type=int, default=2010)
    ap.add_argument(
        "--absent",
        choices=("zero", "missing"),
        default="zero",
        help="cells that do not exist: explicit zero rows (full grid) or no row",
    )
    ap.add_argument("--suppressed", type=float, default=0.03, help="share of existing cells with null employment")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--mirror", help="data mirror (default $CLUSTERMAP_DATA_DIR or ../shared/data)")
    ap.add_argument("--out", default=str(HERE / "data" / "synthetic_panel.parquet"))
    args = ap.parse_args(argv)
    meta = generate(args)
    print(json.dumps({k: v for k, v in meta.items() if k != "per_year"}, indent=2))


if __name__ == "__main__":
    main()
