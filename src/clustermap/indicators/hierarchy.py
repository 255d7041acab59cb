"""Industry hierarchy derived from the codes themselves: the parent of a code is its longest proper prefix that
is also a code of the input (``G471`` → ``G47`` → ``G``; ``336111`` → ``33611`` → … ). This one rule serves
Eurostat's NACE codes as SBS writes them (section letter + digits) and NAICS."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def industry_hierarchy(codes: Iterable[str]) -> pd.DataFrame:
    """Parent and depth of every code.

    Returns
    -------
    pandas.DataFrame
        ``industry``, ``parent`` (None for a top-level code) and ``depth`` (0 for top-level codes, 1 for their
        children …).

    Examples
    --------
    >>> industry_hierarchy(["C", "C29", "G", "G47", "G471"]).to_dict("records")[-1]
    {'industry': 'G471', 'parent': 'G47', 'depth': 2}
    """
    present = sorted(set(codes))
    known = set(present)
    parent: dict[str, str | None] = {}
    for code in present:
        parent[code] = next((code[:n] for n in range(len(code) - 1, 0, -1) if code[:n] in known), None)

    def depth(code: str) -> int:
        d = 0
        while (code := parent[code]) is not None:  # type: ignore[assignment]
            d += 1
        return d

    return pd.DataFrame(
        {"industry": present, "parent": [parent[c] for c in present], "depth": [depth(c) for c in present]}
    )
