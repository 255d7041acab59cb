"""scan_tidy: the tidy file read and validated in DuckDB gives the same table and the same errors (class, line
or row, column) as the pandas reader ``load_tidy``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustermap.errors import DuplicateKeyError, EmptyInputError, InputError, SchemaError, ValueValidationError
from clustermap.loaders.tidy import load_tidy, scan_tidy
from clustermap.schema import COLUMNS

HEAD = "region,industry,year,employment"

# (file content, error class) — every case is one rule of clustermap.schema.validate_observations
BAD_CSV = [
    (f"{HEAD}\nAT11,C29,2015,10\nAT12,C29,2015,ten\n", ValueValidationError),
    (f"{HEAD}\n\nAT11,C29,2015,10\n\n\nAT12,C29,2015,ten\n\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,2015,-4\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,2015,inf\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,2015,2e12\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,20x5,1\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,2015.5,1\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,1800,1\n", ValueValidationError),
    (f"{HEAD}\n  ,C29,2015,1\n", ValueValidationError),
    (f'{HEAD}\nAT11,C29,2015,1\n"AT\n12",C29,2015,5\n', ValueValidationError),
    (f"{HEAD},flag\nAT11,C29,2015,1,\nAT12,C29,2015,,x\n", ValueValidationError),
    (f"{HEAD},size_class\nAT11,C29,2015,1,\nAT12,C29,2015,,Z\n", ValueValidationError),
    (f"{HEAD},establishments\nAT11,C29,2015,1,-1\n", ValueValidationError),
    (f"{HEAD}\nAT11,C29,2015,1\nAT12,C29,2015,2\nAT11,C29,2015,3\n", DuplicateKeyError),
    (f"{HEAD}\nAT11,C29,2015,10\nAT12,C29,2015\n", SchemaError),
    ("region,industry,employment\nAT11,C29,10\n", SchemaError),
    (f"{HEAD}\n", EmptyInputError),
    ("", EmptyInputError),
]


@pytest.mark.parametrize(("text", "error"), BAD_CSV)
@pytest.mark.parametrize("gz", [False, True])
def test_bad_csv_same_error_as_the_exact_reader(write, text: str, error: type, gz: bool) -> None:
    path = write("obs.csv.gz" if gz else "obs.csv", text, gz=gz)
    with pytest.raises(error) as exact:
        load_tidy(path)
    with pytest.raises(error) as scanned:
        scan_tidy(path)
    assert scanned.value.location == exact.value.location
    assert str(scanned.value) == str(exact.value)


def test_good_csv_same_table(write) -> None:
    text = (
        "Region;Industry;Year;Employment;Establishments;Flag;Size_Class;comment\n"
        " AT11 ;C29;2015;1200;7;;;x\n\nAT11;C30;2015;;;c;;y\nAT12;C29; 2015 ; 0 ;;p;;z\n01;325412;2016;;2;;F;\n"
    )
    path = write("obs.csv", text)
    exact = load_tidy(path)
    scanned = scan_tidy(path)
    got = scanned.table.to_pandas()
    pd.testing.assert_frame_equal(
        got[list(COLUMNS)].sort_values(["region", "industry"]).reset_index(drop=True),
        exact.frame.sort_values(["region", "industry"]).reset_index(drop=True),
        check_dtype=False,
    )
    assert got["region"].tolist()[0] == "AT11"  # trimmed
    assert scanned.provenance.rows_read == exact.provenance.rows_read == 4
    assert scanned.provenance.notes["ignored_columns"] == ["comment"]
    assert scanned.provenance.sha256 == exact.provenance.sha256


def _parquet(tmp_path: Path, **columns: list) -> Path:
    path = tmp_path / "obs.parquet"
    pd.DataFrame(columns).to_parquet(path)
    return path


def test_parquet_error_names_the_row_found_in_sql(tmp_path: Path) -> None:
    path = _parquet(
        tmp_path,
        region=["AT11", "AT12", "AT13", "AT14"],
        industry=["C29"] * 4,
        year=[2015] * 4,
        employment=[1.0, 2.0, -3.0, -4.0],
    )
    with pytest.raises(ValueValidationError) as info:
        scan_tidy(path)
    message = str(info.value)
    assert "row 3" in message and "employment" in message and "1 more" in message and "line" not in message
    assert info.value.location.line == 4
    with pytest.raises(ValueValidationError) as exact:
        load_tidy(path)
    assert str(exact.value) == message


def test_parquet_duplicate_names_the_second_row(tmp_path: Path) -> None:
    path = _parquet(
        tmp_path, region=["A", "B", "C", "B"], industry=["x"] * 4, year=[2015] * 4, employment=[1.0, 2.0, 3.0, 4.0]
    )
    with pytest.raises(DuplicateKeyError) as info:
        scan_tidy(path)
    assert "row 4" in str(info.value) and "region=B" in str(info.value)
    with pytest.raises(DuplicateKeyError) as exact:
        load_tidy(path)
    assert exact.value.location.line == info.value.location.line == 5


def test_parquet_nan_is_a_blank_and_numbers_stay_numbers(tmp_path: Path) -> None:
    path = _parquet(tmp_path, region=["A", "B"], industry=["x", "x"], year=[2015, 2015], employment=[np.nan, 5.0])
    got = scan_tidy(path).table.order_by("region").to_pandas()
    assert np.isnan(got["employment"][0]) and got["employment"][1] == 5.0
    assert got["flag"].tolist() == ["", ""] and got["year"].dtype == np.int64


def test_parquet_over_the_maximum(tmp_path: Path) -> None:
    path = _parquet(tmp_path, region=["A"], industry=["x"], year=[2015], employment=[1e154])
    with pytest.raises(ValueValidationError, match="maximum") as info:
        scan_tidy(path)
    assert info.value.location.line == 2


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1 this is not really parquet")
    with pytest.raises(InputError, match="Parquet"):
        scan_tidy(path)


codes = st.text(alphabet="AB ", min_size=0, max_size=3)
numbers = st.one_of(st.just(""), st.just("x"), st.just("-1"), st.integers(0, 3000).map(str), st.just("1e13"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(codes, codes, st.sampled_from(["2015", "2016", "15"]), numbers), max_size=5))
def test_scan_agrees_with_the_exact_reader(write, rows: list[tuple[str, str, str, str]]) -> None:
    """Any small file: both readers accept it with the same table, or reject it with the same error."""
    path = write("h.csv", HEAD + "\n" + "".join(",".join(r) + "\n" for r in rows))
    try:
        exact = load_tidy(path).frame
    except InputError as exc:
        with pytest.raises(type(exc)) as scanned:
            scan_tidy(path)
        assert scanned.value.location == exc.location
        return
    got = scan_tidy(path).table.to_pandas()[list(COLUMNS)]
    key = ["region", "industry", "year"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True), exact.sort_values(key).reset_index(drop=True), check_dtype=False
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.lists(
        st.tuples(
            st.sampled_from(["AT1", "BE2", "DE3", "FR10"]),
            st.sampled_from(["C10", "C29"]),
            st.sampled_from([2010, 2011]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_duplicate_rows_by_bitmap_and_by_hash_agree(keys: list[tuple[str, str, int]], monkeypatch) -> None:
    """The duplicate count of the region bitmaps equals the rows beyond the first of each key, as the hash
    aggregate used for very large key spaces counts them."""
    import duckdb

    import clustermap.schema as schema

    con = duckdb.connect()
    con.execute("CREATE TABLE k (region VARCHAR, industry VARCHAR, year BIGINT)")
    con.executemany("INSERT INTO k VALUES (?, ?, ?)", keys)
    expected = len(keys) - len(set(keys))
    assert schema._duplicate_rows(con, "(SELECT * FROM k)") == expected
    monkeypatch.setattr(schema, "_MAX_BITMAP_BITS", 0)
    assert schema._duplicate_rows(con, "(SELECT * FROM k)") == expected
