"""Reports that read well on paper: every table of the PDF fits the page (wide tables on landscape pages, cells
wrapped) and its text is at least 8 pt — checked on the PDF Chromium prints, with pdfium reading each character's
box and font size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.reports.conftest import off_the_page, pdf_chars, small_text

from clustermap.reports import Chart, Report, Section, Table, write_report
from clustermap.reports.pdf import find_chromium

pdfium = pytest.importorskip("pypdfium2")
pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")


def _wide_report() -> Report:
    rng = np.random.default_rng(0)
    columns = {f"employment_in_category_{i:02d}": rng.integers(1_000, 9_999_999, 30).astype(float) for i in range(14)}
    wide = pd.DataFrame({"region": [f"Region with a long name number {i}" for i in range(30)], **columns})
    narrow = pd.DataFrame({"region": ["DE11", "FR10"], "employment": [1234567.0, 89.0]})
    return Report(
        kind="overview",
        stem="layout",
        title="Layout",
        subtitle="wide and narrow tables",
        sections=[
            Section(
                "tables",
                "Tables",
                tables=[Table("wide", "A wide table", wide, max_rows=30), Table("narrow", "A narrow table", narrow)],
            )
        ],
        sources=[],
        meta={"created": "today", "code_version": "test", "headline": []},
    )


def test_tables_fit_the_page_at_8pt_or_more(tmp_path: Path) -> None:
    files = write_report(_wide_report(), tmp_path)
    assert files.pdf_method == "chromium"
    chars = pdf_chars(files.pdf)
    text = "".join(c[1] for c in chars)
    # every column of the wide table is printed (a table cut at the page edge loses its last columns)
    assert "category13" in text and "Regionwithalongnamenumber29" in text  # (spaces are not kept in `text`)
    assert off_the_page(chars) == ""
    assert small_text(chars) == {}
    doc = pdfium.PdfDocument(str(files.pdf))
    assert any(doc[i].get_width() > doc[i].get_height() for i in range(len(doc)))  # a landscape page


def _chart_report() -> Report:
    """Every chart kind of the hand-made report, and bars labelled with their stars as the region reports draw
    them (25 bars: plotly shrinks text that does not fit its bar unless told not to)."""
    from tests.reports.test_render import hand_report

    report = hand_report()
    lq = pd.DataFrame(
        {
            "category": [f"Category number {i}" for i in range(25)],
            "lq": np.linspace(3.0, 0.05, 25),
            "stars_text": [f"{3 - i // 9}★" for i in range(25)],
        }
    )
    options = {"text": "stars_text", "xlabel": "location quotient", "height": 700}
    report.sections[0].charts.append(
        Chart("lq", "Location quotients", "barh", lq, x="lq", y="category", options=options)
    )
    rates = pd.DataFrame({"region": list("ABCDEF"), "x": [1, 2, 3, 4, 5, 6], "y": [3.0, 8.0, 12.0, 25.0, 40.0, 60.0]})
    log = {"log_y": True, "fit": {"slope": 0.2, "intercept": 0.5, "log_y": True}}
    report.sections[0].charts.append(Chart("log", "Rates on a log scale", "scatter", rates, x="x", y="y", options=log))
    return report


def test_chart_text_prints_at_8pt_or_more(tmp_path: Path) -> None:
    """The charts print at full size (a chart wider than the page made Chromium shrink every page: 11 px text at
    5.6 pt) and their labels, axis ticks and bar texts are at least 8 pt."""
    files = write_report(_chart_report(), tmp_path)
    assert files.pdf_method == "chromium"
    chars = pdf_chars(files.pdf)
    assert "3★" in "".join(c[1] for c in chars) and "E" in "".join(c[1] for c in chars)
    assert small_text(chars) == {}
    assert off_the_page(chars) == ""


def _narrow_columns_report() -> Report:
    """A table of 14 narrow numeric columns under long one-word headers, as the overview's mapping summary and the
    region's star changes have: the headers' words must print whole on a landscape page."""
    rng = np.random.default_rng(1)
    words = [
        "specialisation",
        "establishments",
        "suppressed",
        "determined",
        "comparable",
        "employment",
        "productivity",
        "concentration",
        "dynamism",
        "potential",
        "imputed",
        "flagged",
        "coverage",
        "herfindahl",
    ]
    frame = pd.DataFrame({"region": [f"DE{i:02d}" for i in range(12)]})
    for w in words:
        frame[w] = rng.integers(0, 99, 12).astype(float)
    return Report(
        kind="overview",
        stem="narrow",
        title="Narrow columns",
        subtitle="long header words over short figures",
        sections=[Section("tables", "Tables", tables=[Table("narrow", "Narrow numeric columns", frame)])],
        sources=[],
        meta={"created": "today", "code_version": "test", "headline": []},
    )


def test_headers_break_between_words_only(tmp_path: Path) -> None:
    """Every word of every column header prints whole ("specialisa-" / "tion" was printed when the columns were of
    equal width and headers wrapped anywhere), the figures on one line, and the table still fits the page."""
    from tests.reports.conftest import pdf_words, split_header_words

    files = write_report(_narrow_columns_report(), tmp_path)
    assert files.pdf_method == "chromium"
    html = files.html.read_text("utf-8")
    assert split_header_words(files.pdf, html) == {}
    words = pdf_words(files.pdf)
    for w in ("specialisation", "establishments", "concentration", "productivity", "herfindahl"):
        assert w in words, w
    chars = pdf_chars(files.pdf)
    assert off_the_page(chars) == "" and small_text(chars) == {}


def test_a_heading_prints_on_the_page_of_the_wide_table_that_follows_it(tmp_path: Path) -> None:
    """A section that opens with a wide table prints its heading on the table's landscape page: a portrait page
    holding only the heading was left before it (the real category report's "Every region")."""
    files = write_report(_wide_report(), tmp_path)
    doc = pdfium.PdfDocument(str(files.pdf))
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    heading = [i for i, text in enumerate(pages) if "Tables" in text.splitlines()]
    caption = [i for i, text in enumerate(pages) if "A wide table" in text]
    assert heading and caption and heading[0] == caption[0]
    assert doc[caption[0]].get_width() > doc[caption[0]].get_height()
