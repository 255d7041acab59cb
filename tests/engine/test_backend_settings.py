"""The DuckDB engine takes CLUSTERMAP_THREADS, CLUSTERMAP_MEMORY_LIMIT and CLUSTERMAP_TEMP_DIR; a bad value is a
typed error naming the variable; the CLI uses one engine connection per process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clustermap.engines import backends
from clustermap.errors import ParameterError
from clustermap.settings import get_settings


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _setting(con, name: str):
    return con.con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0]


def test_threads_memory_and_spill_directory(monkeypatch, tmp_path: Path, fresh_settings) -> None:
    monkeypatch.setenv("CLUSTERMAP_THREADS", "1")
    monkeypatch.setenv("CLUSTERMAP_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("CLUSTERMAP_TEMP_DIR", str(tmp_path / "spill"))
    con = backends.connect("duckdb")
    assert _setting(con, "threads") == 1
    assert _setting(con, "memory_limit") in ("488.2 MiB", "512.0 MB", "488.2MiB")
    assert _setting(con, "temp_directory") == str(tmp_path / "spill")


def test_bad_memory_limit_names_the_variable(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv("CLUSTERMAP_MEMORY_LIMIT", "lots")
    with pytest.raises(ParameterError, match="CLUSTERMAP_MEMORY_LIMIT"):
        backends.connect("duckdb")


def test_one_engine_connection_per_process() -> None:
    assert backends.engine("duckdb") is backends.engine("duckdb")


def test_spark_settings_start_from_the_defaults_and_take_overrides(monkeypatch, fresh_settings) -> None:
    assert backends.spark_conf() == backends.SPARK_DEFAULTS
    assert backends.SPARK_DEFAULTS["spark.ui.showConsoleProgress"] == "false"  # no progress bars on stderr
    monkeypatch.setenv("CLUSTERMAP_SPARK_CONF", " spark.sql.shuffle.partitions = 8 ,spark.sql.adaptive.enabled=false,")
    get_settings.cache_clear()
    conf = backends.spark_conf()
    assert conf["spark.sql.shuffle.partitions"] == "8"
    assert conf["spark.sql.adaptive.enabled"] == "false"
    assert conf["spark.driver.memory"] == backends.SPARK_DEFAULTS["spark.driver.memory"]


def test_a_bad_spark_setting_names_the_variable(monkeypatch, fresh_settings) -> None:
    monkeypatch.setenv("CLUSTERMAP_SPARK_CONF", "spark.sql.shuffle.partitions")
    with pytest.raises(ParameterError, match="CLUSTERMAP_SPARK_CONF"):
        backends.spark_conf()
