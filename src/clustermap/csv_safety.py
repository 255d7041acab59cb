"""CSV formula neutralisation (CSV injection, OWASP): a text cell that a spreadsheet would run as a formula —
one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — is written with a leading apostrophe
``'``, which spreadsheets show as text. Numbers are left alone (``-3`` stays a number), so are cells that are
numbers written as text (``-3.5``, ``+1e3``); the header is neutralised like any cell.

:func:`restore` undoes it for a value read back from such a file (the registry's import of its own export).
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["TRIGGERS", "neutralise", "neutralise_cell", "restore"]

#: first characters that make a spreadsheet read a cell as a formula
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """``'`` + ``value`` when ``value`` is text a spreadsheet would run as a formula; else ``value``."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised (numeric columns untouched)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def restore(value: str) -> str:
    """The text :func:`neutralise_cell` was given: a leading ``'`` before a trigger character is dropped."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(TRIGGERS) and not _NUMBER.match(value[1:]):
        return value[1:]
    return value
