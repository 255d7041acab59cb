"""CBP employment-size classes of withheld cells."""

from __future__ import annotations

import pandas as pd

from clustermap.definitions import load_size_classes
from clustermap.definitions.categories import load_size_classes as reexported
from clustermap.schema import CBP_SIZE_CLASSES

BOUNDS = {
    "A": (0, 19), "B": (20, 99), "C": (100, 249), "E": (250, 499), "F": (500, 999), "G": (1000, 2499),
    "H": (2500, 4999), "I": (5000, 9999), "J": (10000, 24999), "K": (25000, 49999), "L": (50000, 99999),
    "M": (100000, None),
}  # fmt: skip


def test_classes_and_bounds() -> None:
    sc = load_size_classes()
    assert list(sc.columns) == ["size_class", "low", "high", "cmp_value", "note"]
    assert sc["size_class"].tolist() == list(BOUNDS) and set(sc["size_class"]) == set(CBP_SIZE_CLASSES)
    for row in sc.itertuples():
        low, high = BOUNDS[row.size_class]
        assert row.low == low
        assert (pd.isna(row.high) and high is None) or row.high == high
    assert str(sc["high"].dtype) == "Int64" and sc["low"].dtype == "int64"


def test_values_inside_their_class_and_explained() -> None:
    sc = load_size_classes()
    closed = sc[sc["high"].notna()]
    assert (closed["cmp_value"] == (closed["low"] + closed["high"].astype("float64")) / 2).all()
    m = sc.set_index("size_class").loc["M"]
    assert m["cmp_value"] == 100000 and "open-ended" in m["note"]
    assert (sc["note"].str.len() > 0).all()
    assert sc.astype({"high": "float64"})["high"].isna().sum() == 1


def test_reexported_from_categories() -> None:
    assert reexported is load_size_classes
