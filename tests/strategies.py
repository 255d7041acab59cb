"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st


@st.composite
def panels(draw: st.DrawFn, max_regions: int = 12, max_industries: int = 5, years: int = 2) -> pd.DataFrame:
    """A complete region × industry × year panel of non-negative integer employment."""
    n_r = draw(st.integers(2, max_regions))
    n_i = draw(st.integers(1, max_industries))
    n_y = draw(st.integers(1, years))
    cells = draw(st.lists(st.integers(0, 60_000), min_size=n_r * n_i * n_y, max_size=n_r * n_i * n_y))
    rows = []
    k = 0
    for y in range(n_y):
        for r in range(n_r):
            for i in range(n_i):
                rows.append((f"R{r:02d}", f"I{i}", 2010 + y, float(cells[k])))
                k += 1
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
