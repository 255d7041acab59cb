"""A tidy file scanned for PySpark (validated by DuckDB, read by ``spark.read``) gives the same canonical rows as
the DuckDB view of it: typed Parquet columns cast as they are (NaN a blank), text trimmed only where it needs it,
and the industry list answered by DuckDB."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustermap.engines.backends import connect
from clustermap.loaders.tidy import scan_tidy

pytestmark = pytest.mark.pyspark

KEY = ["region", "industry", "year"]


@pytest.fixture(scope="module")
def spark() -> object:
    return connect("pyspark")


def _rows(table: object) -> pd.DataFrame:
    frame = table.to_pyarrow().to_pandas()  # type: ignore[attr-defined]
    return frame.sort_values(KEY).reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_typed_parquet_nan_is_a_blank_and_padded_codes_are_trimmed(tmp_path: Path, spark: object) -> None:
    """Hand-checked: NaN employment is a suppressed (null) cell on Spark as on DuckDB, not a NaN that poisons
    every sum; a padded code loses its blanks; integer and float columns keep their values."""
    path = tmp_path / "panel.parquet"
    pq.write_table(
        pa.table(
            {
                "region": [" A1 ", "A1", "A2"],
                "industry": ["X", "Y", "X"],
                "year": pa.array([2012, 2012, 2013], pa.int32()),
                "employment": [float("nan"), 12.5, 300.0],
                "establishments": pa.array([1, 2, 3], pa.int64()),
                "flag": ["c", "", None],
            }
        ),
        path,
    )
    on_spark = scan_tidy(path, con=spark)
    got = _rows(on_spark.table)
    assert got["region"].tolist() == ["A1", "A1", "A2"]
    assert got["year"].tolist() == [2012, 2012, 2013]
    assert got["employment"].isna().tolist() == [True, False, False]
    # null, not a NaN that Spark would add up: the total skips the blank cell
    assert on_spark.table.employment.sum().to_pyarrow().as_py() == 312.5
    assert on_spark.table.employment.isnull().sum().to_pyarrow().as_py() == 1
    assert got["employment"].tolist()[1:] == [12.5, 300.0]
    assert got["establishments"].tolist() == [1.0, 2.0, 3.0]
    assert got["flag"].tolist() == ["c", "", ""]
    assert sorted(on_spark.scannable.select("industry").distinct().to_pyarrow()["industry"].to_pylist()) == ["X", "Y"]
    assert on_spark.checked is not None and on_spark.checked._find_backend().name == "duckdb"
    _same(got, _rows(scan_tidy(path).table))


def test_text_csv_on_spark_equals_duckdb(tmp_path: Path, spark: object) -> None:
    """A CSV (every column text) is trimmed and parsed as on DuckDB: blank employment is null, ' 7 ' is 7."""
    path = tmp_path / "panel.csv"
    path.write_text("region,industry,year,employment\nA1, X ,2012, 7 \nA2,X,2012,\nA2,Y,2013,40.5\n")
    on_spark = scan_tidy(path, con=spark)
    got = _rows(on_spark.table)
    assert got["industry"].tolist() == ["X", "X", "Y"]
    assert got["employment"].tolist()[0] == 7.0 and math.isnan(got["employment"].tolist()[1])
    assert sorted(on_spark.scannable.select("industry").distinct().to_pyarrow()["industry"].to_pylist()) == ["X", "Y"]
    _same(got, _rows(scan_tidy(path).table))


codes = st.text(alphabet="AB1 ", min_size=1, max_size=4).filter(lambda s: s.strip() != "")
values = st.one_of(st.just(float("nan")), st.floats(min_value=0, max_value=1e9, allow_nan=False))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(codes, codes, values), min_size=1, max_size=12, unique_by=lambda r: r[:2]))
def test_parquet_scanned_for_spark_equals_the_duckdb_view(tmp_path: Path, spark: object, rows: list) -> None:
    """Property: whatever the padding and the NaNs, the Spark table has the DuckDB view's rows and values."""
    keys = {(r.strip(), i.strip()) for r, i, _ in rows}
    if len(keys) < len(rows):  # codes equal once trimmed are duplicate keys: an input error, not this property
        return
    path = tmp_path / "p.parquet"
    pq.write_table(
        pa.table(
            {
                "region": [r for r, _, _ in rows],
                "industry": [i for _, i, _ in rows],
                "year": [2015] * len(rows),
                "employment": [v for _, _, v in rows],
            }
        ),
        path,
    )
    _same(_rows(scan_tidy(path, con=spark).table), _rows(scan_tidy(path).table))
