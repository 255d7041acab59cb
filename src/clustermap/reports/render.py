"""Rendering a :class:`~clustermap.reports.model.Report`: one self-contained HTML file (Jinja2 templates, plotly
charts, plotly.js inlined — no network needed to open it) and every table as CSV and XLSX."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.reports.model import Report, Table

__all__ = ["format_table", "render_html", "table_file_stem", "write_tables"]

_KIND_LABEL = {"overview": "overview report", "region": "region report", "category": "category report"}


def _fmt(value: Any, kind: str | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if kind == "year":
            return f"{v:.0f}" if float(v).is_integer() else f"{v:g}"
        if kind == "pct":
            return f"{v:.1%}"
        if kind in ("int", "persons"):
            return f"{v:,.0f}"
        if kind == "eur":
            return f"EUR {v:,.0f}"
        if kind == "num":
            return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"
        if kind in ("f1", "f2", "f3"):
            return f"{v:,.{kind[1]}f}"
        if float(v).is_integer():
            return f"{v:,.0f}"
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
    return str(value)


#: in a table of statistics by row (a ``statistic`` column), rows that are counts: printed as counts whatever the
#: column's format (a column of shares also holds ``n``; 288 regions is not "28800.0 %")
COUNT_STATISTICS = frozenset({"n", "count", "regions", "categories", "cells"})


#: words of a column name that say what its numbers count, and the format they get unless the table sets one
_KIND_WORDS = (
    ("year", "year"),
    ("wage", "eur"),
    ("eur", "eur"),
    ("employ", "persons"),
    ("persons", "persons"),
    ("jobs", "persons"),
)


def column_kind(column: Any) -> str | None:
    """The format of a column by its name: years, persons (employment, jobs: whole persons with thousands
    separators), EUR (wages); ``None`` (general numbers) otherwise. Shares and ratios keep their table's format."""
    name = str(column).lower()
    if any(w in name for w in ("share", "ratio", "pct", "percent", "growth", "lq", "rate")):
        return "year" if "year" in name and name.endswith("year") else None
    return next((kind for word, kind in _KIND_WORDS if word in name), None)


def row_kind(statistic: Any, kind: str | None) -> str | None:
    """The format of a cell given its row's ``statistic`` (counts stay counts) and its column's format."""
    return "int" if str(statistic) in COUNT_STATISTICS else kind


def format_table(table: Table) -> dict[str, Any]:
    """The table's first ``max_rows`` rows as display strings, with the column alignment. In a table with a
    ``statistic`` column, the rows of :data:`COUNT_STATISTICS` are formatted as counts."""
    f = table.frame
    if table.show:
        f = f[[c for c in table.show if c in f.columns]]
    shown = f.head(table.max_rows)
    numeric = [pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_bool_dtype(f[c]) for c in f.columns]
    kinds = {c: table.formats.get(c, column_kind(c)) for c in f.columns}
    by_row = "statistic" in f.columns
    rows = []
    for r in shown.itertuples(index=False, name=None):
        stat = r[list(f.columns).index("statistic")] if by_row else None
        rows.append(
            [
                _fmt(v, row_kind(stat, kinds[c]) if by_row and c != "statistic" else kinds[c])
                for c, v in zip(f.columns, r, strict=True)
            ]
        )
    return {
        "title": table.title,
        "caption": table.caption,
        "headers": [str(c).replace("_", " ") for c in f.columns],
        "rows": rows,
        "align": ["num" if n else "" for n in numeric],
        "truncated": len(f) > len(shown),
        "shown": len(shown),
        "total": len(f),
        "file": table.key,
    }


def table_file_stem(report: Report, table: Table) -> str:
    """File stem of a table: ``<report stem>_<table key>``, safe for file names."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{report.stem}_{table.key}")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def render_html(report: Report) -> str:
    """The report as one HTML document (string) with plotly.js inlined."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from clustermap.analyses import DEFINITIONS
    from clustermap.analyses.reference import REFERENCE_TITLE
    from clustermap.reports.charts import plotly_html
    from clustermap.reports.text import readable

    env = Environment(
        loader=PackageLoader("clustermap.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=readable,  # every printed string as prose: no backticks, |R| or <= of the definitions
    )
    sections = []
    used: list[str] = []
    for s in report.sections:
        charts = [{"html": plotly_html(c, f"chart-{report.stem}-{c.key}"), "caption": c.caption} for c in s.charts]
        tables = []
        for t in s.tables:
            ft = format_table(t)
            ft["file"] = table_file_stem(report, t)
            tables.append(ft)
        defs = [DEFINITIONS[k] for k in s.definitions if k in DEFINITIONS]
        used.extend(k for k in s.definitions if k in DEFINITIONS)
        sections.append(
            {
                "key": s.key,
                "title": s.title,
                "paragraphs": s.paragraphs,
                "comparisons": s.comparisons,
                "charts": charts,
                "tables": tables,
                "definitions": defs,
                "notes": s.notes,
            }
        )
    glossary = [DEFINITIONS[k] for k in dict.fromkeys(used)]
    template = env.get_template("report.html.j2")
    return template.render(
        report=report,
        sections=sections,
        glossary=glossary,
        meta=report.meta,
        kind_label=_KIND_LABEL.get(report.kind, report.kind),
        plotly_js=_plotly_js(),
        headline=report.meta.get("headline", []),
        reference_title=REFERENCE_TITLE,
    )


def write_tables(report: Report, folder: str | Path) -> list[Path]:
    """Write every table of the report as ``<folder>/<stem>_<key>.csv`` and ``.xlsx``, and all of them as the
    sheets of ``<folder>/<stem>_tables.xlsx``. Returns the paths."""
    from clustermap.exports import write_table

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    sheets: dict[str, pd.DataFrame] = {}
    for t in report.tables:
        stem = table_file_stem(report, t)
        frame = _flat(t.frame)
        paths.append(write_table(frame, folder / f"{stem}.csv"))
        paths.append(write_table(frame, folder / f"{stem}.xlsx", sheet=t.key))
        name = t.key[:31]
        i = 2
        while name in sheets:
            name = f"{t.key[:28]}_{i}"
            i += 1
        sheets[name] = frame
    if sheets:
        book = folder / f"{report.stem}_tables.xlsx"
        with pd.ExcelWriter(book, engine="openpyxl") as xl:
            for name, frame in sheets.items():
                frame.to_excel(xl, sheet_name=name, index=False)
        paths.append(book)
    return paths


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy without index levels or object columns that spreadsheets cannot hold."""
    out = frame.reset_index(drop=not (frame.index.name or any(frame.index.names)))
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str | int | float | bool) else str(v))
    return out
