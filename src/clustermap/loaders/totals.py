"""Regional totals tables (``region, year, total`` in persons) for ``total_base = external``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clustermap.errors import CorruptFileError, DuplicateKeyError, EmptyInputError, SchemaError
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file
from clustermap.schema import to_number


def load_totals_file(path: str | Path) -> LoadResult:
    """Read a CSV or Parquet totals table; errors name file, line and column (header = line 1)."""
    from clustermap.loaders.guard import check_file

    path = check_file(path)  # a regular file within the size limit, not empty
    try:
        if path.suffix == ".parquet":
            raw = pd.read_parquet(path)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptFileError(f"cannot read the totals table: {exc}", file=path) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in ("region", "year", "total") if c not in raw.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=1, column=missing[0])
    if raw.empty:
        raise EmptyInputError("no data rows", file=path)
    frame = pd.DataFrame(
        {
            "region": raw["region"].astype(str).str.strip(),
            "year": to_number(raw, "year", file=path).astype("int64"),
            "total": to_number(raw, "total", file=path),
        }
    )
    dup = frame.duplicated(["region", "year"])
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise DuplicateKeyError(
            "duplicate (region, year)", file=path, line=i + 2, column="region", value=frame["region"].iloc[i]
        )
    prov = LoadProvenance(
        source="file",
        dataset=path.stem,
        file=str(path),
        sha256=sha256_file(path),
        rows_read=len(raw),
        rows_kept=len(frame),
    )
    return LoadResult(frame, prov)


def read_totals(path: str | Path) -> pd.DataFrame:
    """Just the ``region, year, total`` frame of :func:`load_totals_file`."""
    return load_totals_file(path).frame
