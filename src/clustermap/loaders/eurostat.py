"""The Eurostat loaders: read a bulk TSV or SDMX-CSV file (told apart by content; :mod:`.eurostat_tsv`,
:mod:`.eurostat_sdmx`) and turn its long frame into the canonical observation table (:mod:`clustermap.schema`):
:func:`load_eurostat`, and on it :func:`load_sbs`, :func:`load_lfs`, :func:`load_lfs_totals`."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import (
    EmptyInputError,
    ParameterError,
    SchemaError,
    UnknownNameError,
)
from clustermap.loaders.eurostat_reader import (
    EurostatRead,
    Filters,
    geo_kind,
    geo_level,
    normalise_filters,
)
from clustermap.loaders.eurostat_sdmx import _read_sdmx
from clustermap.loaders.eurostat_tsv import _read_tsv
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file
from clustermap.schema import validate_observations
from clustermap.sources.catalog import get as get_dataset
from clustermap.sources.fetch import read_text, resolve

logger = logging.getLogger(__name__)


#: the Eurostat regional SBS dataset the main job maps (NUTS-2 × NACE Rev. 2, persons employed)
SBS_DATASET = "sbs_r_nuts06_r2"
_HEADER = re.compile(r"^(?P<dims>[^\\]+)\\(?P<time>time|time_period)$", re.IGNORECASE)


def _sniff_kind(text: str) -> str:
    first = text[:4096].split("\n", 1)[0]
    if "\t" in first or _HEADER.match(first.strip()):
        return "tsv"
    upper = first.upper()
    if upper.startswith(("DATAFLOW", "STRUCTURE", '"DATAFLOW', '"STRUCTURE')) or "OBS_VALUE" in upper:
        return "sdmx"
    return "tsv"


#: the last files parsed, by (path, SHA-256 of the bytes, filters): the main job reads the same SBS slice twice
#: (NUTS-2 for the warehouse, every level for the two-way imputation) and the LFS totals between the two;
#: unpacking a file is most of a load
_READS: OrderedDict[tuple[Any, ...], EurostatRead] = OrderedDict()
_READS_KEPT = 4


def read_eurostat_file(path: str | Path, *, filters: Filters | None = None) -> EurostatRead:
    """Read a Eurostat bulk TSV or SDMX-CSV file (told apart by content) with its filter drop counts.

    The last :data:`_READS_KEPT` reads are kept, keyed by the file's path, the SHA-256 of its bytes and the
    filters; callers must not modify the frame returned (:func:`load_eurostat` only selects from it).
    """
    file = Path(path)
    try:
        wanted = normalise_filters(filters)
        key: tuple[Any, ...] | None = (
            str(file.resolve()),
            sha256_file(file),
            tuple(sorted((dim, tuple(sorted(values))) for dim, values in wanted.items())),
        )
    except OSError:  # not there or not readable: the reader names the problem
        key = None
    if key is not None and key in _READS:
        _READS.move_to_end(key)
        return _READS[key]
    text = read_text(file)
    read = _read_sdmx(file, filters, text=text) if _sniff_kind(text) == "sdmx" else _read_tsv(file, filters, text=text)
    if key is not None:
        _READS[key] = read
        while len(_READS) > _READS_KEPT:
            _READS.popitem(last=False)
    return read


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
    establishments: bool = False,
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
    establishments : bool
        Also read ``V11210`` local units (number) into ``establishments`` (null where not published), for the
        establishments of the site's dashboards.

    Returns
    -------
    LoadResult
        Provenance ``source="eurostat"``, ``dataset="sbs_r_nuts06_r2"``, ``rows_read`` = all cells of the file,
        ``rows_dropped`` by reason (other indicator, extra-regio code, other NUTS level …).
    """
    units = {"V16110": "persons employed (number)", "V11210": "local units (number)", "V13320": "EUR million"}

    def read(code: str, **options: Any) -> LoadResult:
        """One indicator ``code`` of the file as canonical observations (its value in ``employment``)."""
        return load_eurostat(
            path,
            dataset=SBS_DATASET,
            industry_dim="nace_r2",
            value_filters={"indic_sb": code},
            nuts_level=nuts_level,
            years=years,
            mirror=mirror,
            measure=f"indic_sb {code}: {units.get(code, 'see the Eurostat indic_sb code list')}",
            **options,
        )

    res = read(indicator, drop_missing=drop_missing)
    # wages and local units: further indicators of the same file, joined onto the cells as their own columns
    extra = (("wages", "V13320", wages, True), ("establishments", "V11210", establishments, False))
    for column, code, wanted, negative_as_missing in extra:
        if not wanted:
            continue
        other = read(code, negative_as_missing=negative_as_missing).frame
        key = ["region", "industry", "year"]
        frame = res.frame.drop(columns=column).merge(
            other[[*key, "employment"]].rename(columns={"employment": column}), on=key, how="left"
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
    return _lfs(path, age=age, nuts_level=nuts_level, years=years, mirror=mirror, total=False)


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
    result = _lfs(path, age=age, nuts_level=nuts_level, years=years, mirror=mirror, total=True)
    out = result.frame[["region", "year", "employment"]].rename(columns={"employment": "total"})
    out = out.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = result.provenance
    return out


def _lfs(
    path: str | Path | None,
    *,
    age: str,
    nuts_level: int | None,
    years: Collection[int] | None,
    mirror: str | Path | None,
    total: bool,
) -> LoadResult:
    """LFS employment (``lfst_r_lfe2en2``) in persons (THS × 1000): every NACE section, or only ``TOTAL``."""
    return load_eurostat(
        path,
        dataset="lfst_r_lfe2en2",
        industry_dim="nace_r2",
        value_filters={"unit": "THS", "age": age, **({"nace_r2": "TOTAL"} if total else {})},
        nuts_level=nuts_level,
        years=years,
        scale=1000.0,
        mirror=mirror,
        measure=f"LFS {'total ' if total else ''}employment, age {age}, persons (THS x 1000), place of residence",
    )
