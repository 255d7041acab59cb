"""The numeric kernels of :mod:`clustermap.complexity` against their plain definitions, bit for bit: co-presence
as a float32 BLAS product, the sparse × dense products by column blocks, the output columns populated per block,
the engine's small tables materialised and released, and the years on threads."""

from __future__ import annotations

import resource
import sys

import ibis
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clustermap.complexity as cx
from clustermap.complexity import output, space
from clustermap.indicators.complexity import indexed_presence


@st.composite
def presence_matrices(draw: st.DrawFn) -> np.ndarray:
    """A random 0/1 regions × industries matrix (some industries absent, some regions everywhere)."""
    n_r = draw(st.integers(1, 40))
    n_p = draw(st.integers(1, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    share = draw(st.floats(0.0, 1.0))
    return (np.random.default_rng(seed).random((n_r, n_p)) < share).astype(np.int8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presence_matrices())
def test_co_presence_is_the_exact_count(m: np.ndarray) -> None:
    """The float32 product gives exactly the integer counts, from a dense or a sparse matrix."""
    expected = (m.astype(np.int64).T @ m.astype(np.int64)).astype(np.float64)
    for given_as in (m, sp.csr_matrix(m.astype(np.float64))):
        got = space.co_presence(given_as)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, expected)


def test_co_presence_large_counts_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond float32's exact integers the sparse float64 product is used (threshold lowered to reach it)."""
    m = (np.random.default_rng(1).random((50, 20)) < 0.5).astype(np.int8)
    monkeypatch.setattr(space, "EXACT_FLOAT32", 10)
    np.testing.assert_array_equal(space.co_presence(m), (m.T.astype(np.int64) @ m).astype(np.float64))


def _unblocked(m: sp.csr_matrix, prox: np.ndarray, pci: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Density, raw COI and raw COG as whole products (the definitions in clustermap.complexity.space)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = (m @ prox) / np.nansum(prox, axis=1)[np.newaxis, :]
        rows, cols = m.nonzero()
        coi = dens @ pci - np.bincount(rows, weights=dens[rows, cols] * pci[cols], minlength=m.shape[0])
        weights = prox * (pci / prox.sum(axis=1))[:, np.newaxis]
        cog = weights.sum(axis=0)[np.newaxis, :] - m @ weights
    cog[rows, cols] = 0.0
    return dens, coi, cog


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presence_matrices(), st.sampled_from([1, 3, 7, 128]))
def test_blocked_products_are_the_whole_products(m: np.ndarray, block: int) -> None:
    """Density and outlook by column blocks (a ragged last block included) equal the whole products bit for
    bit, into fresh arrays or into given (strided) outputs."""
    csr = sp.csr_matrix(m.astype(np.float64))
    ubi = m.sum(axis=0)
    prox = space.proximity(space.co_presence(m), ubi)
    pci = np.random.default_rng(len(ubi)).standard_normal(len(ubi))
    dens0, coi0, cog0 = _unblocked(csr, prox, pci)
    old = space.BLOCK
    space.BLOCK = block
    try:
        dens = space.density(csr, prox)
        coi, cog = space.outlook(csr, dens, prox, pci)
        into = np.empty((2 * m.shape[0], m.shape[1]))[::2]  # a strided destination
        space.density(csr, prox, out=into)
        _, cog_into = space.outlook(csr, dens, prox, pci, cog_out=np.empty_like(dens), nonzero=csr.nonzero())
    finally:
        space.BLOCK = old
    for got, want in ((dens, dens0), (into, dens0), (coi, coi0), (cog, cog0), (cog_into, cog0)):
        np.testing.assert_array_equal(got, want)


def test_output_columns_are_separate_and_writable() -> None:
    """Each column has its dtype and length and its own memory; populating any range (empty, page-straddling,
    overlapping, everything) keeps what was written."""
    n = 100_003
    dtypes = {"year": np.int64, "mcp": np.int8, "diversity": np.int32, "rca": np.float64, "code": np.int16}
    cols = output.OutputColumns(n, dtypes)
    assert {k: (v.dtype, len(v)) for k, v in cols.columns.items()} == {k: (np.dtype(t), n) for k, t in dtypes.items()}
    for start, stop in ((0, 0), (5, 4099), (4000, 60_000), (0, n), (n - 1, n)):
        cols.populate(start, stop)
    for k, col in enumerate(cols.columns.values()):
        col[:] = (np.arange(n) % 100 + k).astype(col.dtype)
    for k, (name, col) in enumerate(cols.columns.items()):
        np.testing.assert_array_equal(col, (np.arange(n) % 100 + k).astype(col.dtype), err_msg=name)
    assert output.OutputColumns(0, dtypes).columns["rca"].shape == (0,)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="MADV_POPULATE_WRITE is Linux's")
def test_populated_rows_take_no_page_faults() -> None:
    """After populate, writing the rows faults in (almost) no pages; without it, every page faults."""
    n = 8 * 1024 * 1024  # 64 MiB of float64 = 16,384 pages of 4 KiB
    pages = n * 8 // 4096

    def faults_while_writing(populate: bool) -> int:
        col = output.OutputColumns(n, {"x": np.float64})
        if populate:
            col.populate(0, n)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        col.columns["x"].fill(1.0)
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    if not output.OutputColumns(1, {"x": np.float64})._populate:
        pytest.skip("no madvise")
    cold = faults_while_writing(False)
    warm = faults_while_writing(True)
    if cold < pages // 2:  # the kernel maps huge pages on first touch: nothing to compare
        pytest.skip(f"only {cold} faults for {pages} pages without populate")
    assert warm < pages // 20, (warm, cold)


def test_engine_tables_match_and_release_their_caches() -> None:
    """The cached path gives indexed_presence's three tables and leaves no temporary table behind."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        [(f"R{r}", f"I{i}", y, float(rng.integers(0, 50))) for y in (2019, 2020) for r in range(7) for i in range(5)],
        columns=["region", "industry", "year", "employment"],
    )
    con = ibis.duckdb.connect()
    table = con.create_table("cells", frame)

    def tables() -> set[str]:
        return {row[0] for row in con.raw_sql("SELECT table_name FROM duckdb_tables()").fetchall()}

    before = tables()
    got = cx._engine_tables(table, 1.0)
    assert tables() == before == {"cells"}
    want = [x.to_pyarrow() for x in indexed_presence(table, threshold=1.0)]
    for g, w in zip(got, want, strict=True):
        keys = [c for c in g.column_names if c not in ("rca", "mcp")]
        assert (
            g.to_pandas()
            .sort_values(keys)
            .reset_index(drop=True)
            .equals(w.to_pandas().sort_values(keys).reset_index(drop=True))
        )


def test_years_on_threads_equal_one_thread() -> None:
    """Years on several threads (one BLAS thread each) give the one-thread result bit for bit."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        [
            (f"R{r:02d}", f"I{i:03d}", y, float(rng.integers(0, 100)) * (rng.random() < 0.6))
            for y in range(2011, 2016)
            for r in range(40)
            for i in range(60)
        ],
        columns=["region", "industry", "year", "employment"],
    )
    tables = cx._engine_tables(ibis.duckdb.connect().create_table("cells", frame), 1.0)
    one, _ = cx.complexity_from_entries(*tables, threads=1)
    many, _ = cx.complexity_from_entries(*tables, threads=3)
    pd.testing.assert_frame_equal(one, many, check_exact=True)
