"""The numbers of the dashboards: one region, one category, or up to 10 regions side by side, over the years of a
mapping run (pure functions on the run's cells; the pages draw them with :mod:`clustermap.web.charts`).

Definitions (a value that is confidential, not published or not loaded is ``None`` — never 0):

* ``employment`` — persons employed (SBS V16110). For a region: all its persons employed (``region_total``);
  for a category: the category's European total (``category_total``).
* ``employment_in_categories`` — persons employed summed over the cells with a published or imputed value.
* ``employment_in_clusters`` — the same over the cells with ≥ 1 star (strong for the US rule); 0 when there is no
  cluster, ``None`` when no cluster's employment is known.
* ``growth`` — change of ``employment`` from the previous year with a value, as a fraction per year (compound:
  ``(e1 / e0) ** (1 / (y1 - y0)) - 1``), ``None`` for the first year.
* ``net_jobs`` — ``e1 - e0`` in persons (same years as ``growth``).
* ``jobs_created`` — gross job creation: the sum of the increases of the cells (categories of a region, regions of
  a category) that have a value in both years, in persons; ``None`` when no cell has both.
* ``wages_per_person`` — wages and salaries (SBS V13320, EUR million in the source) over the persons employed of
  the same industries, in EUR per person; only runs that load wages (the panorama methodology) carry them.
* ``establishments`` — local units (SBS V11210), summed over the cells that have them.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clustermap.web.api.cellnotes import finite_number

__all__ = [
    "category_dashboard",
    "growth_rows",
    "region_dashboard",
    "related_categories_by_colocation",
]

#: wages in the source are EUR million (SBS V13320)
WAGES_UNIT = 1e6


def _sum(series: pd.Series) -> float | None:
    """The sum of the known values; ``None`` (not 0) when none is known."""
    known = pd.to_numeric(series, errors="coerce").dropna()
    return float(known.sum()) if len(known) else None


def _wages_per_person(group: pd.DataFrame) -> float | None:
    """Wages over the persons employed of the industries with published wages, summed over the cells, in EUR per
    person. The panorama run's cells carry ``wages`` and ``wages_per_person`` (so the persons are
    ``wages / wages_per_person``); cells straight from the crosswalk carry ``wage_employment``."""
    if "wages" not in group.columns:
        return None
    wages = pd.to_numeric(group["wages"], errors="coerce")
    if "wage_employment" in group.columns:
        persons = pd.to_numeric(group["wage_employment"], errors="coerce")
    elif "wages_per_person" in group.columns:
        per = pd.to_numeric(group["wages_per_person"], errors="coerce")
        persons = wages / per.where(per > 0)
    else:
        return None
    known = wages.notna() & persons.notna() & (persons > 0)
    if not known.any():
        return None
    return float(wages[known].sum()) * WAGES_UNIT / float(persons[known].sum())


def _in_clusters(group: pd.DataFrame) -> float | None:
    """Persons employed in the cells with ≥ 1 star (or strong, for the US rule): 0 when no cell is a cluster,
    ``None`` when every cluster's employment is unknown."""
    if "stars" in group.columns:
        flag = pd.to_numeric(group["stars"], errors="coerce").fillna(0) >= 1
    elif "strong" in group.columns:
        flag = group["strong"].fillna(False).astype(bool)
    else:
        return None
    if not flag.any():
        return 0.0
    return _sum(group.loc[flag, "employment"])


def growth_rows(rows: list[dict[str, Any]], per_cell: dict[int, pd.Series] | None = None) -> list[dict[str, Any]]:
    """Add ``growth``, ``net_jobs`` and ``jobs_created`` to ``rows`` (dicts with ``year`` and ``employment``,
    sorted by year). ``per_cell`` maps a year to the employment of each cell (index: the cell's key) for the
    gross job creation."""
    prev: dict[str, Any] | None = None
    for row in rows:
        row["growth"] = row["net_jobs"] = row["jobs_created"] = None
        e1 = finite_number(row.get("employment"))
        if prev is not None and e1 is not None:
            e0 = finite_number(prev["employment"])
            span = int(row["year"]) - int(prev["year"])
            if e0 is not None and e0 > 0 and span > 0:
                row["growth"] = (e1 / e0) ** (1 / span) - 1
                row["net_jobs"] = e1 - e0
            if per_cell is not None and prev["year"] in per_cell and row["year"] in per_cell:
                both = pd.concat([per_cell[prev["year"]], per_cell[row["year"]]], axis=1, join="inner").dropna()
                if len(both):
                    change = both.iloc[:, 1] - both.iloc[:, 0]
                    row["jobs_created"] = float(change[change > 0].sum())
        if e1 is not None:
            prev = row
    return rows


def _per_year(cells: pd.DataFrame, total_column: str, cell_key: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    per_cell: dict[int, pd.Series] = {}
    for year, group in cells.groupby("year", sort=True):
        y = int(year)  # type: ignore[call-overload]
        totals = pd.to_numeric(group[total_column], errors="coerce").dropna() if total_column in group else None
        est = _sum(group["establishments"]) if "establishments" in group.columns else None
        rows.append(
            {
                "year": y,
                "employment": float(totals.iloc[0]) if totals is not None and len(totals) else None,
                "employment_in_categories": _sum(group["employment"]),
                "employment_in_clusters": _in_clusters(group),
                "wages_per_person": _wages_per_person(group),
                "establishments": est,
            }
        )
        per_cell[y] = pd.to_numeric(group.set_index(cell_key)["employment"], errors="coerce")
    return growth_rows(rows, per_cell)


def region_dashboard(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """One region's cells (every year) → one row per year (see the module's definitions); the growth and job
    creation compare the region's categories."""
    return _per_year(cells, "region_total", "category")


def category_dashboard(cells: pd.DataFrame) -> list[dict[str, Any]]:
    """One category's cells (every region and year) → one row per year; the job creation compares regions."""
    return _per_year(cells, "category_total", "region")


def related_categories_by_colocation(year_cells: pd.DataFrame, category: str, *, top: int = 10) -> list[dict[str, Any]]:
    """Categories that co-locate with ``category`` in one year: among the regions where ``category`` has a
    cluster (≥ 1 star, or strong for the US rule), the share where the other category has one too.

    Returns ``category, category_name, regions_both, share`` (0–1), highest share first; ``[]`` when the
    category has no cluster that year."""
    flag = (
        year_cells["stars"].fillna(0) >= 1
        if "stars" in year_cells.columns
        else year_cells["strong"].fillna(False).astype(bool)
    )
    starred = year_cells.loc[flag, ["region", "category", "category_name"]]
    mine = set(starred.loc[starred["category"] == category, "region"])
    if not mine:
        return []
    others = starred[(starred["category"] != category) & starred["region"].isin(mine)]
    counts = others.groupby(["category", "category_name"]).size().reset_index(name="regions_both")
    counts["share"] = counts["regions_both"] / len(mine)
    counts = counts.sort_values(["share", "category"], ascending=[False, True]).head(top)
    return [
        {
            "category": str(r.category),
            "category_name": str(r.category_name),
            "regions_both": int(r.regions_both),
            "share": float(r.share),
        }
        for r in counts.itertuples()
    ]
