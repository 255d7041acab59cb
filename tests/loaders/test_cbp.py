"""County Business Patterns loaders on hand-written files of the mirror and the raw Census layouts."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    ParameterError,
    SchemaError,
    ValueValidationError,
)
from clustermap.loaders import load_cbp_cbsa, load_cbp_cbsa_totals, load_cbp_state, load_cbp_state_totals

STATE = (
    "year,fipstate,naics,naics_raw,empflag,emp,emp_nf,est,ap,ap_nf\n"  # 1
    "2011,04,325412,325412,,846,G,18,44373,G\n"  # 2
    "2011,01,325412,325412,F,0,D,6,0,D\n"  # 3
    "2011,01,total,------,,1500000,G,99000,60000000,G\n"  # 4
    "2011,01,3254,3254--,,5000,H,40,300000,H\n"  # 5
    "2005,01,325412,325412,,700,-,5,30000,-\n"  # 6
    "2005,01,total,------,B,0,-,10,0,-\n"  # 7
    "2011,06,325412,325412,,0,G,2,0,G\n"  # 8 (a real zero: no empflag)
)


@pytest.fixture
def state_file(write):
    return write("cbp_state_naics_2000_2011.csv.gz", STATE, gz=True)


def test_state_canonical(state_file) -> None:
    result = load_cbp_state(state_file)
    frame = result.frame.set_index(["region", "industry", "year"])
    assert frame.loc[("04", "325412", 2011), "employment"] == 846.0
    assert frame.loc[("04", "325412", 2011), "establishments"] == 18.0
    assert frame.loc[("04", "325412", 2011), "wages"] == 44373.0
    assert frame.loc[("04", "325412", 2011), "flag"] == "G"
    alabama = frame.loc[("01", "325412", 2011)]
    assert np.isnan(alabama["employment"]) and alabama["size_class"] == "F" and alabama["flag"] == "D"
    assert np.isnan(alabama["wages"]) and alabama["establishments"] == 6.0
    assert frame.loc[("01", "325412", 2005), "flag"] == ""  # '-' before 2007 → ''
    assert frame.loc[("06", "325412", 2011), "employment"] == 0.0  # zero without a flag is a zero
    prov = result.provenance
    assert prov.source == "census" and prov.dataset == "cbp_state_2000_2011"
    assert prov.rows_read == 7
    assert prov.rows_dropped == {"all-industries total": 2, "other NAICS level": 1}
    assert prov.rows_read == prov.rows_kept + sum(prov.rows_dropped.values())


def test_state_options(state_file) -> None:
    every = load_cbp_state(state_file, naics_digits=None)
    assert set(every.frame["industry"]) == {"325412", "3254"}
    recent = load_cbp_state(state_file, years=[2011])
    assert set(recent.frame["year"]) == {2011}
    assert recent.provenance.rows_dropped["other year"] == 2


def test_state_totals(state_file) -> None:
    totals = load_cbp_state_totals(state_file)
    assert list(totals.columns) == ["region", "year", "total"]
    rows = {(r, y): t for r, y, t in totals.itertuples(index=False)}
    assert rows[("01", 2011)] == 1500000.0
    assert np.isnan(rows[("01", 2005)])  # withheld total


RAW_STATE = (
    '"FIPSTATE","NAICS","LFO","EMPFLAG","EMP_NF","EMP","QP1_NF","QP1","AP_NF","AP","EST","N1_4"\n'
    '"04","------","-","","G",2000000,"G",1,"G",80000000,120000,5\n'
    '"04","3254//","-","","G",9000,"G",1,"G",500000,60,5\n'
    '"04","3322--","-","","H",1200,"H",1,"H",60000,30,5\n'
    '"04","325412","-","","G",846,"G",1,"G",44373,18,5\n'
    '"04","325412","C","","G",800,"G",1,"G",40000,10,5\n'
    '"01","325412","-","F","D",0,"D",0,"D",0,6,5\n'
    '"01","31----","-","","G",250000,"G",1,"G",9000000,4000,5\n'
)


def test_state_raw_census_layout(write) -> None:
    path = write("cbp11st.txt", RAW_STATE)
    result = load_cbp_state(path, naics_digits=None)
    frame = result.frame.set_index(["region", "industry", "year"])
    assert set(frame.index.get_level_values("year")) == {2011}  # from the file name
    assert frame.loc[("04", "325412", 2011), "employment"] == 846.0  # the lfo '-' row, not the C-corp one
    assert frame.loc[("01", "325412", 2011), "size_class"] == "F"
    assert {"3254", "3322", "31"} <= set(frame.index.get_level_values("industry"))
    assert result.provenance.rows_dropped == {"legal-form subset (lfo != '-')": 1, "all-industries total": 1}
    assert result.provenance.dataset == "cbp11st"
    assert result.provenance.url == "https://www2.census.gov/programs-surveys/cbp/datasets/2011/cbp11st.zip"
    totals = load_cbp_state_totals(path)
    assert totals.values.tolist() == [["04", 2011, 2000000.0]]


def test_state_raw_zip_and_explicit_year(write) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cbp11st.txt", RAW_STATE)
    path = write("cbp11st.zip", buffer.getvalue())
    assert len(load_cbp_state(path).frame) == 2
    renamed = write("state.txt", RAW_STATE)
    with pytest.raises(ParameterError, match="year"):
        load_cbp_state(renamed)
    assert set(load_cbp_state(renamed, year=2009).frame["year"]) == {2009}


CBSA = (
    "year,cbsa_code,naics_code,naics_level,emp,estab\n"
    "2018,16620,713990,6,116,7\n"
    "2018,27140,44711,5,1635,352\n"
    "2018,27140,00,2,90000,5000\n"
    "2019,16620,713990,6,120,8\n"
)


def test_cbsa_mirror_layout(write) -> None:
    path = write("cbp_cbsa_naics_2018_2019.csv.gz", CBSA, gz=True)
    result = load_cbp_cbsa(path)
    assert result.frame[["region", "industry", "year", "employment", "establishments"]].values.tolist() == [
        ["16620", "713990", 2018, 116.0, 7.0],
        ["16620", "713990", 2019, 120.0, 8.0],
    ]
    assert result.provenance.rows_dropped == {"all-industries total": 1, "other NAICS level": 1}
    assert len(load_cbp_cbsa(path, naics_level=None).frame) == 3
    assert load_cbp_cbsa_totals(path).values.tolist() == [["27140", 2018, 90000.0]]


def test_cbsa_raw_census_layout(write) -> None:
    text = (
        "MSA,NAICS,EMPFLAG,EMP_NF,EMP,QP1_NF,QP1,AP_NF,AP,EST\n"
        "10180,------,,G,60000,G,1,G,2000000,4000\n"
        "10180,713990,,G,116,G,1,G,3000,7\n"
        "10180,336411,C,D,0,D,0,D,0,2\n"
    )
    result = load_cbp_cbsa(write("cbp15msa.txt", text))
    frame = result.frame.set_index("industry")
    assert frame.loc["713990", "employment"] == 116.0 and frame.loc["713990", "wages"] == 3000.0
    assert np.isnan(frame.loc["336411", "employment"]) and frame.loc["336411", "size_class"] == "C"
    assert set(result.frame["year"]) == {2015}


# ------------------------------------------------------------------------------------------------ errors


def test_non_numeric_employment(write) -> None:
    path = write("cbp.csv", STATE.replace("2011,04,325412,325412,,846,", "2011,04,325412,325412,,84x6,"))
    with pytest.raises(ValueValidationError) as info:
        load_cbp_state(path)
    message = str(info.value)
    assert str(path) in message and "line 2" in message and "column 'emp'" in message and "84x6" in message


def test_negative_employment(write) -> None:
    path = write("cbp.csv", STATE.replace(",5000,H,", ",-5000,H,"))
    with pytest.raises(ValueValidationError, match="negative") as info:
        load_cbp_state(path)
    assert info.value.location.line == 5 and info.value.location.column == "emp"


def test_unknown_size_class(write) -> None:
    path = write("cbp.csv", STATE.replace("2011,01,325412,325412,F,", "2011,01,325412,325412,Z,"))
    with pytest.raises(ValueValidationError, match="size") as info:
        load_cbp_state(path)
    assert info.value.location.line == 3 and info.value.location.column == "empflag"


def test_unknown_noise_flag(write) -> None:
    path = write("cbp.csv", STATE.replace("846,G,18", "846,Q,18"))
    with pytest.raises(ValueValidationError, match="noise flag") as info:
        load_cbp_state(path)
    assert info.value.location.line == 2 and info.value.location.column == "emp_nf"


def test_bad_naics(write) -> None:
    path = write("cbp.csv", STATE.replace("2011,01,3254,3254--", "2011,01,32A4,3254--"))
    with pytest.raises(ValueValidationError, match="NAICS") as info:
        load_cbp_state(path)
    assert info.value.location.line == 5 and info.value.location.value == "32A4"


def test_duplicate_rows(write) -> None:
    lines = STATE.splitlines(keepends=True)
    path = write("cbp.csv", "".join([*lines, lines[1]]))
    with pytest.raises(DuplicateKeyError) as info:
        load_cbp_state(path)
    assert "line 9" in str(info.value)


def test_wrong_columns(write) -> None:
    path = write("cbp.csv", "state,industry,employees\n01,325412,5\n")
    with pytest.raises(SchemaError, match="fipstate") as info:
        load_cbp_state(path)
    assert info.value.location.line == 1
    with pytest.raises(SchemaError, match="cbsa_code"):
        load_cbp_cbsa(path)


def test_empty_and_truncated(write) -> None:
    with pytest.raises(EmptyInputError):
        load_cbp_state(write("empty.csv", ""))
    with pytest.raises(EmptyInputError):
        load_cbp_state(write("header.csv", STATE.splitlines()[0] + "\n"))
    import gzip

    big = (
        STATE.splitlines()[0] + "\n" + "".join(f"2011,{i % 56:02d},{100000 + i},x,,{i},G,1,1,G\n" for i in range(40000))
    )
    packed = gzip.compress(big.encode())
    path = write("cut.csv.gz", packed[: len(packed) // 2])
    with pytest.raises(CorruptFileError) as info:
        load_cbp_state(path)
    assert str(path) in str(info.value) and "line " in str(info.value)
