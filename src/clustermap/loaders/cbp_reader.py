"""The shared reader of the County Business Patterns files (:mod:`clustermap.loaders.cbp` reads the state, metro-area
and county layouts with it): the CSV read with typed errors, NAICS codes as digits, years, region-code checks, and
the canonical frame — numbers, withheld cells, size classes and noise flags as the module :mod:`~clustermap.loaders.cbp`
defines them — with its provenance.

A read file is a frame of the file's columns (lower case) plus ``_line`` (1-based, the header is line 1) and, once a
layout has added them, ``_region``, ``_industry`` (NAICS digits or :data:`TOTAL`) and ``_year``.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Collection
from pathlib import Path

import numpy as np
import pandas as pd

from clustermap.errors import EmptyInputError, ParameterError, SchemaError, ValueValidationError
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file
from clustermap.schema import CBP_SIZE_CLASSES, to_number, validate_observations
from clustermap.sources.fetch import read_text

logger = logging.getLogger(__name__)

#: the industry code of the all-industries rows, whatever the file writes (``------``, ``00`` …)
TOTAL = "total"
_NOISE_FLAGS = frozenset({"", "G", "H", "J", "D", "S", "N"})
_WITHHELD_NOISE = frozenset({"D", "S", "N"})
_NAICS_PADDED = re.compile(r"^(\d{2,6})[-/]*$")
_NAICS_SECTOR_RANGE = re.compile(r"^(\d{2})-\d{2}$")


def year_from_name(path: Path, kind: str) -> int | None:
    """The year of a Census file named ``cbpYY<kind>`` (``cbp08st.txt`` → 2008; YY ≥ 86 is 19YY), else None."""
    found = re.search(rf"cbp(\d{{2}}){kind}", path.name, re.IGNORECASE)
    if not found:
        return None
    yy = int(found[1])
    return 1900 + yy if yy >= 86 else 2000 + yy


def normalise_naics(codes: pd.Series, *, file: Path, lines: np.ndarray, total_codes: Collection[str]) -> pd.Series:
    """CBP NAICS codes as plain digits: ``3322--`` → ``3322``, ``113///`` → ``113``, ``31-33`` → ``31``; the
    all-industries codes (``------``, ``total``, ``00`` …) → ``"total"``.

    Raises
    ------
    ValueValidationError
        a code that is none of these (names file, line, column ``naics`` and the code).
    """
    codes_i, uniques = pd.factorize(codes.astype(str).to_numpy(dtype=object), use_na_sentinel=False)
    totals = set(total_codes)
    mapped: list[str | None] = []
    for raw in uniques:
        code = str(raw).strip()
        if code in totals or (code and set(code) <= {"-", "/"}):
            mapped.append(TOTAL)
        elif (m := _NAICS_PADDED.match(code)) or (m := _NAICS_SECTOR_RANGE.match(code)):
            mapped.append(m[1])
        else:
            mapped.append(None)
    bad_u = np.array([m is None for m in mapped], dtype=bool)
    if bad_u.any():
        ValueValidationError.raise_first(
            bad_u[codes_i],
            "not a NAICS code (2-6 digits, optionally padded with '-' or '/')",
            file=file,
            lines=lines,
            column="naics",
            values=uniques.astype(str)[codes_i],
        )
    return pd.Series(np.asarray(mapped, dtype=object)[codes_i], index=codes.index, dtype=object)


def read_cbp_csv(
    file: Path,
    *,
    text_cols: Collection[str],
    numeric_cols: Collection[str],
    check: Callable[[set[str]], None],
) -> pd.DataFrame:
    """Read the wanted columns of a CBP CSV (names matched case-insensitively and returned in lower case):
    numbers parsed by pandas' C parser (fast path), with a slow path that names the first bad cell. ``check``
    receives the lower-cased header names and raises :class:`SchemaError` when the layout is not understood.
    Negative numbers are rejected in every row (not only in the rows a loader keeps)."""
    text = read_text(file)
    if not text.strip():
        raise EmptyInputError("empty file", file=file)
    try:
        header = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")]))
    except csv.Error as exc:  # e.g. a lone \r (old Mac line ends) inside the header line
        raise SchemaError(f"cannot read the header line: {exc}", file=file, line=1) from exc
    lower = {name: name.strip().lower() for name in header}
    check(set(lower.values()))
    wanted_text = {n for n, low in lower.items() if low in set(text_cols)}
    wanted_num = {n for n, low in lower.items() if low in set(numeric_cols)}
    options = dict(
        usecols=sorted(wanted_text | wanted_num),
        keep_default_na=False,
        skip_blank_lines=False,
        engine="c",
    )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype={**{n: str for n in wanted_text}, **{n: "float64" for n in wanted_num}},
            na_values={n: [""] for n in wanted_num},
            **options,
        )
    except pd.errors.ParserError as exc:
        raise SchemaError.from_parser(exc, file=file) from exc
    except ValueError:
        # a cell pandas' float parser refuses (text, or blanks such as a tab): read every column as text, and let
        # to_number name the file, line, column and value of a bad one and read blank cells as null
        frame = pd.read_csv(io.StringIO(text), dtype=str, **options)
    frame.columns = [lower[c] for c in frame.columns]
    frame["_line"] = np.arange(len(frame), dtype="int64") + 2
    for col in (lower[n] for n in wanted_text):
        frame[col] = frame[col].fillna("").str.strip()
    for col in sorted(lower[n] for n in wanted_num):
        frame[col] = to_number(frame, col, file=file)  # negative / non-finite values, with file, line, column, value
    text_lower = {lower[n] for n in wanted_text}
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for col in frame.columns[:-1]:
            blank &= (frame[col] == "").to_numpy() if col in text_lower else frame[col].isna().to_numpy()
        if blank.any():
            frame = frame.loc[~blank]
    if len(frame) == 0:
        raise EmptyInputError("no data rows below the header", file=file)
    return frame


def requires_columns(columns: tuple[str, ...], what: str, file: Path) -> Callable[[set[str]], None]:
    """A header check for :func:`read_cbp_csv`: :class:`SchemaError` on line 1 naming the first missing column."""

    def check(names: set[str]) -> None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise SchemaError.missing_columns(missing, sorted(names), file=file, what=what)

    return check


def text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """The text column ``column`` of a read file, or blanks when the layout has no such column."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column]


def _canonical(frame: pd.DataFrame, *, file: Path, prov: LoadProvenance) -> pd.DataFrame:
    """Shared CBP logic: numbers, withheld cells, size classes and noise flags → a canonical frame (unvalidated).

    ``frame`` holds the file's columns (lower case) plus ``_region``, ``_industry``, ``_year`` and ``_line``.
    """
    emp = to_number(frame, "emp", file=file)
    est_col = "est" if "est" in frame.columns else "estab"
    est = to_number(frame, est_col, file=file) if est_col in frame.columns else pd.Series(np.nan, index=frame.index)
    ap = to_number(frame, "ap", file=file) if "ap" in frame.columns else pd.Series(np.nan, index=frame.index)
    lines = frame["_line"].to_numpy()
    empflag = text_column(frame, "empflag")
    emp_nf = text_column(frame, "emp_nf").replace("-", "")
    for column, values, allowed, message in (
        ("empflag", empflag, {"", *CBP_SIZE_CLASSES}, "unknown employment-size class (A-C, E-M)"),
        ("emp_nf", emp_nf, _NOISE_FLAGS, "unknown noise flag (G, H, J, D, S, N or '-')"),
    ):
        bad = ~values.isin(allowed)
        ValueValidationError.raise_first(bad, message, file=file, lines=lines, column=column, values=values.to_numpy())
    ap_nf = text_column(frame, "ap_nf").replace("-", "")
    withheld = (emp == 0) & ((empflag != "") | emp_nf.isin(_WITHHELD_NOISE))
    not_available = emp_nf == "N"
    if not_available.any():  # the canonical flag set has no 'N': the cell is null and counted here
        prov.notes["not_available_cells"] = int(not_available.sum())
        emp_nf = emp_nf.where(~not_available, "")
    wages_withheld = (ap == 0) & (withheld | ap_nf.isin(_WITHHELD_NOISE))
    prov.notes["withheld_cells"] = int(withheld.sum())
    prov.notes["flagged_but_published"] = int(((empflag != "") & ~withheld).sum())
    return pd.DataFrame(
        {
            "region": frame["_region"].to_numpy(dtype=object),
            "industry": frame["_industry"].to_numpy(dtype=object),
            "year": frame["_year"].to_numpy(dtype="int64"),
            "employment": emp.where(~withheld).to_numpy(dtype="float64"),
            "establishments": est.to_numpy(dtype="float64"),
            "wages": ap.where(~wages_withheld).to_numpy(dtype="float64"),
            "flag": emp_nf.to_numpy(dtype=object),
            "size_class": empflag.where(withheld, "").to_numpy(dtype=object),
            "_line": frame["_line"].to_numpy(),
        }
    )


def drop_rows(frame: pd.DataFrame, mask: pd.Series | np.ndarray, reason: str, prov: LoadProvenance) -> pd.DataFrame:
    """``frame`` without the rows of ``mask``, counted in the provenance as dropped for ``reason``."""
    mask = np.asarray(mask, dtype=bool)
    prov.drop(reason, int(mask.sum()))
    return frame.loc[~mask]


def years_column(frame: pd.DataFrame, file: Path, year: int | None, kind: str) -> pd.Series:
    """The year of every row: the ``year`` column (checked to hold whole numbers), else ``year``, else the year
    in the file name ``cbpYY<kind>``; :class:`ParameterError` when none says it."""
    if "year" in frame.columns:
        years = to_number(frame, "year", file=file)
        ValueValidationError.raise_first(
            years.isna() | (years != np.floor(years)),
            "not a year",
            file=file,
            lines=frame["_line"].to_numpy(),
            column="year",
            values=frame["year"].to_numpy(),
        )
        return years.astype("int64")
    y = year if year is not None else year_from_name(file, kind)
    if y is None:
        raise ParameterError(f"{file}: the file has no year column and its name is not cbpYY{kind}.txt; pass year=")
    return pd.Series(int(y), index=frame.index, dtype="int64")


def cbp_provenance(file: Path, frame: pd.DataFrame, dataset: str, url: str | None, layout: str) -> LoadProvenance:
    """The provenance of a CBP file just read (``frame``: its rows), with its layout in the notes."""
    prov = LoadProvenance(
        source="census", dataset=dataset, file=str(file), sha256=sha256_file(file), rows_read=len(frame), url=url
    )
    prov.notes["layout"] = layout
    return prov


def keep_years(
    frame: pd.DataFrame, year_s: pd.Series, years: Collection[int] | None, prov: LoadProvenance
) -> tuple[pd.DataFrame, pd.Series]:
    """The rows (and their years ``year_s``) of the wanted ``years`` (all when None); others counted as dropped."""
    if years is None:
        return frame, year_s
    other = ~year_s.isin({int(y) for y in years})
    return drop_rows(frame, other, "other year", prov), year_s.loc[~other.to_numpy()]


def code_column(frame: pd.DataFrame, column: str, pattern: str, message: str, file: Path) -> pd.Series:
    """The text column ``column``, every value checked to match the regular expression ``pattern`` in full.

    Raises
    ------
    ValueValidationError
        ``message`` for the first value that does not (file, line, column, value and how many more).
    """
    values = text_column(frame, column)
    ValueValidationError.raise_first(
        ~values.str.fullmatch(pattern),
        message,
        file=file,
        lines=frame["_line"].to_numpy(),
        column=column,
        values=values.to_numpy(),
    )
    return values


def _finish(frame: pd.DataFrame, prov: LoadProvenance, file: Path, what: str) -> LoadResult:
    """The canonical, validated observations of ``frame`` with the provenance completed and logged."""
    out = validate_observations(_canonical(frame, file=file, prov=prov), file=file)
    prov.rows_kept = len(out)
    logger.info(
        "%s: read %d rows from %s, kept %d (%d withheld: employment null, size class kept), dropped %s",
        what,
        prov.rows_read,
        file,
        prov.rows_kept,
        int(out["size_class"].ne("").sum()),
        prov.rows_dropped or "none",
    )
    return LoadResult(frame=out, provenance=prov)


def industry_rows(
    frame: pd.DataFrame, prov: LoadProvenance, file: Path, *, digits: int | None, note: str
) -> LoadResult:
    """Industry rows of one NAICS length (all lengths when ``digits`` is None), without the all-industries
    total; dropped rows are counted in the provenance."""
    frame = drop_rows(frame, frame["_industry"] == TOTAL, "all-industries total", prov)
    if digits is not None:
        frame = drop_rows(frame, frame["_industry"].str.len() != digits, "other NAICS level", prov)
    prov.notes[note] = digits
    return _finish(frame, prov, file, prov.dataset)


def totals_table(frame: pd.DataFrame, prov: LoadProvenance, file: Path) -> pd.DataFrame:
    """The all-industries rows of a read CBP file as ``region``, ``year``, ``total`` (employees, null when
    withheld), sorted; industry rows counted as dropped, the provenance in ``attrs["provenance"]``."""
    frame = drop_rows(frame, frame["_industry"] != TOTAL, "industry row (not the total)", prov)
    result = _finish(frame, prov, file, f"{prov.dataset} totals")
    out = result.frame[["region", "year", "employment"]].rename(columns={"employment": "total"})
    out = out.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = result.provenance
    return out
