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
from pathlib import Path

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
    raise cls(
        message,
        file=file,
        line=int(_line_numbers(frame).loc[first]),
        column=column,
        value=bad.loc[first, column],
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
        raise SchemaError(
            f"missing required column(s) {', '.join(missing)}; found {', '.join(columns) or 'none'}",
            file=file,
            line=1,
            column=missing[0],
        )
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
    out["employment"] = to_number(frame, "employment", file=file)
    for col in ("establishments", "wages"):
        out[col] = to_number(frame, col, file=file) if col in frame.columns else np.nan
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
    unknown = flags.map(lambda f: bool(f) and not set(f) <= EUROSTAT_FLAGS and f not in {"D", "G", "H", "J", "S"})
    _first_bad(frame, unknown, "flag", "unknown flag", file, ValueValidationError)
    sizes = frame["size_class"].astype(str)
    bad_size = sizes.map(lambda s: bool(s) and s not in CBP_SIZE_CLASSES)
    _first_bad(frame, bad_size, "size_class", "unknown CBP size class (A–M)", file, ValueValidationError)


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The canonical frame as an Arrow table with exactly :data:`OBSERVATIONS`' schema."""
    return pa.Table.from_pandas(frame[list(COLUMNS)], schema=OBSERVATIONS, preserve_index=False)
