"""Item 2: every listed traceback is one line on standard error with exit status 2 (bad input or option) or 1
(internal); item 6: a failed ``run`` leaves the warehouse as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from clustermap.cli.failures import parse_years
from clustermap.cli.main import app
from clustermap.errors import ParameterError, ValueValidationError

runner = CliRunner()

OK = "region,industry,year,employment\nA,X,2012,1000\nA,Y,2012,500\nB,X,2012,100\nB,Y,2012,800\n"


@pytest.fixture
def tidy(tmp_path: Path) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(OK)
    return path


def _one_line_error(result, code: int, *needles: str) -> str:
    text = result.output
    assert result.exit_code == code, text
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, text
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_map_with_all_zero_employment_is_an_input_error(tmp_path: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.write_text("region,industry,year,employment\nA,X,2012,0\nB,Y,2012,0\n")
    r = runner.invoke(app, ["map", "--input", str(zero), "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "zero.csv", "nothing to map")
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("value", "needle"),
    [("abc", "'abc' is not a year"), ("2015-2012", "runs backwards"), ("12", "not a year between"), ("20x2-", "")],
)
def test_bad_year_option_names_the_option(tidy: Path, tmp_path: Path, value: str, needle: str) -> None:
    r = runner.invoke(app, ["map", "--input", str(tidy), "--year", value, "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "--year", needle)


def test_year_ranges_parse() -> None:
    assert parse_years("2012") == [2012]
    assert parse_years("2010-2012, 2015") == [2010, 2011, 2012, 2015]
    assert parse_years(None) is None
    with pytest.raises(ParameterError, match="--years"):
        parse_years("2012-")


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_min_employment_must_be_a_finite_non_negative_number(tidy: Path, tmp_path: Path, value: str) -> None:
    r = runner.invoke(app, ["map", "--input", str(tidy), "--min-employment", value, "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "--min-employment")


def test_out_in_a_directory_that_cannot_be_made(tidy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = runner.invoke(app, ["map", "--input", str(tidy), "--out", str(blocker / "sub" / "o.csv")])
    _one_line_error(r, 2, "file")


def test_an_empty_totals_file(tidy: Path, tmp_path: Path) -> None:
    empty = tmp_path / "totals.csv"
    empty.write_text("")
    args = ["map", "--input", str(tidy), "--totals", str(empty), "--total-base", "external"]
    r = runner.invoke(app, [*args, "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "totals.csv", "empty")


def test_a_missing_input_file_exits_2(tmp_path: Path) -> None:
    r = runner.invoke(app, ["map", "--input", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "absent.csv", "no such file")


def test_a_directory_as_input(tmp_path: Path) -> None:
    r = runner.invoke(app, ["map", "--input", str(tmp_path), "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "is a directory")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    r = runner.invoke(app, ["map", "--input", str(fifo), "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 2, "named pipe")


def test_warehouse_whose_parent_is_a_file(tidy: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    wh = tmp_path / "afile" / "w.duckdb"
    r = runner.invoke(
        app, ["map", "--input", str(tidy), "--out", str(tmp_path / "o.csv"), "--store", "--warehouse", str(wh)]
    )
    _one_line_error(r, 2, "--warehouse", "is a file")


def test_warehouse_named_csv_is_refused(tidy: Path, tmp_path: Path) -> None:
    wh = tmp_path / "out.csv"
    r = runner.invoke(app, ["info", "--warehouse", str(wh)])
    _one_line_error(r, 2, "--warehouse", "DuckDB")
    assert not wh.exists()


def test_run_with_an_unknown_category_is_refused_before_loading(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    r = runner.invoke(app, ["run", "--category", "nosuch", "--warehouse", str(wh), "--out", str(tmp_path / "out")])
    _one_line_error(r, 2, "--category", "nosuch")
    assert not wh.exists()


def test_info_on_a_locked_warehouse_is_one_line(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    duckdb.connect(str(wh)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(wh)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        r = runner.invoke(app, ["info", "--warehouse", str(wh)])
        line = _one_line_error(r, 1, "lock")
        assert str(wh) in line
    finally:
        holder.communicate("")


def test_numbers_in_messages_are_plain() -> None:
    exc = ValueValidationError("negative employment", file="f.csv", line=3, column="employment", value=np.float64(-3))
    assert "np.float64" not in str(exc)
    assert "value -3.0" in str(exc)


def test_internal_errors_are_one_line_too(monkeypatch: pytest.MonkeyPatch, tidy: Path, tmp_path: Path) -> None:
    import clustermap.mapping

    def boom(*a, **k):
        raise KeyError("year")

    monkeypatch.setattr(clustermap.mapping, "map_observations", boom)
    r = runner.invoke(app, ["map", "--input", str(tidy), "--out", str(tmp_path / "o.csv")])
    _one_line_error(r, 1, "internal error", "KeyError")


def test_a_failed_run_leaves_the_warehouse_as_it_was(mirror: Path, tmp_path: Path) -> None:
    from clustermap.warehouse import Warehouse

    wh = tmp_path / "w.duckdb"
    with Warehouse(wh) as w:
        before = (w.loads().shape[0], w.con.execute("SELECT count(*) FROM observations").fetchone())
    r = runner.invoke(
        app, ["run", "--years", "1990", "--warehouse", str(wh), "--data-dir", str(mirror), "--out", str(tmp_path / "o")]
    )
    _one_line_error(r, 2, "1990")
    with Warehouse(wh) as w:
        after = (w.loads().shape[0], w.con.execute("SELECT count(*) FROM observations").fetchone())
    assert after == before == (0, (0,))
