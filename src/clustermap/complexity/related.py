"""Related clusters of a region: the categories where it has no star yet, ranked by relatedness density.

On one year of a mapping result (region × category employment), :func:`clustermap.complexity.complexity`
gives each cell its ``density`` — the proximity-weighted share of the categories related to ``c`` in which the
region has a revealed comparative advantage (RCA ≥ 1), 0–1 — and each pair of categories its ``proximity``. A
region's *opportunities* are its categories without a star (or without a cell), highest density first; each is
shown with the region's star category closest to it (highest proximity): the cluster it is related to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.complexity import complexity
from clustermap.errors import InputError


def _flag(cells: pd.DataFrame) -> pd.Series:
    if "stars" in cells.columns:
        return cells["stars"].fillna(0) >= 1
    if "strong" in cells.columns:
        return cells["strong"].fillna(False).astype(bool)
    raise InputError("the cells have neither a stars nor a strong column", column="stars")


def year_complexity(cells: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Complexity (cells) and proximity of the region × category employment of one year of a mapping result;
    cells without employment are left out (never read as zero)."""
    frame = cells.loc[cells["year"] == year, ["region", "category", "year", "employment"]]
    frame = frame.rename(columns={"category": "industry"})
    frame = frame[frame["employment"].notna()]
    if frame.empty:
        raise InputError(f"no cells with employment in {year}", column="year", value=year)
    result = complexity(frame, with_proximity=True)
    out = result.cells.astype({"region": str, "industry": str}).rename(columns={"industry": "category"})
    prox = result.proximity.astype({"industry_1": str, "industry_2": str})  # type: ignore[union-attr]
    return out, prox


def related_categories(cells: pd.DataFrame, region: str, year: int, *, top: int = 10) -> dict[str, Any]:
    """A region's clusters and its ``top`` opportunities (no star yet, highest density first).

    Parameters
    ----------
    cells : pandas.DataFrame
        Mapping cells: ``region, category, year, employment`` and ``stars`` (or ``strong``); may hold every
        region and year (only ``year`` is used, over all regions).
    region, year : str, int
        The region and year to describe.
    top : int
        How many opportunities to return.

    Returns
    -------
    dict
        ``region``, ``year``, ``eci`` (the region's economic complexity index over categories), ``clusters``
        (the region's categories with a star: ``category, stars, rca, density, pci``) and ``opportunities``
        (``category, density, rca, pci, cog, related_to, proximity``), each a list of records.
    """
    table, prox = year_complexity(cells, year)
    mine = table[table["region"] == region]
    if mine.empty:
        raise InputError(f"region {region} has no cells with employment in {year}", column="region", value=region)
    year_cells = cells[(cells["year"] == year) & (cells["region"] == region)]
    starred = year_cells.loc[_flag(year_cells), ["category"] + (["stars"] if "stars" in cells.columns else [])]
    has_star = set(starred["category"])
    clusters = starred.merge(mine[["category", "rca", "density", "pci"]], on="category", how="left")
    clusters = clusters.sort_values(["density"], ascending=False)
    candidates = mine[~mine["category"].isin(has_star)].sort_values(["density", "rca"], ascending=False).head(top)
    related_to: list[str | None] = []
    closeness: list[float | None] = []
    p = prox[prox["industry_2"].isin(has_star)]
    for cat in candidates["category"]:
        row = p[p["industry_1"] == cat]
        if row.empty or not np.isfinite(row["proximity"]).any():
            related_to.append(None)
            closeness.append(None)
        else:
            best = row.loc[row["proximity"].idxmax()]
            related_to.append(str(best["industry_2"]))
            closeness.append(float(best["proximity"]))
    opportunities = candidates[["category", "density", "rca", "pci", "cog"]].assign(
        related_to=related_to, proximity=closeness
    )

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        clean = frame.astype(object).where(frame.notna(), None)
        return [
            {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in row.items()}
            for row in clean.to_dict("records")
        ]

    eci = float(mine["eci"].iloc[0])
    return {
        "region": region,
        "year": int(year),
        "eci": eci if np.isfinite(eci) else None,
        "clusters": records(clusters),
        "opportunities": records(opportunities),
    }
