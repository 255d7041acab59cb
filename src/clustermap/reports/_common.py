"""Small helpers shared by the report builders: number formatting, comparisons with the reference, standard
charts."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from clustermap.analyses.reference import DIFFERENCE_LABELS, REFERENCE
from clustermap.reports.charts import STAR_COLOURS
from clustermap.reports.model import Chart, Comparison

__all__ = [
    "CELL_FORMATS",
    "GROWTH_FORMATS",
    "PCT",
    "RELATION_COLUMNS",
    "STAR_CHANGE_FORMATS",
    "compare",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "pct",
    "relation_formats",
    "relation_table",
    "report_meta",
    "star_map_chart",
    "why",
]

#: the format of a table column of shares (0-1, shown as %)
PCT = "pct"

#: formats of the columns of :func:`clustermap.analyses.employment_growth`
GROWTH_FORMATS = {
    "employment_from": "int",
    "employment_to": "int",
    "change": "int",
    "growth": PCT,
    "annual_growth": PCT,
}
#: formats of the columns of :func:`clustermap.analyses.star_changes`
STAR_CHANGE_FORMATS = {"employment_from": "int", "employment_to": "int", "lq_from": "f2", "lq_to": "f2"}
#: formats of the columns of mapped cells (employment, location quotient, share of the region)
CELL_FORMATS = {"employment": "int", "lq": "f2", "share": PCT}

#: the columns of :func:`relation_table` a report shows (and ``clustermap analyse`` prints), in order
RELATION_COLUMNS = [
    "sample",
    "n",
    "pearson_r",
    "pearson_p",
    "spearman_rho",
    "spearman_p",
    "slope",
    "slope_low",
    "slope_high",
    "r2",
    "outliers",
]


def report_meta(study: Any) -> dict[str, Any]:
    """A report's metadata: ``created`` (UTC, to the minute), ``code_version`` and the ``runs`` it reads (a
    :class:`~clustermap.reports.study.Study`'s EU and US run ids)."""
    from clustermap.mapping import code_version

    runs = ", ".join(r for r in (study.eu.run_id, study.us.run_id if study.us else None) if r)
    return {"created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code_version": code_version(), "runs": runs}


def pct(value: Any, digits: int = 0) -> str:
    """``0.213 → '21%'`` (NaN → '–')."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def fmt_int(value: Any) -> str:
    """``1234567 → '1,234,567'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.0f}"


def fmt_num(value: Any, digits: int = 2) -> str:
    """A number with thousands separators and ``digits`` decimals; ``–`` for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):,.{digits}f}"


def why(*topics: str, extra: str = "") -> str:
    """``extra`` followed by the names of the general reasons (:data:`clustermap.analyses.reference.DIFFERENCES`,
    explained once in the report) that apply."""
    labels = [DIFFERENCE_LABELS[t] for t in topics if t in DIFFERENCE_LABELS]
    tail = f"Differs by: {', '.join(labels)} (see 'Why the numbers differ')." if labels else ""
    return " ".join(x for x in (extra, tail) if x)


def fmt_p(p: Any) -> str:
    """A p-value: ``p < 0.001`` or ``p = 0.012``."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –"
    return "p < 0.001" if float(p) < 0.001 else f"p = {float(p):.3f}"


def compare(statistic: str, ours: str, key: str, *topics: str, extra: str = "") -> Comparison:
    """A :class:`Comparison` with the reference quote ``key``."""
    q = REFERENCE[key]
    return Comparison(statistic=statistic, ours=ours, reference=q.text, where=q.where, why=why(*topics, extra=extra))


def relation_table(relations: dict[str, Any]) -> pd.DataFrame:
    """Rows of :meth:`clustermap.analyses.Relation.summary`, labelled by the dict keys."""
    rows = []
    for label, r in relations.items():
        if r is None:
            continue
        s = r.summary()
        rows.append({"sample": label, **s})
    return pd.DataFrame(rows)


def within_table(pooled: dict[str, Any], within: dict[str, Any]) -> pd.DataFrame:
    """Pooled beside within-country estimates, one row per sample: ``sample, n, pooled_spearman`` with its
    interval (Fisher z), ``within_spearman`` with its interval, ``countries``, ``pooled_slope`` and
    ``within_slope`` (country fixed effects) with their intervals."""
    from clustermap.analyses._stats import spearman_interval

    rows = []
    for label, w in within.items():
        p = pooled.get(label)
        if w is None or p is None:
            continue
        lo, hi = spearman_interval(p.spearman_rho, p.n, p.alpha)
        rows.append(
            {
                "sample": label,
                "n": p.n,
                "countries": w.groups,
                "pooled_spearman": p.spearman_rho,
                "pooled_spearman_low": lo,
                "pooled_spearman_high": hi,
                "within_spearman": w.spearman_rho,
                "within_spearman_low": w.spearman_low,
                "within_spearman_high": w.spearman_high,
                "pooled_slope": p.slope,
                "pooled_slope_low": p.slope_low,
                "pooled_slope_high": p.slope_high,
                "within_slope": w.slope,
                "within_slope_low": w.slope_low,
                "within_slope_high": w.slope_high,
            }
        )
    return pd.DataFrame(rows)


#: formats of :func:`within_table`'s columns
WITHIN_FORMATS = {
    f"{sample}_{measure}{bound}": "f3"
    for measure in ("spearman", "slope")
    for sample in ("pooled", "within")
    for bound in ("", "_low", "_high")
} | {"n": "int", "countries": "int"}


def relation_formats(coefficients: str = "f3") -> dict[str, str]:
    """Formats of :func:`relation_table`'s columns: ``coefficients`` for the slope and the intercept with their
    bounds (``int`` when ``y`` is in currency units), three decimals for the correlations and r², % for the
    confidence."""
    coef = {f"{c}{bound}": coefficients for c in ("slope", "intercept") for bound in ("", "_low", "_high")}
    correlations = dict.fromkeys(("pearson_r", "pearson_p", "spearman_rho", "spearman_p", "r2"), "f3")
    return correlations | coef | {"confidence": PCT}


def star_map_chart(
    key: str,
    title: str,
    frame: pd.DataFrame,
    value: str,
    geojson: dict,
    *,
    percent: bool = False,
    colorbar: str = "",
    scope: str = "europe",
    caption: str = "",
    hover: str | None = None,
    zmax: float | None = None,
) -> Chart:
    """A choropleth of ``value`` per region code."""
    opts = {
        "geojson": geojson,
        "value": value,
        "percent": percent,
        "colorbar": colorbar or value,
        "scope": scope,
        "height": 560 if scope == "europe" else 420,
        "zmin": 0,
    }
    if hover:
        opts["hover"] = hover
    if zmax is not None:
        opts["zmax"] = zmax
    return Chart(key, title, "choropleth", frame, x="region", y=value, options=opts, caption=caption)


def star_colours(stars: pd.Series) -> list[str]:
    """Bar colours by number of stars."""
    return [STAR_COLOURS.get(int(s), "#c8c8c8") for s in stars]
