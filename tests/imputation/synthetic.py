"""Small synthetic panels with both hierarchies, for the validation and CLI tests (no real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

SECTIONS = {"C": ["C10", "C11", "C12", "C13"], "G": ["G45", "G46", "G47"], "M": ["M69", "M70", "M71"]}


def nuts_panel(
    *, countries: tuple[str, ...] = ("AA", "BB"), years: tuple[int, ...] = (2011, 2012), seed: int = 0
) -> pd.DataFrame:
    """Country → 2 NUTS-1 → 3 NUTS-2 each; sections → divisions; E = size × structure × log-normal noise on the
    leaves, every parent the exact sum; ~12 % of the cells suppressed (``c``), small ones more often."""
    rng = np.random.default_rng(seed)
    rows = []
    for cc in countries:
        leaves = [f"{cc}{k}{j}" for k in (1, 2) for j in (1, 2, 3)]
        size = dict(zip(leaves, rng.lognormal(10, 0.8, len(leaves)), strict=True))
        for year in years:
            cells: dict[tuple[str, str], float] = {}
            for r in leaves:
                for sec, divs in SECTIONS.items():
                    for d in divs:
                        w = 1 + 0.5 * (divs.index(d) + list(SECTIONS).index(sec))
                        cells[(r, d)] = round(size[r] * w * rng.lognormal(0, 0.6) / 40)
            for r in leaves:
                for sec, divs in SECTIONS.items():
                    cells[(r, sec)] = sum(cells[(r, d)] for d in divs)
            codes = [c for sec, divs in SECTIONS.items() for c in (sec, *divs)]
            for parent in [f"{cc}1", f"{cc}2", cc]:
                kids = [r for r in leaves if r.startswith(parent) and len(r) == 4]
                for i in codes:
                    cells[(parent, i)] = sum(cells[(r, i)] for r in kids)
            for (r, i), v in cells.items():
                rows.append((r, i, year, float(v)))
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    small = frame["employment"] < frame["employment"].quantile(0.3)
    p = np.where(small, 0.25, 0.06)
    hide = rng.random(len(frame)) < p
    frame["flag"] = np.where(hide, "c", "")
    frame.loc[hide, "employment"] = np.nan
    return frame


def cbp_panel(*, states: int = 12, seed: int = 0) -> pd.DataFrame:
    """States (no national row) × total → 2-digit → 3-digit NAICS, withheld cells with their CBP size class."""
    from clustermap.classifications.size_classes import load_size_classes

    rng = np.random.default_rng(seed)
    tree = {"31": ["311", "321", "332"], "42": ["423", "424"], "54": ["541"], "62": ["621", "622"]}
    rows = []
    for s in range(1, states + 1):
        st = f"{s:02d}"
        size = rng.lognormal(9, 1.0)
        leaves = {c: round(size * rng.lognormal(0, 0.7)) for kids in tree.values() for c in kids}
        for sec, kids in tree.items():
            rows.append((st, sec, 2011, float(sum(leaves[k] for k in kids))))
        for c, v in leaves.items():
            rows.append((st, c, 2011, float(v)))
        rows.append((st, "total", 2011, float(sum(leaves.values()))))
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    sc = load_size_classes()
    hide = (rng.random(len(frame)) < 0.3) & (frame["industry"] != "total")
    low = sc["low"].to_numpy(dtype=float)
    letters = sc["size_class"].to_numpy()
    pos = np.searchsorted(low, frame["employment"].to_numpy(), side="right") - 1
    frame["size_class"] = np.where(hide, letters[np.clip(pos, 0, len(low) - 1)], "")
    frame["flag"] = np.where(hide, "D", "")
    frame.loc[hide, "employment"] = np.nan
    return frame
