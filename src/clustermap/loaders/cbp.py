"""US Census County Business Patterns (CBP): state and metro-area (CBSA/MSA) files by NAICS industry.

Layouts read
------------
* the mirror's state file ``cbp_state_naics_2000_2011.csv.gz``: ``year, fipstate, naics, naics_raw, empflag, emp,
  emp_nf, est, ap, ap_nf`` (``naics`` digits or ``total``);
* the Census raw state file ``cbpYYst.txt`` (or the ``cbpYYst.zip`` that holds it): ``fipstate, naics, [lfo,]
  [empflag,] emp_nf, emp, qp1_nf, qp1, ap_nf, ap, est, …`` — column names in upper or lower case, NAICS padded
  with ``-``/``/`` (``3322--``, ``113///``; ``------`` = all industries), year from the ``year`` argument or the
  file name;
* the mirror's CBSA file ``cbp_cbsa_naics_2018_2019.csv.gz``: ``year, cbsa_code, naics_code, naics_level, emp,
  estab`` (``naics_code`` ``00`` = all industries);
* the Census raw metro file ``cbpYYmsa.txt``: ``msa, naics, [empflag,] emp_nf, emp, …, est, …``.

Definitions and units
---------------------
``employment`` = ``emp``, paid employees in the pay period including March 12 (persons); ``establishments`` =
``est``; ``wages`` = ``ap``, annual payroll in **USD thousand**. A cell with ``emp = 0`` and a non-blank
``empflag`` (or, from 2007, a ``D``/``S``/``N`` noise flag) is *withheld* to avoid disclosure: its employment is null
(never zero) and ``size_class`` holds the ``empflag`` employment-size class (A 0–19, B 20–99, C 100–249,
E 250–499, F 500–999, G 1,000–2,499, H 2,500–4,999, I 5,000–9,999, J 10,000–24,999, K 25,000–49,999,
L 50,000–99,999, M 100,000+); its payroll, published as 0, is null as well. ``flag`` = the employment noise flag
``emp_nf`` (G low < 2 %, H medium 2–5 %, J high ≥ 5 %, D withheld, S not published; ``-`` before 2007 → ``''``;
``N`` "not available", which the canonical flag set lacks, → ``''`` with null employment, counted in the
provenance notes as ``not_available_cells``). Only the "all establishments" rows (``lfo = '-'``) of raw state
files are kept.
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
from clustermap.sources.catalog import get as get_dataset
from clustermap.sources.fetch import read_text, resolve

logger = logging.getLogger(__name__)

STATE_DATASET = "census:cbp_state_2000_2011"
CBSA_DATASET = "census:cbp_cbsa_2018_2019"
TOTAL = "total"
_NOISE_FLAGS = frozenset({"", "G", "H", "J", "D", "S", "N"})
_WITHHELD_NOISE = frozenset({"D", "S", "N"})
_NAICS_PADDED = re.compile(r"^(\d{2,6})[-/]*$")
_NAICS_SECTOR_RANGE = re.compile(r"^(\d{2})-\d{2}$")


def _year_from_name(path: Path, kind: str) -> int | None:
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


def _read_csv(
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


def _requires(columns: tuple[str, ...], what: str, file: Path) -> Callable[[set[str]], None]:
    """A header check for :func:`_read_csv`: :class:`SchemaError` on line 1 naming the first missing column."""

    def check(names: set[str]) -> None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise SchemaError.missing_columns(missing, sorted(names), file=file, what=what)

    return check


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
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
    empflag = _text(frame, "empflag")
    ValueValidationError.raise_first(
        (empflag != "") & ~empflag.isin(CBP_SIZE_CLASSES),
        "unknown employment-size class (A-C, E-M)",
        file=file,
        lines=lines,
        column="empflag",
        values=empflag.to_numpy(),
    )
    emp_nf = _text(frame, "emp_nf").replace("-", "")
    ValueValidationError.raise_first(
        ~emp_nf.isin(_NOISE_FLAGS),
        "unknown noise flag (G, H, J, D, S, N or '-')",
        file=file,
        lines=lines,
        column="emp_nf",
        values=emp_nf.to_numpy(),
    )
    ap_nf = _text(frame, "ap_nf").replace("-", "")
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


def _url(dataset_id: str, year: int | None) -> str:
    """The publisher URL of the catalog file, or of the raw Census file of ``year``."""
    ds = get_dataset(dataset_id)
    return ds.url_for(year) if year else ds.url


def _drop(frame: pd.DataFrame, mask: pd.Series | np.ndarray, reason: str, prov: LoadProvenance) -> pd.DataFrame:
    mask = np.asarray(mask, dtype=bool)
    prov.drop(reason, int(mask.sum()))
    return frame.loc[~mask]


def _years_column(frame: pd.DataFrame, file: Path, year: int | None, kind: str) -> pd.Series:
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
    y = year if year is not None else _year_from_name(file, kind)
    if y is None:
        raise ParameterError(f"{file}: the file has no year column and its name is not cbpYY{kind}.txt; pass year=")
    return pd.Series(int(y), index=frame.index, dtype="int64")


def _read_state(
    path: str | Path | None, *, year: int | None, years: Collection[int] | None, mirror: str | Path | None
) -> tuple[pd.DataFrame, LoadProvenance, Path]:
    """Read a CBP state file of either layout (all NAICS levels and totals kept), adding ``_region``,
    ``_industry`` (NAICS digits or ``total``) and ``_year``."""
    file = Path(path) if path is not None else resolve(STATE_DATASET, mirror=mirror)

    frame = _read_csv(
        file,
        text_cols={"fipstate", "naics", "lfo", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "est", "ap"},
        check=_requires(("fipstate", "naics", "emp", "est"), "a CBP state file", file),
    )
    mirror_layout = "year" in frame.columns
    yr = _year_from_name(file, "st") if year is None and not mirror_layout else year
    dataset = "cbp_state_2000_2011" if mirror_layout else (f"cbp{yr % 100:02d}st" if yr else file.stem)
    url = _url(STATE_DATASET, None if mirror_layout else yr)
    prov = _provenance(file, frame, dataset, url, "mirror" if mirror_layout else "census-raw")
    if "lfo" in frame.columns:
        frame = _drop(frame, _text(frame, "lfo") != "-", "legal-form subset (lfo != '-')", prov)
    frame, year_s = _keep_years(frame, _years_column(frame, file, year, "st"), years, prov)
    naics = normalise_naics(frame["naics"], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL})
    fips = _code_column(frame, "fipstate", r"\d{1,2}", "not a state FIPS code", file)
    frame = frame.assign(_region=fips.str.zfill(2), _industry=naics, _year=year_s)
    return frame, prov, file


def _provenance(file: Path, frame: pd.DataFrame, dataset: str, url: str | None, layout: str) -> LoadProvenance:
    """The provenance of a CBP file just read (``frame``: its rows), with its layout in the notes."""
    prov = LoadProvenance(
        source="census", dataset=dataset, file=str(file), sha256=sha256_file(file), rows_read=len(frame), url=url
    )
    prov.notes["layout"] = layout
    return prov


def _keep_years(
    frame: pd.DataFrame, year_s: pd.Series, years: Collection[int] | None, prov: LoadProvenance
) -> tuple[pd.DataFrame, pd.Series]:
    """The rows (and their years ``year_s``) of the wanted ``years`` (all when None); others counted as dropped."""
    if years is None:
        return frame, year_s
    other = ~year_s.isin({int(y) for y in years})
    return _drop(frame, other, "other year", prov), year_s.loc[~other.to_numpy()]


def _code_column(frame: pd.DataFrame, column: str, pattern: str, message: str, file: Path) -> pd.Series:
    """The text column ``column``, every value checked to match the regular expression ``pattern`` in full.

    Raises
    ------
    ValueValidationError
        ``message`` for the first value that does not (file, line, column, value and how many more).
    """
    values = _text(frame, column)
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


def _industry_rows(
    frame: pd.DataFrame, prov: LoadProvenance, file: Path, *, digits: int | None, note: str
) -> LoadResult:
    """Industry rows of one NAICS length (all lengths when ``digits`` is None), without the all-industries
    total; dropped rows are counted in the provenance."""
    frame = _drop(frame, frame["_industry"] == TOTAL, "all-industries total", prov)
    if digits is not None:
        frame = _drop(frame, frame["_industry"].str.len() != digits, "other NAICS level", prov)
    prov.notes[note] = digits
    return _finish(frame, prov, file, prov.dataset)


def load_cbp_state(
    path: str | Path | None = None,
    *,
    years: Collection[int] | None = None,
    naics_digits: int | None = 6,
    year: int | None = None,
    mirror: str | Path | None = None,
) -> LoadResult:
    """CBP employment by state × NAICS industry × year as canonical observations.

    Parameters
    ----------
    path : path, optional
        Mirror long file or Census raw ``cbpYYst.txt``/``.zip``; default: the catalog dataset
        ``census:cbp_state_2000_2011`` from the mirror (or a download of the 2011 Census file).
    years : collection of int, optional
        Years to keep.
    naics_digits : int or None
        Keep NAICS codes of exactly this many digits (default 6); ``None`` keeps every level (2–6). The
        all-industries total is always dropped here: use :func:`load_cbp_state_totals`.
    year : int, optional
        Year of a raw Census file (default: from its name ``cbpYYst``).
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    LoadResult
        ``region`` = 2-digit state FIPS, ``industry`` = NAICS digits, ``employment`` = employees (null when
        withheld), ``establishments``, ``wages`` (annual payroll, USD thousand; null when withheld),
        ``flag`` = employment noise flag, ``size_class`` = size class of a withheld cell. Provenance counts rows
        dropped as ``"all-industries total"``, ``"other NAICS level"``, ``"other year"``, ``"legal-form subset
        (lfo != '-')"``.
    """
    frame, prov, file = _read_state(path, year=year, years=years, mirror=mirror)
    return _industry_rows(frame, prov, file, digits=naics_digits, note="naics_digits")


def load_cbp_state_totals(
    path: str | Path | None = None,
    *,
    years: Collection[int] | None = None,
    year: int | None = None,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """All-industries CBP employment per state and year (the ``total`` / ``------`` rows).

    Returns
    -------
    pandas.DataFrame
        ``region`` (2-digit state FIPS), ``year`` (int64), ``total`` (employees, float64; null when withheld).
        The provenance is in ``frame.attrs["provenance"]``.
    """
    return _totals(*_read_state(path, year=year, years=years, mirror=mirror))


def _totals(frame: pd.DataFrame, prov: LoadProvenance, file: Path) -> pd.DataFrame:
    """The all-industries rows of a read CBP file as ``region``, ``year``, ``total`` (employees, null when
    withheld), sorted; industry rows counted as dropped, the provenance in ``attrs["provenance"]``."""
    frame = _drop(frame, frame["_industry"] != TOTAL, "industry row (not the total)", prov)
    result = _finish(frame, prov, file, f"{prov.dataset} totals")
    out = result.frame[["region", "year", "employment"]].rename(columns={"employment": "total"})
    out = out.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = result.provenance
    return out


def _read_cbsa(
    path: str | Path | None, *, year: int | None, years: Collection[int] | None, mirror: str | Path | None
) -> tuple[pd.DataFrame, LoadProvenance, Path]:
    file = Path(path) if path is not None else resolve(CBSA_DATASET, mirror=mirror)
    layout: list[str] = []

    def check(names: set[str]) -> None:
        if {"cbsa_code", "naics_code", "emp", "estab"} <= names:
            layout.append("mirror")
        elif {"msa", "naics", "emp", "est"} <= names:
            layout.append("census-raw")
        else:
            raise SchemaError(
                "not a CBP metro-area file: expected columns cbsa_code, naics_code, emp, estab (mirror) or msa, "
                f"naics, emp, est (Census cbpYYmsa.txt); found {', '.join(sorted(names))}",
                file=file,
                line=1,
                column="cbsa_code" if "msa" not in names else "est",
            )

    frame = _read_csv(
        file,
        text_cols={"cbsa_code", "naics_code", "msa", "naics", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "estab", "est", "ap"},
        check=check,
    )
    region_col, naics_col = ("cbsa_code", "naics_code") if layout[0] == "mirror" else ("msa", "naics")
    yr = _year_from_name(file, "msa") if year is None and layout[0] != "mirror" else year
    dataset = "cbp_cbsa_2018_2019" if layout[0] == "mirror" else (f"cbp{yr % 100:02d}msa" if yr else file.stem)
    prov = _provenance(file, frame, dataset, _url(CBSA_DATASET, None if layout[0] == "mirror" else yr), layout[0])
    frame, year_s = _keep_years(frame, _years_column(frame, file, year, "msa"), years, prov)
    naics = normalise_naics(frame[naics_col], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL, "00"})
    region = _code_column(frame, region_col, r"\d{5}", "not a 5-digit CBSA code", file)
    frame = frame.assign(_region=region, _industry=naics, _year=year_s)
    return frame, prov, file


def load_cbp_cbsa(
    path: str | Path | None = None,
    *,
    years: Collection[int] | None = None,
    naics_level: int | None = 6,
    year: int | None = None,
    mirror: str | Path | None = None,
) -> LoadResult:
    """CBP employment by metropolitan/micropolitan statistical area (CBSA) × NAICS industry × year.

    Parameters
    ----------
    path : path, optional
        Mirror file (``year, cbsa_code, naics_code, naics_level, emp, estab``) or Census raw ``cbpYYmsa.txt``
        / ``.zip``; default: the catalog dataset ``census:cbp_cbsa_2018_2019``.
    years : collection of int, optional
        Years to keep.
    naics_level : int or None
        NAICS digits to keep (default 6); ``None`` keeps 2–6. The all-industries total (``00``/``------``) is
        always dropped.
    year : int, optional
        Year of a raw Census file (default: from its name ``cbpYYmsa``).
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    LoadResult
        ``region`` = 5-digit CBSA code, ``industry`` = NAICS digits, ``employment`` = employees (persons; from
        2017 undisclosed cells are simply absent), ``establishments``; ``wages`` only for raw files (USD
        thousand). Dropped rows are counted by reason in the provenance.
    """
    frame, prov, file = _read_cbsa(path, year=year, years=years, mirror=mirror)
    return _industry_rows(frame, prov, file, digits=naics_level, note="naics_level")


def load_cbp_cbsa_totals(
    path: str | Path | None = None,
    *,
    years: Collection[int] | None = None,
    year: int | None = None,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """All-industries CBP employment per CBSA and year: ``region``, ``year``, ``total`` (employees; null when
    withheld). Provenance in ``frame.attrs["provenance"]``."""
    return _totals(*_read_cbsa(path, year=year, years=years, mirror=mirror))


# ---------------------------------------------------------------------------------------------- counties

#: publisher URL of a Census county file (the mirror has none): {year} 4 digits, {yy} 2 digits
COUNTY_URL_TEMPLATE = "https://www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}co.zip"
#: county code of CBP's "statewide" records (establishments without a fixed county location)
STATEWIDE_COUNTY = "999"


def _read_county(path: str | Path, *, year: int | None) -> tuple[pd.DataFrame, LoadProvenance, Path]:
    """Read a Census county file ``cbpYYco.txt`` (all NAICS levels and the total kept), adding ``_region``
    (5-digit county FIPS), ``_industry`` and ``_year``; statewide records (county 999) are dropped and counted."""
    file = Path(path)

    frame = _read_csv(
        file,
        text_cols={"fipstate", "fipscty", "naics", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "est", "ap"},
        check=_requires(("fipstate", "fipscty", "naics", "emp", "est"), "a CBP county file (Census cbpYYco.txt)", file),
    )
    yr = year if year is not None or "year" in frame.columns else _year_from_name(file, "co")
    url = COUNTY_URL_TEMPLATE.format(year=yr, yy=f"{yr % 100:02d}") if yr else None
    prov = _provenance(file, frame, f"cbp{yr % 100:02d}co" if yr else file.stem, url, "census-raw county")
    year_s = _years_column(frame, file, year, "co")
    naics = normalise_naics(frame["naics"], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL})
    state = _code_column(frame, "fipstate", r"\d{1,2}", "not a state FIPS code", file)
    county = _code_column(frame, "fipscty", r"\d{1,3}", "not a county FIPS code", file)
    frame = frame.assign(_region=state.str.zfill(2) + county.str.zfill(3), _industry=naics, _year=year_s)
    statewide = (county.str.zfill(3) == STATEWIDE_COUNTY).to_numpy()
    frame = _drop(frame, statewide, "statewide record (county 999, no county location)", prov)
    return frame, prov, file


def load_cbp_county(
    path: str | Path,
    *,
    naics_digits: int | None = 6,
    year: int | None = None,
) -> LoadResult:
    """CBP employment by county × NAICS industry (a Census ``cbpYYco.txt`` file, or the ``.zip`` that holds it).

    The file has the state layout plus ``fipscty``: ``fipstate, fipscty, naics, [empflag,] emp_nf, emp, qp1_nf,
    qp1, ap_nf, ap, est, …`` (names in upper or lower case, NAICS padded with ``-``/``/``, ``------`` = all
    industries). The data mirror holds no county file; download one from the Census Bureau
    (:data:`COUNTY_URL_TEMPLATE`). Withheld cells, size classes and noise flags are read as in
    :func:`load_cbp_state` (employment null, never zero).

    Parameters
    ----------
    path : path
        The county file.
    naics_digits : int or None
        Keep NAICS codes of exactly this many digits (default 6); ``None`` keeps 2–6. The all-industries total
        is dropped.
    year : int, optional
        Year of the file (default: a ``year`` column, else the name ``cbpYYco``).

    Returns
    -------
    LoadResult
        ``region`` = 5-digit county FIPS (state + county), ``industry`` = NAICS digits, ``employment``
        (employees), ``establishments``, ``wages`` (USD thousand), ``flag``, ``size_class``. Statewide records
        (county 999) are dropped and counted in the provenance: they belong to no county or economic area.
    """
    frame, prov, file = _read_county(path, year=year)
    return _industry_rows(frame, prov, file, digits=naics_digits, note="naics_digits")


def load_cbp_economic_areas(
    path: str | Path,
    *,
    naics_digits: int | None = 6,
    year: int | None = None,
    policy: str | None = "size-class",
    mirror: str | Path | None = None,
) -> LoadResult:
    """A CBP county file summed to the 179 BEA economic areas (2004 definition; the county → economic-area list
    ``us/geo/bea_economic_areas_2004_counties.csv`` of the mirror): the US region units of the US Cluster Mapping
    of the reference's time, closer in number and size to EU NUTS-2 regions than states or CBSAs.

    Parameters
    ----------
    path : path
        Census county file (:func:`load_cbp_county`).
    naics_digits, year
        As :func:`load_cbp_county`.
    policy : str or None
        Suppression policy run on the counties before summing (default ``size-class``: a withheld county cell
        takes its size class's value, as the US state and CBSA mappings do; ``drop`` leaves it out; ``None``
        makes an area's cell null when any of its counties is withheld).
    mirror : path, optional
        Data mirror root (for the county → economic-area list).

    Returns
    -------
    LoadResult
        ``region`` = 3-character BEA economic-area code; the provenance notes say how many counties and rows
        were unassigned (counties missing from the 2004 list) and the policy's counts.
    """
    from clustermap.regions.levels import aggregate_us

    county = load_cbp_county(path, naics_digits=naics_digits, year=year)
    agg = aggregate_us(county.frame, "economic_area", policy=policy, mirror=mirror)
    prov = county.provenance
    prov.dataset = f"{prov.dataset}@economic_area"
    prov.notes["economic_areas"] = {
        "areas": int(agg.frame["region"].nunique()) if len(agg.frame) else 0,
        "counties": int(county.frame["region"].nunique()),
        "unassigned_counties": list(agg.notes.get("unassigned", [])),
        "unassigned_rows": int(agg.notes.get("unassigned_rows", 0)),
        "policy": str(agg.notes.get("policy", "")),
    }
    prov.rows_kept = len(agg.frame)
    return LoadResult(frame=agg.frame, provenance=prov)
