"""Connections to the ibis backends clustermap runs on. Only connection and table registration live here; the
methodology (``clustermap.indicators``) is the same expressions on every backend."""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from clustermap.errors import BackendError, ParameterError, UnknownNameError

log = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("duckdb", "pyspark")
_counter = itertools.count()
_spark_session: Any = None
_engines: dict[str, Any] = {}
#: the DuckDB engine's memory limit when ``CLUSTERMAP_MEMORY_LIMIT`` is not set (DuckDB's own default is 80 % of
#: RAM): the CLI maps ten million rows within it and spills the rest of a larger input to the temp directory
ENGINE_MEMORY_LIMIT = "1.5GB"


def _spark(master: str = "local[2]") -> Any:
    """One shared local SparkSession per process (starting one takes seconds)."""
    global _spark_session
    if _spark_session is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BackendError("the pyspark backend needs `pip install clustermap[spark]` and Java 17+") from exc
        log.info("starting Spark (%s)", master)
        _spark_session = (
            SparkSession.builder.master(master)
            .appName("clustermap")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def duckdb_config() -> dict[str, str]:
    """DuckDB settings from :mod:`clustermap.settings`: ``threads``, ``memory_limit`` and the spill directory
    (``temp_directory``), as ``SET`` names and values; unset settings keep DuckDB's defaults."""
    from clustermap.settings import get_settings

    s = get_settings()
    config: dict[str, str] = {}
    if s.threads is not None:
        config["threads"] = str(s.threads)
    if s.memory_limit is not None:
        config["memory_limit"] = s.memory_limit
    temp = s.temp_dir if s.temp_dir is not None else Path(tempfile.gettempdir()) / f"clustermap-{os.getpid()}"
    config["temp_directory"] = str(temp)
    config["enable_progress_bar"] = "false"  # the CLI reports progress itself; DuckDB's bar garbles logs
    return config


def configure_duckdb(con: Any) -> Any:
    """Apply :func:`duckdb_config` to an ibis DuckDB connection; a bad value is a :class:`ParameterError`."""
    raw = con.con
    for name, value in duckdb_config().items():
        try:
            raw.execute(f"SET {name} = ?", [value])
        except Exception as exc:  # duckdb.InvalidInputException, ParserException …
            raise ParameterError(f"bad DuckDB setting {name}={value!r} (CLUSTERMAP_{name.upper()}): {exc}") from exc
    return con


def engine(backend: str = "duckdb") -> Any:
    """The process's one in-memory engine connection for ``backend`` (created on first use, configured with
    :func:`duckdb_config`); the CLI reads inputs, maps and writes results on it. A DuckDB engine does not keep
    insertion order (results that need an order say so) and uses at most :data:`ENGINE_MEMORY_LIMIT` unless
    ``CLUSTERMAP_MEMORY_LIMIT`` says otherwise."""
    if backend not in _engines:
        con = connect(backend)
        if backend == "duckdb":
            # the engine's results are ordered where order matters (ORDER BY), so DuckDB need not keep the
            # input's row order through a query: less memory, parallel writes
            con.con.execute("SET preserve_insertion_order = false")
            from clustermap.settings import get_settings

            if get_settings().memory_limit is None:  # bounded by default; spills to temp_directory beyond it
                con.con.execute(f"SET memory_limit = '{ENGINE_MEMORY_LIMIT}'")
        _engines[backend] = con
    return _engines[backend]


def connect(backend: str = "duckdb", *, path: str | Path | None = None, spark_master: str = "local[2]") -> Any:
    """An ibis connection: ``duckdb`` (in memory, or the warehouse file at ``path``) or ``pyspark``."""
    if backend == "duckdb":
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return configure_duckdb(ibis.duckdb.connect(str(path)))
        return configure_duckdb(ibis.duckdb.connect())
    if backend == "pyspark":
        return ibis.pyspark.connect(_spark(spark_master))
    raise UnknownNameError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")


def to_backend(con: Any, data: pd.DataFrame | pa.Table, name: str | None = None) -> ir.Table:
    """Register a small in-memory table on ``con`` as a temporary table and return it."""
    name = name or f"cm_tmp_{next(_counter)}"
    if isinstance(data, pd.DataFrame):
        # NaN in a float column becomes null here: a suppressed cell must stay null on every backend
        data = pa.Table.from_pandas(data, preserve_index=False)
    if con.name == "pyspark":
        # a session-scoped temporary view: nothing is written to a Spark warehouse directory
        con._session.createDataFrame(data).createOrReplaceTempView(name)
        return con.table(name)
    return con.create_table(name, data, temp=True, overwrite=True)
