"""The tables the web site shows, as pure functions of a run's cells (pandas in, pandas out).

Every table of a page is built here once; the JSON endpoints, the CSV / XLSX downloads and the HTML pages all
read the same frames. Cells are the rows of :data:`clustermap.mapping.STARS_COLUMNS` (``kind = stars``) or
:data:`clustermap.mapping.STRONG_COLUMNS` (``kind = strong``) plus ``region_name``.

Definitions
-----------
cluster
    a cell with at least one star (stars runs) or flagged strong (strong runs).
strong cluster
    ``LQ > strong_lq`` (2) for the stars methodologies; the US rule's ``strong`` flag for ``uscmp``.
share of employment in strong clusters (category)
    ``Σ E[r,c] over strong cells / Σ E[r,c]`` over the regions of the year.
Herfindahl index (HHI)
    ``Σ_r s_r²`` with ``s_r = E[r,c] / E[.,c]``: 1 when one region has all of the category, ``1/|R|`` when it is
    spread evenly.
Hoover index
    ``½ Σ_r |E[r,c]/E[.,c] − T[r]/T|``: the share of the category's employment that would have to move for it to
    be distributed like total employment (0 = like total employment, → 1 = all in one small region).
locational Gini
    Gini coefficient of the category against total employment: regions sorted by LQ, Lorenz curve of the
    category's cumulated share over the cumulated share of total employment (Krugman 1991); 0 = distributed
    like total employment.
top-10 share
    share of the category's employment in its 10 largest regions.
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pandas as pd

from clustermap.web.stars import max_stars, star_classes, star_colours

__all__ = [
    "CELL_FIELDS",
    "METRICS",
    "category_change",
    "compare_table",
    "concentration",
    "concentration_of",
    "figure3",
    "legend_classes",
    "portfolio",
    "region_category_years",
    "region_change",
    "region_stars_table",
]

#: the cell fields the API publishes, in this order (those a run lacks are left out)
CELL_FIELDS = (
    "region",
    "region_name",
    "category",
    "category_name",
    "year",
    "employment",
    "region_total",
    "share",
    "lq",
    "size_star",
    "specialisation_star",
    "focus_star",
    "productivity_star",
    "dynamism_star",
    "stars",
    "strong",
    "strong_strict",
    "size_rank",
    "focus_rank",
    "establishments",
    "wages_per_person",
    "relative_productivity",
    "relative_growth",
    "imputed",
    "imputed_employment",
    "employment_low",
    "employment_high",
    "imputation_policy",
    "flags",
)
#: map metrics: what the choropleth colours regions by, and how the legend names them
METRIC_LABELS = {
    "stars": "Stars",
    "lq": "Location quotient (LQ)",
    "employment": "Employment (persons)",
    "share": "Share of the region's employment",
    "strong": "Strong cluster (LQ > 2 / US rule)",
}

METRICS = ("stars", "lq", "employment", "share", "strong")

#: colour-blind-safe palettes (viridis, sequential; light = low) — see the legend functions
STAR_COLOURS = star_colours(3)
STRONG_COLOURS = ("#ffffff", "#21918c")
SEQ5 = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
SEQ6 = ("#fde725", "#90d743", "#35b779", "#21918c", "#31688e", "#440154")
NO_DATA = "#aeaeae"
#: LQ class breaks: 2 is the specialisation-star / strong-cluster threshold
LQ_BREAKS = (0.5, 1.0, 1.5, 2.0, 3.0)


def _clusters(frame: pd.DataFrame) -> pd.Series:
    if "stars" in frame.columns:
        return frame["stars"] >= 1
    return frame["strong"].astype(bool)


def _fmt(x: float) -> str:
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}".rstrip("0").rstrip(".")


def by_kind(value: float, metric: str) -> str:
    """A number as its kind reads: persons without decimals, shares in per cent, LQ with two decimals."""
    if metric == "employment":
        return f"{value:,.0f} persons"
    if metric == "share":
        return f"{value * 100:.1f} %"
    return f"{value:,.2f}"


def to_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes, with spreadsheet formulas neutralised (:func:`clustermap.csv_safety.neutralise`)."""
    from clustermap.csv_safety import neutralise

    buf = io.StringIO()
    neutralise(frame).to_csv(buf, index=False)
    return buf.getvalue().encode()


# ------------------------------------------------------------------------------------------------ the map


def legend_classes(values: np.ndarray, metric: str, stars_of: int = 3) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Legend classes of a map metric and the class of each value (numpy: the map's request path).

    ``stars``: 0 … ``stars_of`` stars (3 for eco2007, 5 for panorama: :func:`clustermap.web.stars.max_stars`);
    ``strong``: no / yes; ``lq``: fixed breaks 0.5, 1, 1.5, 2, 3 (2 = the specialisation threshold);
    ``employment`` and ``share``: quintiles of the values shown (fewer when values repeat).

    Returns
    -------
    (classes, index)
        ``classes``: ``index, label, color, min, max, count``; ``index``: class of each value (``-1`` = no
        value), ``int64``.
    """
    v = np.asarray(values, dtype=float)
    idx = np.full(len(v), -1, dtype=np.int64)
    present = ~np.isnan(v)
    classes: list[dict[str, Any]] = []
    if metric == "stars":
        return star_classes(v, stars_of)
    elif metric == "strong":
        for s, (label, colour) in enumerate(zip(("not strong", "strong cluster"), STRONG_COLOURS, strict=True)):
            classes.append({"index": s, "label": label, "color": colour, "min": float(s), "max": float(s)})
        idx[present] = (v[present] > 0).astype(np.int64)
    else:
        ok = np.isfinite(v)
        finite = v[ok]
        if metric == "lq":
            breaks = list(LQ_BREAKS)
            lo = [0.0, *breaks]
            hi = [*breaks, math.inf]
        elif len(finite) == 0:
            lo, hi = [], []
        else:
            qs = sorted(set(float(q) for q in np.round(np.quantile(finite, [0.2, 0.4, 0.6, 0.8]), 6)))
            qs = [q for q in qs if finite.min() < q <= finite.max()]
            lo = [float(finite.min()), *qs]
            hi = [*qs, float(finite.max())]
        palette = SEQ6 if len(lo) == 6 else SEQ5[-len(lo) :] if lo else ()
        for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
            if metric == "lq":
                label = f"< {_fmt(b)}" if i == 0 else (f"≥ {_fmt(a)}" if math.isinf(b) else f"{_fmt(a)} – < {_fmt(b)}")
            elif metric == "share":
                label = f"{a * 100:.1f} – {b * 100:.1f} %"
            elif metric == "employment":  # persons: whole numbers
                label = f"{a:,.0f} – {b:,.0f}"
            else:
                label = f"{_fmt(a)} – {_fmt(b)}"
            classes.append(
                {"index": i, "label": label, "color": palette[i], "min": a, "max": None if math.isinf(b) else b}
            )
        if lo:
            edges = np.array(hi[:-1], dtype=float)
            side = "right" if metric == "lq" else "left"
            idx[ok] = np.searchsorted(edges, finite, side=side).astype(np.int64)
    counts = np.bincount(idx[idx >= 0], minlength=len(classes)) if len(classes) else np.zeros(0, dtype=np.int64)
    for c in classes:
        c["count"] = int(counts[c["index"]]) if c["index"] < len(counts) else 0
    return classes, idx


def metric_label(metric: str, stars_of: int = 3) -> str:
    """The legend's heading for ``metric``: ``"Stars (0–3)"`` (``0–5`` for a panorama run), else
    :data:`METRIC_LABELS`."""
    return f"Stars (0–{stars_of})" if metric == "stars" else METRIC_LABELS[metric]


def map_summary(
    *,
    name: str,
    year: int,
    methodology: str,
    metric: str,
    classes: list[dict[str, Any]],
    values: np.ndarray,
    n_regions: int,
    imputed: int,
    approximate: list[str],
    version: Any,
    without: list[str],
) -> str:
    """The sentence under a map (and its text alternative): what the legend counts, the range of the values
    (persons, %, LQ as :func:`by_kind` writes them), how many values rest on imputed cells, which regions are
    drawn approximately on the shapes of NUTS ``version`` and which cannot be drawn."""
    if metric == "stars":
        parts = [f"{c['count']} with {c['label'].split(' ', 1)[1]}" for c in reversed(classes) if c["index"] > 0]
        described = "; ".join(parts) + f"; {classes[0]['count']} without a star"
    elif metric == "strong":
        described = f"{classes[1]['count']} strong clusters"
    else:
        finite = values[np.isfinite(values)]
        described = (
            f"{METRIC_LABELS[metric]} from {by_kind(finite.min(), metric)} to {by_kind(finite.max(), metric)}"
            if len(finite)
            else "no values"
        )
        if metric == "lq" and len(finite):
            described += f"; {int((finite >= 2).sum())} regions with LQ of 2 or more"
    if imputed:
        described += f"; {imputed} value{'s rest' if imputed > 1 else ' rests'} on imputed confidential cells"
    if approximate:
        described += (
            f"; {', '.join(approximate)} (older NUTS boundaries) drawn approximately with the NUTS "
            f"{version or 2016} regions mostly inside them"
        )
    return f"Map of {name}, {year}, {methodology}: {n_regions} regions; {described}." + (
        f" {len(without)} region{' cannot' if len(without) == 1 else 's cannot'} be drawn: {', '.join(without)}."
        if without
        else ""
    )


# ---------------------------------------------------------------------------------------------- regions


def region_stars_table(cells: pd.DataFrame) -> pd.DataFrame:
    """One region and year: every category with employment, LQ, the three stars and the ranks (stars first)."""
    cols = [c for c in CELL_FIELDS if c in cells.columns and c not in ("region", "region_name", "year")]
    keys = ["stars", "employment"] if "stars" in cells.columns else ["strong", "employment"]
    out = cells.sort_values(keys, ascending=False, kind="stable")[cols]
    return out.reset_index(drop=True)


def portfolio(cells: pd.DataFrame) -> pd.DataFrame:
    """One region and year: its clusters (≥ 1 star, or strong), strongest first."""
    table = region_stars_table(cells)
    return table[_clusters(table)].reset_index(drop=True)


def _by_year(cells: pd.DataFrame) -> list[tuple[int, np.ndarray]]:
    """``(year, positions)`` of each year of ``cells``, in year order (numpy: no pandas groupby per call)."""
    years = cells["year"].to_numpy()
    return [(int(y), np.flatnonzero(years == y)) for y in np.unique(years)]


def _array(cells: pd.DataFrame, column: str, dtype: Any = float) -> np.ndarray:
    if column not in cells.columns:
        return np.full(len(cells), np.nan if dtype is float else 0, dtype=dtype)
    return cells[column].to_numpy(dtype=dtype, na_value=np.nan if dtype is float else 0)


def region_change(cells: pd.DataFrame) -> pd.DataFrame:
    """One region, every year: clusters by stars, employment in clusters and in strong clusters, totals."""
    has_stars = "stars" in cells.columns
    stars = _array(cells, "stars", float)
    strong = _array(cells, "strong", bool)
    clusters = stars >= 1 if has_stars else strong
    employment = np.nan_to_num(_array(cells, "employment", float))
    totals = _array(cells, "region_total", float)
    rows = []
    for year, pos in _by_year(cells):
        c = clusters[pos]
        row: dict[str, Any] = {"year": year, "categories": len(pos), "clusters": int(c.sum())}
        if has_stars:
            for s in (1, 2, 3):
                row[f"clusters_{s}_star"] = int((stars[pos] == s).sum())
            row["stars"] = int(np.nansum(stars[pos]))
        row["strong_clusters"] = int(strong[pos].sum())
        e = employment[pos]
        row["employment"] = float(e.sum())
        row["employment_in_clusters"] = float(e[c].sum())
        row["employment_in_strong_clusters"] = float(e[strong[pos]].sum())
        total = float(totals[pos][0])
        row["region_total"] = total
        row["share_in_clusters"] = row["employment_in_clusters"] / total if total else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def region_category_years(cells: pd.DataFrame, value: str = "stars") -> pd.DataFrame:
    """One region: ``category, category_name`` and one column per year with ``value`` (stars by default)."""
    value = value if value in cells.columns else "strong"
    years = sorted({int(y) for y in cells["year"].tolist()})
    table: dict[str, dict[str, Any]] = {}
    for cat, name, year, v in zip(
        cells["category"].tolist(),
        cells["category_name"].tolist(),
        cells["year"].tolist(),
        cells[value].tolist(),
        strict=True,
    ):
        row = table.setdefault(cat, {"category": cat, "category_name": name, **{str(y): None for y in years}})
        row[str(int(year))] = v
    return pd.DataFrame([table[k] for k in sorted(table)], columns=["category", "category_name", *map(str, years)])


# ------------------------------------------------------------------------------------------- categories


def _rank_frame(frame: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("region", "region_name", "stars", "strong", "employment", "lq", "share") if c in frame]
    out = frame[cols].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def figure3(cells: pd.DataFrame, top: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One category and year: the top regions by stars (then employment) and by employment — Figure 3 of
    SEC(2008) 2637, which shows that the largest regions are not always the strongest clusters."""
    keys = ["stars", "employment"] if "stars" in cells.columns else ["strong", "lq"]
    by_stars = _rank_frame(cells.sort_values(keys, ascending=False, kind="stable").head(top))
    by_emp = _rank_frame(cells.sort_values("employment", ascending=False, kind="stable").head(top))
    return by_stars, by_emp


def _gini(category: np.ndarray, total: np.ndarray) -> float:
    ok = (total > 0) & np.isfinite(category) & np.isfinite(total)
    e, t = category[ok], total[ok]
    if e.sum() <= 0 or t.sum() <= 0:
        return float("nan")
    order = np.argsort(e / t, kind="stable")
    x = np.concatenate([[0.0], np.cumsum(t[order]) / t.sum()])
    y = np.concatenate([[0.0], np.cumsum(e[order]) / e.sum()])
    return float(1.0 - np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1])))


def concentration_of(e: np.ndarray, t: np.ndarray, strong: np.ndarray, clusters: np.ndarray) -> dict[str, Any]:
    """:func:`concentration` from arrays of one category and year: employment ``e`` and region totals ``t``
    (persons, missing as 0), whether each cell is a strong cluster and whether it is a cluster."""
    total_e = float(e.sum())
    total_t = float(t.sum())
    shares = e / total_e if total_e > 0 else np.zeros_like(e)
    gini = _gini(e, t) if total_e > 0 else None
    return {
        "regions": len(e),
        "employment": total_e,
        "clusters": int(clusters.sum()),
        "strong_clusters": int(strong.sum()),
        "share_in_strong_clusters": float(e[strong].sum() / total_e) if total_e > 0 else None,
        "share_in_clusters": float(e[clusters].sum() / total_e) if total_e > 0 else None,
        "top10_share": float(np.sort(shares)[::-1][:10].sum()) if total_e > 0 else None,
        "herfindahl": float(np.sum(shares**2)) if total_e > 0 else None,
        "hoover": float(0.5 * np.abs(shares - t / total_t).sum()) if total_e > 0 and total_t > 0 else None,
        "gini": None if gini is None or math.isnan(gini) else gini,
    }


def _concentration_inputs(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    e = np.nan_to_num(_array(cells, "employment", float))
    t = np.nan_to_num(_array(cells, "region_total", float)) if "region_total" in cells else np.ones_like(e)
    strong = _array(cells, "strong", bool)
    clusters = _array(cells, "stars", float) >= 1 if "stars" in cells.columns else strong
    return e, t, strong, clusters


def concentration(cells: pd.DataFrame) -> dict[str, Any]:
    """One category and year: how concentrated its employment is across regions (definitions in the module
    docstring)."""
    return concentration_of(*_concentration_inputs(cells))


#: the concentration figures a category's table by year shows
_CHANGE_FIELDS = ("regions", "clusters", "strong_clusters", "employment", "share_in_strong_clusters", "herfindahl")


def category_change(cells: pd.DataFrame, kind: str = "stars") -> pd.DataFrame:
    """One category, every year: regions, clusters, employment, its strong-cluster share and the clusters of each
    top star class of the run's scale (``clusters_3_star``; also ``clusters_4_star`` and ``clusters_5_star`` for a
    ``panorama`` run, :func:`clustermap.web.stars.max_stars`)."""
    e, t, strong, clusters = _concentration_inputs(cells)
    stars = _array(cells, "stars", float) if "stars" in cells.columns else None
    rows = []
    for year, pos in _by_year(cells):
        c = concentration_of(e[pos], t[pos], strong[pos], clusters[pos])
        row = {"year": year, **{k: c[k] for k in _CHANGE_FIELDS}}
        if stars is not None:
            for k in range(3, max_stars(kind) + 1):
                row[f"clusters_{k}_star"] = int((stars[pos] == k).sum())
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- compare


def compare_table(cells: pd.DataFrame, regions: list[str], value: str) -> pd.DataFrame:
    """One year: ``category, category_name`` and one column per region (in the order given) with ``value``."""
    sub = cells[cells["region"].isin(regions)]
    wide = sub.pivot_table(index=["category", "category_name"], columns="region", values=value, aggfunc="first")
    wide = wide.reindex(columns=[r for r in regions if r in wide.columns])
    return wide.reset_index()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: numpy scalars as Python numbers, NaN as ``None``, column names as strings."""
    if frame.empty:
        return []
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    import json

    return json.loads(out.to_json(orient="records", double_precision=15, date_format="iso"))
