"""How many stars a run gives and how they are shown: 0–3 for the European Cluster Observatory method (``eco2007``,
``eco2008``: size, specialisation, focus), 0–5 for the ``panorama`` method (also productivity and dynamism).

The colours are sequential and colour-blind-safe (viridis; white = no star). A run of three stars keeps the
colours the site has always used; a run of five stars spreads viridis over five steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["STAR_COLUMNS", "max_stars", "star_classes", "star_colours", "star_columns", "star_label"]

#: white + viridis in three and in five steps
_COLOURS = {
    3: ("#ffffff", "#fde725", "#21918c", "#440154"),
    5: ("#ffffff", "#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"),
}
#: the star columns of a cell, in the order the method gives them, with their labels
STAR_COLUMNS = (
    ("size_star", "Size"),
    ("specialisation_star", "Specialisation"),
    ("focus_star", "Focus"),
    ("productivity_star", "Productivity"),
    ("dynamism_star", "Dynamism"),
)


def max_stars(kind: Any) -> int:
    """The most stars a cell of a run of ``kind`` (``stars``, ``panorama``, ``strong``) can have: 5 for
    ``panorama``, 3 otherwise."""
    return 5 if str(kind) == "panorama" else 3


def star_colours(of: int) -> tuple[str, ...]:
    """The colour of 0 … ``of`` stars."""
    return _COLOURS[5 if of > 3 else 3]


def star_label(n: int, of: int) -> str:
    """What a screen reader says for ``n`` stars: ``"4 of 5 stars"``, ``"1 of 3 stars"``."""
    return f"{n} of {of} stars"


def star_columns(kind: Any) -> list[tuple[str, str]]:
    """The star columns a run of ``kind`` has (``column, label``): three, or five for ``panorama``."""
    return list(STAR_COLUMNS[: max_stars(kind)])


def star_classes(values: np.ndarray, of: int) -> tuple[list[dict[str, Any]], np.ndarray]:
    """Legend classes of a map of stars (``index, label, color, min, max, count``) for 0 … ``of`` stars and the
    class of each value (``-1`` = no value; values above ``of`` go to the top class)."""
    v = np.asarray(values, dtype=float)
    idx = np.full(len(v), -1, dtype=np.int64)
    present = ~np.isnan(v)
    idx[present] = np.clip(v[present], 0, of).astype(np.int64)
    counts = np.bincount(idx[present], minlength=of + 1)
    classes = []
    for s, colour in enumerate(star_colours(of)):
        label = "no star" if s == 0 else ("★" * s + f" {s} star" + ("s" if s > 1 else ""))
        classes.append(
            {"index": s, "label": label, "color": colour, "min": float(s), "max": float(s), "count": int(counts[s])}
        )
    return classes, idx
