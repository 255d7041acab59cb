"""Helpers for the report tests: PDF pages to images, and the offline check of an HTML file."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np


def pdf_pages_ink(pdf: Path, *, scale: float = 0.4) -> list[float]:
    """Per page of ``pdf``, the share of pixels that are not white, after rendering it to an image (pypdfium2)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            image = np.asarray(page.render(scale=scale).to_pil().convert("L"))
            page.close()
            out.append(float((image < 245).mean()))
        return out
    finally:
        doc.close()


def pdf_chars(pdf: Path) -> list[tuple[int, str, float, float, float, float]]:
    """(page, character, left, right, page width, printed font size in pt) of every printed character of ``pdf``
    (pypdfium2). The printed size is the font size times the vertical scale of the character's matrix: Chromium
    writes CSS px under a 0.75 transform, and a page it shrinks to fit scales its text further."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number in range(len(doc)):
            page = doc[number]
            width = page.get_width()
            text = page.get_textpage()
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip():
                    continue
                left, _bottom, right, _top = text.get_charbox(i)
                matrix = raw.FS_MATRIX()
                raw.FPDFText_GetMatrix(text, i, ctypes.byref(matrix))
                size = raw.FPDFText_GetFontSize(text, i) * math.hypot(matrix.c, matrix.d)
                out.append((number, ch, left, right, width, size))
        return out
    finally:
        doc.close()


def small_text(chars: list[tuple[int, str, float, float, float, float]], minimum: float = 8.0) -> dict:
    """``{(page, size): text}`` of the characters printed smaller than ``minimum`` pt (empty when none is)."""
    out: dict[tuple[int, float], str] = {}
    for page, ch, *_, size in chars:
        if size < minimum - 0.05:
            out[(page, round(size, 2))] = out.get((page, round(size, 2)), "") + ch
    return out


def off_the_page(chars: list[tuple[int, str, float, float, float, float]]) -> str:
    """The characters printed beyond the left or right edge of their page (a table cut at the page edge)."""
    return "".join(ch for _, ch, left, right, width, _ in chars if left < -0.5 or right > width + 0.5)


def offline_problems(html: str) -> list[str]:
    """Scripts, styles, fonts or images the HTML would fetch from the network."""
    problems = re.findall(r"<script[^>]*\bsrc\s*=[^>]*>", html, flags=re.I)
    problems += re.findall(r"<link[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", html, flags=re.I)
    problems += re.findall(r"<img[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>", html, flags=re.I)
    problems += re.findall(r"@import\s+url\(\s*[\"']?(?:https?:)?//", html, flags=re.I)
    return problems
