"""Sensitivity of the panorama methodology's productivity and dynamism stars to their unknown cut-offs.

Maps the real Eurostat SBS panel (NUTS-2, persons employed V16110 and wages V13320) with ``panorama`` under a
grid of productivity and dynamism parameters and prints, per setting and for one year, the cells with each
star and the distribution of stars. Used for the table in ``docs/panorama.md``:

    CLUSTERMAP_DATA_DIR=../shared/data python scripts/panorama_sensitivity.py [YEAR]
"""

from __future__ import annotations

import sys

from clustermap.definitions.categories import load_category_set
from clustermap.engines.backends import connect, to_backend
from clustermap.loaders.eurostat_tsv import load_sbs
from clustermap.mapping import map_observations
from clustermap.settings import get_settings

SETTINGS: list[dict[str, object]] = [
    {"productivity_share": 0.10, "dynamism_window": 3, "dynamism_share": 0.10},  # the shipped defaults
    {"productivity_share": 0.05, "dynamism_window": 3, "dynamism_share": 0.05},
    {"productivity_share": 0.20, "dynamism_window": 3, "dynamism_share": 0.20},
    {"productivity_rule": "ratio", "productivity_ratio": 1.1, "dynamism_rule": "ratio", "dynamism_ratio": 1.1},
    {"productivity_rule": "ratio", "productivity_ratio": 1.2, "dynamism_rule": "ratio", "dynamism_ratio": 1.2},
    {"productivity_rule": "ratio", "productivity_ratio": 1.5, "dynamism_rule": "ratio", "dynamism_ratio": 1.5},
    {"productivity_share": 0.10, "dynamism_window": 5, "dynamism_share": 0.10},
    {"productivity_share": 0.10, "dynamism_window": 1, "dynamism_share": 0.10},
]


def main(year: int = 2014) -> None:
    """Print one markdown row per setting."""
    mirror = get_settings().mirror()
    sbs = load_sbs(mirror=mirror, nuts_level=2, wages=True, years=list(range(year - 5, year + 1)))
    con = connect("duckdb")
    obs = to_backend(con, sbs.frame)
    cats = load_category_set("eco-nace2", mirror=mirror)
    print(
        "| setting | cells | productivity ★ | dynamism ★ | clusters (≥ 1 ★) | 1 / 2 / 3 / 4 / 5 ★ "
        "| productivity ★ also size or spec. ★ |"
    )
    print("|---|---|---|---|---|---|---|")
    for params in SETTINGS:
        r = map_observations(obs, categories=cats, methodology="panorama", **params)
        c = r.cells[r.cells["year"] == year]
        dist = " / ".join(str(int((c["stars"] == k).sum())) for k in range(1, 6))
        prod = c["productivity_star"] == 1
        overlap = int((prod & ((c["size_star"] == 1) | (c["specialisation_star"] == 1))).sum())
        label = ", ".join(f"{k}={v}" for k, v in params.items())
        print(
            f"| {label} | {len(c):,} | {int(prod.sum()):,} | {int(c['dynamism_star'].sum()):,} "
            f"| {int((c['stars'] >= 1).sum()):,} | {dist} | {overlap:,} |"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2014)
