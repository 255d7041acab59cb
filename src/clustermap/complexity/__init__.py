"""Relatedness and economic complexity of regions and industries, on the engine.

:func:`complexity` takes employment by region × industry × year and returns, per region × industry × year,
``rca, mcp, diversity, ubiquity, eci, pci, density, coi, cog`` with py-ecomplexity's definitions
(``ecomplexity(..., presence_test="rca")``; see ``docs/complexity.md``) and, on request, the industry × industry
``proximity`` table. The relational part (RCA, presence, diversity, ubiquity) is pure ibis
(:mod:`clustermap.indicators.complexity`) and runs on DuckDB or PySpark for all years in one query; the
eigenvector, proximity, density and outlook steps run in numpy / scipy on each year's sparse presence matrix.

Standardisation as py-ecomplexity (after the Stata package): ``eci = (kc − mean kc) / sd kc``,
``pci = (kp − mean kc) / sd kc``, ``cog = cog_raw / sd kc``, ``coi = (coi_raw − mean) / sd`` (population
standard deviations, over the regions of the year with diversity > 0).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from clustermap.complexity.eigen import eci_pci
from clustermap.complexity.output import OutputColumns
from clustermap.complexity.space import co_presence, density, outlook, proximity
from clustermap.errors import InputError, ParameterError, SchemaError
from clustermap.indicators.complexity import indexed_entries, positions

log = logging.getLogger(__name__)

#: columns of :attr:`ComplexityResult.cells`, in order
COLUMNS: tuple[str, ...] = (
    "region",
    "industry",
    "year",
    "rca",
    "mcp",
    "diversity",
    "ubiquity",
    "eci",
    "pci",
    "density",
    "coi",
    "cog",
)
PROXIMITY_COLUMNS: tuple[str, ...] = ("year", "industry_1", "industry_2", "proximity")
#: integer columns: year (int64, as everywhere in the project), counts of at most the number of industries /
#: regions (int32), presence 0/1 (int8)
DTYPES: dict[str, Any] = {"year": np.int64, "mcp": np.int8, "diversity": np.int32, "ubiquity": np.int32}
MissingPolicy = Literal["error", "drop"]

__all__ = [
    "COLUMNS",
    "PROXIMITY_COLUMNS",
    "ComplexityResult",
    "complexity",
    "complexity_from_entries",
    "complexity_from_presence",
]


@dataclass
class ComplexityResult:
    """Per region × industry × year indicators (:data:`COLUMNS`; every region and industry with a positive
    total in a year, the full rectangle) and, if asked for, the proximity table (:data:`PROXIMITY_COLUMNS`)."""

    cells: pd.DataFrame
    proximity: pd.DataFrame | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and population sd of the finite values (NaN, NaN if none), without numpy's all-NaN warning (the
    years run on threads, and ``warnings.catch_warnings`` is not thread-safe)."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return np.nan, np.nan
    return float(finite.mean()), float(finite.std())


def _standardise(eci_raw: np.ndarray, pci_raw: np.ndarray, coi_raw: np.ndarray):
    """Standardised ECI, PCI and COI, and the sd of the raw ECI that divides COG (NaN when ECI or COI does not
    vary, e.g. two disconnected blocks)."""
    mean, sd = _mean_sd(eci_raw)
    coi_mean, coi_sd = _mean_sd(coi_raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (eci_raw - mean) / sd, (pci_raw - mean) / sd, (coi_raw - coi_mean) / coi_sd, sd


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Integer codes into a sorted dictionary of a string column (Arrow's hash encoding, then one remap)."""
    encoded = pc.dictionary_encode(column.combine_chunks().cast(pa.string()))
    labels = encoded.dictionary
    order = np.asarray(pc.sort_indices(labels))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = rank[np.asarray(encoded.indices.fill_null(0), dtype=np.int64)]
    return codes, labels.take(pa.array(order))


def _compact(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of non-negative integer ``codes`` (ascending) and each code's position among them,
    in O(n) (no sort)."""
    present = np.zeros(int(codes.max()) + 1 if len(codes) else 0, dtype=bool)
    present[codes] = True
    distinct = np.flatnonzero(present)
    lookup = np.zeros(len(present), dtype=np.int64)
    lookup[distinct] = np.arange(len(distinct))
    return distinct, lookup[codes]


def _blocks(years: np.ndarray, regions: np.ndarray, industries: np.ndarray) -> list[tuple]:
    """Per year (ascending): (year, row positions, region codes, local region index, industry codes, local
    industry index)."""
    out = []
    for year in sorted(pd.unique(years).tolist()):
        idx = np.flatnonzero(years == year)
        reg_codes, r = _compact(regions[idx])
        ind_codes, p = _compact(industries[idx])
        out.append((int(year), idx, reg_codes, r, ind_codes, p))
    return out


def _year(
    out: dict[str, np.ndarray], sl: slice, r: np.ndarray, p: np.ndarray, rca: np.ndarray, mcp: np.ndarray,
    n_r: int, n_p: int,
) -> np.ndarray:  # fmt: skip
    """Fill rows ``sl`` of the output columns (one year's ``n_r × n_p`` rectangle, region-major) from the
    year's present cells (local region / industry indices ``r, p`` with their ``rca`` and ``mcp``); return the
    proximity matrix (industries × industries)."""
    present = mcp == 1
    # the mcp column of the year is the dense 0/1 presence matrix; the sparse one is read off it in row-major
    # order, so its indices come sorted (no COO → CSR conversion and sort)
    mcp_out = out["mcp"][sl]
    mcp_out.fill(0)
    mcp_out[r[present] * n_p + p[present]] = 1
    dense = mcp_out.reshape(n_r, n_p)
    rows, cols = np.nonzero(dense)
    index = np.int32 if n_r * n_p < np.iinfo(np.int32).max else np.int64  # scipy's own choice of index type
    indptr = np.zeros(n_r + 1, dtype=index)
    np.cumsum(np.bincount(rows, minlength=n_r), out=indptr[1:])
    m = sp.csr_matrix((np.ones(len(cols)), cols.astype(index), indptr), shape=(n_r, n_p))
    m.has_sorted_indices = True
    div = np.asarray(m.sum(axis=1)).ravel()
    ubi = np.asarray(m.sum(axis=0)).ravel()
    eci_raw, pci_raw = eci_pci(m, div, ubi)
    prox = proximity(co_presence(dense), ubi)
    # density and outlook gain are written straight into their output columns (no copies)
    dens = density(m, prox, out=out["density"][sl].reshape(n_r, n_p))
    coi_raw, cog = outlook(m, dens, prox, pci_raw, cog_out=out["cog"][sl].reshape(n_r, n_p), nonzero=(rows, cols))
    eci, pci, coi, eci_sd = _standardise(eci_raw, pci_raw, coi_raw)
    with np.errstate(divide="ignore", invalid="ignore"):
        cog /= eci_sd
    rca_out = out["rca"][sl]
    rca_out.fill(0.0)
    rca_out[r * n_p + p] = rca
    # region-major rectangle: per-region values repeat along each row, per-industry values along each column
    for name, values in (("diversity", div), ("eci", eci), ("coi", coi)):
        out[name][sl].reshape(n_r, n_p)[:] = values[:, np.newaxis]
    for name, values in (("ubiquity", ubi), ("pci", pci)):
        out[name][sl].reshape(n_r, n_p)[:] = values[np.newaxis, :]
    return prox


def complexity_from_presence(
    data: pa.Table | pd.DataFrame, *, with_proximity: bool = False, threads: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The numeric step: from :func:`clustermap.indicators.complexity.rca_presence` rows (one per cell with
    employment ≠ 0: ``region, industry, year, rca, mcp``) to the full :data:`COLUMNS` table and the proximity
    table. Each year is one block: its regions × industries with a positive total."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    r_all, region_labels = _codes(table["region"])
    p_all, industry_labels = _codes(table["industry"])
    years = np.asarray(table["year"], dtype=np.int64)
    blocks = _blocks(years, r_all, p_all)
    rca_all = np.asarray(table["rca"], dtype=np.float64)
    mcp_all = np.asarray(table["mcp"], dtype=np.int8)
    return _assemble(blocks, rca_all, mcp_all, region_labels, industry_labels, with_proximity, threads)


def _local_codes(labels_of: pa.Table, name: str, index: str) -> tuple[dict[int, np.ndarray], pa.Array]:
    """Per year, the global code (into the sorted labels of every year) of each local position."""
    codes, labels = _codes(labels_of[name])
    years = np.asarray(labels_of["year"], dtype=np.int64)
    local = np.asarray(labels_of[index], dtype=np.int64)
    per_year = {}
    for year in np.unique(years).tolist():
        sel = years == year
        g = np.empty(int(sel.sum()), dtype=np.int64)
        g[local[sel]] = codes[sel]
        per_year[int(year)] = g
    return per_year, labels


def complexity_from_entries(
    entries: pa.Table,
    regions: pa.Table,
    industries: pa.Table,
    *,
    with_proximity: bool = False,
    threads: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`complexity_from_presence` from :func:`clustermap.indicators.complexity.indexed_presence`'s three
    tables (matrix entries with local positions, and the codes of each year's regions and industries)."""
    reg_of, region_labels = _local_codes(regions, "region", "r")
    ind_of, industry_labels = _local_codes(industries, "industry", "p")
    years = np.asarray(entries["year"], dtype=np.int64)
    r_all = np.asarray(entries["r"], dtype=np.int64)
    p_all = np.asarray(entries["p"], dtype=np.int64)
    blocks = []
    for year in sorted(reg_of):
        idx = np.flatnonzero(years == year)
        blocks.append((year, idx, reg_of[year], r_all[idx], ind_of[year], p_all[idx]))
    rca_all = np.asarray(entries["rca"], dtype=np.float64)
    mcp_all = np.asarray(entries["mcp"], dtype=np.int8)
    return _assemble(blocks, rca_all, mcp_all, region_labels, industry_labels, with_proximity, threads)


def _code_dtype(n_labels: int) -> Any:
    """The integer type pandas stores the codes of a categorical of ``n_labels`` categories in."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_labels < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _assemble(
    blocks: list[tuple],
    rca_all: np.ndarray,
    mcp_all: np.ndarray,
    region_labels: pa.Array,
    industry_labels: pa.Array,
    with_proximity: bool,
    threads: int | None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The full table from per-year blocks ``(year, entry rows, region codes, local region index, industry
    codes, local industry index)``. Output columns are preallocated (the rectangle of every year), so peak
    memory is about the output plus one year's temporaries. Years run on ``threads`` threads (default: one per
    CPU)."""
    sizes = [len(b[2]) * len(b[4]) for b in blocks]
    n = int(sum(sizes))
    dtypes = {c: DTYPES.get(c, np.float64) for c in COLUMNS if c not in ("region", "industry")}
    # category codes in the width pandas keeps them in (no conversion copy of two 28.9 M-row columns)
    dtypes["region"] = _code_dtype(len(region_labels))
    dtypes["industry"] = _code_dtype(len(industry_labels))
    output = OutputColumns(n, dtypes)
    out = output.columns
    region_codes = out.pop("region")
    industry_codes = out.pop("industry")
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def one_year(k: int) -> np.ndarray:
        year, idx, reg_codes, r, ind_codes, p = blocks[k]
        n_r, n_p = len(reg_codes), len(ind_codes)
        sl = slice(int(starts[k]), int(starts[k + 1]))
        output.populate(sl.start, sl.stop)
        prox = _year(out, sl, r, p, rca_all[idx], mcp_all[idx], n_r, n_p)
        out["year"][sl] = year
        region_codes[sl].reshape(n_r, n_p)[:] = reg_codes[:, np.newaxis]
        industry_codes[sl].reshape(n_r, n_p)[:] = ind_codes[np.newaxis, :]
        return prox

    # years are independent and write disjoint rows; the sparse and dense kernels release the GIL
    workers = max(1, min(threads if threads is not None else (os.cpu_count() or 1), len(blocks)))
    if workers == 1:
        proxes = [one_year(k) for k in range(len(blocks))]
    else:
        # one BLAS thread per year: BLAS's own threads on top of the years' oversubscribe the cores (measured on
        # the 10-year panel: 3.1–3.3 CPU s for the years with one BLAS thread, 3.7–4.8 s with one per core)
        with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=workers) as pool:
            proxes = list(pool.map(one_year, range(len(blocks))))
    prox_parts: list[pd.DataFrame] = []
    if with_proximity:
        for (year, _, _, _, ind_codes, _), prox in zip(blocks, proxes, strict=True):
            n_p = len(ind_codes)
            labels = industry_labels.take(pa.array(ind_codes)).to_pandas().to_numpy()
            prox_parts.append(
                pd.DataFrame(
                    {
                        "year": np.full(n_p * n_p, year, dtype=np.int64),
                        "industry_1": np.repeat(labels, n_p),
                        "industry_2": np.tile(labels, n_p),
                        "proximity": prox.ravel(),
                    }
                )
            )
    labels = {
        "region": pd.Categorical.from_codes(region_codes, categories=region_labels.to_pandas(), validate=False),
        "industry": pd.Categorical.from_codes(industry_codes, categories=industry_labels.to_pandas(), validate=False),
    }
    # in COLUMNS order, without copying the output arrays
    cells = pd.DataFrame({name: labels[name] if name in labels else out[name] for name in COLUMNS}, copy=False)
    prox_frame = None
    if with_proximity:
        prox_frame = (
            pd.concat(prox_parts, ignore_index=True) if prox_parts else pd.DataFrame({c: [] for c in PROXIMITY_COLUMNS})
        )
    return cells, prox_frame


def _as_table(data: Any, con: Any) -> ir.Table:
    if isinstance(data, ir.Table):
        return data
    if isinstance(data, pd.DataFrame):
        missing = [c for c in ("region", "industry", "year", "employment") if c not in data.columns]
        if missing:
            raise SchemaError(f"missing required column(s) {', '.join(missing)}", column=missing[0])
        frame = data[["region", "industry", "year", "employment"]]
        if con is None:
            return ibis.memtable(frame)
        from clustermap.engines.backends import to_backend

        return to_backend(con, frame)
    raise ParameterError(f"complexity() takes a pandas DataFrame or an ibis Table, not {type(data).__name__}")


def _engine_tables(table: ir.Table, threshold: float) -> tuple[pa.Table, pa.Table, pa.Table]:
    """:func:`clustermap.indicators.complexity.indexed_presence`'s three tables, computed on the engine with its
    small per-year tables (regions, industries, grand totals) materialised first and released after: the
    entries' joins then build on them, and the region / industry codes are read from them instead of being
    grouped again."""
    t, by_region, by_industry, by_year = positions(table)
    cached = [by_region.cache(), by_industry.cache(), by_year.cache()]
    try:
        by_region, by_industry, by_year = cached
        entries = indexed_entries(t, by_region, by_industry, by_year, threshold=threshold).to_pyarrow()
        regions = by_region.select("year", "region", "r").to_pyarrow()
        industries = by_industry.select("year", "industry", "p").to_pyarrow()
    finally:
        for c in cached:
            c.release()
    return entries, regions, industries


def complexity(
    data: pd.DataFrame | ir.Table,
    *,
    threshold: float = 1.0,
    missing: MissingPolicy = "error",
    with_proximity: bool = False,
    con: Any = None,
) -> ComplexityResult:
    """Relatedness and complexity of every region × industry × year of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame or ibis Table
        ``region, industry, year, employment`` (persons; any non-negative size measure works). A pandas frame
        is registered on ``con`` (default: an in-memory DuckDB); an ibis table runs on its own backend.
    threshold : float
        ``mcp = 1`` iff ``rca ≥ threshold`` (default 1, py-ecomplexity's ``rca_mcp_threshold``).
    missing : {"error", "drop"}
        Null employment (suppressed or not published) is never read as zero: ``error`` (default) raises
        :class:`~clustermap.errors.InputError`; ``drop`` leaves those cells out of the matrices and counts them
        in ``notes["missing_cells_dropped"]``.
    with_proximity : bool
        Also return the industry × industry proximity table per year.
    con : ibis backend, optional
        Where a pandas ``data`` is computed (DuckDB or PySpark connection).

    Returns
    -------
    ComplexityResult
    """
    if missing not in ("error", "drop"):
        raise ParameterError(f"missing must be 'error' or 'drop', not {missing!r}")
    if not threshold > 0:
        raise ParameterError(f"threshold must be > 0, got {threshold}")
    table = _as_table(data, con)
    checks = table.aggregate(
        nulls=table.employment.isnull().cast("int64").sum(),
        negatives=(table.employment < 0).cast("int64").sum(),
    ).execute()
    nulls = int(checks["nulls"].fillna(0).iloc[0])
    if int(checks["negatives"].fillna(0).iloc[0]):
        first_negative = table.filter(table.employment < 0).limit(1).execute()
        row = first_negative.iloc[0]
        raise InputError(
            f"negative employment in region {row['region']}, industry {row['industry']}, year {row['year']}",
            column="employment",
            value=float(row["employment"]),
        )
    if nulls and missing == "error":
        first = table.filter(table.employment.isnull()).limit(1).execute().iloc[0]
        raise InputError(
            f"{nulls} cell(s) have no employment (suppressed or missing), e.g. region {first['region']}, "
            f"industry {first['industry']}, year {first['year']}; impute them first (clustermap impute) "
            "or leave them out (missing='drop', --missing drop)",
            column="employment",
        )
    table = table.filter(table.employment.notnull())
    entries, regions, industries = _engine_tables(table, threshold)
    cells, prox = complexity_from_entries(entries, regions, industries, with_proximity=with_proximity)
    notes = {
        "threshold": threshold,
        "missing": missing,
        "missing_cells_dropped": nulls,
        "cells_present": entries.num_rows,
    }
    log.info("complexity: %d cells in, %d out, %d missing dropped", entries.num_rows, len(cells), nulls)
    return ComplexityResult(cells=cells, proximity=prox, notes=notes)
