"""Connections to the ibis backends clustermap runs on. Only connection and table registration live here; the
methodology (``clustermap.indicators``) is the same expressions on every backend."""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from clustermap.errors import BackendError, ParameterError, UnknownNameError
from clustermap.schema import sql_string

log = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("duckdb", "pyspark")
_counter = itertools.count()
_spark_session: Any = None
_engines: dict[str, Any] = {}
#: the DuckDB engine's memory limit when ``CLUSTERMAP_MEMORY_LIMIT`` is not set (DuckDB's own default is 80 % of
#: RAM): the CLI maps ten million rows within it and spills the rest of a larger input to the temp directory
ENGINE_MEMORY_LIMIT = "1.5GB"


#: clustermap's Spark settings for local mode (measured on 2 cores: benchmarks/RESULTS.md, PySpark section);
#: ``CLUSTERMAP_SPARK_CONF`` overrides or adds to them
SPARK_DEFAULTS: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "4g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def spark_conf() -> dict[str, str]:
    """:data:`SPARK_DEFAULTS` updated with the ``key=value`` pairs of the ``spark_conf`` setting
    (``CLUSTERMAP_SPARK_CONF``, comma-separated); a pair without ``=`` is a :class:`ParameterError`."""
    from clustermap.settings import get_settings

    conf = dict(SPARK_DEFAULTS)
    for pair in (get_settings().spark_conf or "").split(","):
        if not pair.strip():
            continue
        key, eq, value = pair.partition("=")
        if not eq or not key.strip():
            raise ParameterError(f"bad Spark setting {pair.strip()!r} in CLUSTERMAP_SPARK_CONF: use key=value")
        conf[key.strip()] = value.strip()
    return conf


def spark_session(master: str = "local[2]") -> Any:
    """One shared local SparkSession per process (starting one takes seconds), with :func:`spark_conf`."""
    global _spark_session
    if _spark_session is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise BackendError("the pyspark backend needs `pip install clustermap[spark]` and Java 17+") from exc
        log.info("starting Spark (%s)", master)
        builder = SparkSession.builder.master(master).appName("clustermap")
        for key, value in spark_conf().items():
            builder = builder.config(key, value)
        _spark_session = builder.getOrCreate()
        _spark_session.sparkContext.setLogLevel("ERROR")
    return _spark_session


def _native_sort_compiler() -> Any:
    """A PySpark compiler for clustermap's connections that compiles an array sort (``ArraySort``, the threshold
    form's sorted values per group, :func:`clustermap.indicators.topk.kth_largest`) to Spark's native
    ``sort_array`` instead of ``array_sort``; ibis' own compiler is left as it is.

    Spark's one-argument ``array_sort`` sorts with its default comparator as a lambda evaluated for every
    comparison (interpreted, boxed values): the stars of a 2.1 M-row panel spent minutes in it (``jstack``:
    ``ArraySort.$anonfun$comparator``). ``sort_array`` is the built-in sort. The result is the same:
    ``array_sort`` puts nulls last, so the non-null values are sorted (``array_compact``) and the nulls appended;
    a null array stays null.
    """
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler

    def native_sort(self: Any, op: Any, *, arg: Any) -> Any:
        values = self.f.array_compact(arg)
        null = sge.Cast(this=sge.Null(), to=self.type_mapper.from_ibis(op.dtype.value_type))
        nulls = self.f.array_repeat(null, self.f.size(arg) - self.f.size(values))
        return self.f.concat(self.f.sort_array(values), nulls)

    class NativeSortCompiler(PySparkCompiler):
        pass

    # set after the class is made: ibis generates a visitor for each of its simple operations (ArraySort among
    # them) when a compiler class is created, over one written in the class body
    NativeSortCompiler.visit_ArraySort = native_sort
    return NativeSortCompiler()


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
        con = ibis.pyspark.connect(spark_session(spark_master))
        con.compiler = _native_sort_compiler()  # this connection's compiler only
        return con
    raise UnknownNameError(f"unknown backend {backend!r}; use one of {', '.join(BACKENDS)}")


def to_backend(
    con: Any,
    data: pd.DataFrame | pa.Table,
    name: str | None = None,
    *,
    labels: Mapping[str, Iterable[str]] | None = None,
) -> ir.Table:
    """Register a small in-memory table on ``con`` as a temporary table and return it.

    Parameters
    ----------
    labels
        text columns → the set of their possible values. On DuckDB each such column is stored as an ``ENUM`` of
        that set (one type per set: two columns given the same set join without a cast). A query carries an
        ENUM as a small integer and ``COPY … TO`` writes it into Parquet as a dictionary index: on the 10.5 M-row
        benchmark panel the category name alone cost 0.8 CPU s more to write as text, and the category codes and
        names as ENUMs with the text constants of :mod:`clustermap.engines.ctes` took the ``map`` command from
        14.7–15.9 to 12.9–14.0 CPU s (same minutes, same cells). ibis sees an ENUM as a string; every reader of
        the written file sees text. Ignored on PySpark.
    """
    name = name or f"cm_tmp_{next(_counter)}"
    if isinstance(data, pd.DataFrame):
        # NaN in a float column becomes null here: a suppressed cell must stay null on every backend
        data = pa.Table.from_pandas(data, preserve_index=False)
    if con.name == "pyspark":
        # a session-scoped temporary view: nothing is written to a Spark warehouse directory
        con._session.createDataFrame(data).createOrReplaceTempView(name)
        return con.table(name)
    table = con.create_table(name, data, temp=True, overwrite=True)
    for column, values in (labels or {}).items():
        members = ", ".join(sql_string(v) for v in sorted({str(v) for v in values}))
        con.con.execute(f'ALTER TABLE {name} ALTER "{column}" TYPE ENUM({members})')
    return table
