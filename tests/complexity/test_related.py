"""Related clusters of a region, checked by hand on the 3 × 3 table of ``test_tiny``."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap.complexity.related import related_categories
from clustermap.errors import InputError

# employment of test_tiny (mcp: A {x, y}, B {z}, C {y, z}) with stars; B has a star in z only
CELLS = pd.DataFrame(
    [
        ("A", "x", 2020, 40.0, 2),
        ("A", "y", 2020, 40.0, 1),
        ("B", "x", 2020, 10.0, 0),
        ("B", "z", 2020, 30.0, 3),
        ("C", "y", 2020, 10.0, 1),
        ("C", "z", 2020, 10.0, 1),
        ("C", "x", 2020, None, 0),  # suppressed: left out, not a zero
        ("A", "x", 2019, 1.0, 0),  # another year: not used
    ],
    columns=["region", "category", "year", "employment", "stars"],
)


def test_opportunities_by_density() -> None:
    got = related_categories(CELLS, "B", 2020)
    assert [c["category"] for c in got["clusters"]] == ["z"]
    # density of B: y = 0.5 / 2 = 0.25, x = 0 (proximity x–z is 0)
    opp = got["opportunities"]
    assert [o["category"] for o in opp] == ["y", "x"]
    assert opp[0]["density"] == pytest.approx(0.25) and opp[1]["density"] == pytest.approx(0.0)
    assert opp[0]["related_to"] == "z" and opp[0]["proximity"] == pytest.approx(0.5)
    assert got["eci"] is not None and got["eci"] < 0  # B is the least diverse region


def test_a_region_with_every_star_has_no_opportunity_left_but_the_rest() -> None:
    got = related_categories(CELLS, "A", 2020, top=5)
    assert {c["category"] for c in got["clusters"]} == {"x", "y"}
    assert [o["category"] for o in got["opportunities"]] == ["z"]
    assert got["opportunities"][0]["density"] == pytest.approx(1 / 3)
    assert got["opportunities"][0]["related_to"] == "y"


def test_unknown_region() -> None:
    with pytest.raises(InputError):
        related_categories(CELLS, "Q", 2020)
