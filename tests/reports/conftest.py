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


def pdf_words(pdf: Path) -> list[str]:
    """The words ``pdf`` prints, read from the characters' positions (pypdfium2): a word is a run of characters on
    one baseline whose advance boxes touch or overlap (kerning: "Ye"), ended by a space or a gap. (pdfium's own
    text lines are not used: on some pages Chromium prints it breaks a line after every character.)"""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    words: list[str] = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number in range(len(doc)):
            text = doc[number].get_textpage()
            chars = []
            for i in range(text.count_chars()):
                if raw.FPDFText_IsGenerated(text, i):
                    continue
                x, y = ctypes.c_double(), ctypes.c_double()
                raw.FPDFText_GetCharOrigin(text, i, ctypes.byref(x), ctypes.byref(y))
                left, bottom, right, top = text.get_charbox(i, loose=True)
                chars.append((round(y.value * 2) / 2, left, right, top - bottom, text.get_text_range(i, 1)))
            chars.sort()
            word, last = "", None
            for base, left, right, height, ch in chars:
                touching = last is not None and last[0] == base and -0.35 * height <= left - last[1] <= 0.1 * height
                if not touching or not ch.strip():
                    if word:
                        words.append(word)
                    word = ""
                if ch.strip():
                    word += ch
                last = (base, right)
            if word:
                words.append(word)
    finally:
        doc.close()
    return words


def _tokens(text: str) -> list[str]:
    """The words of ``text`` in lower case (the CSS prints some upper case): split at whitespace and hyphens,
    punctuation around them removed."""
    return [w for w in (t.strip(".,;:()[]'\"“”‘’*").lower() for t in re.split(r"[\s\-\u2010\ufffe]+", text)) if w]


def split_header_words(pdf: Path, html: str, *, shortest: int = 4) -> dict[str, tuple[int, int]]:
    """The words of the tables' column headers in ``html`` that ``pdf`` prints fewer times whole than the HTML's
    visible text holds them: ``{word: (times in the HTML, times whole in the PDF)}``; empty when no header word is
    broken across lines ("specialisa-" / "tion"). A repeated header on a following page only adds to the PDF's
    count; words shorter than ``shortest`` letters are not checked, nor quotations (``<q>``, printed slanted).
    """
    from collections import Counter
    from html import unescape

    heads = re.findall(r"<thead>(.*?)</thead>", html, flags=re.S)
    words = {
        w
        for head in heads
        for th in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)
        for w in _tokens(unescape(re.sub(r"<[^>]+>", " ", th)))
        if len(w) >= shortest and not w.isdigit()
    }
    # quotations print in a slanted face whose character boxes overlap: their words are not counted
    body = re.sub(r"<head>.*?</head>|<script.*?</script>|<style.*?</style>|<q>.*?</q>", " ", html, flags=re.S)
    in_html = Counter(_tokens(unescape(re.sub(r"<[^>]+>", " ", body))))
    in_pdf = Counter(w for word in pdf_words(pdf) for w in _tokens(word))
    return {w: (in_html[w], in_pdf[w]) for w in sorted(words) if in_pdf[w] < in_html[w]}
