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

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from clustermap.errors import SchemaError
from clustermap.loaders.cbp_reader import (
    TOTAL,
    cbp_provenance,
    code_column,
    drop_rows,
    industry_rows,
    keep_years,
    normalise_naics,
    read_cbp_csv,
    requires_columns,
    text_column,
    totals_table,
    year_from_name,
    years_column,
)
from clustermap.provenance import LoadProvenance, LoadResult
from clustermap.sources.catalog import get as get_dataset
from clustermap.sources.fetch import resolve

STATE_DATASET = "census:cbp_state_2000_2011"
CBSA_DATASET = "census:cbp_cbsa_2018_2019"


def _url(dataset_id: str, year: int | None) -> str:
    """The publisher URL of the catalog file, or of the raw Census file of ``year``."""
    ds = get_dataset(dataset_id)
    return ds.url_for(year) if year else ds.url


def _read_state(
    path: str | Path | None, *, year: int | None, years: Collection[int] | None, mirror: str | Path | None
) -> tuple[pd.DataFrame, LoadProvenance, Path]:
    """Read a CBP state file of either layout (all NAICS levels and totals kept), adding ``_region``,
    ``_industry`` (NAICS digits or ``total``) and ``_year``."""
    file = Path(path) if path is not None else resolve(STATE_DATASET, mirror=mirror)

    frame = read_cbp_csv(
        file,
        text_cols={"fipstate", "naics", "lfo", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "est", "ap"},
        check=requires_columns(("fipstate", "naics", "emp", "est"), "a CBP state file", file),
    )
    mirror_layout = "year" in frame.columns
    yr = year_from_name(file, "st") if year is None and not mirror_layout else year
    dataset = "cbp_state_2000_2011" if mirror_layout else (f"cbp{yr % 100:02d}st" if yr else file.stem)
    url = _url(STATE_DATASET, None if mirror_layout else yr)
    prov = cbp_provenance(file, frame, dataset, url, "mirror" if mirror_layout else "census-raw")
    if "lfo" in frame.columns:
        frame = drop_rows(frame, text_column(frame, "lfo") != "-", "legal-form subset (lfo != '-')", prov)
    frame, year_s = keep_years(frame, years_column(frame, file, year, "st"), years, prov)
    naics = normalise_naics(frame["naics"], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL})
    fips = code_column(frame, "fipstate", r"\d{1,2}", "not a state FIPS code", file)
    frame = frame.assign(_region=fips.str.zfill(2), _industry=naics, _year=year_s)
    return frame, prov, file


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
    return industry_rows(frame, prov, file, digits=naics_digits, note="naics_digits")


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
    return totals_table(*_read_state(path, year=year, years=years, mirror=mirror))


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

    frame = read_cbp_csv(
        file,
        text_cols={"cbsa_code", "naics_code", "msa", "naics", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "estab", "est", "ap"},
        check=check,
    )
    region_col, naics_col = ("cbsa_code", "naics_code") if layout[0] == "mirror" else ("msa", "naics")
    yr = year_from_name(file, "msa") if year is None and layout[0] != "mirror" else year
    dataset = "cbp_cbsa_2018_2019" if layout[0] == "mirror" else (f"cbp{yr % 100:02d}msa" if yr else file.stem)
    prov = cbp_provenance(file, frame, dataset, _url(CBSA_DATASET, None if layout[0] == "mirror" else yr), layout[0])
    frame, year_s = keep_years(frame, years_column(frame, file, year, "msa"), years, prov)
    naics = normalise_naics(frame[naics_col], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL, "00"})
    region = code_column(frame, region_col, r"\d{5}", "not a 5-digit CBSA code", file)
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
    return industry_rows(frame, prov, file, digits=naics_level, note="naics_level")


def load_cbp_cbsa_totals(
    path: str | Path | None = None,
    *,
    years: Collection[int] | None = None,
    year: int | None = None,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """All-industries CBP employment per CBSA and year: ``region``, ``year``, ``total`` (employees; null when
    withheld). Provenance in ``frame.attrs["provenance"]``."""
    return totals_table(*_read_cbsa(path, year=year, years=years, mirror=mirror))


# ---------------------------------------------------------------------------------------------- counties

#: publisher URL of a Census county file (the mirror has none): {year} 4 digits, {yy} 2 digits
COUNTY_URL_TEMPLATE = "https://www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}co.zip"
#: county code of CBP's "statewide" records (establishments without a fixed county location)
STATEWIDE_COUNTY = "999"


def _read_county(path: str | Path, *, year: int | None) -> tuple[pd.DataFrame, LoadProvenance, Path]:
    """Read a Census county file ``cbpYYco.txt`` (all NAICS levels and the total kept), adding ``_region``
    (5-digit county FIPS), ``_industry`` and ``_year``; statewide records (county 999) are dropped and counted."""
    file = Path(path)

    frame = read_cbp_csv(
        file,
        text_cols={"fipstate", "fipscty", "naics", "empflag", "emp_nf", "ap_nf"},
        numeric_cols={"year", "emp", "est", "ap"},
        check=requires_columns(
            ("fipstate", "fipscty", "naics", "emp", "est"), "a CBP county file (Census cbpYYco.txt)", file
        ),
    )
    yr = year if year is not None or "year" in frame.columns else year_from_name(file, "co")
    url = COUNTY_URL_TEMPLATE.format(year=yr, yy=f"{yr % 100:02d}") if yr else None
    prov = cbp_provenance(file, frame, f"cbp{yr % 100:02d}co" if yr else file.stem, url, "census-raw county")
    year_s = years_column(frame, file, year, "co")
    naics = normalise_naics(frame["naics"], file=file, lines=frame["_line"].to_numpy(), total_codes={TOTAL})
    state = code_column(frame, "fipstate", r"\d{1,2}", "not a state FIPS code", file)
    county = code_column(frame, "fipscty", r"\d{1,3}", "not a county FIPS code", file)
    frame = frame.assign(_region=state.str.zfill(2) + county.str.zfill(3), _industry=naics, _year=year_s)
    statewide = (county.str.zfill(3) == STATEWIDE_COUNTY).to_numpy()
    frame = drop_rows(frame, statewide, "statewide record (county 999, no county location)", prov)
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
    return industry_rows(frame, prov, file, digits=naics_digits, note="naics_digits")


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
