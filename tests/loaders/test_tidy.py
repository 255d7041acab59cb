"""Tidy CSV / Parquet loader: delimiters, gzip, Parquet, and exact line numbers in every error."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    SchemaError,
    ValueValidationError,
)
from clustermap.loaders import load_tidy

GOOD = "region,industry,year,employment,flag\nAT11,C29,2015,1200,\nAT11,C30,2015,,c\nAT12,C29,2015,0,p\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(write, delimiter: str) -> None:
    path = write("obs.csv", GOOD.replace(",", delimiter))
    result = load_tidy(path)
    frame = result.frame
    assert frame["employment"].tolist()[0] == 1200.0 and np.isnan(frame["employment"].tolist()[1])
    assert frame["flag"].tolist() == ["", "c", "p"]
    assert result.provenance.rows_read == 3 and result.provenance.rows_kept == 3
    assert result.provenance.dataset == "obs" and result.provenance.source == "file"


def test_gzip_optional_columns_and_dataset_name(write) -> None:
    text = "Region,Industry,Year,Employment,Establishments,Wages,Size_Class,comment\n01,325412,2011,,6,,F,withheld\n"
    result = load_tidy(write("cbp.csv.gz", text, gz=True), dataset="my-cbp")
    row = result.frame.iloc[0]
    assert row["region"] == "01" and row["industry"] == "325412" and row["size_class"] == "F"
    assert np.isnan(row["employment"]) and row["establishments"] == 6.0
    assert result.provenance.dataset == "my-cbp"
    assert result.provenance.notes["ignored_columns"] == ["comment"]


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "obs.parquet"
    pd.DataFrame(
        {"region": ["AT11", "AT12"], "industry": ["C29", "C29"], "year": [2015, 2015], "employment": [1200.0, None]}
    ).to_parquet(path)
    frame = load_tidy(path).frame
    assert frame["region"].tolist() == ["AT11", "AT12"] and np.isnan(frame["employment"].tolist()[1])


def test_parquet_error_says_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pd.DataFrame(
        {
            "region": ["AT11", "AT12", "AT13"],
            "industry": ["C29"] * 3,
            "year": [2015] * 3,
            "employment": [1.0, 2.0, -3.0],
        }
    ).to_parquet(path)
    with pytest.raises(ValueValidationError) as info:
        load_tidy(path)
    message = str(info.value)
    assert str(path) in message and "row 3" in message and "employment" in message and "line" not in message
    assert info.value.location.line == 4  # row + 1, the CSV convention


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(CorruptFileError, match="Parquet"):
        load_tidy(path)


# ------------------------------------------------------------------------------------------------ errors


def test_empty_file(write) -> None:
    path = write("empty.csv", "")
    with pytest.raises(EmptyInputError) as info:
        load_tidy(path)
    assert str(path) in str(info.value)
    with pytest.raises(EmptyInputError):
        load_tidy(write("header.csv", "region,industry,year,employment\n"))


def test_non_numeric_employment_on_row_2_is_line_3(write) -> None:
    path = write("obs.csv", "region,industry,year,employment\nAT11,C29,2015,10\nAT12,C29,2015,ten\n")
    with pytest.raises(ValueValidationError) as info:
        load_tidy(path)
    message = str(info.value)
    assert str(path) in message and "line 3" in message and "column 'employment'" in message and "'ten'" in message


def test_blank_lines_do_not_shift_line_numbers(write) -> None:
    path = write("obs.csv", "region,industry,year,employment\n\nAT11,C29,2015,10\n\n\nAT12,C29,2015,ten\n\n")
    with pytest.raises(ValueValidationError) as info:
        load_tidy(path)
    assert info.value.location.line == 6
    ok = load_tidy(write("ok.csv", "region,industry,year,employment\n\nAT11,C29,2015,10\n\n"))
    assert len(ok.frame) == 1


def test_quoted_multiline_field_line_numbers(write) -> None:
    text = (
        "region,industry,year,employment,flag,note\n"  # line 1
        '"AT11","C29",2015,10,"",""\n'  # line 2
        '"AT12","C29",2015,5,"","two\nlines"\n'  # lines 3-4
        '"AT13","C29",2015,-1,"",""\n'  # line 5
    )
    with pytest.raises(ValueValidationError, match="negative") as info:
        load_tidy(write("quoted.csv", text))
    assert info.value.location.line == 5  # the record that starts on line 5 (line 3-4 is one record)


def test_line_break_inside_a_code_is_an_error(write) -> None:
    text = 'region,industry,year,employment\n"AT11","C29",2015,10\n"AT\n12","C29",2015,5\n'
    with pytest.raises(ValueValidationError, match="control character") as info:
        load_tidy(write("quoted.csv", text))
    assert info.value.location.line == 3 and info.value.location.column == "region"


def test_crlf_line_endings(write) -> None:
    text = "region;industry;year;employment\r\nAT11;C29;2015;10\r\nAT12;C29;2015;x\r\n"
    with pytest.raises(ValueValidationError) as info:
        load_tidy(write("crlf.csv", text))
    assert info.value.location.line == 3


def test_missing_column(write) -> None:
    path = write("obs.csv", "region,industry,employment\nAT11,C29,10\n")
    with pytest.raises(SchemaError, match="year") as info:
        load_tidy(path)
    assert info.value.location.line == 1 and info.value.location.column == "year"


def test_wrong_field_count(write) -> None:
    path = write("obs.csv", "region,industry,year,employment\nAT11,C29,2015,10\nAT12,C29,2015\n")
    with pytest.raises(SchemaError) as info:
        load_tidy(path)
    assert info.value.location.line == 3 and str(path) in str(info.value)


def test_negative_employment(write) -> None:
    with pytest.raises(ValueValidationError, match="negative") as info:
        load_tidy(write("obs.csv", "region,industry,year,employment\nAT11,C29,2015,-4\n"))
    assert info.value.location.line == 2 and info.value.location.column == "employment"


def test_unknown_flag(write) -> None:
    with pytest.raises(ValueValidationError, match="unknown flag") as info:
        load_tidy(write("obs.csv", GOOD.replace(",,c\n", ",,x\n")))
    assert info.value.location.line == 3 and info.value.location.column == "flag"


def test_duplicate_key(write) -> None:
    path = write("obs.csv", "region,industry,year,employment\nAT11,C29,2015,1\nAT12,C29,2015,2\nAT11,C29,2015,3\n")
    with pytest.raises(DuplicateKeyError) as info:
        load_tidy(path)
    assert info.value.location.line == 4 and "line 4" in str(info.value)


def test_bad_year(write) -> None:
    with pytest.raises(ValueValidationError, match="year") as info:
        load_tidy(write("obs.csv", "region,industry,year,employment\nAT11,C29,15.5,1\n"))
    assert info.value.location.line == 2


def test_truncated_gzip(write) -> None:
    body = "".join(f"R{i},C29,2015,{i}\n" for i in range(50000))
    packed = gzip.compress(("region,industry,year,employment\n" + body).encode())
    path = write("cut.csv.gz", packed[: len(packed) // 2])
    with pytest.raises(CorruptFileError) as info:
        load_tidy(path)
    assert str(path) in str(info.value) and "truncated" in str(info.value) and "line " in str(info.value)
