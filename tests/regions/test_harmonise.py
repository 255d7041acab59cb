"""Harmonisation to one NUTS version on a tiny hand-made world (exact numbers): recode, split with each weight,
merge, a suppressed cell in a merge, a missing source, duplicates, version detection, the change report and the
balance of employment per country and year."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.regions import harmonise
from clustermap.regions.conversion import shares, weight_column
from clustermap.regions.harmonise import CHANGE_COLUMNS

from .conftest import MATRIX


def _panel(rows, flags=None):
    f = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    f["flag"] = flags if flags is not None else ""
    return f


def _h(frame, reg, conv, **kw):
    kw.setdefault("to_version", 2013)
    kw.setdefault("from_version", 2010)
    return harmonise(frame, registry=reg, conversions=conv, **kw)


def _value(frame, region, industry="C", year=2012):
    sel = frame[(frame["region"] == region) & (frame["industry"] == industry) & (frame["year"] == year)]
    assert len(sel) == 1, sel
    return sel["employment"].iloc[0]


ALL_2010 = [
    ("QQ11", "C", 2012, 500.0),
    ("QQ12", "C", 2012, 100.0),
    ("QQ13", "C", 2012, 400.0),
    ("QQ21", "C", 2012, 10.0),
    ("QQ22", "C", 2012, 20.0),
]


def test_recode_is_one_to_one(tiny_registry, tiny_conversions) -> None:
    out, changes = _h(_panel(ALL_2010), tiny_registry, tiny_conversions)
    assert _value(out, "QQ15") == 100.0
    row = changes[changes["from_region"] == "QQ12"].iloc[0]
    assert (row["to_region"], row["change"], row["share"], row["employment_moved"]) == ("QQ15", "recode", 1.0, 100.0)
    assert list(changes.columns) == CHANGE_COLUMNS


def test_unchanged_region_is_not_reported_and_slivers_are_dropped(tiny_registry, tiny_conversions) -> None:
    out, changes = _h(_panel(ALL_2010), tiny_registry, tiny_conversions, weight="area")
    assert _value(out, "QQ11") == 500.0  # the 0.001 km² sliver QQ11 -> QQ15 is below min_share
    assert "QQ11" not in set(changes["from_region"])
    kept, _ = _h(_panel(ALL_2010), tiny_registry, tiny_conversions, weight="area", min_share=0.0)
    assert _value(kept, "QQ11") == pytest.approx(500.0 * 50 / 50.001)


@pytest.mark.parametrize(
    ("weight", "year", "to_16", "to_17", "column"),
    [
        ("population", 2012, 300.0, 100.0, "pop11"),  # residents 2011: 300 / 100
        ("population", 2018, 200.0, 200.0, "pop21"),  # residents 2021: 200 / 200
        ("area", 2012, 100.0, 300.0, "areaKm"),  # 10 / 30 km²
        ("built_up", 2012, 100.0, 300.0, "bu_vol"),
    ],
)
def test_split_uses_the_chosen_weight(tiny_registry, tiny_conversions, weight, year, to_16, to_17, column) -> None:
    frame = _panel([("QQ13", "C", year, 400.0)])
    out, changes = _h(frame, tiny_registry, tiny_conversions, weight=weight)
    assert _value(out, "QQ16", year=year) == pytest.approx(to_16)
    assert _value(out, "QQ17", year=year) == pytest.approx(to_17)
    assert set(changes["change"]) == {"split"}
    assert set(changes["weight"]) == {column}
    assert changes["share"].sum() == pytest.approx(1.0)
    assert changes["employment_moved"].sum() == pytest.approx(400.0)
    assert weight_column(weight, year) == column


def test_merge_sums_sources(tiny_registry, tiny_conversions) -> None:
    out, changes = _h(_panel(ALL_2010), tiny_registry, tiny_conversions)
    assert _value(out, "QQ20") == 30.0
    merged = changes[changes["to_region"] == "QQ20"]
    assert set(merged["change"]) == {"merge"} and merged["employment_moved"].sum() == 30.0


def test_suppressed_cell_in_a_merge_keeps_the_published_part(tiny_registry, tiny_conversions) -> None:
    """Default ``mixed="published"``: QQ20 = QQ21 (confidential) + QQ22 (20) carries 20, a lower bound flagged
    ``c`` (its input) and ``i`` (partial); nothing is hidden, so the published 20 + 3 + 4 is conserved."""
    rows = [("QQ21", "C", 2012, None), ("QQ22", "C", 2012, 20.0), ("QQ21", "D", 2012, 3.0), ("QQ22", "D", 2012, 4.0)]
    res = _h(_panel(rows, flags=["c", "", "", ""]), tiny_registry, tiny_conversions)
    assert _value(res.frame, "QQ20") == 20.0 and _value(res.frame, "QQ20", "D") == 7.0
    assert res.frame.loc[res.frame["industry"] == "C", "flag"].iloc[0] == "ci"
    row = res.summary.iloc[0]
    assert (row["cells_partial"], row["cells_nulled"], row["employment_hidden"]) == (1, 0, 0.0)
    assert res.frame["employment"].sum() == 27.0 and res.balance["difference"].abs().max() < 1e-9
    # a target whose every input is suppressed stays null
    only = _h(_panel(rows[:1], flags=["c"]), tiny_registry, tiny_conversions)
    assert only.frame["employment"].isna().all()


def test_suppressed_cell_in_a_merge_suppresses_the_target_with_mixed_null(tiny_registry, tiny_conversions) -> None:
    rows = [("QQ21", "C", 2012, None), ("QQ22", "C", 2012, 20.0), ("QQ21", "D", 2012, 3.0), ("QQ22", "D", 2012, 4.0)]
    flags = ["c", "", "", ""]
    res = _h(_panel(rows, flags=flags), tiny_registry, tiny_conversions, mixed="null")
    assert math.isnan(_value(res.frame, "QQ20")) and _value(res.frame, "QQ20", "D") == 7.0
    assert res.frame.loc[res.frame["region"] == "QQ20", "flag"].iloc[0] == "c"
    row = res.summary.iloc[0]
    assert row["cells_nulled"] == 1 and row["employment_hidden"] == 20.0
    assert res.balance["difference"].abs().max() < 1e-9
    report = res.changes[res.changes["from_region"] == "QQ21"].iloc[0]
    assert report["cells_suppressed"] == 1 and report["employment_moved"] == 3.0
    # the engine's policy first: drop the suppressed cell, then the merge sums what is published
    dropped = _h(_panel(rows, flags=flags), tiny_registry, tiny_conversions, policy="drop")
    assert _value(dropped.frame, "QQ20") == 20.0
    assert dropped.notes["cells_dropped"] == 1 and dropped.summary["employment_hidden"].sum() == 0


def test_parent_residual_fills_before_merging(tiny_registry, tiny_conversions) -> None:
    rows = [
        ("QQ21", "C", 2012, 100.0),
        ("QQ21", "C10", 2012, 60.0),
        ("QQ21", "C11", 2012, None),
        ("QQ22", "C", 2012, 50.0),
        ("QQ22", "C10", 2012, 50.0),
        ("QQ22", "C11", 2012, 0.0),
    ]
    res = _h(_panel(rows, flags=["", "", "c", "", "", ""]), tiny_registry, tiny_conversions, policy="parent-residual")
    assert _value(res.frame, "QQ20", "C11") == 40.0  # 100 - 60 imputed in QQ21, plus 0
    assert res.notes["cells_imputed"] == 1


def test_a_missing_source_region_suppresses_the_merge(tiny_registry, tiny_conversions) -> None:
    frame = _panel([("QQ21", "C", 2012, 10.0), ("QQ22", "D", 2012, 5.0)])
    res = _h(frame, tiny_registry, tiny_conversions, mixed="null")
    assert math.isnan(_value(res.frame, "QQ20", "C")) and math.isnan(_value(res.frame, "QQ20", "D"))
    assert res.summary["employment_hidden"].iloc[0] == 15.0
    assert _value(_h(frame, tiny_registry, tiny_conversions, policy="drop").frame, "QQ20", "C") == 10.0


def test_auto_detects_the_version_of_each_year_and_gives_one_region_set(tiny_registry, tiny_conversions) -> None:
    rows = [
        *ALL_2010,
        ("QQ11", "C", 2014, 510.0),
        ("QQ15", "C", 2014, 101.0),
        ("QQ16", "C", 2014, 301.0),
        ("QQ17", "C", 2014, 99.0),
        ("QQ20", "C", 2014, 31.0),
    ]
    res = _h(_panel(rows), tiny_registry, tiny_conversions, from_version="auto")
    by_year = res.frame.groupby("year")["region"].apply(set)
    assert by_year[2012] == by_year[2014] == {"QQ11", "QQ15", "QQ16", "QQ17", "QQ20"}
    assert dict(zip(res.versions["year"], res.versions["version"], strict=True)) == {2012: 2010, 2014: 2013}
    assert _value(res.frame, "QQ16", year=2014) == 301.0
    assert set(res.changes["year"]) == {2012}


def test_codes_of_two_versions_for_one_territory_in_one_year_are_deduplicated(tiny_registry, tiny_conversions) -> None:
    rows = [
        ("QQ11", "C", 2012, 500.0),
        ("QQ15", "C", 2012, 100.0),
        ("QQ16", "C", 2012, 300.0),
        ("QQ17", "C", 2012, 100.0),
        ("QQ20", "C", 2012, 30.0),
        ("QQ13", "C", 2012, 400.0),  # the same territory as QQ16 + QQ17, published under its 2010 code too
    ]
    res = _h(_panel(rows), tiny_registry, tiny_conversions, from_version="auto")
    assert _value(res.frame, "QQ16") == 300.0
    dup = res.changes[res.changes["change"].str.startswith("dropped")]
    assert dup[["from_region", "employment_moved"]].values.tolist() == [["QQ13", 400.0]]
    assert res.versions["duplicates"].iloc[0] == "QQ13"
    bal = res.balance.iloc[0]
    assert (bal["employment_in"], bal["dropped"], bal["employment_out"]) == (1430.0, 400.0, 1030.0)


def test_backward_conversion_uses_the_same_intersections(tiny_registry, tiny_conversions) -> None:
    rows = [("QQ16", "C", 2012, 30.0), ("QQ17", "C", 2012, 10.0), ("QQ20", "C", 2012, 120.0)]
    out, _changes = _h(_panel(rows), tiny_registry, tiny_conversions, to_version=2010, from_version=2013)
    assert _value(out, "QQ13") == 40.0
    assert _value(out, "QQ21") == pytest.approx(50.0) and _value(out, "QQ22") == pytest.approx(70.0)


def test_the_grid_is_completed_so_every_year_has_the_same_regions(tiny_registry, tiny_conversions) -> None:
    rows = [*ALL_2010, ("QQ11", "C", 2013, 7.0)]
    res = _h(_panel(rows), tiny_registry, tiny_conversions)
    assert res.frame.groupby("year")["region"].nunique().tolist() == [5, 5]
    assert res.notes["rows_added_to_complete_grid"] == 4
    assert res.frame["employment"].isna().sum() == 4
    assert res.summary["regions_out"].tolist() == [5, 1]


def test_unknown_and_wrong_version_codes_are_typed_errors(tiny_registry, tiny_conversions) -> None:
    with pytest.raises(UnknownNameError, match=r"QQ19 \(near: QQ1"):
        _h(_panel([("QQ19", "C", 2012, 1.0)]), tiny_registry, tiny_conversions)
    with pytest.raises(UnknownNameError, match=r"QQ15 \(valid in 2013\)"):
        _h(_panel([("QQ15", "C", 2012, 1.0)]), tiny_registry, tiny_conversions, from_version=2010)
    with pytest.raises(UnknownNameError, match="unknown NUTS version 2012"):
        _h(_panel(ALL_2010), tiny_registry, tiny_conversions, to_version=2012)
    with pytest.raises(UnknownNameError, match="unknown weight"):
        _h(_panel(ALL_2010), tiny_registry, tiny_conversions, weight="jobs")
    with pytest.raises(UnknownNameError, match="US"):
        _h(_panel([("06037", "C", 2012, 1.0)]), tiny_registry, tiny_conversions)
    with pytest.raises(ParameterError):
        _h(_panel(ALL_2010), tiny_registry, tiny_conversions, min_share=0.7)


def test_polars_in_polars_out(tiny_registry, tiny_conversions) -> None:
    pl = pytest.importorskip("polars")
    out, _ = _h(pl.from_pandas(_panel(ALL_2010)), tiny_registry, tiny_conversions)
    assert isinstance(out, pl.DataFrame) and out.height == 5


def test_shares_renormalise_after_dropping_slivers() -> None:
    s = shares(MATRIX, "areaKm", min_share=0.01).set_index(["from_code", "to_code"])["share"]
    assert s[("QQ11", "QQ11")] == 1.0 and ("QQ11", "QQ15") not in s.index
    assert s[("QQ13", "QQ16")] == pytest.approx(0.25)


def test_a_missing_source_region_keeps_the_published_part_by_default(tiny_registry, tiny_conversions) -> None:
    frame = _panel([("QQ21", "C", 2012, 10.0), ("QQ22", "D", 2012, 5.0)])
    res = _h(frame, tiny_registry, tiny_conversions)
    assert _value(res.frame, "QQ20", "C") == 10.0 and _value(res.frame, "QQ20", "D") == 5.0
    assert set(res.frame["flag"]) == {"i"} and res.summary["employment_hidden"].iloc[0] == 0.0


def test_unknown_mixed_rule_is_an_error(tiny_registry, tiny_conversions) -> None:
    with pytest.raises(UnknownNameError, match="mixed"):
        _h(_panel(ALL_2010), tiny_registry, tiny_conversions, mixed="zero")


def test_a_truncated_target_code_is_never_written(tiny_conversions) -> None:
    """The JRC matrices name NUTS-2 codes made by truncating NUTS-3 codes (2016's UKN1; Northern Ireland is UKN0).
    Here QQ17 plays UKN1: listed for 2013 but named by no official list. QQ1 has three attested NUTS-2 codes, so
    QQ13's share of QQ17 is removed and the rest (QQ16) renormalised; with one attested sibling (UKN0 for UKN1)
    the share goes there."""
    from clustermap.regions import RegionRegistry
    from clustermap.regions.conversion import attested_codes, repair_targets

    from .conftest import CODES

    rows = [(c, v, "" if c == "QQ17" and v == 2013 else f"name of {c}") for v, codes in CODES.items() for c in codes]
    names = pd.DataFrame(rows, columns=["code", "version", "name"]).assign(name_source=lambda f: f["name"].str[:4])
    names.loc[names["name"] == "", "name_source"] = ""
    reg = RegionRegistry(nuts=names)
    assert "QQ17" not in attested_codes(reg, 2013) and "QQ16" in attested_codes(reg, 2013)
    res = _h(_panel([("QQ13", "C", 2012, 400.0), ("QQ11", "C", 2012, 5.0)]), reg, tiny_conversions)
    assert "QQ17" not in set(res.frame["region"])
    assert _value(res.frame, "QQ16") == 400.0
    assert res.notes["targets_repaired"] == "QQ17 -> removed"
    assert res.frame["employment"].sum() == 405.0
    # one attested code of the same level under the same parent: the UKN0 / UKN1 case of the JRC 2013 -> 2016 matrix
    s = pd.DataFrame(
        {"from_code": ["UKN0", "UKN0"], "to_code": ["UKN0", "UKN1"], "share": [0.477, 0.523], "weight": ["pop11"] * 2}
    )
    fixed, replaced = repair_targets(s, {"UKN0", "UKM5"})
    assert replaced == {"UKN1": "UKN0"}
    assert fixed[["from_code", "to_code"]].values.tolist() == [["UKN0", "UKN0"]] and fixed["share"].iloc[0] == 1.0
