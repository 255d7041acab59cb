"""The reference's figures are quoted verbatim: every quote is in SEC(2008) 2637 (page breaks and footnote
markers aside)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clustermap.analyses.reference import DIFFERENCE_LABELS, DIFFERENCES, REFERENCE

TEXT = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "reference"
    / "clusters-staff-working-document-SEC-2008-2637.txt"
)


def _words(text: str) -> list[str]:
    text = re.sub(r"(?<=[a-z])\d+\b", "", text)  # footnote markers glued to words ("clusters73")
    text = re.sub(r"(?<=[a-z%)]\.)\d+\b", "", text)  # … and after a full stop ("70%.68")
    words = re.findall(r"[\w%’“”\-.()]+", text)
    return [w.rstrip(".,;:") for w in words if w.rstrip(".,;:")]


@pytest.mark.skipif(not TEXT.is_file(), reason="the reference text is not next to the repository")
@pytest.mark.parametrize("key", sorted(REFERENCE))
def test_quote_is_verbatim(key: str) -> None:
    doc = _words(TEXT.read_text("utf-8"))
    quote = _words(REFERENCE[key].text)
    first = [i for i, w in enumerate(doc) if w == quote[0]]
    # the quote's words appear in order, interrupted at most by a page footer or footnote (≤ 150 words)
    for start in first:
        i, gaps, matched = start, 0, 0
        for w in quote:
            j = i
            while j < len(doc) and doc[j] != w and j - i < 150:
                j += 1
            if j >= len(doc) or doc[j] != w:
                break
            gaps += j - i
            i = j + 1
            matched += 1
        if matched == len(quote) and gaps <= 150:
            return
    pytest.fail(f"quote {key!r} not found verbatim: {REFERENCE[key].text[:80]}")


def test_every_reason_has_a_label() -> None:
    assert set(DIFFERENCES) == set(DIFFERENCE_LABELS)
