"""DuckDB warehouse: every load and every mapping run is one transaction — a failure leaves the file exactly as
it was.

Tables
------
``loads``         one row per load: dataset, source, file, sha256, rows read / kept / dropped by reason.
``observations``  canonical cells (:mod:`clustermap.schema`) of every loaded dataset, with ``dataset, load_id``.
``totals``        regional totals (``region, year, total`` in persons) for ``total_base = external``.
``runs``          one row per mapping run: methodology, parameters, category set, provenance, summary (JSON).
``results_stars`` / ``results_strong``  the cells of each run, with ``run_id``.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from clustermap.errors import UnknownNameError, WarehouseError
from clustermap.mapping import MappingResult
from clustermap.provenance import LoadResult
from clustermap.schema import COLUMNS, to_arrow

log = logging.getLogger(__name__)

_DDL = [
    """CREATE TABLE IF NOT EXISTS loads (
        load_id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, kind VARCHAR NOT NULL, source VARCHAR,
        file VARCHAR, sha256 VARCHAR, url VARCHAR, rows_read BIGINT, rows_kept BIGINT, rows_dropped JSON,
        retrieved VARCHAR, loaded_at TIMESTAMP, notes JSON)""",
    """CREATE TABLE IF NOT EXISTS observations (
        dataset VARCHAR NOT NULL, region VARCHAR NOT NULL, industry VARCHAR NOT NULL, year BIGINT NOT NULL,
        employment DOUBLE, establishments DOUBLE, wages DOUBLE, flag VARCHAR, size_class VARCHAR,
        load_id VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS totals (
        dataset VARCHAR NOT NULL, region VARCHAR NOT NULL, year BIGINT NOT NULL, total DOUBLE,
        load_id VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY, created TIMESTAMP, dataset VARCHAR, methodology VARCHAR,
        methodology_version VARCHAR, kind VARCHAR, parameters JSON, categories VARCHAR, provenance JSON,
        summary JSON)""",
]
_RESULT_TABLE = {"stars": "results_stars", "strong": "results_strong", "panorama": "results_panorama"}


class Warehouse:
    """A DuckDB warehouse file (created on first use).

    Examples
    --------
    >>> wh = Warehouse(":memory:")
    >>> wh.datasets()
    []
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the warehouse {self.path}: {exc}") from exc
        for stmt in _DDL:
            self.con.execute(stmt)
        self._ibis: Any = None

    # -- connections ---------------------------------------------------------------------------------------
    @property
    def ibis(self) -> Any:
        """An ibis connection on the same DuckDB database (for the engine)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loads ---------------------------------------------------------------------------------------------
    def _transaction(self, work: Any, what: str) -> Any:
        self.con.execute("BEGIN TRANSACTION")
        try:
            out = work()
        except Exception as exc:
            self.con.execute("ROLLBACK")
            if isinstance(exc, WarehouseError):
                raise
            raise WarehouseError(f"{what} failed; the warehouse is unchanged: {exc}") from exc
        self.con.execute("COMMIT")
        return out

    def _record_load(self, dataset: str, kind: str, result: LoadResult) -> str:
        p = result.provenance
        load_id = uuid.uuid4().hex[:12]
        self.con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                dataset,
                kind,
                p.source,
                p.file,
                p.sha256,
                p.url,
                p.rows_read,
                p.rows_kept,
                json.dumps(p.rows_dropped),
                p.retrieved,
                datetime.now(UTC).replace(tzinfo=None),
                json.dumps(p.notes, default=str),
            ],
        )
        return load_id

    def load_observations(self, dataset: str, result: LoadResult) -> str:
        """Store a loader's canonical frame as ``dataset``, replacing an earlier load of the same name, in one
        transaction. Returns the load id."""
        arrow = to_arrow(result.frame)

        def work() -> str:
            load_id = self._record_load(dataset, "observations", result)
            self.con.execute("DELETE FROM observations WHERE dataset = ?", [dataset])
            self.con.register("_incoming", arrow)
            try:
                cols = ", ".join(COLUMNS)
                self.con.execute(
                    f"INSERT INTO observations (dataset, {cols}, load_id) SELECT ?, {cols}, ? FROM _incoming",
                    [dataset, load_id],
                )
            finally:
                self.con.unregister("_incoming")
            return load_id

        load_id = self._transaction(work, f"loading {dataset}")
        log.info("stored %d rows as dataset %s (load %s)", arrow.num_rows, dataset, load_id)
        return load_id

    def load_totals(self, dataset: str, result: LoadResult) -> str:
        """Store a ``region, year, total`` frame as the totals named ``dataset`` (one transaction)."""
        frame = result.frame[["region", "year", "total"]].copy()
        frame.attrs = {}
        arrow = pa.Table.from_pandas(frame, preserve_index=False)

        def work() -> str:
            load_id = self._record_load(dataset, "totals", result)
            self.con.execute("DELETE FROM totals WHERE dataset = ?", [dataset])
            self.con.register("_incoming", arrow)
            try:
                self.con.execute(
                    "INSERT INTO totals SELECT ?, region, CAST(year AS BIGINT), CAST(total AS DOUBLE), ? "
                    "FROM _incoming",
                    [dataset, load_id],
                )
            finally:
                self.con.unregister("_incoming")
            return load_id

        return self._transaction(work, f"loading totals {dataset}")

    def datasets(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT DISTINCT dataset FROM observations ORDER BY 1").fetchall()]

    def observations(self, dataset: str) -> ir.Table:
        """The cells of a loaded dataset as an ibis table on this warehouse."""
        if dataset not in self.datasets():
            raise UnknownNameError(
                f"no dataset {dataset!r} in {self.path}; loaded: {', '.join(self.datasets()) or 'none'}"
            )
        t = self.ibis.table("observations")
        return t.filter(t.dataset == dataset).select(*COLUMNS)

    def totals(self, dataset: str) -> pd.DataFrame:
        frame = self.con.execute(
            "SELECT region, year, total FROM totals WHERE dataset = ? ORDER BY year, region", [dataset]
        ).df()
        if frame.empty:
            raise UnknownNameError(f"no totals named {dataset!r} in {self.path}")
        return frame

    def loads(self) -> pd.DataFrame:
        return self.con.execute("SELECT * FROM loads ORDER BY loaded_at").df()

    def input_provenance(self, dataset: str) -> list[dict[str, Any]]:
        """Provenance of the latest load of ``dataset`` (observations or totals), as stored."""
        rows = self.con.execute(
            "SELECT dataset, kind, source, file, sha256, url, rows_read, rows_kept, rows_dropped, retrieved, "
            "load_id FROM loads WHERE dataset = ? ORDER BY loaded_at DESC LIMIT 1",
            [dataset],
        ).df()
        return rows.to_dict("records")

    # -- runs ----------------------------------------------------------------------------------------------
    def save_run(self, result: MappingResult, *, dataset: str | None = None) -> str:
        """Store a mapping result (cells, summary, provenance) in one transaction; returns the run id."""
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        table = _RESULT_TABLE[result.kind]
        cells = pa.Table.from_pandas(result.cells, preserve_index=False)
        m = result.methodology

        def work() -> str:
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    datetime.now(UTC).replace(tzinfo=None),
                    dataset,
                    m.name,
                    m.version,
                    m.kind,
                    json.dumps(m.parameters),
                    result.categories.name,
                    json.dumps(result.provenance, default=str),
                    result.summary.to_json(orient="records"),
                ],
            )
            self.con.register("_cells", cells)
            try:
                self.con.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} AS SELECT ''::VARCHAR AS run_id, * FROM _cells LIMIT 0"
                )
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS run_id, * FROM _cells", [run_id])
            finally:
                self.con.unregister("_cells")
            return run_id

        return self._transaction(work, "storing the mapping run")

    def runs(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT run_id, created, dataset, methodology, methodology_version, kind, categories, parameters "
            "FROM runs ORDER BY created"
        ).df()

    def run(self, run_id: str = "latest") -> tuple[dict[str, Any], pd.DataFrame]:
        """A run's record and its cells; ``latest`` is the newest run."""
        if run_id == "latest":
            row = self.con.execute("SELECT * FROM runs ORDER BY created DESC LIMIT 1").df()
        else:
            row = self.con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).df()
        if row.empty:
            raise UnknownNameError(f"no run {run_id!r} in {self.path}")
        record = row.iloc[0].to_dict()
        table = _RESULT_TABLE[record["kind"]]
        cells = self.con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {table} WHERE run_id = ? ORDER BY year, region, category",
            [record["run_id"]],
        ).df()
        return record, cells
