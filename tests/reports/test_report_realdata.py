"""``clustermap report`` on the real data mirror and a fresh warehouse: the overview, a region and a category
report, their PDFs (pages rendered and checked non-blank), the tables as CSV and XLSX, and the statistics printed
next to the reference's figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import typer
from tests.reports.conftest import (
    off_the_page,
    offline_problems,
    pdf_chars,
    pdf_pages_ink,
    small_text,
    split_header_words,
)
from typer.testing import CliRunner

from clustermap.cli.failures import SafeGroup
from clustermap.cli.report import report
from clustermap.reports.pdf import find_chromium

pytestmark = pytest.mark.realdata


def cli() -> typer.Typer:
    app = typer.Typer(cls=SafeGroup)  # as clustermap.cli.main registers it: the group reports a failure

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


def _pdf_text_and_bounds(pdf) -> tuple[str, list[str]]:
    """The PDF's text (whitespace removed) and the characters printed outside their page's width."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    parts, outside = [], []
    for i in range(len(doc)):
        page = doc[i]
        width = page.get_width()
        tp = page.get_textpage()
        parts.append(tp.get_text_range())
        for j in range(tp.count_chars()):
            left, _b, right, _t = tp.get_charbox(j)
            if (left < 0 or right > width + 0.5) and tp.get_text_range(j, 1).strip():
                outside.append(f"page {i + 1}: {tp.get_text_range(j, 1)!r}")
    return re.sub(r"\s+", "", "".join(parts)), outside


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")
def test_no_table_is_cut_at_the_page_edge(written) -> None:
    """The real overview and region PDFs: every table's last column is printed (Chromium drops what runs past the
    page edge: its header would be missing from the text), no character lies outside its page, and the rendered
    pages have no ink in the outer 2 % of their width (the margin)."""
    from html import unescape

    import numpy as np
    import pypdfium2 as pdfium

    for stem in ("overview", "DE11"):
        html = (written["out"] / f"{stem}.html").read_text("utf-8")
        text, outside = _pdf_text_and_bounds(written["out"] / f"{stem}.pdf")
        assert not outside, (stem, outside[:10])
        heads = re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)
        assert len(heads) >= (10 if stem == "overview" else 3)
        for head in heads:
            last = unescape(re.sub(r"<[^>]+>", "", re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)[-1]))
            assert re.sub(r"\s+", "", last) in text, (stem, f"the column {last!r} is cut off the page")
        doc = pdfium.PdfDocument(str(written["out"] / f"{stem}.pdf"))
        for i in range(len(doc)):
            image = np.asarray(doc[i].render(scale=0.5).to_pil().convert("L"))
            strip = image[:, -max(2, image.shape[1] // 50) :]
            assert (strip < 200).mean() == 0, (stem, f"ink at the right edge of page {i + 1}")


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")
def test_every_text_of_the_pdfs_at_8pt_or_more(written) -> None:
    """The overview, region and category PDFs as printed: no text under 8 pt (tables, chart labels, axis ticks,
    bar texts; a page Chromium shrinks to fit scales them all down) and none past the page edge."""
    for stem in ("overview", "DE11", "automotive"):
        chars = pdf_chars(written["out"] / f"{stem}.pdf")
        assert len(chars) > 5_000
        assert small_text(chars) == {}, stem
        assert off_the_page(chars) == "", stem


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")
def test_column_headers_break_between_words_only(written) -> None:
    """The overview, region and category PDFs: no word of a column header is broken across lines (the narrow
    numeric columns printed "suppresse" / "d", "employme" / "nt" and "determin" / "ed" when every column had the
    same width and headers wrapped anywhere)."""
    for stem in ("overview", "DE11", "automotive"):
        html = (written["out"] / f"{stem}.html").read_text("utf-8")
        assert split_header_words(written["out"] / f"{stem}.pdf", html) == {}, stem


def test_labels_have_no_raw_markup(written) -> None:
    """No backticks, ``**``, set sizes written ``|R|`` or Markdown table pipes in what the reports print."""
    for stem in ("overview", "DE11", "automotive"):
        html = (written["out"] / f"{stem}.html").read_text("utf-8")
        body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
        text = re.sub(r"<[^>]+>", " ", body)
        for raw in ("`", "**", "|R|", "|C|", " | ", "&lt;="):
            assert raw not in text, (stem, raw, text[max(0, text.find(raw) - 60) : text.find(raw) + 60])
