"""An array sort gives the same array on every backend: ascending, nulls last, a null array null. On PySpark it
is compiled to the native ``sort_array`` (clustermap.engines.backends), not the lambda-comparator ``array_sort``;
the threshold-form stars (:func:`clustermap.indicators.topk.kth_largest`) rest on it."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from clustermap.engines.backends import connect, to_backend
from clustermap.indicators.topk import kth_largest


def _con(backend: str, connections: dict[str, Any]) -> Any:
    if backend not in connections:
        connections[backend] = connect(backend)
    return connections[backend]


def test_sorted_arrays_nulls_last(backend: str, connections: dict[str, Any]) -> None:
    con = _con(backend, connections)
    frame = pd.DataFrame(
        {
            "g": ["a", "b", "c", "d"],
            "x": [3.0, 7.0, None, None],
            "y": [None, 7.0, None, 2.0],
            "z": [1.0, 0.5, None, -1.0],
        }
    )
    t = to_backend(con, frame)
    t = t.mutate(v=ibis.array([t.x, t.y, t.z]))
    t = t.mutate(v=ibis.ifelse(t.g == "c", ibis.null("array<float64>"), t.v))
    expr = t.select("g", s=t.v.sort()).order_by("g")
    if backend == "pyspark":  # the native sort, not the lambda comparator
        sql = con.compile(expr).upper()
        assert "SORT_ARRAY(" in sql and "ARRAY_SORT(" not in sql
        from ibis.backends.sql.compilers.pyspark import compiler as ibis_own

        assert "ARRAY_SORT(" in ibis_own.to_sqlglot(expr).sql("spark").upper()  # only clustermap's connections change
    out = expr.to_pyarrow().to_pylist()
    assert out == [
        {"g": "a", "s": [1.0, 3.0, None]},
        {"g": "b", "s": [0.5, 7.0, 7.0]},
        {"g": "c", "s": None},  # a null array stays null
        {"g": "d", "s": [-1.0, 2.0, None]},
    ]


def test_kth_largest_with_ties(backend: str, connections: dict[str, Any]) -> None:
    con = _con(backend, connections)
    frame = pd.DataFrame(
        {"g": ["a"] * 5 + ["b"] * 2, "x": [5.0, 9.0, 9.0, 1.0, None, 4.0, 2.0], "k": [2, 2, 2, 2, 2, 3, 3]}
    )
    cut = kth_largest(to_backend(con, frame), "x", ["g"], "k").order_by("g").to_pyarrow().to_pylist()
    # a: 9, 9, 5, 1 → the 2nd largest is 9; b has fewer than 3 values → its smallest
    assert cut == [{"g": "a", "kth": 9.0}, {"g": "b", "kth": 2.0}]
