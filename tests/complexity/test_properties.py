"""Properties of the complexity indicators on random panels (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from numpy.testing import assert_allclose
from tests.strategies import panels

from clustermap.complexity import complexity


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels(max_regions=10, max_industries=6, years=2))
def test_invariants(frame) -> None:
    cells = complexity(frame).cells
    # scaling every count leaves every indicator unchanged (RCA is a ratio of shares)
    scaled = complexity(frame.assign(employment=frame["employment"] * 7)).cells
    for col in ("rca", "mcp", "density", "eci", "pci", "coi", "cog"):
        assert_allclose(cells[col].to_numpy(float), scaled[col].to_numpy(float), rtol=1e-9, atol=1e-9)
    # every region and industry with a positive total has at least one presence (weighted mean RCA = 1)
    assert (cells["diversity"] >= 1).all() and (cells["ubiquity"] >= 1).all()
    # density is a share; cog vanishes where the industry is present
    assert ((cells["density"] >= -1e-12) & (cells["density"] <= 1 + 1e-12)).all()
    assert (cells.loc[cells["mcp"] == 1, "cog"].fillna(0) == 0).all()
    # standardised ECI: mean 0 and sd 1 over each year's regions, where it is defined
    for _, year in cells.groupby("year"):
        eci = year.drop_duplicates("region")["eci"].to_numpy(float)
        if np.isfinite(eci).all() and len(eci) > 1:
            assert abs(eci.mean()) < 1e-9 and abs(eci.std() - 1) < 1e-9
