"""Complexity on a 3 × 3 table checked by hand, on both backends, and the typed errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from clustermap.complexity import COLUMNS, complexity
from clustermap.engines.backends import connect, to_backend
from clustermap.errors import InputError, ParameterError
from clustermap.indicators.complexity import presence

#     x   y   z   total          rca (x·140 / (row · col))      mcp
# A  40  40   0    80            1.4   1.4   0                 1 1 0
# B  10   0  30    40            0.7   0     2.625             0 0 1
# C   0  10  10    20            0     1.4   1.75              0 1 1
#    50  50  40   140
TINY = pd.DataFrame(
    [
        ("A", "x", 2020, 40.0),
        ("A", "y", 2020, 40.0),
        ("B", "x", 2020, 10.0),
        ("B", "z", 2020, 30.0),
        ("C", "y", 2020, 10.0),
        ("C", "z", 2020, 10.0),
    ],
    columns=["region", "industry", "year", "employment"],
)


def _by_cell(frame: pd.DataFrame, column: str) -> dict[tuple[str, str], float]:
    return {
        (r, i): v
        for r, i, v in zip(frame["region"].astype(str), frame["industry"].astype(str), frame[column], strict=True)
    }


def test_presence_on_both_backends(backend: str, connections: dict) -> None:
    con = connections.get(backend) or connections.setdefault(backend, connect(backend))
    got = presence(to_backend(con, TINY)).execute().sort_values(["region", "industry"])
    rca = _by_cell(got, "rca")
    assert rca == pytest.approx(
        {("A", "x"): 1.4, ("A", "y"): 1.4, ("B", "x"): 0.7, ("B", "z"): 2.625, ("C", "y"): 1.4, ("C", "z"): 1.75}
    )
    assert _by_cell(got, "mcp") == {
        ("A", "x"): 1,
        ("A", "y"): 1,
        ("B", "x"): 0,
        ("B", "z"): 1,
        ("C", "y"): 1,
        ("C", "z"): 1,
    }
    assert dict(zip(got["region"], got["diversity"], strict=True)) == {"A": 2, "B": 1, "C": 2}
    assert dict(zip(got["industry"], got["ubiquity"], strict=True)) == {"x": 1, "y": 2, "z": 2}


def test_full_table_by_hand() -> None:
    cells = complexity(TINY).cells
    assert list(cells.columns) == list(COLUMNS)
    assert len(cells) == 9  # the full rectangle: absent cells have rca 0, mcp 0
    assert _by_cell(cells, "rca")[("A", "z")] == 0.0
    # proximity: x–y 1/max(1,2) = 0.5, y–z 0.5, x–z 0; row sums 1.5, 2, 1.5
    density = _by_cell(cells, "density")
    expected = {
        ("A", "x"): 1.0, ("A", "y"): 0.75, ("A", "z"): 1 / 3,
        ("B", "x"): 0.0, ("B", "y"): 0.25, ("B", "z"): 2 / 3,
        ("C", "x"): 1 / 3, ("C", "y"): 0.75, ("C", "z"): 1.0,
    }  # fmt: skip
    assert density == pytest.approx(expected)
    # Mpp = [[.5,.5,0],[.25,.5,.25],[0,.25,.75]]: λ2 = (3+√5)/8, kp ∝ (1, (√5−1)/4, −(1+√5)/4)
    s5 = math.sqrt(5)
    kp = np.array([1.0, (s5 - 1) / 4, -(1 + s5) / 4])
    kc = np.array([(kp[0] + kp[1]) / 2, kp[2], (kp[1] + kp[2]) / 2])  # A {x,y}, B {z}, C {y,z}
    eci = _by_cell(cells, "eci")
    pci = _by_cell(cells, "pci")
    assert_allclose([eci[(r, "x")] for r in "ABC"], (kc - kc.mean()) / kc.std(), atol=1e-12)
    assert_allclose([pci[("A", i)] for i in "xyz"], (kp - kc.mean()) / kc.std(), atol=1e-12)
    # sign: ECI correlates positively with diversity (A, C have 2 industries, B 1)
    assert eci[("A", "x")] > eci[("C", "x")] > eci[("B", "x")]
    # cog is 0 where the region already has the industry
    cog = _by_cell(cells, "cog")
    assert cog[("A", "x")] == 0.0 and cog[("C", "z")] == 0.0


def test_proximity_table() -> None:
    prox = complexity(TINY, with_proximity=True).proximity
    got = {
        (a, b): v
        for a, b, v in zip(
            prox["industry_1"].astype(str), prox["industry_2"].astype(str), prox["proximity"], strict=True
        )
    }
    assert got == pytest.approx(
        {("x", "x"): 1, ("x", "y"): 0.5, ("x", "z"): 0, ("y", "x"): 0.5, ("y", "y"): 1, ("y", "z"): 0.5,
         ("z", "x"): 0, ("z", "y"): 0.5, ("z", "z"): 1}
    )  # fmt: skip


def test_missing_is_never_zero() -> None:
    frame = pd.concat([TINY, pd.DataFrame([("C", "x", 2020, None)], columns=TINY.columns)], ignore_index=True)
    with pytest.raises(InputError, match="1 cell"):
        complexity(frame)
    dropped = complexity(frame, missing="drop")
    assert dropped.notes["missing_cells_dropped"] == 1
    assert_allclose(dropped.cells["eci"], complexity(TINY).cells["eci"])


def test_bad_input() -> None:
    with pytest.raises(InputError, match="negative"):
        complexity(TINY.assign(employment=-TINY["employment"]))
    with pytest.raises(ParameterError):
        complexity(TINY, missing="zero")  # type: ignore[arg-type]


def test_years_are_independent() -> None:
    """Two years at once give what each year gives alone."""
    other = TINY.assign(year=2021, employment=TINY["employment"][::-1].to_numpy())
    both = complexity(pd.concat([TINY, other], ignore_index=True)).cells
    alone = complexity(other).cells
    got = both[both["year"] == 2021].reset_index(drop=True)
    for col in COLUMNS[3:]:
        assert_allclose(got[col].to_numpy(dtype=float), alone[col].to_numpy(dtype=float), atol=1e-12, err_msg=col)


def test_same_result_on_every_backend(backend: str, connections: dict) -> None:
    """The whole computation with the engine step on DuckDB or PySpark gives the hand-checked DuckDB answer."""
    con = connections.get(backend) or connections.setdefault(backend, connect(backend))
    got = complexity(TINY, con=con).cells
    ref = complexity(TINY).cells
    for col in COLUMNS:
        if col in ("region", "industry"):
            assert got[col].astype(str).tolist() == ref[col].astype(str).tolist()
        else:
            assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), atol=1e-12, err_msg=col)
