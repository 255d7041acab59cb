"""Cells as statistics offices show them: confidential values as ranges, imputed values marked with their
published bounds, Eurostat flags with their meaning.

The result columns read here are optional (older runs lack them): ``imputed`` (bool: the cell rests on filled
confidential inputs), ``employment_low`` / ``employment_high`` (persons: the cell with every imputed input at its
published lower / upper bound), ``imputation_policy`` and ``flags`` (Eurostat flags of the inputs, comma-separated).
A missing or confidential value is never shown as 0.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["FLAG_MEANINGS", "about", "employment_text", "flag_meanings", "persons"]

#: Eurostat's observation flags (the dissemination database's legend)
FLAG_MEANINGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "i": "see metadata",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}


def finite_number(value: Any) -> float | None:
    """``value`` as a float; ``None`` for a missing, boolean, non-numeric or non-finite value (never 0)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def persons(value: Any) -> str:
    """A head count: ``41,234``; ``–`` for no value."""
    x = finite_number(value)
    return "–" if x is None else f"{x:,.0f}"


def about(value: float) -> str:
    """An estimate rounded to two significant figures (at least to the unit): ``41,234`` → ``41,000``.

    Examples
    --------
    >>> about(41234.0), about(987.0), about(12.4), about(0.0)
    ('41,000', '990', '12', '0')
    """
    if value == 0:
        return "0"
    digits = max(0, math.floor(math.log10(abs(value))) - 1)
    step = 10**digits
    return f"{round(value / step) * step:,.0f}"


def flag_meanings(flags: Any) -> list[str]:
    """``"b,i"`` → ``["b: break in time series", "i: see metadata"]`` (unknown letters kept as they are)."""
    if not isinstance(flags, str) or not flags.strip():
        return []
    out = []
    for raw in flags.replace(" ", ",").split(","):
        for f in raw.strip().lower():
            text = f"{f}: {FLAG_MEANINGS[f]}" if f in FLAG_MEANINGS else f
            if text not in out:
                out.append(text)
    return out


def employment_text(employment: Any, *, imputed: Any = None, low: Any = None, high: Any = None) -> str:
    """A cell's employment as a statistics office shows it (persons).

    Examples
    --------
    >>> employment_text(None, low=0, high=1240)
    'confidential; between 0 and 1,240'
    >>> employment_text(41234.0, imputed=True, low=30000, high=92966)
    'about 41,000 (imputed; published bounds 30,000–92,966)'
    >>> employment_text(41234.0)
    '41,234'
    >>> employment_text(None)
    'not published'
    """
    e, lo, hi = finite_number(employment), finite_number(low), finite_number(high)
    if e is None:
        if hi is not None:
            return f"confidential; between {persons(lo or 0)} and {persons(hi)}"
        return "not published"
    if imputed is True or (imputed is not None and not isinstance(imputed, bool) and bool(imputed)):
        if lo is not None and hi is not None and hi > lo:
            return f"about {about(e)} (imputed; published bounds {persons(lo)}–{persons(hi)})"
        return f"about {about(e)} (imputed)"
    return persons(e)


def cell_notes(row: dict[str, Any]) -> dict[str, Any]:
    """The display fields of one cell: ``employment_text``, ``flag_meanings`` and whether it is ``imputed``."""
    imputed = row.get("imputed")
    imputed = None if imputed is None or (isinstance(imputed, float) and math.isnan(imputed)) else bool(imputed)
    return {
        "imputed": imputed,
        "employment_text": employment_text(
            row.get("employment"), imputed=imputed, low=row.get("employment_low"), high=row.get("employment_high")
        ),
        "flag_meanings": flag_meanings(row.get("flags")),
    }
