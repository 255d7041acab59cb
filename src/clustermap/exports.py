"""Writing result tables to files: CSV, Parquet, JSON (records), XLSX — chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clustermap.errors import ParameterError

FORMATS = ("csv", "parquet", "json", "xlsx")


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else the file extension."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ParameterError(
            f"cannot write {path}: format must be one of {', '.join(FORMATS)} (by extension or --format)"
        )
    return chosen


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None, *, sheet: str = "data") -> Path:
    """Write ``frame`` to ``path``; returns the path. Parent directories are created."""
    path = Path(path)
    kind = format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "parquet":
        frame.to_parquet(path, index=False)
    elif kind == "json":
        frame.to_json(path, orient="records", indent=1)
    else:
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            frame.to_excel(xl, sheet_name=sheet[:31], index=False)
    return path
