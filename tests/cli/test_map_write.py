"""`clustermap map` writes the cells with the engine (COPY … TO): the same cells and summary as the pandas path of
the Python API, in every format; XLSX only when the table fits a sheet."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clustermap import exports
from clustermap.api import map_clusters
from clustermap.cli.main import app
from clustermap.engines.backends import connect, to_backend
from clustermap.loaders.tidy import load_tidy, scan_tidy
from clustermap.mapping import map_observations

runner = CliRunner()

# two years, three regions, three industries; one suppressed cell; hand-checkable stars with min_employment 0
PANEL = (
    "region,industry,year,employment,establishments\n"
    + "".join(
        f"{r},{i},{y},{e},{max(1, e // 100)}\n"
        for y, rows in (
            (2012, (5000, 3000, 1200, 100, 900, 8000, 40, 60, 2500)),
            (2013, (5100, 2900, 1300, 90, 950, 8100, 45, 70, 2600)),
        )
        for (r, i), e in zip(((r, i) for r in ("A1", "A2", "A3") for i in ("X", "Y", "Z")), rows, strict=True)
    )
    + "A4,X,2013,,\n"
)
KEY = ["year", "region", "category"]


def _map(tmp_path: Path, out: Path, *extra: str) -> str:
    src = tmp_path / "panel.csv"
    src.write_text(PANEL)
    args = ["map", "--input", str(src), "--categories", "none", "--total-base", "input", "--out", str(out)]
    r = runner.invoke(app, [*args, "--min-employment", "0", *extra])
    assert r.exit_code == 0, r.output
    return r.output


def _expected() -> pd.DataFrame:
    frame = load_tidy_frame()
    return map_clusters(frame, categories="none", total_base="input", min_employment=0)


def load_tidy_frame() -> pd.DataFrame:
    import io

    return pd.read_csv(io.StringIO(PANEL), dtype={"region": str, "industry": str})


@pytest.mark.parametrize("ext", ["parquet", "csv", "json"])
def test_engine_written_cells_equal_the_pandas_cells(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"cells.{ext}"
    output = _map(tmp_path, out, "--sort")
    if ext == "parquet":
        got = pd.read_parquet(out)
    elif ext == "csv":
        got = pd.read_csv(out, dtype={"region": str, "category": str, "category_name": str})
    else:
        got = pd.DataFrame(json.loads(out.read_text()))
    want = _expected()
    assert list(got.columns) == list(want.columns)
    assert got[KEY].astype(str).values.tolist() == want[KEY].astype(str).values.tolist()  # same order
    for col in ("employment", "lq", "stars", "size_star", "specialisation_star", "focus_star"):
        pd.testing.assert_series_equal(
            got[col].astype("float64"), want[col].astype("float64"), check_names=False, rtol=1e-12
        )
    assert f"{len(want):,} cells" in output and "years 2012, 2013" in output


def test_unsorted_cells_are_the_same_cells(tmp_path: Path) -> None:
    # without --sort the rows come in the engine's order: the same cells, values and stars as the sorted file
    _map(tmp_path, tmp_path / "sorted.parquet", "--sort")
    _map(tmp_path, tmp_path / "unsorted.parquet")
    a = pd.read_parquet(tmp_path / "sorted.parquet")
    b = pd.read_parquet(tmp_path / "unsorted.parquet").sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_lazy_summary_equals_the_eager_summary(tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    path.write_text(PANEL)
    cats_kwargs = {"methodology": "eco2007", "total_base": "input", "min_employment": 0}
    from clustermap.api import resolve_categories

    eager_obs = to_backend(connect("duckdb"), load_tidy(path).frame)
    cats = resolve_categories("none", ["X", "Y", "Z"])
    eager = map_observations(eager_obs, categories=cats, **cats_kwargs)
    lazy = map_observations(scan_tidy(path).table, categories=cats, lazy=True, **cats_kwargs)
    try:
        lazy.write(tmp_path / "c.parquet")
        pd.testing.assert_frame_equal(lazy.summary, eager.summary, check_dtype=False)
        assert lazy.rows_written() == len(eager.cells) == 18  # the suppressed cell is dropped
    finally:
        lazy.release()
    # a lazy result not written yet still answers .cells and .summary
    other = map_observations(scan_tidy(path).table, categories=cats, lazy=True, **cats_kwargs)
    try:
        pd.testing.assert_frame_equal(other.summary, eager.summary, check_dtype=False)
        pd.testing.assert_frame_equal(other.cells, eager.cells)
    finally:
        other.release()


def test_xlsx_beyond_a_sheet_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 10)  # a sheet of 9 data rows; the panel maps to 18 cells
    src = tmp_path / "panel.csv"
    src.write_text(PANEL)
    out = tmp_path / "cells.xlsx"
    r = runner.invoke(app, ["map", "--input", str(src), "--categories", "none", "--out", str(out)])
    assert r.exit_code == 2 and "do not fit an XLSX sheet" in r.output and not out.exists()
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1_048_576)
    _map(tmp_path, out)
    assert len(pd.read_excel(out)) == 18


def test_store_inserts_the_written_parquet(tmp_path: Path) -> None:
    """--store with a Parquet output: the warehouse takes the cells from the file the engine wrote."""
    from clustermap.warehouse import Warehouse

    wh_path = tmp_path / "wh.duckdb"
    out = tmp_path / "cells.parquet"
    output = _map(tmp_path, out, "--store", "--warehouse", str(wh_path))
    assert "stored run" in output
    with Warehouse(wh_path) as wh:
        record, stored = wh.run("latest")
    written = pd.read_parquet(out)
    assert len(stored) == len(written) == 18
    stored = stored.sort_values(KEY).reset_index(drop=True)
    written = written.sort_values(KEY).reset_index(drop=True)  # without --sort, in the engine's order
    for col in ("employment", "lq", "stars"):
        pd.testing.assert_series_equal(stored[col].astype("float64"), written[col].astype("float64"))
    assert json.loads(record["summary"])[0]["clusters"] == int(_expected().query("year == 2012")["stars"].ge(1).sum())


def test_store_of_a_written_result_builds_no_pandas_frame(tmp_path: Path) -> None:
    from clustermap.api import resolve_categories
    from clustermap.warehouse import Warehouse

    path = tmp_path / "panel.csv"
    path.write_text(PANEL)
    cats = resolve_categories("none", ["X", "Y", "Z"])
    result = map_observations(scan_tidy(path).table, categories=cats, lazy=True, min_employment=0)
    try:
        result.write(tmp_path / "cells.parquet")
        with Warehouse(tmp_path / "wh.duckdb") as wh:
            run_id = wh.save_run(result, dataset="panel")
            _, stored = wh.run(run_id)
        assert result._cells is None  # the rows went file → warehouse, never through pandas
        assert len(stored) == 18
    finally:
        result.release()


@pytest.mark.pyspark
@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_pyspark_writes_one_file_with_the_same_cells(tmp_path: Path, ext: str) -> None:
    """On PySpark the cells are written by df.write (one part moved to --out), not collected to the driver."""
    out = tmp_path / f"cells.{ext}"
    _map(tmp_path, out, "--backend", "pyspark", "--sort")
    assert out.is_file()
    got = pd.read_parquet(out) if ext == "parquet" else pd.read_csv(out, dtype={"region": str, "category": str})
    want = _expected()
    assert got[KEY].astype(str).values.tolist() == want[KEY].astype(str).values.tolist()
    pd.testing.assert_series_equal(got["stars"].astype("int64"), want["stars"].astype("int64"), check_names=False)
    assert not list(tmp_path.glob(".cm-write-*"))  # the Spark directory is gone


@pytest.mark.parametrize("kind", ["parquet", "csv", "json"])
def test_spark_parts_join_into_one_file_in_order(tmp_path: Path, kind: str) -> None:
    """Spark writes one part per task; the parts are joined in their order, CSV with one header."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clustermap.exports import _join_parts

    chunks = [
        pd.DataFrame({"region": [f"R{i}{j}" for j in range(n)], "stars": list(range(n))})
        for i, n in enumerate([3, 0, 2, 4])
    ]
    parts = []
    for i, chunk in enumerate(chunks):
        part = tmp_path / f"part-{i:05d}.{kind}"
        if kind == "parquet":
            schema = pa.schema([("region", pa.string()), ("stars", pa.int64())])
            pq.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False), part, row_group_size=2)
        elif kind == "csv":
            chunk.to_csv(part, index=False)  # every part has the header, as Spark writes them
        else:
            chunk.to_json(part, orient="records", lines=True)
        parts.append(part)
    out = tmp_path / f"cells.{kind}"
    _join_parts(parts, out, kind)
    if kind == "parquet":
        got = pd.read_parquet(out)
    elif kind == "csv":
        got = pd.read_csv(out)
    else:
        got = pd.read_json(out, lines=True)
    want = pd.concat(chunks, ignore_index=True)
    assert got["region"].tolist() == want["region"].tolist()
    assert got["stars"].astype("int64").tolist() == want["stars"].tolist()
