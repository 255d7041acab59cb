"""NAICS vintage conversion on a hand-made mirror: every rule (clean, merge, regional, national, equal,
unmapped), withheld cells, the per-year report and the 6-digit recovery."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap.classifications import (
    convert_naics,
    naics_concordance,
    naics_titles,
    six_digit_panel,
    to_naics2012,
)
from clustermap.errors import ParameterError, SchemaError, SourceError, UnknownNameError

VINTAGES = {2001: 1997, 2005: 2002, 2008: 2007}


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(region, industry, year, employment[, size_class]) rows as a canonical-like frame."""
    out = []
    for row in rows:
        region, industry, year, employment, *rest = row
        out.append(
            {
                "region": region,
                "industry": industry,
                "year": year,
                "employment": employment,
                "establishments": 1.0,
                "wages": None if employment is None else 10.0,
                "flag": "G" if employment is not None else "D",
                "size_class": rest[0] if rest else "",
            }
        )
    return pd.DataFrame(out)


DATA = frame(
    [
        ("A", "111110", 2005, 100.0),
        ("A", "222220", 2005, 90.0),
        ("A", "333331", 2005, None, "A"),  # withheld, 0-19 employees: midpoint 9.5
        ("A", "333332", 2005, 20.0),
        ("A", "444440", 2005, 40.0),
        ("B", "222220", 2005, 50.0),
        ("A", "222221", 2008, 20.0),
        ("A", "222222", 2008, 10.0),
        ("C", "222221", 2008, 10.0),
        ("C", "222222", 2008, 50.0),
        ("A", "111110", 2008, None, "B"),  # withheld, lands whole and alone: stays withheld
        ("A", "111110", 2001, 5.0),
        ("A", "999999", 2001, 7.0),  # a NAICS 1997 code that NAICS 2002 does not have
        ("A", "1111", 2001, 3.0),  # not a 6-digit code
    ]
)


@pytest.fixture
def converted(fake_mirror):
    return to_naics2012(DATA, vintage_by_year=VINTAGES, mirror=fake_mirror)


def value(out: pd.DataFrame, region: str, industry: str, year: int) -> pd.Series:
    sel = out[(out["region"] == region) & (out["industry"] == industry) & (out["year"] == year)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_clean_code_is_copied(converted) -> None:
    out, _ = converted
    row = value(out, "A", "111110", 2005)
    assert row["employment"] == 100.0 and row["flag"] == "G" and row["establishments"] == 1.0


def test_regional_split_uses_the_same_region_in_the_nearest_target_year(converted) -> None:
    out, _ = converted
    assert value(out, "A", "222221", 2005)["employment"] == pytest.approx(60.0)  # 90 × 20/30
    assert value(out, "A", "222222", 2005)["employment"] == pytest.approx(30.0)
    assert value(out, "A", "222221", 2005)["flag"] == "e"
    assert value(out, "A", "222221", 2005)["establishments"] == pytest.approx(2 / 3)


def test_national_split_when_the_region_has_no_target_employment(converted) -> None:
    out, _ = converted
    # region B has no 2008 rows: national 2008 employment 222221 = 30, 222222 = 60
    assert value(out, "B", "222221", 2005)["employment"] == pytest.approx(50 / 3)
    assert value(out, "B", "222222", 2005)["employment"] == pytest.approx(100 / 3)


def test_equal_split_without_a_reference_year(converted) -> None:
    out, _ = converted
    assert value(out, "A", "444441", 2005)["employment"] == pytest.approx(20.0)
    assert value(out, "A", "444442", 2005)["employment"] == pytest.approx(20.0)


def test_merge_values_a_withheld_part_at_its_size_class(converted) -> None:
    out, report = converted
    row = value(out, "A", "333330", 2005)
    assert row["employment"] == pytest.approx(29.5) and row["flag"] == "e" and row["size_class"] == ""
    assert pd.isna(row["wages"])  # the withheld part has no payroll
    assert report.by_year.set_index("year").loc[2005, "withheld_valued"] == 1


def test_withheld_cell_that_maps_whole_stays_withheld(converted) -> None:
    out, _ = converted
    row = value(out, "A", "111110", 2008)
    assert pd.isna(row["employment"]) and row["size_class"] == "B"


def test_report_adds_up_per_year(converted) -> None:
    _, report = converted
    y = report.by_year.set_index("year")
    assert y.loc[2005, "employment"] == 300.0
    assert y.loc[2005, "employment_clean"] == pytest.approx(120.0)
    assert y.loc[2005, "split_regional"] == pytest.approx(90.0)
    assert y.loc[2005, "split_national"] == pytest.approx(50.0)
    assert y.loc[2005, "split_equal"] == pytest.approx(40.0)
    parts = y[["employment_clean", "employment_split", "employment_unmapped"]].sum(axis=1)
    assert parts.to_numpy() == pytest.approx(y["employment"].to_numpy())
    assert y.loc[2001, "share_unmapped"] == pytest.approx(10 / 15)
    assert (y["share_clean"] + y["share_split"] + y["share_unmapped"]).to_numpy() == pytest.approx(1.0)
    reasons = set(report.unmapped["reason"])
    assert any("1997" in r for r in reasons) and "not a 6-digit NAICS code" in reasons
    steps = set(report.splits["step"])
    assert steps == {"2002→2007", "2007→2012"}
    assert "regional" in report.to_text() or "split_regional" in report.to_text()


def test_reference_on_the_target_vintage_weights_the_last_step(fake_mirror) -> None:
    reference = frame([("A", "444441", 2012, 30.0), ("A", "444442", 2012, 10.0)])
    out, report = to_naics2012(DATA, vintage_by_year=VINTAGES, reference=reference, mirror=fake_mirror)
    assert value(out, "A", "444441", 2005)["employment"] == pytest.approx(30.0)
    assert report.by_year.set_index("year").loc[2005, "split_equal"] == 0.0


def test_withheld_value_none_keeps_mixed_cells_null(fake_mirror) -> None:
    out, _ = to_naics2012(DATA, vintage_by_year=VINTAGES, withheld_value=None, mirror=fake_mirror)
    row = value(out, "A", "333330", 2005)
    assert pd.isna(row["employment"]) and row["size_class"] == ""


def test_errors(fake_mirror) -> None:
    with pytest.raises(ParameterError, match="no NAICS vintage for year"):
        to_naics2012(DATA, vintage_by_year={2005: 2002}, mirror=fake_mirror)
    with pytest.raises(UnknownNameError, match="unknown NAICS vintage"):
        to_naics2012(DATA, vintage_by_year={2001: 1997, 2005: 1999, 2008: 2007}, mirror=fake_mirror)
    with pytest.raises(SchemaError):
        to_naics2012(DATA.drop(columns="employment"), vintage_by_year=VINTAGES, mirror=fake_mirror)
    with pytest.raises(ParameterError, match="withheld_value"):
        to_naics2012(DATA, vintage_by_year=VINTAGES, withheld_value="mean", mirror=fake_mirror)
    with pytest.raises(SourceError, match="1997 titles"):
        naics_titles(1997, mirror=fake_mirror)
    with pytest.raises(SourceError, match="naics_concordance_2012_2017"):
        convert_naics(DATA[DATA["year"] == 2005], target=2017, vintage_by_year=VINTAGES, mirror=fake_mirror)


def test_concordance_chains_and_reverses(fake_mirror) -> None:
    links = naics_concordance(2002, 2012, mirror=fake_mirror)
    assert set(links.loc[links["source"] == "444440", "target"]) == {"444441", "444442"}
    assert set(links.loc[links["target"] == "333330", "source"]) == {"333331", "333332"}
    back = naics_concordance(2012, 2007, mirror=fake_mirror)
    assert set(back.loc[back["source"] == "444441", "target"]) == {"444440"}
    assert naics_titles(2002, digits=6, mirror=fake_mirror)["naics"].str.len().eq(6).all()


def test_six_digit_panel_recovers_only_children(fake_mirror) -> None:
    data = frame(
        [
            ("A", "44444", 2005, 40.0),  # only 6-digit child 444440 is not in the data: recovered
            ("A", "4444", 2005, 40.0),  # same industry, shorter code: the longer one wins
            ("A", "2222", 2005, 90.0),  # its 6-digit child is in the data: an aggregate, dropped
            ("A", "222220", 2005, 90.0),
            ("A", "33333", 2005, 30.0),  # two 6-digit children: not recoverable, dropped
        ]
    )
    panel, recovered = six_digit_panel(data, vintage_by_year=VINTAGES, mirror=fake_mirror)
    assert sorted(panel["industry"]) == ["222220", "444440"]
    assert recovered[["code", "as_code"]].values.tolist() == [["44444", "444440"]]


def test_data_already_on_the_target_vintage(fake_mirror) -> None:
    data = frame([("A", "444441", 2013, 5.0), ("A", "123456", 2013, 2.0)])
    out, report = to_naics2012(data, vintage_by_year={2013: 2012}, mirror=fake_mirror)
    assert out["industry"].tolist() == ["444441"]
    y = report.by_year.set_index("year").loc[2013]
    assert y["share_clean"] == pytest.approx(5 / 7) and y["share_unmapped"] == pytest.approx(2 / 7)
