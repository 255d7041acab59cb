"""The shape of the query `clustermap map` runs on DuckDB: the category aggregate computed once, no flag aggregate
when no input row has a flag (and the flags kept when one has), and the engine's settings (bounded memory, no
insertion order)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustermap.api import resolve_categories
from clustermap.definitions.category_set import CategorySet
from clustermap.engines import backends
from clustermap.indicators.crosswalk import aggregate_to_categories
from clustermap.loaders.tidy import scan_tidy
from clustermap.mapping import map_observations

pytestmark = pytest.mark.duckdb

PANEL = "region,industry,year,employment{flag_col}\n" + "".join(
    f"{r},{i},2012,{e}{{flag_{r}{i}}}\n"
    for (r, i), e in zip(
        ((r, i) for r in ("A1", "A2", "A3") for i in ("X", "Y")), (5000, 3000, 1200, 900, 8000, 40), strict=True
    )
)


def _panel(tmp_path: Path, flags: dict[str, str] | None) -> Path:
    keys = {f"flag_{r}{i}": "" for r in ("A1", "A2", "A3") for i in ("X", "Y")}
    if flags is None:
        text = PANEL.format(flag_col="", **keys)
    else:
        keys.update({f"flag_{k}": v for k, v in flags.items()})
        text = PANEL.format(flag_col=",flag", **{k: f",{v}" for k, v in keys.items()})
    path = tmp_path / "panel.csv"
    path.write_text(text)
    return path


def _both_in_one() -> CategorySet:
    """X and Y in one category "xy": a crosswalk that needs the hash aggregate."""
    none = resolve_categories("none", ["X", "Y"])
    cw = none.crosswalk.assign(category="xy", category_name="X and Y")
    return dataclasses.replace(none, name="xy", crosswalk=cw, categories=cw.drop_duplicates("category"))


def _lazy(path: Path, categories: CategorySet | None = None):
    table = scan_tidy(path).table
    cats = categories or resolve_categories("none", ["X", "Y"])
    return map_observations(table, categories=cats, lazy=True, min_employment=0, total_base="input")


def test_the_category_aggregate_is_computed_once(tmp_path: Path) -> None:
    result = _lazy(_panel(tmp_path, None), _both_in_one())
    try:
        sql = ibis.to_sql(result.expr)
        # the aggregate's own column: once in the query, read by the region totals and the location quotients
        assert sql.count('AS "_unbounded"') == 1
        cells = result.cells.set_index("region")["employment"]
        assert cells.to_dict() == {"A1": 8000, "A2": 2100, "A3": 8040}
    finally:
        result.release()


def test_one_industry_per_category_needs_no_aggregate(tmp_path: Path) -> None:
    """With ``--categories none`` each cell is one input row: no GROUP BY over the input, the same cells."""
    result = _lazy(_panel(tmp_path, None))
    try:
        assert 'AS "_unbounded"' not in ibis.to_sql(result.expr)
        got = result.cells.set_index(["region", "category"])
        assert len(got) == 6 and got.loc[("A3", "Y"), "employment"] == 40
        assert (got["employment_low"] == got["employment"]).all()
    finally:
        result.release()


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["A1", "A2", "A3"]),
        st.sampled_from(["X", "Y", "Z"]),
        st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),  # employment (null: suppressed)
        st.booleans(),  # imputed
        st.one_of(st.none(), st.floats(0, 1e3, allow_nan=False)),  # establishments
    ),
    min_size=1,
    max_size=9,
    unique_by=lambda r: (r[0], r[1]),  # (region, industry, year) is the input's key
)


@settings(max_examples=60, deadline=None)
@given(rows=_ROWS)
def test_row_by_row_equals_the_aggregate(rows) -> None:
    """``aggregate_to_categories(one_to_one=True)`` equals the hash aggregate on a one-to-one crosswalk."""
    frame = pd.DataFrame(rows, columns=["region", "industry", "employment", "imputed", "establishments"])
    frame = frame.astype({"employment": "float64", "establishments": "float64", "imputed": bool}).assign(year=2012)
    t = ibis.memtable(frame)
    cw = ibis.memtable(
        pd.DataFrame({"industry": ["X", "Y", "Z"], "category": ["x", "y", "z"], "traded": True, "share": 1.0})
    )
    keys = ["region", "year", "category"]
    fast = aggregate_to_categories(t, cw, one_to_one=True).to_pandas().sort_values(keys).reset_index(drop=True)
    slow = aggregate_to_categories(t, cw).to_pandas().sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(fast[slow.columns], slow, check_dtype=False)


@pytest.mark.parametrize("flags", [None, {}])
def test_no_flag_aggregate_without_flags(tmp_path: Path, flags: dict[str, str] | None) -> None:
    result = _lazy(_panel(tmp_path, flags))  # no flag column, or a flag column of empty strings
    try:
        assert "BOOL_OR" not in ibis.to_sql(result.expr).upper()
        assert (result.cells["flags"] == "").all()
    finally:
        result.release()


def test_a_flagged_input_keeps_its_flags(tmp_path: Path) -> None:
    result = _lazy(_panel(tmp_path, {"A1X": "c", "A3Y": "e"}))
    try:
        got = result.cells.set_index(["region", "category"])["flags"]
        assert got[("A1", "X")] == "c" and got[("A3", "Y")] == "e" and got[("A2", "X")] == ""
    finally:
        result.release()


def test_the_engine_bounds_its_memory_and_keeps_no_insertion_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from clustermap.settings import get_settings

    monkeypatch.delenv("CLUSTERMAP_MEMORY_LIMIT", raising=False)
    get_settings.cache_clear()
    try:
        monkeypatch.setattr(backends, "_engines", {})
        con = backends.engine("duckdb").con
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("GiB") and float(limit.split()[0]) <= 1.5  # DuckDB's own default: 80 % of RAM
        assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0] is False
        monkeypatch.setenv("CLUSTERMAP_MEMORY_LIMIT", "700MB")
        get_settings.cache_clear()
        monkeypatch.setattr(backends, "_engines", {})
        limit = backends.engine("duckdb").con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.endswith("MiB") and float(limit.split()[0]) <= 700
    finally:
        monkeypatch.delenv("CLUSTERMAP_MEMORY_LIMIT", raising=False)
        get_settings.cache_clear()
