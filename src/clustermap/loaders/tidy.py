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
import gzip
import io
import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from clustermap.schema import (
    COLUMNS,
    REQUIRED,
    Problem,
    canonical_sql,
    sql_string,
    validate_observations,
    validate_sql,
)
from clustermap.sources.fetch import read_bytes, read_text

if TYPE_CHECKING:
    import ibis.expr.types as ir

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
    lone_cr = re.search(r"\r(?!\n)", text)
    if lone_cr:  # pandas ends a row there, so rows and \n-separated lines would no longer correspond
        raise SchemaError(
            "a carriage return (\\r) alone ends a line here: save the file with \\n or \\r\\n line ends",
            file=file,
            line=text.count("\n", 0, lone_cr.start()) + 1,
        )
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
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SchemaError(f"cannot split the file into rows and fields: {exc}", file=file) from exc
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


# ------------------------------------------------------------------------------------------------ in the engine
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_counter = itertools.count()


@dataclass
class TidyScan:
    """A tidy file read by the engine: ``table`` is a lazy ibis table of the canonical columns (a view over the
    file on DuckDB, a DataFrame on PySpark) — no row of it has been brought into Python."""

    table: ir.Table
    provenance: LoadProvenance
    #: the same canonical rows as a DuckDB view over the file, when DuckDB validated the file for another engine
    #: (PySpark): questions about the input's codes are answered there, without a job of that engine
    checked: ir.Table | None = None

    @property
    def scannable(self) -> ir.Table:
        """The table to run whole-input scans on (counts, the industry codes): on PySpark the DuckDB view the file
        was validated through — a scan of seconds instead of a Spark job over every row — else :attr:`table`."""
        return self.checked if self.checked is not None else self.table


def _header(file: Path, head: bytes) -> str:
    """The first line of a CSV, gunzipped if need be, without a byte-order mark."""
    opener = gzip.open if head.startswith(GZIP_MAGIC) else open
    try:
        with opener(file, "rb") as handle:
            first = handle.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise CorruptFileError(f"unreadable file ({exc})", file=file, line=1) from exc
    return first.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")


def _source_columns(con: Any, relation: str, file: Path) -> dict[str, tuple[str, str]]:
    """Canonical name → (column as in the file, DuckDB type), checking names as :func:`load_tidy` does."""
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    names = [str(r[0]) for r in described]
    normal = _normalise_columns(names, file)
    return {n: (orig, str(r[1])) for n, orig, r in zip(normal, names, described, strict=True) if n in COLUMNS}


def scan_tidy(path: str | Path, *, con: Any = None, dataset: str | None = None) -> TidyScan:
    """Read a tidy CSV / CSV.gz / Parquet file *in the engine* and validate it there, as SQL.

    The same file format, rules and errors as :func:`load_tidy`, but the rows stay in DuckDB: Parquet is read
    with ``read_parquet`` and CSV with ``read_csv`` (every column as text, then cast, so a bad value is found,
    not guessed around); :func:`clustermap.schema.validate_sql` checks it in one aggregate pass plus a hash
    aggregate for duplicate keys. Parquet errors name the row (``file_row_number``). A CSV that breaks a rule, or
    that DuckDB cannot parse (a zip archive, bad UTF-8, a row with the wrong number of fields), is read again by
    :func:`load_tidy`, whose reader counts physical lines, so that the error names the line an editor shows.

    Parameters
    ----------
    con
        an ibis DuckDB or PySpark connection (default: :func:`clustermap.engines.backends.engine`). On PySpark
        the file is validated by DuckDB and read by ``spark.read``.

    Returns
    -------
    TidyScan
        the canonical table (columns of :data:`clustermap.schema.COLUMNS`) and the provenance.
    """
    from clustermap.engines.backends import engine

    con = con if con is not None else engine("duckdb")
    file = Path(path)
    name = dataset or re.sub(r"(\.(csv|tsv|txt|gz|parquet|pq))+$", "", file.name, flags=re.IGNORECASE)
    if not file.is_file():
        read_bytes(file)  # raises SourceError naming the file
    if file.stat().st_size == 0:
        raise EmptyInputError("empty file", file=file)
    with open(file, "rb") as handle:
        head = handle.read(4)
    duck = con if con.name == "duckdb" else engine("duckdb")
    raw = duck.con
    delimiter = ","
    if _is_parquet(file):
        kind = "parquet"
        relation = f"read_parquet({sql_string(str(file))}, file_row_number = true)"
        try:
            source = _source_columns(raw, relation, file)
        except Exception as exc:  # duckdb.IOException / InvalidInputException: not Parquet
            if isinstance(exc, InputError):
                raise
            raise CorruptFileError(f"not a readable Parquet file ({exc})", file=file) from exc
        try:
            rows, problems, untrimmed = _validated(raw, relation, source, file, line="(file_row_number + 2)")
        except InputError as exc:
            raise _as_rows(exc, file) from exc
    else:
        kind = "csv"
        if head.startswith(ZIP_MAGIC):
            return _exact(file, con, name)
        header = _header(file, head)
        if not header.strip():
            return _exact(file, con, name)
        delimiter = sniff_delimiter(header)
        names = next(csv.reader([header], delimiter=delimiter))
        columns = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in names) + "}"
        relation = (
            f"read_csv({sql_string(str(file))}, delim = {sql_string(delimiter)}, header = true, auto_detect = false, "
            f"columns = {columns}, quote = '\"', escape = '\"', strict_mode = true, "
            f"compression = {sql_string('gzip' if head.startswith(GZIP_MAGIC) else 'none')})"
        )
        try:
            source = _source_columns(raw, relation, file)
            rows, problems, untrimmed = _validated(raw, relation, source, file, line=None)
        except InputError:
            return _exact(file, con, name)
        except Exception:  # DuckDB cannot parse it: the exact reader says where and why
            return _exact(file, con, name)
        if problems or rows == 0:
            return _exact(file, con, name)
    select, _ = canonical_sql(source, untrimmed=untrimmed)
    view = f"cm_input_{next(_counter)}"
    body = ", ".join(f"{expr} AS {col}" for col, expr in select.items())
    raw.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {body} FROM {relation}")
    checked = duck.table(view)
    table = checked if con.name == "duckdb" else _spark_table(con, file, kind, source, delimiter, untrimmed)
    prov = LoadProvenance(
        source="file", dataset=name, file=str(file), sha256=sha256_file(file), rows_read=rows, rows_kept=rows
    )
    prov.notes["format"] = kind
    extra = [c for c in _all_columns(raw, relation) if c not in COLUMNS and c != "file_row_number"]
    if extra:
        prov.notes["ignored_columns"] = extra
    logger.info("%s: %d rows in %s (%s), validated in the engine", name, rows, file, kind)
    return TidyScan(table, prov, checked=None if con.name == "duckdb" else checked)


def _all_columns(con: Any, relation: str) -> list[str]:
    return [str(r[0]).strip().lower() for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _validated(
    con: Any, relation: str, source: dict[str, tuple[str, str]], file: Path, *, line: str | None
) -> tuple[int, list[Problem], frozenset[str]]:
    """Required columns present, then :func:`validate_sql`; raises the first problem when lines are known."""
    missing = [c for c in REQUIRED if c not in source]
    if missing:
        found = ", ".join(c for c in _all_columns(con, relation) if c != "file_row_number") or "none"
        raise SchemaError(
            f"missing required column(s) {', '.join(missing)}; found {found}", file=file, line=1, column=missing[0]
        )
    rows, problems, untrimmed = validate_sql(con, relation, source, line=line)
    if rows == 0 and line is not None:
        raise EmptyInputError("no data rows", file=file)
    if problems and line is not None:
        raise problems[0].error(file)
    return rows, problems, untrimmed


def _exact(file: Path, con: Any, name: str) -> TidyScan:
    """:func:`load_tidy` (raises the error with its exact line); a file it accepts goes to the engine."""
    from clustermap.engines.backends import to_backend

    loaded = load_tidy(file, dataset=name)
    return TidyScan(to_backend(con, loaded.frame), loaded.provenance)


def _spark_table(
    con: Any,
    file: Path,
    kind: str,
    source: dict[str, tuple[str, str]],
    delimiter: str,
    untrimmed: frozenset[str] = frozenset(),
) -> ir.Table:
    """The validated file read by ``spark.read`` and cast to the canonical types with ibis (no driver collect),
    with the values :func:`clustermap.schema.canonical_sql` gives on DuckDB.

    A numeric column (DuckDB type of ``source``: a typed Parquet column) is cast as it is, NaN read as null (a
    blank, as on DuckDB); a text column (CSV, or text in Parquet) is trimmed and parsed. Text columns that
    validation found with no blank at either end (``untrimmed``, as :func:`clustermap.schema.validate_sql`
    names them) are not trimmed: on sixty million rows each trim and each number-to-text-to-number round trip is
    a pass of string work in every Spark job that reads the input."""
    import ibis

    from clustermap.schema import _is_numeric

    reader = con._session.read
    if kind == "parquet":
        frame = reader.parquet(str(file))
    else:
        frame = reader.option("header", "true").option("sep", delimiter).csv(str(file))
    view = f"cm_input_{next(_counter)}"
    frame.createOrReplaceTempView(view)
    t = con.table(view)

    def col(c: str) -> Any:
        return t[source[c][0]]

    def typed(c: str) -> bool:
        return kind == "parquet" and _is_numeric(source[c][1])

    def text(c: str) -> Any:
        if c not in source:
            return ibis.literal("")
        value = col(c).cast("string")
        return value if c in untrimmed else value.strip()

    def number(c: str) -> Any:
        if c not in source:
            return ibis.null("float64")
        if typed(c):
            value = col(c).cast("float64")
            return ibis.ifelse(value.isnan(), ibis.null("float64"), value)
        return text(c).nullif("").cast("float64")

    return t.select(
        region=text("region"),
        industry=text("industry"),
        year=(col("year").cast("int64") if typed("year") else number("year").cast("int64")),
        employment=number("employment"),
        establishments=number("establishments"),
        wages=number("wages"),
        flag=text("flag").fill_null(""),
        size_class=text("size_class").fill_null(""),
    )
