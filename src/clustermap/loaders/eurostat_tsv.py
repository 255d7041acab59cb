"""Eurostat bulk TSV files (legacy bulk download and the dissemination API's ``format=TSV``); the loaders built
on them and on SDMX-CSV are in :mod:`.eurostat`.

File format
-----------
Tab-separated, gzip or plain. The header's first cell packs the dimensions, comma-joined, ending in the time
axis: ``nace_r2,indic_sb,geo\\time`` (legacy) or ``freq,unit,geo\\TIME_PERIOD`` (API); the other header cells are
years, often with a trailing space (``"2015 "``). Each data row's first cell packs the dimension codes
(``B,V16110,AT11``); every other cell is ``value[ flags]`` where ``:`` means *not available*. Flags are one or
more letters of ``b c d e f i n p r s u z`` (``c`` confidential, ``b`` break in series, ``d`` definition differs,
``e`` estimated, ``p`` provisional, ``u`` low reliability, ``i`` see metadata, ``r`` revised, ``n`` not
significant, ``s`` Eurostat estimate, ``f`` forecast, ``z`` not applicable); combinations such as ``cd`` or ``bu``
occur. ``: c`` is a suppressed cell, never a zero; ``0`` is a real zero.

The long frame
--------------
:func:`read_tsv` (and :func:`clustermap.loaders.eurostat_sdmx.read_sdmx`) return one row per cell with one
string column per dimension (``geo`` included), ``year`` (int64), ``value`` (float64, NaN for ``:``), ``flag``
(string, ``''`` when none) and ``_line`` (1-based line of the cell in the file).
:func:`clustermap.loaders.eurostat.load_eurostat` turns that into the canonical observation table
(:mod:`clustermap.schema`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clustermap.errors import (
    EmptyInputError,
    SchemaError,
    ValueValidationError,
)
from clustermap.loaders.eurostat_reader import (
    EurostatRead,
    Filters,
    check_filter_dims,
    filter_reason,
    normalise_filters,
)
from clustermap.schema import EUROSTAT_FLAGS
from clustermap.sources.fetch import read_text

logger = logging.getLogger(__name__)


_HEADER = re.compile(r"^(?P<dims>[^\\]+)\\(?P<time>time|time_period)$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
#: ``value[ flags]`` or ``:[ flags]``; Eurostat never uses exponents or thousands separators
_CELL = re.compile(r"^\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)|:)\s*(?P<flag>[A-Za-z]*)\s*$")


def parse_cells(
    cells: np.ndarray, file: Path, locate: Callable[[int], tuple[int, str]]
) -> tuple[np.ndarray, pd.Series]:
    """Parse ``value[ flags]`` strings, vectorised over the distinct strings (pyarrow regex).

    Parameters
    ----------
    cells : numpy.ndarray of object
        Raw cell strings in file order; ``None``/NaN marks a missing field.
    file : Path
        For error messages.
    locate : callable
        ``locate(i) -> (line, column)`` of flat cell ``i``, for error messages.

    Returns
    -------
    (values, flags)
        float64 array (NaN for ``:``) and a string Series of flags (``''`` when none).

    Raises
    ------
    ValueValidationError
        a cell that is neither a number nor ``:`` (with optional flags), an empty cell, or an unknown flag letter;
        the first one in file order is reported, with the count of the others.
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    parsed = pc.extract_regex(pa.array(np.asarray(uniques, dtype=object), type=pa.string()), _CELL.pattern)
    bad_unique = parsed.is_null().to_numpy(zero_copy_only=False)
    missing = codes < 0
    if missing.any() or bad_unique.any():
        bad_cells = missing | bad_unique[np.maximum(codes, 0)]
        i = int(np.flatnonzero(bad_cells)[0])
        line, column = locate(i)
        raw = cells[i]
        blank = raw is None or isinstance(raw, float) or not str(raw).strip()
        raise ValueValidationError(
            "empty cell (expected a number or ':', with optional flags)"
            if blank
            else "not a number or ':' (with optional flags)",
            file=file,
            line=line,
            column=column,
            value="" if blank else raw,
            more=int(bad_cells.sum()) - 1,
        )
    flags_u = parsed.field("flag")
    flag_list = flags_u.to_pylist()
    unknown_u = np.array([bool(f) and not set(f) <= EUROSTAT_FLAGS for f in flag_list], dtype=bool)
    if unknown_u.any():
        bad_cells = unknown_u[codes]
        i = int(np.flatnonzero(bad_cells)[0])
        line, column = locate(i)
        letters = "".join(sorted(set(flag_list[codes[i]]) - EUROSTAT_FLAGS))
        raise ValueValidationError(
            f"unknown flag letter(s) {letters!r} (Eurostat flags are {''.join(sorted(EUROSTAT_FLAGS))})",
            file=file,
            line=line,
            column=column,
            value=cells[i],
            more=int(bad_cells.sum()) - 1,
        )
    num = pd.Series(parsed.field("num").to_numpy(zero_copy_only=False), dtype=object)
    values_u = pd.to_numeric(num.where(num != ":"), errors="coerce").to_numpy(dtype="float64")
    take = pa.array(codes)
    return values_u[codes], flags_u.take(take).to_pandas()


def _read_header(text: str, file: Path) -> tuple[list[str], list[str], list[int]]:
    first = text.split("\n", 1)[0].rstrip("\r")
    cells = first.split("\t")
    head = cells[0].strip()
    match = _HEADER.match(head)
    if not match:
        raise SchemaError(
            "not a Eurostat bulk TSV header: the first cell must read 'dim1,dim2,...,geo\\time'",
            file=file,
            line=1,
            column=head[:60] or "(empty)",
            value=first[:80],
        )
    dims = [d.strip() for d in match["dims"].split(",")]
    if any(not d for d in dims) or len(set(dims)) != len(dims):
        raise SchemaError("empty or repeated dimension name in the header", file=file, line=1, column=head)
    if "geo" not in dims:
        raise SchemaError(
            f"the header declares no 'geo' dimension (dimensions: {', '.join(dims)})", file=file, line=1, column=head
        )
    time_cols = [c.strip() for c in cells[1:]]
    if not time_cols:
        raise SchemaError("the header has no year columns", file=file, line=1, column=head)
    for col in time_cols:
        if not _YEAR.match(col):
            raise SchemaError(
                "not an annual time column (expected a 4-digit year such as '2015 ')",
                file=file,
                line=1,
                column=col or "(empty)",
            )
    if len(set(time_cols)) != len(time_cols):
        dup = next(c for c in time_cols if time_cols.count(c) > 1)
        raise SchemaError("year column appears twice", file=file, line=1, column=dup)
    return dims, time_cols, [int(c) for c in time_cols]


def _read_tsv(path: str | Path, filters: Filters | None = None, text: str | None = None) -> EurostatRead:
    file = Path(path)
    text = read_text(file) if text is None else text
    if not text.strip():
        raise EmptyInputError("empty file", file=file)
    dims, time_cols, years = _read_header(text, file)
    wanted = normalise_filters(filters)
    check_filter_dims(wanted, dims, file)
    ncols = 1 + len(time_cols)
    try:
        body = pd.read_csv(
            io.StringIO(text),
            sep="\t",
            header=None,
            skiprows=1,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        raise EmptyInputError("no data rows below the header", file=file) from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            raise SchemaError(
                f"this row has {found[3]} tab-separated cells, the rows above have {found[1]} (the header has {ncols})",
                file=file,
                line=int(found[2]),
            ) from exc
        raise SchemaError(f"cannot split the file into tab-separated cells ({exc})", file=file) from exc
    lines = np.arange(len(body), dtype="int64") + 2
    key = body[0].astype(str).str.strip()
    empty_key = (key == "").to_numpy()
    if empty_key.any():
        rest = body.loc[empty_key, body.columns[1:]].astype(str)
        blank = np.zeros(len(body), dtype=bool)
        blank[empty_key] = rest.apply(lambda s: s.str.strip() == "").all(axis=1).to_numpy()
        body, key, lines = body.loc[~blank], key.loc[~blank], lines[~blank]
    if len(body) and body.shape[1] != ncols:
        raise SchemaError(
            f"the data rows have {body.shape[1]} tab-separated cells but the header has {ncols}",
            file=file,
            line=int(lines[0]),
        )
    if len(body) == 0:
        raise EmptyInputError("no data rows below the header", file=file)
    n_commas = key.str.count(",").to_numpy()
    bad = n_commas != len(dims) - 1
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueValidationError(
            f"the row key has {n_commas[i] + 1} comma-separated codes; the header declares {len(dims)} "
            f"({','.join(dims)})",
            file=file,
            line=int(lines[i]),
            column=",".join(dims),
            value=key.iloc[i],
            more=int(bad.sum()) - 1,
        )
    n_rows, n_dims = len(body), len(dims)
    pieces = pc.utf8_trim_whitespace(
        pc.split_pattern(pa.array(key.to_numpy(dtype=object), type=pa.string()), ",").flatten()
    )
    base = np.arange(n_rows, dtype="int64") * n_dims
    parts = {dim: pieces.take(pa.array(base + k)) for k, dim in enumerate(dims)}
    cells_in_file = n_rows * len(time_cols)
    dropped: dict[str, int] = {}
    keep_rows = np.ones(n_rows, dtype=bool)
    for dim, values in wanted.items():
        if dim == "year":
            continue
        ok = pc.is_in(parts[dim], value_set=pa.array(sorted(values), type=pa.string()))
        ok = ok.to_numpy(zero_copy_only=False)
        n = int((keep_rows & ~ok).sum()) * len(time_cols)
        if n:
            dropped[filter_reason(dim)] = dropped.get(filter_reason(dim), 0) + n
        keep_rows &= ok
    col_idx = list(range(1, ncols))
    if "year" in wanted:
        keep_years = [i for i, y in enumerate(years) if str(y) in wanted["year"]]
        n = int(keep_rows.sum()) * (len(years) - len(keep_years))
        if n:
            dropped[filter_reason("year")] = n
        col_idx = [col_idx[i] for i in keep_years]
        time_cols = [time_cols[i] for i in keep_years]
        years = [years[i] for i in keep_years]
    rows = np.flatnonzero(keep_rows)
    body, lines = body.iloc[rows], lines[rows]
    ny = len(years)
    flat = body[col_idx].to_numpy(dtype=object).ravel()

    def locate(i: int) -> tuple[int, str]:
        return int(lines[i // ny]), time_cols[i % ny]

    values, flags = parse_cells(flat, file, locate)
    take = pa.array(np.repeat(rows, ny))
    frame = pd.DataFrame({dim: parts[dim].take(take).to_pandas() for dim in dims})
    frame["year"] = np.tile(np.asarray(years, dtype="int64"), len(rows))
    frame["value"] = values
    frame["flag"] = flags
    frame["_line"] = np.repeat(lines, ny)
    return EurostatRead(frame=frame, dims=dims, cells=cells_in_file, dropped=dropped, kind="tsv")


def read_tsv(path: str | Path, *, filters: Filters | None = None) -> pd.DataFrame:
    """Read a Eurostat bulk TSV file (gzip or plain) into a long frame.

    Parameters
    ----------
    path : path
        The ``.tsv`` or ``.tsv.gz`` file (gzip is recognised by content).
    filters : mapping, optional
        ``{dimension: code or codes}`` to keep, applied before the cells are unpacked (cheap); ``year`` (alias
        ``time``) selects year columns. E.g. ``{"indic_sb": "V16110", "year": [2014, 2015]}``.

    Returns
    -------
    pandas.DataFrame
        One row per cell, in file order: one column per dimension (``geo`` included, codes as published),
        ``year`` (int64), ``value`` (float64; NaN for ``:``), ``flag`` (str; ``''`` when none, letters kept
        verbatim, e.g. ``"cd"``), ``_line`` (1-based line number in the file).

    Raises
    ------
    EmptyInputError
        empty file, or a header with no data rows.
    CorruptFileError
        truncated or corrupt gzip, or bytes that are not UTF-8 (names the file and the line reached).
    SchemaError
        a header that is not ``dims…,geo\\time`` + year columns, or a filter on a dimension the file lacks.
    ValueValidationError
        a cell that is neither a number nor ``:`` (with flags), or a flag letter outside ``bcdefinprsuz``; the
        message names file, line, column (the year) and the cell.
    """
    return _read_tsv(path, filters).frame
