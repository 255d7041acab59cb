"""Text as readers see it: the inline markup of definitions and parameter descriptions (written for code and
docstrings) turned into plain prose for the reports and the web site.

* ```code``` and ``code`` → ``code`` (the backticks dropped, stray ones too), ``**bold**`` → ``bold``;
* ``|R|`` and ``|C|`` (the sizes of the region and category sets) → "number of regions" / "number of categories";
  absolute values such as ``|E[r,c] − T[r]|`` are mathematics and stay;
* ``<=``, ``>=``, ``!=`` → ≤, ≥, ≠;
* a Markdown table separator `` | `` between two labels → ", ".
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["readable"]

_SETS = {"R": "number of regions", "C": "number of categories", "I": "number of industries"}
_RULES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"`{1,2}([^`]+?)`{1,2}"), r"\1"),
    (re.compile(r"`"), ""),  # a stray backtick is never meant to be read
    (re.compile(r"\*\*([^*]+?)\*\*"), r"\1"),
    (re.compile(r"\|([RCI])\|"), lambda m: _SETS[m.group(1)]),
    (re.compile(r"<="), "≤"),
    (re.compile(r">="), "≥"),
    (re.compile(r"!="), "≠"),
    (re.compile(r"(?<=\w) \| (?=\w)"), ", "),
)


def readable(value: Any) -> Any:
    """``value`` with its inline markup turned into prose (see the module); anything but a plain ``str`` (HTML
    already marked safe, numbers, ``None``) is returned as it is."""
    if type(value) is not str or not value:
        return value
    text = value
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return text
