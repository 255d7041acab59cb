"""DuckDB warehouse: every load and every mapping run is one transaction — a failure leaves the file exactly as
it was.

Tables
------
``loads``         one row per load: dataset, source, file, sha256, rows read / kept / dropped by reason.
``observations``  canonical cells (:mod:`clustermap.schema`) of every loaded dataset, with ``dataset, load_id``.
``totals``        regional totals (``region, year, total`` in persons) for ``total_base = external``.
``runs``          one row per mapping run: methodology, parameters, category set, provenance, summary (JSON).
``results_stars`` / ``results_strong``  the cells of each run, with ``run_id``.
``published``     the run the web site and the API open on, one per region family (``EU``: NUTS codes, ``US``:
                  FIPS / CBSA codes); set by ``clustermap run`` and ``clustermap publish``, never by reports.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from clustermap.errors import UnknownNameError, WarehouseError
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
    """CREATE TABLE IF NOT EXISTS published (
        family VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, published_at TIMESTAMP)""",
]
#: region families a run can belong to: European NUTS codes or US FIPS / CBSA codes
FAMILIES = ("EU", "US")
_RESULT_TABLE = {"stars": "results_stars", "strong": "results_strong", "panorama": "results_panorama"}


class StoredRun(Protocol):
    """What :meth:`Warehouse.save_run` reads of a mapping result (:class:`clustermap.mapping.MappingResult` is
    one): the warehouse stands below the engine and knows results only by this shape."""

    @property
    def kind(self) -> str:
        """``stars`` or ``strong``: which results table the cells go to."""

    cells: pd.DataFrame
    summary: pd.DataFrame
    methodology: Any
    categories: Any
    provenance: dict[str, Any]


def region_family(codes: Any) -> str:
    """``US`` when every region code is numeric (state / county FIPS, CBSA codes), else ``EU`` (NUTS codes).

    Examples
    --------
    >>> region_family(["DE11", "FR10"]), region_family(["06", "31080"])
    ('EU', 'US')
    """
    codes = [str(c) for c in codes]
    return "US" if codes and all(c.isdigit() for c in codes) else "EU"


class Warehouse:
    """A DuckDB warehouse file (created on first use).

    Examples
    --------
    >>> wh = Warehouse(":memory:")
    >>> wh.datasets()
    []
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        if self.path != ":memory:" and not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:  # read_only: several processes (the site's workers) may read the file at once
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the warehouse {self.path}: {exc}") from exc
        for stmt in () if read_only else _DDL:
            self.con.execute(stmt)
        self._ibis: Any = None
        self._in_atomic = False

    # -- connections ---------------------------------------------------------------------------------------
    @property
    def ibis(self) -> Any:
        """An ibis connection on the same DuckDB database (for the engine)."""
        if self._ibis is None:
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def close(self) -> None:
        """Close the DuckDB connection."""
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- loads ---------------------------------------------------------------------------------------------
    @contextmanager
    def atomic(self, what: str = "the run") -> Iterator[Warehouse]:
        """Everything stored inside the block is one transaction: if the block raises, the warehouse is left
        exactly as it was (e.g. a ``run`` whose years are not in the data keeps no loaded rows)."""
        if self._in_atomic:
            yield self
            return
        self.con.execute("BEGIN TRANSACTION")
        self._in_atomic = True
        try:
            yield self
        except BaseException:
            self._in_atomic = False
            self.con.execute("ROLLBACK")
            raise
        self._in_atomic = False
        self.con.execute("COMMIT")

    def _transaction(self, work: Any, what: str) -> Any:
        if self._in_atomic:  # part of an enclosing atomic(): it commits or rolls back
            return work()
        try:
            with self.atomic(what):
                return work()
        except WarehouseError:
            raise
        except Exception as exc:
            raise WarehouseError(f"{what} failed; the warehouse is unchanged: {exc}") from exc

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
        """The datasets with observations loaded, sorted."""
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
        """The totals of a loaded totals dataset: ``region, year, total`` (persons)."""
        frame = self.con.execute(
            "SELECT region, year, total FROM totals WHERE dataset = ? ORDER BY year, region", [dataset]
        ).df()
        if frame.empty:
            raise UnknownNameError(f"no totals named {dataset!r} in {self.path}")
        return frame

    def loads(self) -> pd.DataFrame:
        """Every load (dataset, file, checksum, rows read / kept / dropped, notes), oldest first."""
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
    def save_run(self, result: StoredRun, *, dataset: str | None = None) -> str:
        """Store a mapping result (cells, summary, provenance) in one transaction; returns the run id."""
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        table = _RESULT_TABLE[result.kind]
        # cells the engine already wrote as Parquet are inserted from the file (INSERT … SELECT, no Python rows)
        parquet = result.parquet_written()
        cells = None if parquet is not None else pa.Table.from_pandas(result.cells, preserve_index=False)
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
            if parquet is not None:
                path = str(parquet).replace("'", "''")
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW _cells AS SELECT * FROM read_parquet('{path}')")
            else:
                self.con.register("_cells", cells)
            try:
                self.con.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} AS SELECT ''::VARCHAR AS run_id, * FROM _cells LIMIT 0"
                )
                self._add_new_columns(table)
                self.con.execute(f"INSERT INTO {table} BY NAME SELECT ? AS run_id, * FROM _cells", [run_id])
            finally:
                if parquet is not None:
                    self.con.execute("DROP VIEW IF EXISTS _cells")
                else:
                    self.con.unregister("_cells")
            return run_id

        return self._transaction(work, "storing the mapping run")

    def _add_new_columns(self, table: str) -> None:
        """Columns of ``_cells`` that ``table`` (made by an older version) lacks are added, null for older runs
        — e.g. ``employment_low, employment_high, imputation_policy, flags``."""
        have = {r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()}
        for name, kind, *_ in self.con.execute("DESCRIBE _cells").fetchall():
            if name not in have:
                self.con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {kind}')

    def runs(self) -> pd.DataFrame:
        """Every stored mapping run (id, dataset, methodology, kind, categories, parameters), oldest first."""
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

    # -- what the site opens on ----------------------------------------------------------------------------
    def run_family(self, run_id: str) -> str:
        """The region family (:data:`FAMILIES`) of a stored run, from its region codes."""
        row = self.con.execute("SELECT kind FROM runs WHERE run_id = ?", [run_id]).fetchone()
        if row is None:
            known = ", ".join(str(r) for r in self.runs()["run_id"].tolist()[-10:]) or "none"
            raise UnknownNameError(f"no run {run_id!r} in {self.path}; latest runs: {known}")
        table = _RESULT_TABLE[row[0]]
        codes = [
            r[0] for r in self.con.execute(f"SELECT DISTINCT region FROM {table} WHERE run_id = ?", [run_id]).fetchall()
        ]
        return region_family(codes)

    def publish(self, run_id: str) -> str:
        """Make ``run_id`` the run the site and the API open on for its region family; returns the family.
        Only ``clustermap run`` and ``clustermap publish`` call this: reports and analyses store runs without
        changing what visitors see."""
        family = self.run_family(run_id)

        def work() -> str:
            self.con.execute("DELETE FROM published WHERE family = ?", [family])
            self.con.execute(
                "INSERT INTO published VALUES (?, ?, ?)", [family, run_id, datetime.now(UTC).replace(tzinfo=None)]
            )
            return family

        return self._transaction(work, f"publishing run {run_id}")

    def published(self) -> dict[str, str]:
        """``family → run_id`` of the published runs (families without one are absent)."""
        rows = self.con.execute("SELECT family, run_id FROM published ORDER BY family").fetchall()
        return {str(f): str(r) for f, r in rows}
