"""Tidy observation files: CSV (``,`` ``;`` or tab, optionally gzip) or Parquet already in the canonical layout.

Columns (names are matched after stripping blanks and lower-casing):

* required: ``region``, ``industry``, ``year``, ``employment``;
* optional: ``establishments``, ``wages``, ``flag``, ``size_class``.

Other columns are ignored (and logged). Every value is checked by :func:`clustermap.schema.validate_observations`;
an error names the file, the line (CSV: the header is line 1, and blank lines and multi-line quoted fields are
counted, so the number is the one an editor shows) or the row (Parquet: row 1 is the first row, reported as
``line = row + 1`` in the error's location), the column and the value.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from clustermap.errors import (
    CorruptFileError,
    EmptyInputError,
    InputError,
    Location,
    SchemaError,
)
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file
from clustermap.schema import COLUMNS, validate_observations
from clustermap.sources.fetch import read_bytes, read_text

logger = logging.getLogger(__name__)

PARQUET_MAGIC = b"PAR1"
DELIMITERS = (",", ";", "\t")


def sniff_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` and tab in ``header`` (``,`` on a tie or when none occurs)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _is_parquet(file: Path) -> bool:
    with open(file, "rb") as handle:
        head = handle.read(4)
    return head == PARQUET_MAGIC or file.suffix.lower() in {".parquet", ".pq"}


def _normalise_columns(names: list[str], file: Path) -> list[str]:
    out = [str(c).strip().lower() for c in names]
    seen: set[str] = set()
    for name in out:
        if name in seen:
            raise SchemaError("column appears twice", file=file, line=1, column=name)
        seen.add(name)
    return out


def _read_csv_exact(text: str, delimiter: str, file: Path) -> pd.DataFrame:
    """csv-module reader that records the first line of every record (handles quoted multi-line fields)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise EmptyInputError("empty file", file=file) from None
    except csv.Error as exc:
        raise CorruptFileError(f"unreadable CSV header ({exc})", file=file, line=1) from exc
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = reader.line_num
    try:
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise SchemaError(
                    f"row has {len(record)} fields, the header has {len(header)}",
                    file=file,
                    line=start,
                    value=delimiter.join(record)[:80],
                )
            rows.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise CorruptFileError(f"malformed CSV ({exc})", file=file, line=reader.line_num) from exc
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    frame.columns = _normalise_columns(header, file)
    frame["_line"] = np.asarray(lines, dtype="int64")
    return frame


def _read_csv_fast(text: str, delimiter: str, file: Path) -> pd.DataFrame:
    """pandas C reader for files without quotes: one record per line, so line = header + position."""
    physical = pd.Series(text.split("\n"))
    if len(physical) and physical.iloc[-1] == "":
        physical = physical.iloc[:-1]
    stripped = physical.str.rstrip("\r")
    counts = stripped.str.count(re.escape(delimiter)).to_numpy()
    blank = (stripped.str.strip() == "").to_numpy()
    expected = counts[0]
    bad = (counts != expected) & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"row has {counts[i] + 1} fields, the header has {expected + 1}",
            file=file,
            line=i + 1,
            value=stripped.iloc[i][:80],
            more=int(bad.sum()) - 1,
        )
    frame = pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        quoting=csv.QUOTE_NONE,
        engine="c",
    )
    frame.columns = _normalise_columns(list(frame.columns), file)
    frame["_line"] = np.arange(len(frame), dtype="int64") + 2
    if len(frame):
        body_blank = blank[1 : len(frame) + 1]
        frame = frame.loc[~body_blank] if body_blank.any() else frame
    return frame


def _read_parquet(file: Path) -> pd.DataFrame:
    if file.stat().st_size == 0:
        raise EmptyInputError("empty file", file=file)
    try:
        frame = pd.read_parquet(file)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for non-Parquet bytes
        raise CorruptFileError(f"not a readable Parquet file ({exc})", file=file) from exc
    frame = frame.reset_index(drop=True)
    frame.columns = _normalise_columns(list(frame.columns), file)
    frame["_line"] = np.arange(len(frame), dtype="int64") + 2
    return frame


def _as_rows(exc: InputError, file: Path) -> InputError:
    """Re-word a validation error for Parquet: ``row N`` (1-based) instead of ``line N + 1``."""
    loc = exc.location
    header_problem = isinstance(exc, SchemaError) and loc.line == 1
    row = None if header_problem or loc.line is None else loc.line - 1
    reason = f"row {row}: {exc.reason}" if row is not None else exc.reason
    new = type(exc)(reason, file=file, column=loc.column, value=loc.value, more=exc.more)
    new.location = Location(loc.file, None if header_problem else loc.line, loc.column, loc.value)
    return new


def load_tidy(path: str | Path, *, dataset: str | None = None) -> LoadResult:
    """Load a tidy CSV or Parquet file of canonical observations.

    Parameters
    ----------
    path : path
        CSV (delimiter sniffed among ``,`` ``;`` tab; gzip recognised by content) or Parquet (``PAR1`` magic or
        ``.parquet``/``.pq`` suffix).
    dataset : str, optional
        Dataset name for the provenance (default: the file name without extensions).

    Returns
    -------
    LoadResult
        The canonical frame (``employment`` in the file's unit — persons for clustermap's own exports; blank =
        not published) and a provenance with ``source="file"``.

    Raises
    ------
    EmptyInputError
        empty file or header only.
    CorruptFileError
        truncated gzip, bad encoding, unreadable Parquet.
    SchemaError
        a required column is missing, a column repeats, or a CSV row has the wrong number of fields.
    ValueValidationError
        non-numeric or negative employment / establishments / wages, a bad year, a blank region or industry, an
        unknown flag or size class — naming file, line (Parquet: row), column and value.
    DuplicateKeyError
        two rows share (region, industry, year).
    """
    file = Path(path)
    name = dataset or re.sub(r"(\.(csv|tsv|txt|gz|parquet|pq))+$", "", file.name, flags=re.IGNORECASE)
    if not file.is_file():
        read_bytes(file)  # raises SourceError naming the file
    if _is_parquet(file):
        kind = "parquet"
        frame = _read_parquet(file)
    else:
        kind = "csv"
        text = read_text(file)
        if not text.strip():
            raise EmptyInputError("empty file", file=file)
        header = text.split("\n", 1)[0]
        delimiter = sniff_delimiter(header)
        frame = _read_csv_exact(text, delimiter, file) if '"' in text else _read_csv_fast(text, delimiter, file)
    extra = [c for c in frame.columns if c not in COLUMNS and c != "_line"]
    try:
        out = validate_observations(frame, file=file)
    except InputError as exc:
        if kind == "parquet":
            raise _as_rows(exc, file) from exc
        raise
    prov = LoadProvenance(
        source="file",
        dataset=name,
        file=str(file),
        sha256=sha256_file(file),
        rows_read=len(frame),
        rows_kept=len(out),
    )
    prov.notes["format"] = kind
    if extra:
        prov.notes["ignored_columns"] = extra
    logger.info(
        "%s: read %d rows from %s (%s), kept %d%s",
        name,
        prov.rows_read,
        file,
        kind,
        prov.rows_kept,
        f"; ignored columns {', '.join(extra)}" if extra else "",
    )
    return LoadResult(frame=out, provenance=prov)
