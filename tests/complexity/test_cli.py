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
