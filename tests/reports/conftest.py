"""Helpers for the report tests: PDF pages to images, and the offline check of an HTML file."""

from __future__ import annotations

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


def offline_problems(html: str) -> list[str]:
    """Scripts, styles, fonts or images the HTML would fetch from the network."""
    problems = re.findall(r"<script[^>]*\bsrc\s*=[^>]*>", html, flags=re.I)
    problems += re.findall(r"<link[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", html, flags=re.I)
    problems += re.findall(r"<img[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>", html, flags=re.I)
    problems += re.findall(r"@import\s+url\(\s*[\"']?(?:https?:)?//", html, flags=re.I)
    return problems
