"""What every ``clustermap analyse`` sub-command shares on the way out: tables printed with the reports' number
formats, the definitions of the statistics shown, and the main table written with ``--out``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table as RichTable

from clustermap.cli._common import console, err

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SHARE_FORMATS", "export", "print_definitions", "print_table"]

#: formats of the share columns of a portfolio table
SHARE_FORMATS = {
    "cluster_share_total": "pct",
    "strong_share_traded": "pct",
    "strong_share_total": "pct",
    "traded_share_total": "pct",
}


def print_table(
    frame: pd.DataFrame,
    title: str,
    *,
    formats: dict[str, str] | None = None,
    top: int | None = None,
    columns: list[str] | None = None,
) -> None:
    """Print the first ``top`` rows (all without it) of ``frame``'s ``columns`` (all without them) as a rich table,
    each cell formatted as the reports format it (:func:`clustermap.reports.render.format_table`: shares as %,
    persons with thousands separators, the count rows of a statistics table as counts)."""
    from clustermap.reports.model import Table
    from clustermap.reports.render import format_table

    shown = [c for c in columns if c in frame.columns] if columns else list(frame.columns)
    t = format_table(Table("cli", title, frame, formats=formats or {}, max_rows=top or len(frame), show=shown))
    out = RichTable(
        title=title + (f" (first {t['shown']} of {t['total']})" if t["truncated"] else ""), title_justify="left"
    )
    for c, align in zip(shown, t["align"], strict=True):
        out.add_column(str(c), justify="right" if align == "num" else "left")
    for row in t["rows"]:
        out.add_row(*row)
    console.print(out)


def export(frame: pd.DataFrame, out: Path | None) -> None:
    """Write ``frame`` to ``out`` (format from the suffix); nothing without ``--out``."""
    if out is None:
        return
    from clustermap.exports import write_table

    path = write_table(frame.reset_index(drop=True), out)
    err.print(f"wrote {path}")


def print_definitions(keys: list[str]) -> None:
    """Print the definition of each statistic named in ``keys``."""
    from clustermap.analyses import DEFINITIONS

    for k in keys:
        d = DEFINITIONS.get(k)
        if d is not None:
            console.print(f"[bold]{d.term}[/] [dim]\\[{d.unit}][/]: {d.text}", highlight=False)
