"""``clustermap report`` on the real data mirror and a fresh warehouse: the overview, a region and a category
report, their PDFs (pages rendered and checked non-blank), the tables as CSV and XLSX, and the statistics printed
next to the reference's figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import typer
from tests.reports.conftest import offline_problems, pdf_pages_ink
from typer.testing import CliRunner

from clustermap.cli.report import report
from clustermap.reports.pdf import find_chromium

pytestmark = pytest.mark.realdata


def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """clustermap (test harness)."""

    app.command("report")(report)
    return app


@pytest.fixture(scope="module")
def written(mirror, tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    out, wh = base / "out", base / "fresh.duckdb"
    args = [
        "report",
        "--overview",
        "--region",
        "DE11",
        "--category",
        "automotive",
        "--out",
        str(out),
        "--warehouse",
        str(wh),
        "--data-dir",
        str(mirror),
    ]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return {"out": out, "warehouse": wh, "output": result.output, "mirror": mirror}


def test_files_of_the_interface(written) -> None:
    out = written["out"]
    for stem in ("overview", "DE11", "automotive"):
        assert (out / f"{stem}.html").stat().st_size > 1_000_000
        assert (out / f"{stem}.pdf").stat().st_size > 10_000
    tables = out / "tables"
    csv = sorted(p.stem for p in tables.glob("overview_*.csv"))
    xlsx = sorted(p.stem for p in tables.glob("overview_*.xlsx") if p.stem != "overview_tables")
    assert len(csv) >= 20 and csv == xlsx
    fig9 = pd.read_csv(tables / "overview_figure9.csv").set_index("statistic")
    assert fig9.loc["mean", "eu_reference"] == pytest.approx(0.21)
    assert list(tables.glob("DE11_*.csv")) and list(tables.glob("automotive_*.csv"))


def test_html_opens_offline(written) -> None:
    for stem in ("overview", "DE11", "automotive"):
        assert offline_problems((written["out"] / f"{stem}.html").read_text("utf-8")) == []


def test_statistics_next_to_the_reference(written) -> None:
    html = (written["out"] / "overview.html").read_text("utf-8")
    text = re.sub(r"<[^>]+>", " ", html)
    for quote in (
        "Most specialised region: 74%",
        "Average region: 21%",
        "Median region: 18%",
        "Least specialised region: 0%",
        "Median region: 27%",
        "32 are more geographically concentrated",
        "roughly 38% of all European employees",
        "About one fifth (21%)",
        "7 out of 19 regions",
    ):
        assert quote in text, quote
    for topic in ("classification granularity", "region set", "year", "total base"):
        assert topic in text
    assert "EU: average region" in text and "US states: median region" in text


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")
def test_pdfs_render(written) -> None:
    assert "printed by headless Chromium" in written["output"]
    for stem in ("overview", "DE11", "automotive"):
        ink = pdf_pages_ink(written["out"] / f"{stem}.pdf", scale=0.25)
        assert len(ink) >= (10 if stem == "overview" else 2)
        assert min(ink) > 0.002, (stem, ink)


def test_second_report_reuses_the_runs(written) -> None:
    from clustermap.warehouse import Warehouse

    with Warehouse(written["warehouse"]) as wh:
        before = len(wh.runs())
    args = [
        "report",
        "--category",
        "aerospace",
        "--out",
        str(written["out"]),
        "--warehouse",
        str(written["warehouse"]),
        "--data-dir",
        str(written["mirror"]),
        "--no-pdf",
    ]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 0, result.output
    with Warehouse(written["warehouse"]) as wh:
        assert len(wh.runs()) == before  # EU, US states, US CBSAs: stored once
    assert before == 3


def test_unknown_region_is_named(written) -> None:
    args = [
        "report",
        "--region",
        "FR71",
        "--out",
        str(written["out"]),
        "--warehouse",
        str(written["warehouse"]),
        "--data-dir",
        str(written["mirror"]),
        "--no-pdf",
    ]
    result = CliRunner().invoke(cli(), args)
    assert result.exit_code == 2
    assert "FR71" in result.output and "FRK2" in result.output  # the NUTS 2016 code of Rhône-Alpes
