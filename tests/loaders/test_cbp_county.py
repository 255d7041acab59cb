"""The CBP county loader and its sum to BEA economic areas, on a small hand-made Census county file (the mirror has
no county CBP file; the county -> economic-area list is the mirror's)."""

from __future__ import annotations

import pytest

from clustermap.errors import SchemaError, ValueValidationError
from clustermap.loaders import load_cbp_county, load_cbp_economic_areas

# Census cbpYYco.txt layout (upper-case names, NAICS padded with '-'): ND Adams 38001 and Sioux 38085 and SD Brown
# 46013 are in BEA area 001 (Aberdeen, SD); AL Baldwin 01003 in 112 (Mobile); 01999 is Alabama's statewide record.
COUNTY = (
    "FIPSTATE,FIPSCTY,NAICS,EMPFLAG,EMP_NF,EMP,QP1_NF,QP1,AP_NF,AP,EST\n"
    "38,001,------,,G,2000,G,1,G,50000,120\n"
    "38,001,336111,,G,300,G,1,G,9000,2\n"
    "38,085,336111,B,D,0,D,0,D,0,1\n"  # withheld, 20-99 employees
    "46,013,336111,,H,100,H,1,H,3000,3\n"
    "46,013,3361--,,H,100,H,1,H,3000,3\n"
    "01,003,336111,,G,40,G,1,G,1200,1\n"
    "01,003,336411,,G,0,G,0,G,0,1\n"  # a real zero (no size class)
    "01,999,336111,,G,7,G,1,G,100,1\n"
)


@pytest.fixture
def county_file(tmp_path):
    path = tmp_path / "cbp12co.txt"
    path.write_text(COUNTY)
    return path


def test_county_canonical(county_file) -> None:
    result = load_cbp_county(county_file)
    f = result.frame.set_index(["region", "industry", "year"])
    assert set(f.index.get_level_values("year")) == {2012}, "year from the name cbp12co"
    assert f.loc[("38001", "336111", 2012), "employment"] == 300.0
    withheld = f.loc[("38085", "336111", 2012)]
    assert withheld["employment"] != withheld["employment"] and withheld["size_class"] == "B", "null, never 0"
    assert f.loc[("01003", "336411", 2012), "employment"] == 0.0
    assert "01999" not in set(result.frame["region"]), "statewide records belong to no county"
    dropped = result.provenance.rows_dropped
    assert dropped["statewide record (county 999, no county location)"] == 1
    assert dropped["all-industries total"] == 1 and dropped["other NAICS level"] == 1
    assert result.provenance.url.endswith("/2012/cbp12co.zip")
    assert len(load_cbp_county(county_file, naics_digits=None).frame) == 6


def test_county_file_errors(tmp_path) -> None:
    bad = tmp_path / "cbp12co.txt"
    bad.write_text("FIPSTATE,NAICS,EMP,EST\n38,336111,5,1\n")
    with pytest.raises(SchemaError, match="fipscty"):
        load_cbp_county(bad)
    bad.write_text("FIPSTATE,FIPSCTY,NAICS,EMP,EST\n38,0X1,336111,5,1\n")
    with pytest.raises(ValueValidationError, match="county FIPS") as info:
        load_cbp_county(bad)
    assert "line 2" in str(info.value)


def test_economic_areas_sum_counties_with_the_size_class_value(county_file, mirror) -> None:
    """Area 001 = 300 (Adams) + 59.5 (Sioux, withheld B: midpoint of 20-99) + 100 (Brown) = 459.5 persons."""
    result = load_cbp_economic_areas(county_file, mirror=mirror)
    f = result.frame.set_index(["region", "industry"])["employment"]
    assert f[("001", "336111")] == pytest.approx(459.5)
    assert f[("112", "336111")] == 40.0 and f[("112", "336411")] == 0.0
    notes = result.provenance.notes["economic_areas"]
    assert notes["areas"] == 2 and notes["counties"] == 4 and notes["unassigned_counties"] == []
    assert result.provenance.dataset == "cbp12co@economic_area"
    # without a policy a withheld county makes its area's cell unknown (null), not a smaller number
    strict = load_cbp_economic_areas(county_file, policy=None, mirror=mirror).frame.set_index(["region", "industry"])
    assert strict.loc[("001", "336111"), "employment"] != strict.loc[("001", "336111"), "employment"]
