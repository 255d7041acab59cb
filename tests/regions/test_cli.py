"""``clustermap regions``: show, list, convert and aggregate through typer's CliRunner, with the real registry (the
tables are hand-made with real NUTS codes) and typed errors as one line with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from clustermap.cli.regions import app

pytestmark = pytest.mark.realdata

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data_dir(mirror, monkeypatch) -> None:
    monkeypatch.setenv("CLUSTERMAP_DATA_DIR", str(mirror))
    from clustermap.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_show_prints_code_name_level_parent() -> None:
    r = _run("show", "DE11")
    assert r.exit_code == 0, r.output
    for text in ("DE11", "Stuttgart", "NUTS 2", "DE1 Baden-Württemberg"):
        assert text in r.output
    r = _run("show", "06")
    assert r.exit_code == 0 and "California" in r.output and "state" in r.output
    r = _run("show", "FRK2", "--version", "2016")
    assert r.exit_code == 0 and "Rhône-Alpes" in r.output and "FRK" in r.output


def test_show_unknown_code_or_version_is_one_line_exit_2() -> None:
    r = _run("show", "FR71", "--version", "2016")
    assert r.exit_code == 2
    assert "FR71 is not a NUTS 2016 code (valid in 2006, 2010, 2013)" in r.output
    assert r.output.count("\n") <= 2 and "Traceback" not in r.output
    assert _run("show", "DE11", "--version", "2011").exit_code == 2
    assert _run("show", "ZZ99").exit_code == 2


def test_list_filters_and_search() -> None:
    r = _run("list", "--level", "2", "--country", "DE", "--version", "2016")
    assert r.exit_code == 0 and "Stuttgart" in r.output and "39 region(s)" in r.output  # 38 and DEZZ
    r = _run("list", "--search", "Rhône", "--version", "2016", "--level", "2")
    assert r.exit_code == 0 and "FRK2" in r.output
    r = _run("list", "--level", "state", "--limit", "3")
    assert r.exit_code == 0 and "Alabama" in r.output and "56 region(s), 3 shown" in r.output


def _tidy(tmp_path: Path, rows, name="in.csv") -> Path:
    f = tmp_path / name
    pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "flag"]).to_csv(f, index=False)
    return f


ROWS = [
    ("FR71", "C", 2012, 500.0, ""),  # NUTS 2010: recoded FRK2 in 2016
    ("DE41", "C", 2008, 100.0, ""),  # NUTS 2006: merged into DE40
    ("DE42", "C", 2008, None, "c"),
    ("DE41", "F", 2008, 10.0, ""),
    ("DE42", "F", 2008, 20.0, ""),
    ("DE11", "C", 2012, 400.0, "b"),
]


def test_convert_writes_the_panel_and_the_change_report(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    r = _run("convert", "--input", str(_tidy(tmp_path, ROWS)), "--from", "auto", "--to", "2016", "--out", str(out))
    assert r.exit_code == 0, r.output
    frame = pd.read_csv(out, keep_default_na=False, na_values=[""])
    got = frame.set_index(["region", "industry", "year"])["employment"]
    assert got[("FRK2", "C", 2012)] == 500.0 and got[("DE40", "F", 2008)] == 30.0
    # a merge with a suppressed input keeps its published part (100), flagged i (partial): nothing published is lost
    assert got[("DE40", "C", 2008)] == 100.0
    assert "i" in frame.set_index(["region", "industry", "year"])["flag"][("DE40", "C", 2008)]
    changes = pd.read_csv(tmp_path / "out.changes.csv")
    assert {"recode", "merge"} <= set(changes["change"])
    assert changes.loc[changes["from_region"] == "FR71", "to_region"].tolist() == ["FRK2"]
    # --policy drop sums what is published; Parquet in, Parquet out
    pq = tmp_path / "in.parquet"
    pd.read_csv(_tidy(tmp_path, ROWS)).to_parquet(pq)
    out2 = tmp_path / "out2"
    r = _run("convert", "--input", str(pq), "--to", "2016", "--policy", "drop", "--weight", "area", "--out", str(out2))
    assert r.exit_code == 0, r.output
    assert pd.read_parquet(out2).set_index(["region", "industry", "year"])["employment"][("DE40", "C", 2008)] == 100
    assert (tmp_path / "out2.changes.csv").is_file()


def test_convert_errors_are_typed(tmp_path: Path) -> None:
    bad = _tidy(tmp_path, [("FR7Q", "C", 2012, 1.0, "")])
    r = _run("convert", "--input", str(bad), "--to", "2016", "--out", str(tmp_path / "o.csv"))
    assert r.exit_code == 2 and "unknown NUTS code" in r.output and "FR7Q" in r.output
    r = _run("convert", "--input", str(_tidy(tmp_path, ROWS)), "--from", "2016", "--to", "2021", "--out", "o.csv")
    assert r.exit_code == 2 and "not NUTS 2016 codes" in r.output
    r = _run("convert", "--input", str(tmp_path / "missing.csv"), "--to", "2016", "--out", "o.csv")
    assert r.exit_code != 0 and "missing.csv" in r.output


def test_aggregate_levels_and_groups(tmp_path: Path) -> None:
    rows = [("DE11", "C", 2014, 10.0, ""), ("DE12", "C", 2014, 5.0, ""), ("DE21", "C", 2014, 1.0, "")]
    src = _tidy(tmp_path, rows)
    out = tmp_path / "nuts1.csv"
    r = _run("aggregate", "--input", str(src), "--to-level", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    got = pd.read_csv(out).set_index("region")["employment"]
    assert got["DE1"] == 15.0 and got["DE2"] == 1.0
    assert (tmp_path / "nuts1.report.csv").is_file()
    groups = tmp_path / "g.csv"
    groups.write_text("region,group\nDE11,SOUTH\nDE1,BW\n")
    r = _run("aggregate", "--input", str(src), "--groups", str(groups), "--out", str(tmp_path / "g_out.csv"))
    assert r.exit_code == 2 and "g.csv, line 3" in r.output and "allow" in r.output
    r = _run(
        "aggregate",
        "--input",
        str(src),
        "--groups",
        str(groups),
        "--allow-overlap",
        "--out",
        str(tmp_path / "g.out.csv"),
    )
    assert r.exit_code == 0, r.output
    assert pd.read_csv(tmp_path / "g.out.csv").set_index("region")["employment"].to_dict() == {
        "BW": 15.0,
        "SOUTH": 10.0,
    }
    r = _run("aggregate", "--input", str(src), "--out", str(tmp_path / "x.csv"))
    assert r.exit_code == 2 and "exactly one" in r.output


def test_aggregate_counties_to_economic_areas(tmp_path: Path) -> None:
    src = _tidy(
        tmp_path, [("38001", "31", 2010, 7.0, ""), ("46013", "31", 2010, 3.0, ""), ("06037", "31", 2010, 1.0, "")]
    )
    out = tmp_path / "ea.csv"
    r = _run("aggregate", "--input", str(src), "--to", "economic-area", "--out", str(out))
    assert r.exit_code == 0, r.output
    got = pd.read_csv(out, dtype={"region": str}).set_index("region")["employment"]
    assert got["001"] == 10.0  # Aberdeen, SD: Adams County ND + Brown County SD
    r = _run("aggregate", "--input", str(src), "--to", "cbsa", "--out", str(tmp_path / "c.csv"))
    assert r.exit_code == 2 and "delineation" in r.output
