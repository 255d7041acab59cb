"""Reports that read well on paper: every table of the PDF fits the page (wide tables on landscape pages, cells
wrapped) and its text is at least 8 pt — checked on the PDF Chromium prints, with pdfium reading each character's
box and font size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustermap.reports import Report, Section, Table, write_report
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


def _chars(pdf: Path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, character, left, right, page width, font size) of every printed character."""
    out = []
    doc = pdfium.PdfDocument(str(pdf))
    for number in range(len(doc)):
        page = doc[number]
        width = page.get_width()
        text = page.get_textpage()
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if not ch.strip():
                continue
            left, _bottom, right, _top = text.get_charbox(i)
            size = pdfium.raw.FPDFText_GetFontSize(text, i)
            out.append((number, ch, left, right, width, size))
    return out


def test_tables_fit_the_page_at_8pt_or_more(tmp_path: Path) -> None:
    files = write_report(_wide_report(), tmp_path)
    assert files.pdf_method == "chromium"
    chars = _chars(files.pdf)
    text = "".join(c[1] for c in chars)
    # every column of the wide table is printed (a table cut at the page edge loses its last columns)
    assert "category13" in text and "Regionwithalongnamenumber29" in text  # (spaces are not kept in `text`)
    assert all(left >= 0 and right <= width + 0.5 for _, _, left, right, width, _ in chars)
    # Chromium writes font sizes in CSS px under a 0.75 page transform (px → pt): 8 pt is 10.67 here
    sizes = [size * 0.75 for *_, size in chars]
    assert min(sizes) >= 8 - 0.05, min(sizes)
    doc = pdfium.PdfDocument(str(files.pdf))
    assert any(doc[i].get_width() > doc[i].get_height() for i in range(len(doc)))  # a landscape page
