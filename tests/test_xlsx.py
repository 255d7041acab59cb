"""The column-wise XLSX writer: a hand-checked sheet read back cell by cell with openpyxl, a round trip property
for any table of numbers, text and booleans, and the main job's real cells equal to what pandas' openpyxl
writer gives."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustermap.errors import ParameterError
from clustermap.xlsx import column_letters, write_xlsx


def _sheet(path: Path) -> list[list[tuple[object, str]]]:
    ws = openpyxl.load_workbook(path)["data"]
    return [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]


def test_column_letters() -> None:
    assert [column_letters(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16_383)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_every_kind_of_cell_reads_back_as_written(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "region": ["AT11", 'x<&>"y', "=1+2", "", None],
            "year": [2008, 2009, 2010, 2011, 2012],
            "lq": [0.5, 1 / 3, float("nan"), float("inf"), 1e20],
            "strong": [True, False, True, False, None],
            "bad": ["a\x00b\x1fc", "tab\tok", "line\nok", "é ü ✓", "x"],
        }
    )
    path = write_xlsx(frame, tmp_path / "t.xlsx")
    rows = _sheet(path)
    assert rows[0] == [(c, "s") for c in frame.columns]
    assert rows[1] == [("AT11", "s"), (2008, "n"), (0.5, "n"), (True, "b"), ("abc", "s")]
    # text is never a formula; NaN and inf are empty (never 0); an empty string is an empty cell
    assert rows[2] == [('x<&>"y', "s"), (2009, "n"), (1 / 3, "n"), (False, "b"), ("tab\tok", "s")]
    assert rows[3] == [("=1+2", "s"), (2010, "n"), (None, "n"), (True, "b"), ("line\nok", "s")]
    assert rows[4] == [(None, "n"), (2011, "n"), (None, "n"), (False, "b"), ("é ü ✓", "s")]
    assert rows[5] == [(None, "n"), (2012, "n"), (1e20, "n"), (None, "n"), ("x", "s")]
    ws = openpyxl.load_workbook(path, read_only=True)["data"]
    assert (ws.max_row, ws.max_column) == (6, 5)  # the sheet's dimension is declared
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None


def test_empty_tables_and_sheet_names(tmp_path: Path) -> None:
    path = write_xlsx(pd.DataFrame({"a": pd.Series([], dtype="float64")}), tmp_path / "e.xlsx", sheet="x" * 40)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["x" * 31]
    assert [[c.value for c in r] for r in wb.active.iter_rows()] == [["a"]]
    assert pd.read_excel(write_xlsx(pd.DataFrame(), tmp_path / "none.xlsx")).empty


def test_a_table_beyond_a_sheet_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clustermap.xlsx as xlsx

    monkeypatch.setattr(xlsx, "XLSX_MAX_ROWS", 3)
    with pytest.raises(ParameterError, match="do not fit an XLSX sheet"):
        write_xlsx(pa.table({"a": [1, 2, 3]}), tmp_path / "big.xlsx")
    write_xlsx(pa.table({"a": [1, 2]}), tmp_path / "fits.xlsx")


def test_rows_past_one_batch_keep_their_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clustermap.xlsx as xlsx

    monkeypatch.setattr(xlsx, "_BATCH_ROWS", 7)
    frame = pd.DataFrame({"i": range(30), "s": [f"r{i}" for i in range(30)]})
    back = pd.read_excel(write_xlsx(frame, tmp_path / "b.xlsx"))
    pd.testing.assert_frame_equal(back, frame)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n <&>"), max_size=12)
_floats = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.none()


@settings(max_examples=30, deadline=None)
@given(
    ints=st.lists(st.integers(-(2**53), 2**53), min_size=1, max_size=20),
    data=st.data(),
)
def test_round_trip_of_numbers_text_and_booleans(tmp_path_factory: pytest.TempPathFactory, ints, data) -> None:
    n = len(ints)
    floats = data.draw(st.lists(_floats, min_size=n, max_size=n))
    texts = data.draw(st.lists(_text | st.none(), min_size=n, max_size=n))
    flags = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    table = pa.table({"i": ints, "f": pa.array(floats, pa.float64()), "t": texts, "b": flags})
    path = write_xlsx(table, tmp_path_factory.mktemp("rt") / "p.xlsx")
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)["data"].iter_rows()]
    assert rows[0] == ["i", "f", "t", "b"]
    for (i, f, t, b), row in zip(zip(ints, floats, texts, flags, strict=True), rows[1:], strict=True):
        assert row[0] == i
        if f is None or not math.isfinite(f):
            assert row[1] is None  # missing is never 0
        else:
            assert row[1] == f  # the shortest text that reads back to the same double
        assert row[2] == (t or None)  # "" is an empty cell
        assert row[3] is b


@pytest.mark.realdata
def test_the_main_job_cells_read_back_as_pandas_openpyxl_writes_them(tmp_path: Path, mirror: Path) -> None:
    from clustermap.jobs import sbs_two_way

    cells, _ = sbs_two_way(mirror=mirror, years=[2012])
    ours = pd.read_excel(write_xlsx(cells, tmp_path / "ours.xlsx"))
    cells.to_excel(tmp_path / "theirs.xlsx", index=False, sheet_name="data", engine="openpyxl")
    theirs = pd.read_excel(tmp_path / "theirs.xlsx")
    pd.testing.assert_frame_equal(ours, theirs)
