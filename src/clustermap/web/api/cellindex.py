"""A run's cells as a read-only columnar structure, built once per warehouse snapshot, from which the site's
answers are assembled without pandas on the request path.

Built by :func:`build_index` when the snapshot is read (one pass of pandas over the run's cells, a second or so
for the SBS results); afterwards a request only takes positions (numpy integer arrays) out of it.

* ``raw[column]`` — the published cell columns (:data:`clustermap.web.api.tables.CELL_FIELDS`) as numpy arrays,
  exactly as stored (floats ``float64``, missing = NaN; text as ``object`` with ``None`` for missing).
* ``rounded[column]`` — the float columns as the JSON tables of the site publish them
  (:func:`clustermap.web.api.tables.records`: pandas' JSON writer with 15 decimals), so that an answer built
  from here equals the one built by the pandas tables, to the last digit.
* ``codes[column]`` — ``region`` / ``category`` as integer sort codes (alphabetical order).
* ``employment_text`` / ``flag_meanings`` — the display notes of each cell (:mod:`clustermap.web.api.cellnotes`).
* ``csv_lines`` — each cell as its CSV line (the formatting and formula neutralisation of
  :func:`clustermap.web.api.tables.to_csv`), ``None`` when a text field spans lines.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CellIndex", "build_index", "none_if_nan"]

#: numpy kind → the Python type ``tolist`` gives
_NATIVE = {"i": int, "u": int, "b": bool, "f": float}


def none_if_nan(values: list[Any]) -> list[Any]:
    """``values`` with NaN (and ``pd.NA``-like missing values) replaced by ``None``."""
    return [None if v is None or v != v else v for v in values]


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    try:
        return bool(v != v)  # pd.NA compares as NA: bool() raises
    except TypeError:
        return True


@dataclass(frozen=True)
class CellIndex:
    """A run's published cell columns, read-only (see the module docstring)."""

    columns: tuple[str, ...]
    raw: dict[str, np.ndarray]
    rounded: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    employment_text: np.ndarray
    flag_meanings: np.ndarray
    csv_header: bytes
    csv_lines: list[bytes] | None

    def __len__(self) -> int:
        return len(self.raw["year"])

    def values(self, column: str, positions: np.ndarray, *, rounded: bool = False) -> list[Any]:
        """The column's values at ``positions`` as Python objects, ``None`` for missing; ``rounded`` takes the
        floats as the JSON tables publish them. A column the run lacks gives ``None`` everywhere."""
        source = self.rounded if rounded and column in self.rounded else self.raw
        arr = source.get(column)
        if arr is None:
            return [None] * len(positions)
        picked = arr[positions]
        if arr.dtype.kind == "f" and np.isnan(picked).any():
            return none_if_nan(picked.tolist())
        return picked.tolist()  # text columns hold None for missing already

    def typed(self, column: str, positions: np.ndarray, kind: type) -> list[Any]:
        """The raw values at ``positions`` converted by ``kind`` (``int``, ``bool``, ``float``, ``str``)."""
        values = self.values(column, positions)
        arr = self.raw.get(column)
        if arr is not None and _NATIVE.get(arr.dtype.kind) is kind:
            return values  # numpy's tolist gives this type already
        return [None if v is None else kind(v) for v in values]

    def records(self, positions: np.ndarray, columns: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
        """The cells at ``positions`` as JSON-ready dicts of ``columns`` (those the run has), as
        :func:`clustermap.web.api.tables.records` gives them."""
        cols = [c for c in columns if c in self.raw]
        lists = [self.values(c, positions, rounded=True) for c in cols]
        return [dict(zip(cols, row, strict=True)) for row in zip(*lists, strict=True)] if cols else []


def _rounded(frame: Any, columns: list[str]) -> dict[str, np.ndarray]:
    """Float columns through pandas' JSON writer (15 decimals) and back: what ``records`` publishes."""
    if not columns:
        return {}
    parsed = json.loads(frame[columns].to_json(orient="values", double_precision=15))
    table = np.array([[np.nan if v is None else v for v in row] for row in parsed], dtype=float).reshape(
        len(frame), len(columns)
    )
    return {c: np.ascontiguousarray(table[:, i]) for i, c in enumerate(columns)}


def _csv_lines(frame: Any) -> tuple[bytes, list[bytes] | None]:
    from clustermap.web.api.tables import to_csv

    text = to_csv(frame)
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header, rows = lines[0] + b"\n", [line + b"\n" for line in lines[1:]]
    return header, (rows if len(rows) == len(frame) else None)


def build_index(cells: Any) -> CellIndex:
    """The :class:`CellIndex` of a run's cells (a pandas frame with ``region_name`` and ``category_name``)."""
    from clustermap.web.api.cellnotes import employment_text, flag_meanings
    from clustermap.web.api.tables import CELL_FIELDS

    columns = tuple(c for c in CELL_FIELDS if c in cells.columns)
    raw: dict[str, np.ndarray] = {}
    floats: list[str] = []
    for c in columns:
        s = cells[c]
        kind = s.dtype.kind
        if kind in "iub":
            raw[c] = s.to_numpy()
        elif kind == "f":
            raw[c] = s.to_numpy(dtype=float)
            floats.append(c)
        else:
            values = s.to_numpy(dtype=object)
            raw[c] = np.array([None if _is_missing(v) else v for v in values], dtype=object)
    codes = {}
    for c in ("region", "category"):
        if c in raw:
            codes[c] = np.unique(raw[c].astype(str), return_inverse=True)[1].astype(np.int64)
    n = len(cells)
    every = np.arange(n)
    emp = [None] * n if "employment" not in raw else none_if_nan(raw["employment"].tolist())
    imputed = [None] * n if "imputed" not in raw else none_if_nan(raw["imputed"].tolist())
    low = [None] * n if "employment_low" not in raw else none_if_nan(raw["employment_low"].tolist())
    high = [None] * n if "employment_high" not in raw else none_if_nan(raw["employment_high"].tolist())
    texts = np.empty(n, dtype=object)
    for i, (e, imp, lo, hi) in enumerate(zip(emp, imputed, low, high, strict=True)):
        texts[i] = employment_text(e, imputed=None if imp is None else bool(imp), low=lo, high=hi)
    meanings = np.empty(n, dtype=object)
    memo: dict[Any, list[str]] = {}
    flags = [None] * n if "flags" not in raw else raw["flags"][every].tolist()
    for i, f in enumerate(flags):
        key = f if isinstance(f, str) else None
        if key not in memo:
            memo[key] = flag_meanings(f)
        meanings[i] = memo[key]
    header, lines = _csv_lines(cells[list(columns)])
    return CellIndex(
        columns=columns,
        raw=raw,
        rounded=_rounded(cells, floats),
        codes=codes,
        employment_text=texts,
        flag_meanings=meanings,
        csv_header=header,
        csv_lines=lines,
    )
