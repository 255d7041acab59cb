"""The canonical long table every loader produces and the engine reads.

One row is one cell of a region × industry × year panel:

======================  =========  ===========================================================================
column                  type       meaning
======================  =========  ===========================================================================
``region``              string     region code as published (NUTS code, state FIPS, CBSA code …)
``industry``            string     industry code as published (NACE ``C29``/``G471``, NAICS ``336111`` …)
``year``                int64      reference year
``employment``          float64    persons employed (Eurostat SBS V16110) or employees (CBP ``emp``);
                                   **null = not published** (suppressed or missing), never read as zero
``establishments``      float64    local units / establishments (optional, null if unknown)
``wages``               float64    wages and salaries in the source's unit (optional, null if unknown)
``flag``                string     the publisher's flags, kept verbatim (Eurostat ``c``, ``bu`` …; CBP noise
                                   flag); empty string when none
``size_class``          string     CBP employment-size class ``A``–``M`` of a withheld cell, else empty
======================  =========  ===========================================================================

Validation happens in pandas before anything is stored, so that an error can name the file, the 1-based line
(the header is line 1) and the column of the first offending value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from clustermap.errors import (
    DuplicateKeyError,
    EmptyInputError,
    SchemaError,
    ValueValidationError,
)

KEY = ("region", "industry", "year")
REQUIRED = ("region", "industry", "year", "employment")
OPTIONAL = ("establishments", "wages", "flag", "size_class")
COLUMNS = REQUIRED + OPTIONAL

#: Arrow schema of the canonical table (the warehouse stores exactly this plus ``dataset``).
OBSERVATIONS = pa.schema(
    [
        ("region", pa.string()),
        ("industry", pa.string()),
        ("year", pa.int64()),
        ("employment", pa.float64()),
        ("establishments", pa.float64()),
        ("wages", pa.float64()),
        ("flag", pa.string()),
        ("size_class", pa.string()),
    ]
)

#: Flags Eurostat uses in bulk TSV / SDMX-CSV files, one letter each; a cell may carry several ("cd", "bu").
EUROSTAT_FLAGS = frozenset("bcdefinprsuz")
#: CBP employment-size classes of withheld cells (``empflag``); bounds live in classifications/data/cbp_size_classes.csv
CBP_SIZE_CLASSES = frozenset("ABCEFGHIJKLM")
#: The largest count (persons, establishments) a cell may hold; beyond it a value is an error, not a number to
#: compute with (1e12 is over a hundred times the world's population; an overflowing LQ would read as a star).
MAX_COUNT = 1e12
#: CBP noise flags (``D``, ``G``, ``H``, ``J``) and ``S`` (withheld), accepted as whole flags.
_CBP_NOISE_FLAGS = frozenset({"D", "G", "H", "J", "S"})


def _line_numbers(frame: pd.DataFrame) -> pd.Series:
    """1-based file line of each row: a ``_line`` column if the loader kept one, else header + position."""
    if "_line" in frame.columns:
        return frame["_line"]
    return pd.Series(np.arange(len(frame)) + 2, index=frame.index)


def _first_bad(
    frame: pd.DataFrame, mask: pd.Series, column: str, message: str, file: str | Path | None, cls: type
) -> None:
    if not mask.any():
        return
    bad = frame.loc[mask]
    first = bad.index[0]
    value = bad.loc[first, column]
    raise cls(
        message,
        file=file,
        line=int(_line_numbers(frame).loc[first]),
        column=column,
        value=value.item() if isinstance(value, np.generic) else value,  # -3.0, not np.float64(-3.0)
        more=int(mask.sum()) - 1,
    )


def to_number(
    frame: pd.DataFrame, column: str, *, file: str | Path | None = None, allow_negative: bool = False
) -> pd.Series:
    """Parse ``column`` as float64; blank cells become null; anything else that is not a number is an error."""
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw):
        values = raw.astype("float64")
        text_blank = raw.isna()
    else:
        text = raw.astype("string").str.strip()
        text_blank = text.isna() | (text == "")
        values = pd.to_numeric(text.where(~text_blank), errors="coerce").astype("float64")
        _first_bad(frame, values.isna() & ~text_blank, column, "not a number", file, ValueValidationError)
    _first_bad(frame, ~np.isfinite(values) & ~text_blank, column, "not a finite number", file, ValueValidationError)
    if not allow_negative:
        _first_bad(frame, values < 0, column, "must not be negative", file, ValueValidationError)
    return values


def _count(frame: pd.DataFrame, column: str, file: str | Path | None) -> pd.Series:
    """:func:`to_number`, and no value over :data:`MAX_COUNT`."""
    values = to_number(frame, column, file=file)
    message = f"over the maximum of {MAX_COUNT:.0e} a count may take"
    _first_bad(frame, values > MAX_COUNT, column, message, file, ValueValidationError)
    return values


def validate_observations(
    frame: pd.DataFrame,
    *,
    file: str | Path | None = None,
    required: Sequence[str] = REQUIRED,
    key: Sequence[str] = KEY,
) -> pd.DataFrame:
    """Check and normalise a frame to the canonical schema; raise a typed error at the first bad value.

    Raises
    ------
    EmptyInputError
        no data rows.
    SchemaError
        a required column is missing.
    ValueValidationError
        a value is not a number, negative, an unknown flag, or a blank key.
    DuplicateKeyError
        two rows share (region, industry, year).
    """
    columns = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError.missing_columns(missing, columns, file=file)
    if len(frame) == 0:
        raise EmptyInputError("no data rows", file=file)
    out = pd.DataFrame(index=frame.index)
    for col in ("region", "industry"):
        text = frame[col].astype("string").str.strip()
        _first_bad(
            frame.assign(**{col: text}),
            text.isna() | (text == ""),
            col,
            "must not be blank",
            file,
            ValueValidationError,
        )
        _first_bad(
            frame.assign(**{col: text}),
            text.str.contains(r"[\x00\n\r]", regex=True).fillna(False).astype(bool),
            col,
            "control character (NUL or line break) inside a code",
            file,
            ValueValidationError,
        )
        out[col] = text.astype(object)
    years = to_number(frame, "year", file=file)
    _first_bad(
        frame,
        years.isna() | (years != np.floor(years)) | (years < 1900) | (years > 2200),
        "year",
        "not a year",
        file,
        ValueValidationError,
    )
    out["year"] = years.astype("int64")
    out["employment"] = _count(frame, "employment", file)
    for col in ("establishments", "wages"):
        if col not in frame.columns:
            out[col] = np.nan
        else:
            out[col] = _count(frame, col, file) if col == "establishments" else to_number(frame, col, file=file)
    for col in ("flag", "size_class"):
        if col in frame.columns:
            out[col] = frame[col].astype("string").fillna("").str.strip().astype(object)
        else:
            out[col] = ""
    check_flags(out.assign(_line=_line_numbers(frame)), file=file)
    dup = out.duplicated(list(key), keep="first")
    if dup.any():
        first_dup = out.loc[dup].index[0]
        row = out.loc[first_dup]
        raise DuplicateKeyError(
            "duplicate key (" + ", ".join(f"{k}={row[k]}" for k in key) + ")",
            file=file,
            line=int(_line_numbers(frame).loc[first_dup]),
            column=key[0],
            value=row[key[0]],
            more=int(dup.sum()) - 1,
        )
    return out.reset_index(drop=True)[list(COLUMNS)]


def check_flags(frame: pd.DataFrame, *, file: str | Path | None = None) -> None:
    """Every flag letter must be a known Eurostat flag; every size class a CBP letter A–M."""
    flags = frame["flag"].astype(str)
    # judged once per distinct value (a few dozen), not once per row
    bad_flags = [f for f in flags.unique() if f and not set(f) <= EUROSTAT_FLAGS and f not in _CBP_NOISE_FLAGS]
    unknown = flags.isin(bad_flags)
    _first_bad(frame, unknown, "flag", "unknown flag", file, ValueValidationError)
    sizes = frame["size_class"].astype(str)
    bad_size = sizes.isin([s for s in sizes.unique() if s and s not in CBP_SIZE_CLASSES])
    _first_bad(frame, bad_size, "size_class", "unknown CBP size class (A–M)", file, ValueValidationError)


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The canonical frame as an Arrow table with exactly :data:`OBSERVATIONS`' schema."""
    return pa.Table.from_pandas(frame[list(COLUMNS)], schema=OBSERVATIONS, preserve_index=False)


# ------------------------------------------------------------------------------------------------ SQL validation
_BLANKS = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER")
_NUMERIC_TYPES += ("UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _is_numeric(sql_type: str) -> bool:
    t = sql_type.upper()
    return t in _NUMERIC_TYPES or t.startswith("DECIMAL")


@dataclass(frozen=True)
class Check:
    """One rule of :func:`validate_observations` as SQL: ``bad`` is true on an offending row, ``raw`` the value
    an error shows."""

    column: str
    message: str
    error: type
    bad: str
    raw: str


@dataclass(frozen=True)
class Problem:
    """Rows that broke one :class:`Check`: how many, and the first (by file line) when lines are known."""

    check: Check
    count: int
    line: int | None
    value: Any

    def error(self, file: str | Path | None) -> Exception:
        """The typed error :func:`validate_observations` raises for the same rows."""
        return self.check.error(
            self.check.message,
            file=file,
            line=self.line,
            column=self.check.column,
            value=self.value,
            more=self.count - 1,
        )


def canonical_sql(
    source: dict[str, tuple[str, str]], *, untrimmed: frozenset[str] = frozenset()
) -> tuple[dict[str, str], list[Check]]:
    """The canonical columns as SQL expressions over a raw table, and the checks of
    :func:`validate_observations`, in the order it applies them.

    Parameters
    ----------
    source
        canonical column name → (column name in the raw table, its DuckDB type); optional columns may be absent.
    untrimmed
        text columns known to carry no leading or trailing blanks: read as they are (a trim of ten million
        strings costs a scan).

    Returns
    -------
    select, checks
        ``select`` maps every column of :data:`COLUMNS` to an expression (absent optional columns: null /
        empty string); ``checks`` are NULL-safe conditions.
    """
    select: dict[str, str] = {}
    checks: list[Check] = []

    def text(col: str) -> tuple[str, str]:
        name, sql_type = source[col]
        raw = _ident(name) if sql_type.upper() == "VARCHAR" else f"CAST({_ident(name)} AS VARCHAR)"
        return raw, raw if col in untrimmed else f"trim({raw}, {_BLANKS})"

    for col in ("region", "industry"):
        raw, value = text(col)
        select[col] = value
        checks.append(Check(col, "must not be blank", ValueValidationError, f"coalesce({value}, '') = ''", raw))
        bad = f"coalesce(contains({value}, chr(0)) OR contains({value}, chr(10)) OR contains({value}, chr(13)), false)"
        checks.append(Check(col, "control character (NUL or line break) inside a code", ValueValidationError, bad, raw))

    def number(col: str, *, maximum: float | None) -> str:
        name, sql_type = source[col]
        if _is_numeric(sql_type):
            value = f"CAST({_ident(name)} AS DOUBLE)"
            if sql_type.upper() in ("FLOAT", "DOUBLE", "REAL"):  # NaN in a float column is a blank, as in pandas
                # (isnan() misses the NaN of some Parquet writers; NaN is the one value neither finite nor infinite)
                value = (
                    f"CASE WHEN NOT isfinite({_ident(name)}) AND NOT isinf({_ident(name)}) THEN NULL ELSE {value} END"
                )
            raw = value
            blank = f"({value} IS NULL)"
        else:
            raw, stripped = text(col)
            blank = f"coalesce({stripped}, '') = ''"
            value = f"TRY_CAST(nullif({stripped}, '') AS DOUBLE)"
            checks.append(Check(col, "not a number", ValueValidationError, f"({value} IS NULL AND NOT {blank})", raw))
        checks.append(
            Check(col, "not a finite number", ValueValidationError, f"coalesce(NOT isfinite({value}), false)", raw)
        )
        checks.append(Check(col, "must not be negative", ValueValidationError, f"coalesce({value} < 0, false)", raw))
        if maximum is not None:
            message = f"over the maximum of {maximum:.0e} a count may take"
            checks.append(Check(col, message, ValueValidationError, f"coalesce({value} > {maximum!r}, false)", raw))
        return value

    year = number("year", maximum=None)
    bad_year = f"coalesce({year} <> floor({year}) OR {year} < 1900 OR {year} > 2200, true)"
    checks.append(Check("year", "not a year", ValueValidationError, bad_year, checks[-1].raw))
    select["year"] = f"CAST({year} AS BIGINT)"
    select["employment"] = number("employment", maximum=MAX_COUNT)
    for col in ("establishments", "wages"):
        if col in source:
            select[col] = number(col, maximum=MAX_COUNT if col == "establishments" else None)
        else:
            select[col] = "CAST(NULL AS DOUBLE)"
    for col in ("flag", "size_class"):
        if col in source:
            select[col] = f"coalesce({text(col)[1]}, '')"
        else:
            select[col] = "''"
    if "flag" in source:
        flag = select["flag"]
        known = ", ".join(sql_string(f) for f in sorted(_CBP_NOISE_FLAGS))
        letters = "".join(sorted(EUROSTAT_FLAGS))
        bad_flag = f"({flag} <> '' AND NOT regexp_full_match({flag}, '[{letters}]+') AND {flag} NOT IN ({known}))"
        checks.append(Check("flag", "unknown flag", ValueValidationError, bad_flag, flag))
    if "size_class" in source:
        size = select["size_class"]
        classes = ", ".join(sql_string(c) for c in sorted(CBP_SIZE_CLASSES))
        bad_size = f"({size} <> '' AND {size} NOT IN ({classes}))"
        checks.append(Check("size_class", "unknown CBP size class (A–M)", ValueValidationError, bad_size, size))
    return select, checks


def _text_columns(source: dict[str, tuple[str, str]]) -> list[str]:
    return [c for c in ("region", "industry", "flag", "size_class") if c in source]


#: the largest region bitmap :func:`_duplicate_rows` builds (bits: regions × industries × years); beyond it a hash
#: aggregate over the key counts the duplicates
_MAX_BITMAP_BITS = 2**33


def _duplicate_rows(con: Any, keys: str) -> int:
    """Rows beyond the first of each key (region, industry, year) of the relation ``keys`` (DuckDB SQL with those
    three columns, no nulls). Exact, and without a hash table over ten million keys (2.4 s of the 10.5 M-row
    benchmark panel's validation): each industry × year gathers its regions as a bitmap (one bit per region of
    the table, ``bitstring_agg``); it holds duplicates iff it has more rows than bits set. A table whose bitmaps
    would pass :data:`_MAX_BITMAP_BITS` (a sparse table of very many regions and industries) is counted by a hash
    aggregate over the key instead."""
    n_regions, n_industries, n_years = con.execute(
        f"SELECT count(DISTINCT region), count(DISTINCT industry), count(DISTINCT year) FROM {keys}"
    ).fetchone()
    if not n_regions:
        return 0
    if n_regions * n_industries * n_years > _MAX_BITMAP_BITS:
        row = con.execute(
            f"SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM {keys} GROUP BY region, industry, year "
            "HAVING count(*) > 1)"
        ).fetchone()
    else:
        row = con.execute(
            f"WITH k AS NOT MATERIALIZED {keys}, r AS (SELECT region, (row_number() OVER () - 1)::UINTEGER AS i "
            "FROM (SELECT DISTINCT region FROM k)) "
            f"SELECT sum(n - bit_count(b)) FROM (SELECT count(*) AS n, bitstring_agg(r.i, 0::UINTEGER, "
            f"{int(n_regions) - 1}::UINTEGER) AS b FROM k JOIN r USING (region) GROUP BY industry, year)"
        ).fetchone()
    return int(row[0] or 0)


def validate_sql(
    con: Any, relation: str, source: dict[str, tuple[str, str]], *, line: str | None = None
) -> tuple[int, list[Problem], frozenset[str]]:
    """Run every check of :func:`validate_observations` as SQL over ``relation`` (DuckDB): one aggregate pass
    counts the rows breaking each rule of the numbers, one per text column (region, industry, flag, size class)
    counts its rows by value and checks each distinct value once (a code repeats over years and industries: on
    the 10.5 M-row benchmark panel the text rules on every row took 0.9 of the pass's 1.3 CPU s),
    :func:`_duplicate_rows` counts duplicate keys, and only when a rule is broken a further pass looks for its
    first row.

    Parameters
    ----------
    con
        a DuckDB connection (``duckdb.DuckDBPyConnection``).
    relation
        SQL of the raw table (``read_parquet(...)``, ``read_csv(...)``).
    source
        as in :func:`canonical_sql`.
    line
        SQL of each row's 1-based file line, when the reader knows it (Parquet: ``file_row_number + 2``); then
        the first problem names its first row and value, else only counts are returned.

    Returns
    -------
    rows, problems, untrimmed
        the number of rows; the problems in the order :func:`validate_observations` raises them (empty when the
        table is valid; only the first one is located); the text columns that need no trim (for
        :func:`canonical_sql`).
    """
    texts = _text_columns(source)
    select, checks = canonical_sql(source)
    on_rows = [c for c in checks if c.column not in texts]
    row = con.execute(
        f"SELECT {', '.join(['count(*)'] + [f'count(*) FILTER (WHERE {c.bad})' for c in on_rows])} FROM {relation}"
    ).fetchone()
    rows = int(row[0])
    broken = dict(zip(on_rows, row[1:], strict=True))
    trimmed = []
    for col in texts:  # each rule of a text column reads that column only: checked once per distinct value
        name, sql_type = source[col]
        raw = _ident(name) if sql_type.upper() == "VARCHAR" else f"CAST({_ident(name)} AS VARCHAR)"
        on_values = [c for c in checks if c.column == col]
        sums = [f"sum(_n) FILTER (WHERE {c.bad})" for c in on_values] + [
            f"sum(_n) FILTER (WHERE {raw} <> trim({raw}, {_BLANKS}))"
        ]
        values = con.execute(
            f"SELECT {', '.join(sums)} FROM (SELECT {_ident(name)}, count(*) AS _n FROM {relation} "
            f"GROUP BY {_ident(name)})"
        ).fetchone()
        broken.update(zip(on_values, values[:-1], strict=True))
        if not values[-1]:
            trimmed.append(col)
    untrimmed = frozenset(trimmed)
    problems = [Problem(c, int(broken[c]), None, None) for c in checks if broken[c]]
    if problems:
        if line is not None:
            c = problems[0].check
            first, value = con.execute(
                f"SELECT min({line}), arg_min({c.raw}, {line}) FROM {relation} WHERE {c.bad}"
            ).fetchone()
            problems[0] = Problem(c, problems[0].count, int(first), value)
        return rows, problems, untrimmed
    select, _ = canonical_sql(source, untrimmed=untrimmed)
    key = ", ".join(f"{select[k]} AS {k}" for k in KEY)
    # duplicates: counted without a hash table over the key; only a table with duplicates is read again for the
    # first one
    n_dup = _duplicate_rows(con, f"(SELECT {key} FROM {relation})")
    if n_dup:
        first, region, industry, year = None, None, None, None
        if line is not None:
            first, region, industry, year = con.execute(
                f"SELECT min(l[2]), arg_min(region, l[2]), arg_min(industry, l[2]), arg_min(year, l[2]) FROM "
                f"(SELECT region, industry, year, min(_line, 2) AS l FROM (SELECT {key}, {line} AS _line "
                f"FROM {relation}) GROUP BY region, industry, year HAVING count(*) > 1)"
            ).fetchone()
        message = (
            f"duplicate key (region={region}, industry={industry}, year={year})"
            if region is not None
            else "duplicate key"
        )
        check = Check("region", message, DuplicateKeyError, "", "")
        problems.append(Problem(check, int(n_dup), None if first is None else int(first), region))
    return rows, problems, untrimmed
