"""Region levels and custom region sets on hand-made tables: sums up the NUTS hierarchy within one version, US
counties to states, groupings from a CSV, and the typed errors (mixed versions, overlapping groups, unknown codes
with file and line)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from clustermap.errors import DuplicateKeyError, ParameterError, SchemaError, UnknownNameError
from clustermap.regions import (
    OverlappingRegionsError,
    UnknownRegionError,
    aggregate,
    aggregate_groups,
    aggregate_nuts,
    aggregate_us,
    load_groups,
)


def _panel(rows):
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])


NUTS_2013 = _panel(
    [
        ("QQ11", "C", 2014, 10.0),
        ("QQ15", "C", 2014, 20.0),
        ("QQ16", "C", 2014, 30.0),
        ("QQ17", "C", 2014, None),
        ("QQ20", "C", 2014, 5.0),
        ("QQ11", "D", 2014, 1.0),
        ("QQ15", "D", 2014, 2.0),
        ("QQ16", "D", 2014, 3.0),
        ("QQ17", "D", 2014, 4.0),
        ("QQ20", "D", 2014, 6.0),
    ]
)


def _cell(frame, region, industry, year=2014):
    sel = frame[(frame["region"] == region) & (frame["industry"] == industry) & (frame["year"] == year)]
    assert len(sel) == 1
    return sel["employment"].iloc[0]


def test_nuts2_to_nuts1_and_0_by_prefix(tiny_registry) -> None:
    out, report = aggregate_nuts(NUTS_2013, 1, registry=tiny_registry)
    assert _cell(out, "QQ1", "D") == 10.0 and _cell(out, "QQ2", "D") == 6.0
    assert math.isnan(_cell(out, "QQ1", "C"))  # QQ17 C is suppressed: the sum is suppressed
    assert report.set_index("group").loc["QQ1", "cells_null_input"] == 1
    assert report.set_index("group").loc["QQ1", "members"] == 4
    out0, rep0 = aggregate_nuts(NUTS_2013, 0, registry=tiny_registry, policy="drop")
    assert _cell(out0, "QQ", "C") == 65.0 and _cell(out0, "QQ", "D") == 16.0
    assert rep0["cells_null"].sum() == 0


def test_nuts_aggregation_refuses_mixed_versions_and_levels(tiny_registry) -> None:
    mixed = _panel([("QQ12", "C", 2012, 1.0), ("QQ15", "C", 2014, 1.0)])
    with pytest.raises(ParameterError, match="harmonise"):
        aggregate_nuts(mixed, 1, registry=tiny_registry)
    levels = _panel([("QQ1", "C", 2014, 1.0), ("QQ15", "C", 2014, 1.0)])
    with pytest.raises(ParameterError, match="mixes NUTS levels"):
        aggregate_nuts(levels, 0, registry=tiny_registry)
    with pytest.raises(ParameterError, match="not NUTS 2010"):
        aggregate_nuts(NUTS_2013, 1, registry=tiny_registry, version=2010)
    with pytest.raises(UnknownNameError, match="QQ99"):
        aggregate_nuts(_panel([("QQ99", "C", 2014, 1.0)]), 1, registry=tiny_registry)


def test_missing_member_ignore_or_null() -> None:
    frame = _panel([("A1", "C", 2014, 1.0), ("A2", "C", 2014, 2.0), ("A1", "D", 2014, 3.0)])
    mapping = pd.DataFrame({"region": ["A1", "A2"], "group": "A"})
    out, rep = aggregate(frame, mapping)
    assert _cell(out, "A", "D") == 3.0 and rep["cells_incomplete"].iloc[0] == 1
    out, _ = aggregate(frame, mapping, missing="null")
    assert math.isnan(_cell(out, "A", "D")) and _cell(out, "A", "C") == 3.0


def test_counties_to_states(tiny_registry) -> None:
    frame = _panel(
        [("06001", "X", 2010, 100.0), ("06003", "X", 2010, 5.0), ("32003", "X", 2010, 7.0), ("06001", "Y", 2010, None)]
    )
    out, _rep = aggregate_us(frame, "state", registry=tiny_registry)
    assert _cell(out, "06", "X", 2010) == 105.0 and _cell(out, "32", "X", 2010) == 7.0
    assert math.isnan(_cell(out, "06", "Y", 2010))
    with pytest.raises(ParameterError, match="county → CBSA"):
        aggregate_us(frame, "cbsa", registry=tiny_registry)
    cbsa = pd.DataFrame({"county_fips": ["06001", "06003"], "cbsa_code": ["41860", "41860"]})
    out, _ = aggregate_us(frame, "cbsa", delineation=cbsa, registry=tiny_registry)
    assert _cell(out, "41860", "X", 2010) == 105.0
    with pytest.raises(ParameterError, match="county FIPS"):
        aggregate_us(_panel([("06", "X", 2010, 1.0)]), "state", registry=tiny_registry)


def test_cbsa_delineation_file_layout(tmp_path: Path) -> None:
    from clustermap.regions import load_cbsa_delineation

    f = tmp_path / "list1.csv"
    f.write_text(
        "List 1. CORE BASED STATISTICAL AREAS,,,,,\n,,,,,\n"
        "CBSA Code,CBSA Title,County/County Equivalent,State Name,FIPS State Code,FIPS County Code\n"
        '41860,"San Francisco-Oakland-Berkeley, CA",Alameda County,California,06,001\n'
        '41860,"San Francisco-Oakland-Berkeley, CA",Contra Costa County,California,6,13\n'
        "Note: footnote,,,,,\n"
    )
    t = load_cbsa_delineation(f)
    assert t["county_fips"].tolist() == ["06001", "06013"] and set(t["cbsa_code"]) == {"41860"}


def _groups(tmp_path: Path, text: str, name: str = "groups.csv") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


def test_custom_groups_with_prefix_members(tmp_path: Path, tiny_registry) -> None:
    f = _groups(tmp_path, "region,group,group_name\nQQ1,NORTH,North\nQQ20,SOUTH,South\n")
    groups = load_groups(f, registry=tiny_registry)
    assert groups.groups == ["NORTH", "SOUTH"] and "group_name" in groups.table.columns
    out, rep = aggregate_groups(NUTS_2013, groups)
    assert _cell(out, "NORTH", "D") == 10.0 and _cell(out, "SOUTH", "D") == 6.0
    assert rep.set_index("group").loc["NORTH", "cells_null_input"] == 1


def test_overlapping_groups_are_a_typed_error_unless_allowed(tmp_path: Path, tiny_registry) -> None:
    f = _groups(tmp_path, "region,group\nQQ11,A\nQQ15,A\nQQ1,B\n")
    with pytest.raises(OverlappingRegionsError, match=r"groups\.csv, line 4, column 'region', value 'QQ1'") as e:
        load_groups(f, registry=tiny_registry)
    assert e.value.exit_code == 2 and "QQ11 (line 2)" in str(e.value)
    same = _groups(tmp_path, "region,group\nQQ11,A\nQQ11,B\n", "same.csv")
    with pytest.raises(OverlappingRegionsError, match="line 3"):
        load_groups(same, registry=tiny_registry)
    groups = load_groups(f, registry=tiny_registry, allow_overlap=True)
    out, _ = aggregate_groups(NUTS_2013, groups)
    assert _cell(out, "A", "D") == 3.0 and _cell(out, "B", "D") == 10.0  # QQ11, QQ15 count in both


def test_unknown_codes_and_bad_files_name_file_and_line(tmp_path: Path, tiny_registry) -> None:
    f = _groups(tmp_path, "region,group\nQQ11,A\nQQ19,A\n")
    with pytest.raises(UnknownRegionError, match=r"groups\.csv, line 3, column 'region', value 'QQ19': unknown"):
        load_groups(f, registry=tiny_registry)
    with pytest.raises(UnknownNameError):  # the same error caught as the generic type
        load_groups(f, registry=tiny_registry)
    with pytest.raises(SchemaError, match="missing required column"):
        load_groups(_groups(tmp_path, "code,group\nQQ11,A\n"), registry=tiny_registry)
    with pytest.raises(DuplicateKeyError, match="line 3"):
        load_groups(_groups(tmp_path, "region;group\nQQ11;A\nQQ11;A\n"), registry=tiny_registry)
