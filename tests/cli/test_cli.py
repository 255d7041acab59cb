"""The command line: the contract commands, exports, typed errors with exit codes, and an unchanged warehouse
after a failed load."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clustermap.cli.main import app
from clustermap.warehouse import Warehouse

runner = CliRunner()

OK = (
    "region,industry,year,employment\nA1,X,2012,5000\nA2,X,2012,3000\nA3,X,2012,1200\nA1,Y,2012,100\n"
    "A2,Y,2012,900\nA3,Y,2012,8000\n"
)
US = (
    "region,industry,year,employment,establishments\nA1,X,2016,5000,50\nA2,X,2016,3000,40\nA3,X,2016,1200,9\n"
    "A1,Y,2016,100,3\nA2,Y,2016,900,8\nA3,Y,2016,8000,70\n"
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_help_explains_the_method() -> None:
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    assert "location quotient" in r.output and "top 10 %" in r.output
    for cmd in ("run", "map", "fetch", "load", "export", "info"):
        assert cmd in r.output


@pytest.mark.parametrize("ext", ["csv", "parquet", "json", "xlsx"])
def test_map_eco2007_writes_the_contract_columns(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"o.{ext}"
    r = runner.invoke(
        app,
        [
            "map",
            "--input",
            str(_write(tmp_path / "ok.csv", OK)),
            "--categories",
            "none",
            "--methodology",
            "eco2007",
            "--total-base",
            "input",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    frame = {"csv": pd.read_csv, "parquet": pd.read_parquet, "json": pd.read_json, "xlsx": pd.read_excel}[ext](out)
    for col in (
        "region",
        "category",
        "year",
        "employment",
        "region_total",
        "lq",
        "size_star",
        "specialisation_star",
        "focus_star",
        "stars",
    ):
        assert col in frame.columns
    assert len(frame) == 6


def test_map_uscmp_writes_strong(tmp_path: Path) -> None:
    out = tmp_path / "u.csv"
    r = runner.invoke(
        app,
        [
            "map",
            "--input",
            str(_write(tmp_path / "us.csv", US)),
            "--categories",
            "none",
            "--methodology",
            "uscmp",
            "--total-base",
            "input",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(out)
    assert {"region", "category", "year", "employment", "establishments", "lq", "strong"} <= set(frame.columns)
    assert frame.loc[(frame.region == "A1") & (frame.category == "X"), "strong"].item()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("region,industry,year,employment\nA1,X,2012,5000\nA2,X,2012,abc\n", "line 3"),
        ("region,industry,year,employment\nA1,X,2012,5000\nA2,X,2012,-4\n", "line 3"),
        ("region,industry,year,employment\nA1,X,2012,5000\nA1,X,2012,4\n", "line 3"),
        ("region,industry,year,employment,flag\nA1,X,2012,5000,\nA2,X,2012,,q\n", "line 3"),
        ("region,industry,yr,employment\nA1,X,2012,5000\n", "year"),
        ("", "empty"),
    ],
    ids=["non-numeric", "negative", "duplicate", "unknown-flag", "wrong-columns", "empty"],
)
def test_bad_input_is_a_clear_error_with_non_zero_exit(tmp_path: Path, text: str, needle: str) -> None:
    bad = _write(tmp_path / "bad.csv", text)
    r = runner.invoke(app, ["map", "--input", str(bad), "--out", str(tmp_path / "b.csv")])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert "bad.csv" in r.output and needle in r.output.lower().replace("\n", " ")
    assert not (tmp_path / "b.csv").exists()


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    data = gzip.compress((OK * 200).encode())
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    r = runner.invoke(app, ["map", "--input", str(bad), "--out", str(tmp_path / "b.csv")])
    assert r.exit_code != 0
    assert "cut.csv.gz" in r.output and "Traceback" not in r.output


def test_unknown_methodology_and_categories(tmp_path: Path) -> None:
    ok = _write(tmp_path / "ok.csv", OK)
    r = runner.invoke(app, ["map", "--input", str(ok), "--methodology", "nope", "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2 and "eco2007" in r.output
    r = runner.invoke(app, ["map", "--input", str(ok), "--categories", "nope", "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2


def test_failed_load_leaves_the_warehouse_unchanged(tmp_path: Path) -> None:
    wh_path = tmp_path / "wh.duckdb"
    good = _write(tmp_path / "good.csv", OK)
    r = runner.invoke(app, ["load", "tidy", "--file", str(good), "--dataset", "panel", "--warehouse", str(wh_path)])
    assert r.exit_code == 0, r.output
    with Warehouse(wh_path) as wh:
        before_obs = wh.con.execute("SELECT * FROM observations ORDER BY region, industry").df()
        before_loads = wh.loads()
    bad = _write(tmp_path / "bad.csv", OK + "A4,X,2012,abc\n")
    r = runner.invoke(app, ["load", "tidy", "--file", str(bad), "--dataset", "panel", "--warehouse", str(wh_path)])
    assert r.exit_code == 2 and "line 8" in r.output
    with Warehouse(wh_path) as wh:
        pd.testing.assert_frame_equal(
            before_obs, wh.con.execute("SELECT * FROM observations ORDER BY region, industry").df()
        )
        pd.testing.assert_frame_equal(before_loads, wh.loads())


def test_a_failure_inside_the_transaction_rolls_back(tmp_path: Path) -> None:
    from clustermap.errors import WarehouseError
    from clustermap.loaders.tidy import load_tidy

    class FailingInsert:
        """Passes every statement to DuckDB but fails the INSERT, i.e. after the DELETE of the old rows."""

        def __init__(self, con) -> None:
            self._con = con

        def execute(self, sql: str, *args, **kwargs):
            if sql.lstrip().startswith("INSERT INTO observations"):
                raise RuntimeError("disk full")
            return self._con.execute(sql, *args, **kwargs)

        def __getattr__(self, name: str):
            return getattr(self._con, name)

    good = load_tidy(_write(tmp_path / "good.csv", OK))
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        wh.load_observations("panel", good)
        before = wh.con.execute("SELECT * FROM observations ORDER BY region, industry").df()
        real = wh.con
        wh.con = FailingInsert(real)
        with pytest.raises(WarehouseError, match="unchanged"):
            wh.load_observations("panel", load_tidy(_write(tmp_path / "other.csv", US)))
        wh.con = real
        pd.testing.assert_frame_equal(
            before, wh.con.execute("SELECT * FROM observations ORDER BY region, industry").df()
        )
        assert len(wh.loads()) == 1


def test_map_store_export_and_info(tmp_path: Path) -> None:
    wh_path = str(tmp_path / "wh.duckdb")
    ok = _write(tmp_path / "ok.csv", OK)
    assert (
        runner.invoke(app, ["load", "tidy", "--file", str(ok), "--dataset", "p", "--warehouse", wh_path]).exit_code == 0
    )
    r = runner.invoke(
        app,
        [
            "map",
            "--dataset",
            "p",
            "--warehouse",
            wh_path,
            "--store",
            "--min-employment",
            "0",
            "--out",
            str(tmp_path / "m.csv"),
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", "--warehouse", wh_path, "--out", str(tmp_path / "e.json")])
    assert r.exit_code == 0, r.output
    exported = json.loads((tmp_path / "e.json").read_text())
    assert len(exported) == 6 and {"lq", "stars"} <= set(exported[0])
    r = runner.invoke(app, ["info", "--warehouse", wh_path])
    assert r.exit_code == 0 and "eco2007" in r.output and "uscmp" in r.output
    with Warehouse(wh_path) as wh:
        record, cells = wh.run("latest")
    assert len(cells) == 6
    prov = json.loads(record["provenance"])
    assert prov["methodology"]["name"] == "eco2007" and prov["inputs"][0]["sha256"]
    assert prov["code_version"].startswith("0.")
