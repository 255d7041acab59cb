"""Eurostat bulk TSV files (legacy bulk download and the dissemination API's ``format=TSV``) and the Eurostat
loaders built on them.

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
(string, ``''`` when none) and ``_line`` (1-based line of the cell in the file). :func:`load_eurostat` turns
that into the canonical observation table (:mod:`clustermap.schema`).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clustermap.errors import (
    EmptyInputError,
    ParameterError,
    SchemaError,
    UnknownNameError,
    ValueValidationError,
)
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file
from clustermap.schema import EUROSTAT_FLAGS, validate_observations
from clustermap.sources.catalog import get as get_dataset
from clustermap.sources.fetch import read_text, resolve

logger = logging.getLogger(__name__)

Filters = Mapping[str, str | int | Collection[str | int]]

_HEADER = re.compile(r"^(?P<dims>[^\\]+)\\(?P<time>time|time_period)$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
#: ``value[ flags]`` or ``:[ flags]``; Eurostat never uses exponents or thousands separators
_CELL = re.compile(r"^\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)|:)\s*(?P<flag>[A-Za-z]*)\s*$")

#: Eurostat aggregates (EU28, EA19, EEA30, EU27_2020 …): not regions
_AGGREGATE = re.compile(r"^(?:EU|EA|EEA|EFTA|EC)(?:\d.*)?$")
_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
_EXTRA_REGIO = re.compile(r"^[A-Z]{2}Z{1,3}$")
_NOT_REGIONALISED = re.compile(r"^[A-Z]{2}X{1,3}$")

#: reason recorded in the provenance when a filter on this dimension drops cells
_REASON = {
    "indic_sb": "other indicator",
    "unit": "other unit",
    "age": "other age class",
    "sex": "other sex",
    "nace_r2": "other industry",
    "freq": "other frequency",
    "year": "other year",
    "geo": "other geo code",
}


def filter_reason(dim: str) -> str:
    """The provenance drop reason used when a filter on ``dim`` removes cells (e.g. ``"other indicator"``)."""
    return _REASON.get(dim, f"other {dim}")


# ----------------------------------------------------------------------------------------------- geo codes


def geo_kind(codes: pd.Series) -> pd.Series:
    """Classify Eurostat geo codes.

    Returns
    -------
    pandas.Series of str
        ``"nuts"`` (a NUTS 0–3 code), ``"extra-regio"`` (``xxZ``, ``xxZZ``, ``xxZZZ``), ``"not-regionalised"``
        (``xxX``, ``xxXX``, ``xxXXX``) or ``"aggregate"`` (``EU28``, ``EA19``, ``EEA``, ``DE_TOT`` and anything
        else that is not shaped like a NUTS code).
    """
    uniques = pd.Series(pd.unique(codes.astype(str)))

    def kind(code: str) -> str:
        if _AGGREGATE.match(code) or not _NUTS.match(code):
            return "aggregate"
        if _EXTRA_REGIO.match(code):
            return "extra-regio"
        if _NOT_REGIONALISED.match(code):
            return "not-regionalised"
        return "nuts"

    lookup = dict(zip(uniques, uniques.map(kind), strict=True))
    return codes.astype(str).map(lookup)


def geo_level(codes: pd.Series) -> pd.Series:
    """NUTS level of each code: ``len(code) - 2`` (0 = country … 3); meaningful for ``geo_kind == "nuts"``."""
    return codes.astype(str).str.len() - 2


# ----------------------------------------------------------------------------------------------- reading


@dataclass
class EurostatRead:
    """A parsed Eurostat file: the long frame plus what the reader's filters dropped (internal)."""

    frame: pd.DataFrame
    dims: list[str]
    cells: int
    dropped: dict[str, int] = field(default_factory=dict)
    kind: str = "tsv"


def normalise_filters(filters: Filters | None) -> dict[str, set[str]]:
    """``{dim: value or values}`` → ``{dim: {values as str}}``; ``time`` is an alias of ``year``."""
    out: dict[str, set[str]] = {}
    for key, wanted in (filters or {}).items():
        dim = "year" if str(key).lower() in {"time", "time_period", "year"} else str(key)
        values = {str(wanted)} if isinstance(wanted, str | int) else {str(v) for v in wanted}
        out[dim] = out.get(dim, values) & values if dim in out else values
    return out


def check_filter_dims(filters: Mapping[str, set[str]], dims: list[str], file: Path) -> None:
    """A filter on a dimension the file does not have is a :class:`SchemaError`."""
    for dim in filters:
        if dim != "year" and dim not in dims:
            raise SchemaError(
                f"the file has no dimension {dim!r} to filter on; its dimensions are {', '.join(dims)}",
                file=file,
                line=1,
                column=dim,
            )


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


def _sniff_kind(text: str) -> str:
    first = text[:4096].split("\n", 1)[0]
    if "\t" in first or _HEADER.match(first.strip()):
        return "tsv"
    upper = first.upper()
    if upper.startswith(("DATAFLOW", "STRUCTURE", '"DATAFLOW', '"STRUCTURE')) or "OBS_VALUE" in upper:
        return "sdmx"
    return "tsv"


def read_eurostat_file(path: str | Path, *, filters: Filters | None = None) -> EurostatRead:
    """Read a Eurostat bulk TSV or SDMX-CSV file (told apart by content) with its filter drop counts."""
    file = Path(path)
    text = read_text(file)
    if _sniff_kind(text) == "sdmx":
        from clustermap.loaders.eurostat_sdmx import _read_sdmx

        return _read_sdmx(file, filters, text=text)
    return _read_tsv(file, filters, text=text)


def read_eurostat(path: str | Path, *, filters: Filters | None = None) -> pd.DataFrame:
    """:func:`read_tsv` or :func:`~clustermap.loaders.eurostat_sdmx.read_sdmx`, chosen by the file's content.

    Both return the same long frame (the SDMX-CSV one has the extra ``freq`` dimension when the file has it).
    """
    return read_eurostat_file(path, filters=filters).frame


# ----------------------------------------------------------------------------------------------- loading


def _dataset_id(dataset: str) -> str:
    return dataset if ":" in dataset else f"eurostat:{dataset}"


def load_eurostat(
    path: str | Path | None = None,
    *,
    dataset: str,
    industry_dim: str | None = "nace_r2",
    industry: str = "TOTAL",
    value_filters: Filters | None = None,
    nuts_level: int | None = 2,
    years: Collection[int] | None = None,
    scale: float = 1.0,
    drop_missing: bool = False,
    mirror: str | Path | None = None,
    measure: str | None = None,
    negative_as_missing: bool = False,
) -> LoadResult:
    """Load a Eurostat region × industry × year file (bulk TSV or SDMX-CSV) as canonical observations.

    The measure of the selected slice (persons employed, thousand persons × ``scale``, GDP …) lands in the
    canonical ``employment`` column; ``establishments`` and ``wages`` are null; ``flag`` keeps Eurostat's flags.
    Missing cells (``:``) are kept as null ``employment`` with their flag (``: c`` = confidential), unless
    ``drop_missing``.

    Parameters
    ----------
    path : path, optional
        The file; default: the catalog dataset's file from :func:`clustermap.sources.resolve`.
    dataset : str
        Eurostat dataset code (``"lfst_r_lfe2en2"``) or catalog id (``"eurostat:lfst_r_lfe2en2"``).
    industry_dim : str or None
        Dimension holding the industry code (``nace_r2``); ``None`` for files without one (``nama_10r_2gdp``),
        then every row gets the constant ``industry``.
    industry : str
        Industry code used when ``industry_dim`` is ``None``.
    value_filters : mapping, optional
        ``{dimension: code or codes}`` selecting one slice, e.g. ``{"unit": "THS", "age": "Y_GE15"}``. After
        filtering, every dimension other than geo and ``industry_dim`` must hold a single code.
    nuts_level : int or None
        Keep NUTS codes of this level (0–3); ``None`` keeps all levels. Aggregates (EU28, EA19 …), extra-regio
        (``xxZZ``) and not-regionalised (``xxXX``) codes are always dropped.
    years : collection of int, optional
        Keep these years only.
    scale : float
        Multiply values by this (e.g. 1000 to turn LFS thousands into persons); results are rounded to 6
        decimals to shed binary noise.
    drop_missing : bool
        Drop ``:`` cells instead of keeping them as null employment.
    mirror : path, optional
        Data mirror root for :func:`~clustermap.sources.resolve` (when ``path`` is None).
    measure : str, optional
        What the values are, recorded in the provenance notes.

    Returns
    -------
    LoadResult
        Canonical frame (see :mod:`clustermap.schema`) and provenance: ``rows_read`` = cells in the file,
        ``rows_dropped`` by reason (``"other indicator"``, ``"other unit"``, ``"aggregate geo code"``,
        ``"extra-regio code"``, ``"other NUTS level"``, ``"other year"``, ``"not available (':')"`` …).

    Raises
    ------
    SchemaError, ValueValidationError, CorruptFileError, EmptyInputError, DuplicateKeyError
        see :func:`read_tsv` and :func:`clustermap.schema.validate_observations`.
    ParameterError
        a non-industry dimension still holds several codes after ``value_filters``.
    SourceError
        ``path`` not given and the dataset is neither in the mirror nor downloadable.
    """
    ds_id = _dataset_id(dataset)
    code = ds_id.split(":", 1)[1]
    url = None
    try:
        url = get_dataset(ds_id).url
    except UnknownNameError:
        if path is None:
            raise
    file = Path(path) if path is not None else resolve(ds_id, mirror=mirror)
    filters = dict(normalise_filters(value_filters))
    if years is not None:
        filters["year"] = {str(int(y)) for y in years}
    read = read_eurostat_file(file, filters=filters)
    frame = read.frame
    prov = LoadProvenance(
        source="eurostat", dataset=code, file=str(file), sha256=sha256_file(file), rows_read=read.cells, url=url
    )
    for reason, n in read.dropped.items():
        prov.drop(reason, n)
    if industry_dim is not None and industry_dim not in read.dims:
        raise SchemaError(
            f"no industry dimension {industry_dim!r}; the file's dimensions are {', '.join(read.dims)}",
            file=file,
            line=1,
            column=industry_dim,
        )
    if len(frame) == 0:
        raise EmptyInputError(f"no cells match the filters {_show(filters)}", file=file)

    kinds = geo_kind(frame["geo"])
    masks = [
        ("aggregate geo code", kinds == "aggregate"),
        ("extra-regio code", kinds == "extra-regio"),
        ("not-regionalised code", kinds == "not-regionalised"),
    ]
    if nuts_level is not None:
        masks.append(("other NUTS level", (kinds == "nuts") & (geo_level(frame["geo"]) != nuts_level)))
    keep = pd.Series(True, index=frame.index)
    for reason, mask in masks:
        hit = mask & keep
        prov.drop(reason, int(hit.sum()))
        keep &= ~mask
    if drop_missing:
        hit = keep & frame["value"].isna()
        prov.drop("not available (':')", int(hit.sum()))
        keep &= ~hit
    frame = frame.loc[keep]
    if len(frame) == 0:
        raise EmptyInputError(
            f"no cells left after filtering ({_show(filters)}, nuts_level={nuts_level}); dropped: {prov.rows_dropped}",
            file=file,
        )

    other_dims = [d for d in read.dims if d not in {"geo", industry_dim}]
    several = {d: sorted(frame[d].unique().tolist()) for d in other_dims if frame[d].nunique() > 1}
    if several:
        listing = "; ".join(f"{d}: {', '.join(v[:12])}{' …' if len(v) > 12 else ''}" for d, v in several.items())
        raise ParameterError(
            f"{file}: dimension(s) {', '.join(several)} still hold several codes ({listing}); "
            "select one with value_filters"
        )

    values = frame["value"].to_numpy(dtype="float64")
    if negative_as_missing:  # e.g. SBS V13320 wages NO06 B06 2014 = -8.3: not a usable level, kept as unknown
        negative = values < 0
        prov.notes["negative_as_missing"] = int(negative.sum())
        values = np.where(negative, np.nan, values)
    if scale != 1.0:
        values = np.round(values * scale, 6)
    canon = pd.DataFrame(
        {
            "region": frame["geo"].to_numpy(dtype=object),
            "industry": frame[industry_dim].to_numpy(dtype=object) if industry_dim else industry,
            "year": frame["year"].to_numpy(),
            "employment": values,
            "flag": frame["flag"].to_numpy(dtype=object),
            "_line": frame["_line"].to_numpy(),
        }
    )
    out = validate_observations(canon, file=file)
    prov.rows_kept = len(out)
    prov.notes.update(
        {
            "format": read.kind,
            "filters": {k: sorted(v) for k, v in filters.items()},
            "nuts_level": nuts_level,
            "scale": scale,
            "industry_dim": industry_dim,
            "measure": measure or "value of the selected slice",
            "fixed_dims": {d: str(frame[d].iloc[0]) for d in other_dims},
            "missing_cells_kept": int(out["employment"].isna().sum()),
        }
    )
    logger.info(
        "%s: read %d cells from %s, kept %d (%d missing kept as null), dropped %s",
        code,
        prov.rows_read,
        file,
        prov.rows_kept,
        prov.notes["missing_cells_kept"],
        prov.rows_dropped or "none",
    )
    return LoadResult(frame=out, provenance=prov)


def _show(filters: Mapping[str, set[str]]) -> str:
    return ", ".join(f"{k}={'|'.join(sorted(v))}" for k, v in filters.items()) or "none"


def load_sbs(
    path: str | Path | None = None,
    *,
    indicator: str = "V16110",
    nuts_level: int | None = 2,
    years: Collection[int] | None = None,
    mirror: str | Path | None = None,
    drop_missing: bool = False,
    wages: bool = False,
) -> LoadResult:
    """Eurostat regional SBS (``sbs_r_nuts06_r2``, or a file of the same layout such as ``sbs_r_nuts03``)
    for one indicator, as canonical observations.

    ``region`` is the NUTS code (``geo``), ``industry`` the NACE Rev. 2 code as published (sections ``B``,
    divisions ``C29``, groups ``G471``), ``employment`` the value of ``indicator`` — for the default ``V16110``,
    *persons employed* (number, annual average) — ``flag`` Eurostat's flags; ``wages`` and ``establishments``
    are null. Confidential (``: c``) and other missing cells are kept with null employment unless
    ``drop_missing``.

    Parameters
    ----------
    path : path, optional
        The bulk TSV (or SDMX-CSV) file; default: the mirror or a download (``eurostat:sbs_r_nuts06_r2``).
    indicator : str
        ``indic_sb`` code: ``V16110`` persons employed (number), ``V11210`` local units (number), ``V13320``
        wages and salaries (EUR million).
    nuts_level : int or None
        NUTS level to keep (default 2); ``None`` keeps 0–3.
    years : collection of int, optional
        Years to keep.
    mirror : path, optional
        Data mirror root.
    drop_missing : bool
        Drop ``:`` cells rather than keep them as null employment.
    wages : bool
        Also read ``V13320`` wages and salaries (EUR million) into ``wages`` (null where not published), for the
        productivity star of the ``panorama`` methodology.

    Returns
    -------
    LoadResult
        Provenance ``source="eurostat"``, ``dataset="sbs_r_nuts06_r2"``, ``rows_read`` = all cells of the file,
        ``rows_dropped`` by reason (other indicator, extra-regio code, other NUTS level …).
    """
    units = {"V16110": "persons employed (number)", "V11210": "local units (number)", "V13320": "EUR million"}
    res = load_eurostat(
        path,
        dataset="sbs_r_nuts06_r2",
        industry_dim="nace_r2",
        value_filters={"indic_sb": indicator},
        nuts_level=nuts_level,
        years=years,
        mirror=mirror,
        drop_missing=drop_missing,
        measure=f"indic_sb {indicator}: {units.get(indicator, 'see the Eurostat indic_sb code list')}",
    )
    if wages:
        w = load_eurostat(
            path,
            dataset="sbs_r_nuts06_r2",
            industry_dim="nace_r2",
            value_filters={"indic_sb": "V13320"},
            nuts_level=nuts_level,
            years=years,
            mirror=mirror,
            negative_as_missing=True,
            measure="indic_sb V13320: EUR million",
        ).frame
        key = ["region", "industry", "year"]
        frame = res.frame.drop(columns="wages").merge(
            w[[*key, "employment"]].rename(columns={"employment": "wages"}), on=key, how="left"
        )
        res = LoadResult(frame[list(res.frame.columns)], res.provenance)
    return res


def load_lfs(
    path: str | Path | None = None,
    *,
    age: str = "Y_GE15",
    nuts_level: int | None = 2,
    years: Collection[int] | None = None,
    mirror: str | Path | None = None,
) -> LoadResult:
    """Eurostat LFS employment by NUTS region and NACE Rev. 2 section (``lfst_r_lfe2en2``) in **persons**.

    The file's unit is THS (thousand persons, by place of residence); values are multiplied by 1000.
    ``industry`` holds the LFS codes as published: ``TOTAL``, ``A``, ``B-E``, ``F``, ``G-I``, ``J``, ``K``, ``L``,
    ``M_N``, ``O-Q``, ``R-U``, ``NRP`` (no response). ``flag`` keeps ``u`` (low reliability), ``b`` …
    """
    return load_eurostat(
        path,
        dataset="lfst_r_lfe2en2",
        industry_dim="nace_r2",
        value_filters={"unit": "THS", "age": age},
        nuts_level=nuts_level,
        years=years,
        scale=1000.0,
        mirror=mirror,
        measure=f"LFS employment, age {age}, persons (THS x 1000), place of residence",
    )


def load_lfs_totals(
    path: str | Path | None = None,
    *,
    age: str = "Y_GE15",
    nuts_level: int | None = 2,
    years: Collection[int] | None = None,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """Total employment per region and year from the LFS (``lfst_r_lfe2en2``, ``nace_r2 == TOTAL``), in persons.

    This is the *external* total base ``T[r]`` for location quotients (SBS has no all-activity total).

    Parameters
    ----------
    path : path, optional
        The LFS file; default: mirror / download of ``eurostat:lfst_r_lfe2en2``.
    age : str
        Age class (default ``Y_GE15``, 15 years or over).
    nuts_level : int or None
        NUTS level to keep (default 2).
    years : collection of int, optional
        Years to keep.
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    pandas.DataFrame
        Columns ``region`` (NUTS code), ``year`` (int64), ``total`` (float64, persons = THS × 1000; NaN when
        Eurostat publishes ``:``). The :class:`~clustermap.provenance.LoadProvenance` is in
        ``frame.attrs["provenance"]``.
    """
    result = load_eurostat(
        path,
        dataset="lfst_r_lfe2en2",
        industry_dim="nace_r2",
        value_filters={"unit": "THS", "age": age, "nace_r2": "TOTAL"},
        nuts_level=nuts_level,
        years=years,
        scale=1000.0,
        mirror=mirror,
        measure=f"LFS total employment, age {age}, persons (THS x 1000), place of residence",
    )
    out = result.frame[["region", "year", "employment"]].rename(columns={"employment": "total"})
    out = out.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = result.provenance
    return out
