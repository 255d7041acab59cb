"""``clustermap complexity``: the output contract, the proximity download and exit status 2 for bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from clustermap.cli.main import app
from clustermap.complexity import COLUMNS, PROXIMITY_COLUMNS

runner = CliRunner()
TINY = "region,industry,year,employment\nA,x,2020,40\nA,y,2020,40\nB,x,2020,10\nB,z,2020,30\nC,y,2020,10\nC,z,2020,10\n"


def test_writes_every_column(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(TINY)
    out, prox = tmp_path / "out.parquet", tmp_path / "prox.csv"
    r = runner.invoke(app, ["complexity", "--input", str(src), "--out", str(out), "--proximity", str(prox)])
    assert r.exit_code == 0, r.output
    cells = pd.read_parquet(out)
    assert list(cells.columns) == list(COLUMNS)
    assert len(cells) == 9 and cells["mcp"].sum() == 5
    assert list(pd.read_csv(prox).columns) == list(PROXIMITY_COLUMNS)


def test_parquet_output_is_the_frame_with_dictionaries_on_repeated_columns(tmp_path: Path) -> None:
    """The Parquet file reads back as the computed frame (values, dtypes, categories) — what
    ``DataFrame.to_parquet`` writes — with dictionary encoding on the repeated columns only."""
    import pyarrow.parquet as pq

    from clustermap.cli.complexity import REPEATED
    from clustermap.complexity import complexity

    src = tmp_path / "in.csv"
    src.write_text(TINY)
    out, ref = tmp_path / "out.parquet", tmp_path / "ref.parquet"
    assert runner.invoke(app, ["complexity", "--input", str(src), "--out", str(out)]).exit_code == 0
    complexity(pd.read_csv(src)).cells.to_parquet(ref, index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(ref), check_exact=True)
    meta = pq.ParquetFile(out).metadata.row_group(0)
    for k in range(meta.num_columns):
        chunk = meta.column(k)
        dictionary = any("DICT" in e for e in chunk.encodings)
        assert dictionary == (chunk.path_in_schema in REPEATED), (chunk.path_in_schema, chunk.encodings)


def test_missing_employment_is_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(TINY + "C,x,2020,\n")
    r = runner.invoke(app, ["complexity", "--input", str(src), "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2
    assert "no employment" in r.output
    r = runner.invoke(app, ["complexity", "--input", str(src), "--out", str(tmp_path / "o.csv"), "--missing", "drop"])
    assert r.exit_code == 0, r.output


def test_bad_options_are_exit_2(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(TINY)
    r = runner.invoke(app, ["complexity", "--input", str(src), "--out", str(tmp_path / "o.txt")])
    assert r.exit_code == 2
    r = runner.invoke(app, ["complexity", "--input", str(src), "--out", str(tmp_path / "o.csv"), "--missing", "zero"])
    assert r.exit_code == 2
