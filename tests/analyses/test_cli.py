"""``clustermap analyse`` subcommands on the real mapping results: tables printed, exports, typed errors."""

from __future__ import annotations

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from clustermap.cli import analyse

pytestmark = pytest.mark.realdata


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """clustermap (test harness)."""

    app.add_typer(analyse.app, name="analyse")
    return app


@pytest.fixture(scope="module")
def args(real) -> list[str]:
    return ["--warehouse", str(real["warehouse"]), "--data-dir", str(real["mirror"])]


@pytest.mark.parametrize(
    ("command", "expect"),
    [
        (["portfolio", "--top", "5"], "Portfolio strength"),
        (["portfolio", "--region", "DE11"], "Regional clusters of DE11"),
        (["employment", "--us", "state"], "Figure 9"),
        (["concentration"], "Average strong share"),
        (["eu-us"], "of 30 categories are more concentrated over US states than over EU NUTS-2 regions"),
        (["innovation"], "top third by patents"),
        (["prosperity"], "GDP per capita"),
        (["change", "--from", "2008", "--to", "2014", "--top", "3"], "Star transitions 2008"),
    ],
)
def test_subcommands(args, command, expect) -> None:
    result = CliRunner().invoke(cli(), ["analyse", *command, *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert expect in result.output


def test_export_and_missing_input(args, tmp_path) -> None:
    out = tmp_path / "conc.xlsx"
    result = CliRunner().invoke(cli(), ["analyse", "concentration", *args, "--out", str(out)])
    assert result.exit_code == 0 and len(pd.read_excel(out)) == 30
    result = CliRunner().invoke(cli(), ["analyse", "innovation", *args, "--patent-years", "2014"])
    assert result.exit_code == 2
    assert "missing input" in result.output and "2014" in result.output and "1977-2012" in result.output
    result = CliRunner().invoke(cli(), ["analyse", "innovation", *args, "--patent-years", "2012-2010"])
    assert result.exit_code == 2 and "--patent-years: the range 2012-2010 runs backwards" in result.output


def test_eu_us_on_economic_areas_from_a_county_file(args, tmp_path) -> None:
    """A user with a Census county CBP file compares NUTS-2 with BEA economic areas (the mirror has no county
    file: a small one is written here; NAICS 2007 codes, year 2011 from the name)."""
    county = tmp_path / "cbp11co.txt"
    county.write_text(
        "FIPSTATE,FIPSCTY,NAICS,EMPFLAG,EMP_NF,EMP,QP1_NF,QP1,AP_NF,AP,EST\n"
        "38,001,336111,,G,3000,G,1,G,9000,2\n"
        "46,013,336411,,H,2000,H,1,H,3000,3\n"
        "01,003,336111,,G,1500,G,1,G,1200,1\n"
        "01,003,336411,B,D,0,D,0,D,0,1\n"
        "01,001,423110,,G,1200,G,1,G,1200,4\n"
    )
    result = CliRunner().invoke(cli(), ["analyse", "eu-us", *args, "--us-county-file", str(county)])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "US BEA economic areas" in result.output and "EU NUTS-2 regions" in result.output
    assert "same year on both sides (2011)" in result.output
