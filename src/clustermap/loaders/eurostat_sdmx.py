"""Eurostat SDMX-CSV files (the dissemination API's ``format=SDMX-CSV``, SDMX-CSV 1.0 and 2.0).

Layouts
-------
SDMX-CSV 1.0 (``/sdmx/2.1/data/<code>?format=SDMX-CSV``)::

    DATAFLOW,LAST UPDATE,freq,unit,nace_r2,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
    ESTAT:LFST_R_LFE2EN2(1.0),25/04/24 23:00:00,A,THS,TOTAL,Y_GE15,AT11,2015,137.4,

SDMX-CSV 2.0 (``/sdmx/3.0/...?format=csvdata``)::

    STRUCTURE,STRUCTURE_ID,ACTION?,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG[,CONF_STATUS]

Dimensions are the columns between the leading metadata columns (``DATAFLOW``, ``LAST UPDATE``, ``STRUCTURE``,
``STRUCTURE_ID``, ``STRUCTURE_NAME``, ``ACTION``) and ``TIME_PERIOD``. Headers in the ``code:label`` form
(``labels=both``) are reduced to the code, and so are the dimension values then. An empty or ``:`` ``OBS_VALUE``
is *not available* (NaN); ``OBS_FLAG`` carries the same letters as the bulk TSV flags; a ``CONF_STATUS`` of C, D
or N (confidential) adds the flag ``c``, so that the result matches a bulk TSV's ``: c``.

:func:`read_sdmx` returns the same long frame as :func:`clustermap.loaders.eurostat_tsv.read_tsv` — one string
column per dimension, ``year``, ``value``, ``flag``, ``_line`` — so :func:`~clustermap.loaders.eurostat_tsv.
load_eurostat` reads either.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from clustermap.errors import EmptyInputError, SchemaError, ValueValidationError
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

#: leading columns that describe the file, not the observation
META_COLUMNS = ("DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME", "ACTION")
_CONFIDENTIAL = {"C", "D", "N"}
_YEAR = re.compile(r"^\d{4}$")


def _read_sdmx(path: str | Path, filters: Filters | None = None, text: str | None = None) -> EurostatRead:
    file = Path(path)
    text = read_text(file) if text is None else text
    if not text.strip():
        raise EmptyInputError("empty file", file=file)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=object, na_filter=False, skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        raise SchemaError.from_parser(exc, file=file, fields="comma-separated fields") from exc
    header = [str(c).strip() for c in raw.columns]
    labelled = [":" in c and c.split(":", 1)[0] not in META_COLUMNS for c in header]
    names = [c.split(":", 1)[0].strip() if lab else c for c, lab in zip(header, labelled, strict=True)]
    raw.columns = names
    missing = [c for c in ("TIME_PERIOD", "OBS_VALUE") if c not in names]
    if missing:
        raise SchemaError.missing_columns(missing, names, file=file, what="an SDMX-CSV file")
    t = names.index("TIME_PERIOD")
    start = 0
    while start < t and names[start].upper() in META_COLUMNS:
        start += 1
    dims = names[start:t]
    if "geo" not in dims:
        raise SchemaError(
            f"no 'geo' dimension before TIME_PERIOD (dimensions: {', '.join(dims) or 'none'})",
            file=file,
            line=1,
            column="geo",
        )
    if len(set(dims)) != len(dims):
        raise SchemaError("a dimension column appears twice", file=file, line=1, column=",".join(dims))
    lines = np.arange(len(raw), dtype="int64") + 2
    blank = (raw["TIME_PERIOD"].astype(str).str.strip() == "").to_numpy()
    if blank.any():
        blank[blank] = raw.loc[blank].astype(str).apply(lambda s: s.str.strip() == "").all(axis=1).to_numpy()
    if blank.any():
        raw, lines = raw.loc[~blank], lines[~blank]
    if len(raw) == 0:
        raise EmptyInputError("no data rows below the header", file=file)
    cells_in_file = len(raw)

    cols: dict[str, np.ndarray] = {}
    for dim, lab in zip(names[start:t], labelled[start:t], strict=True):
        values = raw[dim].astype(str).str.strip()
        if lab:
            values = values.str.split(":", n=1).str[0].str.strip()
        cols[dim] = values.to_numpy(dtype=object)
    period = raw["TIME_PERIOD"].astype(str).str.strip().to_numpy(dtype=object)
    bad_period = ~pd.Series(period).str.match(_YEAR).to_numpy(dtype=bool)
    ValueValidationError.raise_first(
        bad_period,
        "not an annual period (expected a 4-digit year)",
        file=file,
        lines=lines,
        column="TIME_PERIOD",
        values=period,
    )
    year = period.astype("int64")

    wanted = normalise_filters(filters)
    check_filter_dims(wanted, dims, file)
    keep = np.ones(len(raw), dtype=bool)
    dropped: dict[str, int] = {}
    for dim, values in wanted.items():
        ok = np.isin(year.astype(str), list(values)) if dim == "year" else np.isin(cols[dim], list(values))
        n = int((keep & ~ok).sum())
        if n:
            dropped[filter_reason(dim)] = dropped.get(filter_reason(dim), 0) + n
        keep &= ok
    raw, lines, year = raw.loc[keep], lines[keep], year[keep]
    cols = {d: v[keep] for d, v in cols.items()}

    obs = raw["OBS_VALUE"].astype(str).str.strip()
    na = (obs == "") | (obs == ":")
    value = pd.to_numeric(obs.where(~na), errors="coerce").to_numpy(dtype="float64")
    ValueValidationError.raise_first(
        np.isnan(value) & ~na.to_numpy(),
        "not a number",
        file=file,
        lines=lines,
        column="OBS_VALUE",
        values=obs.to_numpy(dtype=object),
    )
    if "OBS_FLAG" in raw.columns:
        flag = raw["OBS_FLAG"].astype(str).str.replace(r"[\s,]", "", regex=True)
        if labelled[names.index("OBS_FLAG")]:
            flag = flag.str.split(":", n=1).str[0]
    else:
        flag = pd.Series("", index=raw.index, dtype=object)
    if "CONF_STATUS" in raw.columns:
        conf = raw["CONF_STATUS"].astype(str).str.strip().str.split(":", n=1).str[0].isin(_CONFIDENTIAL)
        add = conf & ~flag.str.contains("c", regex=False)
        flag = flag.where(~add, (flag + "c").map(lambda f: "".join(sorted(f))))
    flag_arr = flag.to_numpy(dtype=object)
    uniq = pd.unique(flag_arr)
    unknown = {f for f in uniq if f and not set(f) <= EUROSTAT_FLAGS}
    if unknown:
        ValueValidationError.raise_first(
            np.isin(flag_arr, list(unknown)),
            f"unknown flag (Eurostat flags are {''.join(sorted(EUROSTAT_FLAGS))})",
            file=file,
            lines=lines,
            column="OBS_FLAG",
            values=flag_arr,
        )
    frame = pd.DataFrame({d: pd.Series(cols[d], dtype=object).astype(str) for d in dims})
    frame["year"] = year
    frame["value"] = value
    frame["flag"] = pd.Series(flag_arr, dtype=object).astype(str)
    frame["_line"] = lines
    return EurostatRead(frame=frame, dims=dims, cells=cells_in_file, dropped=dropped, kind="sdmx-csv")


def read_sdmx(path: str | Path, *, filters: Filters | None = None) -> pd.DataFrame:
    """Read a Eurostat SDMX-CSV file (1.0 or 2.0, gzip or plain) into the long frame of
    :func:`~clustermap.loaders.eurostat_tsv.read_tsv`.

    Parameters
    ----------
    path : path
        The ``.csv`` or ``.csv.gz`` file.
    filters : mapping, optional
        ``{dimension: code or codes}`` to keep; ``year`` selects periods.

    Returns
    -------
    pandas.DataFrame
        One row per observation: one string column per dimension (``freq`` included when present, codes without
        labels), ``year`` (int64), ``value`` (float64; NaN when empty or ``:``), ``flag`` (str, ``''`` when none;
        ``c`` added for a confidential ``CONF_STATUS``), ``_line`` (1-based line in the file).

    Raises
    ------
    EmptyInputError
        empty file or no data rows.
    CorruptFileError
        truncated gzip or bad encoding.
    SchemaError
        no ``TIME_PERIOD``/``OBS_VALUE``/``geo`` column, or rows with more fields than the header.
    ValueValidationError
        a non-annual period, a non-numeric ``OBS_VALUE`` or an unknown flag (names file, line, column, value).
    """
    return _read_sdmx(path, filters).frame
