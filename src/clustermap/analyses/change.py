"""Change over time between two years (SEC(2008) 2637 section 1.4: "the number and weight of the measured
clusters is not stable over time").

The two years must be mapped on one region set: harmonise the panel to one NUTS version before mapping
(:func:`clustermap.regions.harmonise`; :func:`clustermap.analyses.inputs.eu_mapping` does it by default).
Comparisons use the regions present in both years and the categories present in both.

A confidential or missing cell is never read as 0:

* a cell present in one year only (not published, nor imputable, in the other) is **not comparable**: it is
  listed with the change ``not comparable`` and its unknown employment left empty, never counted as
  "disappeared" or as a fall to 0, and it stays out of every growth total (the counts are in ``attrs``);
* a cell whose inputs carry a Eurostat flag ``b`` (break in series), ``i`` (see metadata: e.g. partial
  coverage) or ``u`` (low reliability) in either year is **flagged**: marked in the cell listings, left out of
  the growth of categories and regions (counted);
* a cell resting on imputed inputs keeps its imputed value and says so (``imputed_from``, ``imputed_to``); the
  growth of a category or region states its **coverage** — the published (not imputed) share of its employment,
  the smaller of the two years — and is not ranked under ``min_coverage`` (default 50 %).

Kinds of change of a region × category cell, from ``s0`` stars to ``s1`` stars:

``emerged``         0 → ≥ 1 (a new regional cluster)
``disappeared``     ≥ 1 → 0
``gained``          ≥ 1 → more stars
``lost``            ≥ 1 → fewer stars, still ≥ 1
``unchanged``       the same number ≥ 1
``none``            0 → 0
``not comparable``  the cell is present in one of the two years only
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import MissingInputError, cells_frame, define

__all__ = [
    "CHANGE_KINDS",
    "change_summary",
    "cluster_shares_by_year",
    "employment_growth",
    "star_changes",
    "transition_matrix",
]

CHANGE_KINDS = ("emerged", "disappeared", "gained", "lost", "unchanged", "none")
NOT_COMPARABLE = "not comparable"
#: Eurostat flags that make a year-to-year comparison unsafe: break in series, see metadata, low reliability
UNSAFE_FLAGS = ("b", "i", "u")
#: the smallest published share of a group's employment for its growth to be ranked
MIN_COVERAGE = 0.5

define(
    "star_transition",
    "Star transition matrix",
    "Number of region × category cells with s0 stars in the first year (rows) and s1 stars in the second "
    "(columns), over the regions and categories present in both years.",
    "cells",
)
define(
    "employment_growth",
    "Employment growth",
    "E1 / E0 − 1 between the two years over the cells present in both years and not flagged b, i or u in "
    "either; the annual rate is (E1/E0)^(1/(y1−y0)) − 1. Coverage is the published (not imputed) share of the "
    "group's employment (the smaller of the two years); a group under the minimum coverage is not ranked.",
    "share per period, share per year",
)
define(
    "cluster_share_by_year",
    "Share of employment in clusters, by year",
    "Employment in regional clusters (≥ 1 star) and in strong clusters (LQ > 2) over total employment, per "
    "year, on the regions present in every year compared.",
    "share (0-1)",
)


def _kind(s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    return np.select(
        [
            (s0 == 0) & (s1 >= 1),
            (s0 >= 1) & (s1 == 0),
            (s0 >= 1) & (s1 > s0),
            (s1 >= 1) & (s1 < s0),
            (s0 >= 1) & (s1 == s0),
        ],
        ["emerged", "disappeared", "gained", "lost", "unchanged"],
        default="none",
    )


def _with_trust_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells with ``imputed_employment`` (0 if absent: a run on published cells), ``flags`` (``""`` if
    absent) and ``unsafe`` (a flag of :data:`UNSAFE_FLAGS` among the cell's flags)."""
    frame = frame.copy()
    if "imputed_employment" not in frame.columns:
        frame["imputed_employment"] = 0.0
    frame["imputed_employment"] = frame["imputed_employment"].astype("float64").fillna(0.0)
    if "imputed" in frame.columns:
        frame["imputed"] = frame["imputed"].fillna(False).astype(bool)
    else:
        frame["imputed"] = frame["imputed_employment"] > 0
    for col in ("employment_low", "employment_high"):  # a run without bounds: published cells are their own
        if col not in frame.columns:
            frame[col] = frame["employment"].where(~frame["imputed"])
    flags = frame["flags"].fillna("").astype(str) if "flags" in frame.columns else pd.Series("", index=frame.index)
    frame["flags"] = flags
    frame["unsafe"] = flags.map(lambda f: any(c in UNSAFE_FLAGS for c in f.split(",")))
    return frame


def _pair(a: pd.DataFrame, b: pd.DataFrame, keep: list[str]) -> pd.DataFrame:
    """Both years of every cell (outer join on region × category): ``present`` (in both years), ``flagged``
    (b, i or u in either year), ``imputed_from/_to`` (bool) and the ``keep`` columns suffixed _from/_to."""
    trust = ["imputed", "imputed_employment", "employment_low", "employment_high", "flags", "unsafe"]
    cols = ["region", "category", *dict.fromkeys([*keep, "employment"]), *trust]
    m = a[cols].merge(b[cols], on=["region", "category"], how="outer", suffixes=("_from", "_to"), indicator=True)
    m["present"] = m["_merge"] == "both"
    m["flagged"] = m["unsafe_from"].fillna(False).astype(bool) | m["unsafe_to"].fillna(False).astype(bool)
    for side in ("from", "to"):
        m[f"imputed_{side}"] = m[f"imputed_{side}"].fillna(False).astype(bool)
        m[f"flags_{side}"] = m[f"flags_{side}"].fillna("")
    # an imputed year whose published bounds overlap the other year's: the data do not say which way it went
    lo0, hi0, lo1, hi1 = (m[f"employment_{k}"] for k in ("low_from", "high_from", "low_to", "high_to"))
    overlap = ((lo0 <= hi1) & (lo1 <= hi0)) | lo0.isna() | hi0.isna() | lo1.isna() | hi1.isna()
    m["determined"] = ~(m["present"] & (m["imputed_from"] | m["imputed_to"]) & overlap)
    drop = ["_merge", "unsafe_from", "unsafe_to"]
    if "employment" not in keep:
        drop += ["employment_from", "employment_to"]
    return m.drop(columns=drop)


def _two_years(cells: Any, year_from: int, year_to: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    frame = _with_trust_columns(
        cells_frame(cells, columns=("region", "category", "year", "employment", "region_total", "lq", "stars"))
    )
    have = set(int(y) for y in frame["year"].unique())
    missing = [y for y in (int(year_from), int(year_to)) if y not in have]
    if missing:
        raise MissingInputError(
            "mapping results of both years", missing, f"the results cover {', '.join(map(str, sorted(have)))}"
        )
    a = frame[frame["year"] == int(year_from)]
    b = frame[frame["year"] == int(year_to)]
    regions = sorted(set(a["region"]) & set(b["region"]))
    cats = sorted(set(a["category"]) & set(b["category"]))
    info = {
        "year_from": int(year_from),
        "year_to": int(year_to),
        "regions_common": len(regions),
        "regions_only_from": sorted(set(a["region"]) - set(b["region"])),
        "regions_only_to": sorted(set(b["region"]) - set(a["region"])),
        "categories_common": len(cats),
    }
    if not regions:
        raise MissingInputError(
            f"regions present in both {year_from} and {year_to}",
            hint="harmonise the panel to one NUTS version before mapping",
        )
    a = a[a["region"].isin(regions) & a["category"].isin(cats)]
    b = b[b["region"].isin(regions) & b["category"].isin(cats)]
    return a, b, info


def star_changes(cells: Any, year_from: int, year_to: int) -> pd.DataFrame:
    """Per region × category (regions and categories present in both years): stars, employment and LQ at both
    dates and the kind of change.

    Returns
    -------
    pandas.DataFrame
        ``region, category, category_name, stars_from, stars_to, employment_from, employment_to, lq_from, lq_to,
        change, imputed_from, imputed_to, flags_from, flags_to, flagged, determined`` (see the module
        docstring; ``determined`` is false when a year is imputed and the published bounds of the two years
        overlap: the data do not say whether the cell grew or shrank). A cell
        present in one year only has the change ``not comparable`` and empty values (nullable stars) for the
        other year — never 0. ``attrs`` holds ``year_from, year_to, regions_common, regions_only_from,
        regions_only_to, categories_common, cells_in_one_year_only`` (= not comparable), ``cells_flagged`` (b, i
        or u in either year, among the cells present in both) and ``cells_imputed`` (resting on imputed inputs
        in either year), ``cells_undetermined``.
    """
    a, b, info = _two_years(cells, year_from, year_to)
    m = _pair(a, b, ["stars", "employment", "lq"])
    names = a.drop_duplicates("category").set_index("category")["category_name"] if "category_name" in a else None
    both = m["present"].to_numpy()
    info["cells_in_one_year_only"] = int((~both).sum())
    info["cells_flagged"] = int((m["flagged"] & m["present"]).sum())
    info["cells_imputed"] = int((m["imputed_from"] | m["imputed_to"]).sum())
    info["cells_undetermined"] = int((~m["determined"]).sum())
    m["stars_from"] = m["stars_from"].astype("Int64")
    m["stars_to"] = m["stars_to"].astype("Int64")
    kinds = _kind(m["stars_from"].fillna(0).to_numpy(), m["stars_to"].fillna(0).to_numpy())
    m["change"] = np.where(both, kinds, NOT_COMPARABLE)
    m["category_name"] = m["category"].map(names) if names is not None else m["category"]
    cols = [
        "region",
        "category",
        "category_name",
        "stars_from",
        "stars_to",
        "employment_from",
        "employment_to",
        "lq_from",
        "lq_to",
        "change",
        "imputed_from",
        "imputed_to",
        "flags_from",
        "flags_to",
        "flagged",
        "determined",
    ]
    out = m[cols].sort_values(["region", "category"], ignore_index=True)
    out.attrs.update(info)
    return out


def transition_matrix(changes: pd.DataFrame) -> pd.DataFrame:
    """Counts of cells by stars in the first year (rows ``0 … 3``) and in the second (columns ``0 … 3``), from
    :func:`star_changes`."""
    levels = [0, 1, 2, 3]
    changes = changes[changes["change"] != NOT_COMPARABLE].astype({"stars_from": "int64", "stars_to": "int64"})
    m = pd.crosstab(changes["stars_from"], changes["stars_to"]).reindex(index=levels, columns=levels, fill_value=0)
    m.index.name = "stars_from"
    m.columns.name = "stars_to"
    return m.astype("int64")


def change_summary(changes: pd.DataFrame) -> pd.DataFrame:
    """Cells per kind of change (``emerged, disappeared, gained, lost, unchanged, none, not comparable``), the
    number of three-star clusters that emerged or disappeared, and how many cells of both years are flagged
    (b, i or u in either year) or rest on imputed inputs."""
    counts = changes["change"].value_counts().reindex([*CHANGE_KINDS, NOT_COMPARABLE], fill_value=0)
    out = counts.rename_axis("change").reset_index(name="cells")
    both = changes[changes["change"] != NOT_COMPARABLE]
    s0, s1 = both["stars_from"].astype("int64"), both["stars_to"].astype("int64")
    three_new = int(((s1 == 3) & (s0 < 3)).sum())
    three_gone = int(((s0 == 3) & (s1 < 3)).sum())
    flagged = int(both["flagged"].sum()) if "flagged" in both else 0
    imputed = int((both["imputed_from"] | both["imputed_to"]).sum()) if "imputed_from" in both else 0
    undetermined = int((~both["determined"]).sum()) if "determined" in both else 0
    extra = pd.DataFrame(
        {
            "change": [
                "became 3-star",
                "ceased to be 3-star",
                "flagged b, i or u in either year",
                "resting on imputed cells",
                "change within the published bounds (not determined)",
            ],
            "cells": [three_new, three_gone, flagged, imputed, undetermined],
        }
    )
    return pd.concat([out, extra], ignore_index=True)


def employment_growth(
    cells: Any,
    year_from: int,
    year_to: int,
    *,
    by: str = "category",
    min_coverage: float = MIN_COVERAGE,
) -> pd.DataFrame:
    """Employment change between two years on the regions and categories present in both.

    Parameters
    ----------
    by : {"category", "region", "region_category"}
        Grouping. ``region`` compares traded employment (Σ over categories) and total employment T[r].
    min_coverage : float
        A category or region whose published (not imputed) share of employment is under this (default 0.5)
        has no growth (left empty, listed last, ``ranked`` false).

    Returns
    -------
    pandas.DataFrame
        ``region_category``: one row per cell of either year, ``employment_from, employment_to`` (persons; empty in
        a year where the cell is absent — never 0), ``change``, ``growth``, ``annual_growth`` (empty unless the cell
        is ``comparable``, ``determined`` and covered), ``comparable`` (present in both years and not flagged),
        ``flagged``, ``imputed_from``, ``imputed_to``, ``determined``, ``coverage``. ``category`` / ``region``: sums
        over the comparable cells, ``change, growth, annual_growth``, ``cells`` (comparable cells summed),
        ``coverage``, ``ranked``; for ``by="region"`` also ``total_from, total_to, total_growth``. ``attrs``:
        ``cells_not_comparable`` (present in one year only), ``cells_flagged`` (b, i or u in either year, left out
        of the sums), ``groups_under_coverage``, ``min_coverage``.
    """
    a, b, _ = _two_years(cells, year_from, year_to)
    span = int(year_to) - int(year_from)
    if by == "category":
        keys = ["category"]
    elif by == "region":
        keys = ["region"]
    elif by == "region_category":
        keys = ["region", "category"]
    else:
        raise MissingInputError(f"grouping {by!r}", hint="use category, region or region_category")
    m = _pair(a, b, ["employment"])
    m["comparable"] = m["present"] & ~m["flagged"]
    for side in ("from", "to"):
        m[f"published_{side}"] = m[f"employment_{side}"] - m[f"imputed_employment_{side}"].fillna(0.0)
    attrs = {
        "cells_not_comparable": int((~m["present"]).sum()),
        "cells_flagged": int((m["present"] & m["flagged"]).sum()),
        "min_coverage": float(min_coverage),
    }
    if by == "region_category":
        out = m[keys].copy()
        out["employment_from"] = m["employment_from"]
        out["employment_to"] = m["employment_to"]
        for c in ("comparable", "flagged", "imputed_from", "imputed_to", "determined"):
            out[c] = m[c]
        out["coverage"] = _coverage(m)
        attrs["groups_under_coverage"] = int((out["coverage"] < min_coverage).sum())
    else:
        ok = m[m["comparable"]]
        out = ok.groupby(keys, as_index=False).agg(
            employment_from=("employment_from", "sum"),
            employment_to=("employment_to", "sum"),
            published_from=("published_from", "sum"),
            published_to=("published_to", "sum"),
            cells=("comparable", "size"),
        )
        out["coverage"] = _coverage(out)
        out = out.drop(columns=["published_from", "published_to"])
        out["ranked"] = out["coverage"] >= min_coverage
        attrs["groups_under_coverage"] = int((~out["ranked"]).sum())
    if by == "region":
        ta = a.groupby("region")["region_total"].max()
        tb = b.groupby("region")["region_total"].max()
        out["total_from"] = out["region"].map(ta)
        out["total_to"] = out["region"].map(tb)
        out["total_growth"] = out["total_to"] / out["total_from"] - 1
    out["change"] = out["employment_to"] - out["employment_from"]
    if by == "region_category":  # a growth rate only where the data determine it
        usable = out["comparable"] & out["determined"] & (out["coverage"] >= min_coverage)
    else:
        usable = out["ranked"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out["employment_to"] / out["employment_from"].where((out["employment_from"] > 0) & usable)
    out["growth"] = ratio - 1
    out["annual_growth"] = ratio ** (1 / span) - 1 if span else np.nan
    if by != "region" and "category_name" in a.columns:
        names = dict(zip(a["category"], a["category_name"], strict=False)) | dict(
            zip(b["category"], b["category_name"], strict=False)
        )
        out.insert(keys.index("category") + 1, "category_name", out["category"].map(names))
    out = out.sort_values("growth", ascending=False, na_position="last", ignore_index=True)
    out.attrs.update(attrs)
    return out


def _coverage(t: pd.DataFrame) -> pd.Series:
    """Published share of employment, the smaller of the two years (1 where a year has no employment)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c0 = (t["published_from"] / t["employment_from"]).where(t["employment_from"] > 0, 1.0)
        c1 = (t["published_to"] / t["employment_to"]).where(t["employment_to"] > 0, 1.0)
    return np.fmin(c0, c1).clip(0.0, 1.0)


def cluster_shares_by_year(
    cells: Any, years: Any = None, *, common_regions: bool = True, strong_lq: float = 2.0
) -> pd.DataFrame:
    """Per year: regions, total employment, the share in regional clusters (≥ 1 star), the strong-cluster
    share of traded employment, and the number of clusters by stars.

    Parameters
    ----------
    years : iterable of int, optional
        Years to compare (default all).
    common_regions : bool
        Use only the regions present in every one of ``years`` (default), so that the shares compare like
        with like.
    """
    frame = cells_frame(cells, columns=("region", "category", "year", "employment", "region_total", "lq", "stars"))
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
    if frame.empty:
        raise MissingInputError("mapping results of the chosen years", list(years or []))
    if common_regions:
        per = frame.groupby("region")["year"].nunique()
        keep = per[per == frame["year"].nunique()].index
        frame = frame[frame["region"].isin(keep)]
    rows = []
    for year, g in frame.groupby("year", sort=True):
        total = g.groupby("region")["region_total"].max().sum()
        traded = g["employment"].sum()
        cluster = g.loc[g["stars"] >= 1, "employment"].sum()
        strong = g.loc[g["lq"] > strong_lq, "employment"].sum()
        rows.append(
            {
                "year": int(year),
                "regions": int(g["region"].nunique()),
                "total_employment": float(total),
                "traded_employment": float(traded),
                "cluster_employment": float(cluster),
                "share_in_clusters": cluster / total if total else np.nan,
                "strong_of_traded": strong / traded if traded else np.nan,
                "clusters": int((g["stars"] >= 1).sum()),
                "clusters_3_star": int((g["stars"] == 3).sum()),
                "clusters_2_star": int((g["stars"] == 2).sum()),
                "clusters_1_star": int((g["stars"] == 1).sum()),
            }
        )
    return pd.DataFrame(rows)
