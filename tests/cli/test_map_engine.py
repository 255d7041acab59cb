"""The shape of the query `clustermap map` runs on DuckDB: the category aggregate computed once, no flag aggregate
when no input row has a flag (and the flags kept when one has), and the engine's settings (bounded memory, no
insertion order)."""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest

from clustermap.api import resolve_categories
from clustermap.engines import backends
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


def _lazy(path: Path):
    table = scan_tidy(path).table
    cats = resolve_categories("none", ["X", "Y"])
    return map_observations(table, categories=cats, lazy=True, min_employment=0, total_base="input")


def test_the_category_aggregate_is_computed_once(tmp_path: Path) -> None:
    result = _lazy(_panel(tmp_path, None))
    try:
        sql = ibis.to_sql(result.expr)
        # the aggregate's own column: once in the query, read by the region totals and the location quotients
        assert sql.count('AS "_unbounded"') == 1
        assert len(result.cells) == 6
    finally:
        result.release()


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
