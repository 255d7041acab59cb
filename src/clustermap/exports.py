"""Writing result tables to files: CSV, Parquet, JSON (records), XLSX — chosen by the file's extension.

:func:`write_table` writes a pandas frame; :func:`write_expr` has the engine write an ibis table itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustermap.errors import ParameterError
from clustermap.schema import sql_string

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

FORMATS = ("csv", "parquet", "json", "xlsx")


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else the file extension."""
    chosen = (fmt or Path(path).suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ParameterError(
            f"cannot write {path}: format must be one of {', '.join(FORMATS)} (by extension or --format)"
        )
    return chosen


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None, *, sheet: str = "data") -> Path:
    """Write ``frame`` to ``path``; returns the path. Parent directories are created."""
    path = Path(path)
    kind = format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "parquet":
        frame.to_parquet(path, index=False)
    elif kind == "json":
        frame.to_json(path, orient="records", indent=1)
    else:
        import pandas as pd

        if len(frame) > XLSX_MAX_ROWS - 1:
            raise ParameterError(
                f"cannot write {path}: {len(frame):,} rows do not fit an XLSX sheet "
                f"({XLSX_MAX_ROWS - 1:,} rows at most); write .parquet or .csv"
            )
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            frame.to_excel(xl, sheet_name=sheet[:31], index=False)
    return path


#: Rows an XLSX sheet holds, the header row included.
XLSX_MAX_ROWS = 1_048_576


def write_expr(expr: ir.Table, path: str | Path, fmt: str | None = None) -> tuple[Path, ir.Table | None]:
    """Have the engine write an ibis table to ``path``: DuckDB ``COPY … TO`` (Parquet, CSV with a header, JSON
    records), PySpark ``DataFrame.write`` (one part, moved to ``path``); nothing passes through pandas except an
    XLSX sheet.

    Returns
    -------
    path, written
        the path, and the file written read back as a lazy table of the same engine (``None`` for XLSX), for
        summaries that should not run the query again.

    Raises
    ------
    ParameterError
        XLSX for a table of more than :data:`XLSX_MAX_ROWS` - 1 rows (a sheet's limit).
    """
    path = Path(path)
    kind = format_of(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = expr._find_backend()
    if kind == "xlsx":
        rows = int(expr.count().to_pyarrow().as_py())
        if rows > XLSX_MAX_ROWS - 1:
            raise ParameterError(
                f"cannot write {path}: {rows:,} rows do not fit an XLSX sheet ({XLSX_MAX_ROWS - 1:,} rows at most); "
                "write .parquet or .csv"
            )
        write_table(expr.to_pyarrow().to_pandas(), path, kind)
        return path, None
    if con.name == "pyspark":
        _spark_write(con, expr, path, kind)
        reader = con._session.read
        frame = reader.parquet(str(path)) if kind == "parquet" else None
        if kind == "csv":
            frame = reader.option("header", "true").option("inferSchema", "true").csv(str(path))
        if kind == "json":
            frame = reader.json(str(path))
        name = f"cm_written_{abs(hash(str(path)))}"
        frame.createOrReplaceTempView(name)
        return path, con.table(name)
    from clustermap.engines.ctes import duckdb_sql

    options = {"parquet": "FORMAT PARQUET", "csv": "FORMAT CSV, HEADER true", "json": "FORMAT JSON, ARRAY true"}
    target = sql_string(str(path))
    con.raw_sql(f"COPY ({duckdb_sql(con, expr)}) TO {target} ({options[kind]})")
    if kind == "parquet":
        return path, con.read_parquet(path)
    if kind == "csv":
        return path, con.read_csv(path)
    return path, con.read_json(path)


def _spark_write(con: Any, expr: ir.Table, path: Path, kind: str) -> None:
    """Spark writes the parts in parallel (one per task) into a directory beside ``path``; they are then joined
    into ``path`` in part order (:func:`_join_parts`), which keeps the rows' order (an ordered query's parts are
    its ranges, in order). No row passes through the Spark driver.

    ``coalesce(1)`` before the write would give one part directly, but it runs the whole last stage (the final
    sort and the joins after the last shuffle) as a single task: on a 9.2 M-row panel that one task ran for
    more than 11 minutes while the other core idled.
    """
    import shutil
    import tempfile

    df = con._session.sql(con.compile(expr))
    tmp = Path(tempfile.mkdtemp(prefix=".cm-write-", dir=path.parent))
    try:
        target = str(tmp / "out")
        if kind == "parquet":
            df.write.mode("overwrite").parquet(target)
        elif kind == "csv":
            df.write.mode("overwrite").option("header", "true").csv(target)
        else:
            df.write.mode("overwrite").json(target)
        parts = sorted(p for p in (tmp / "out").iterdir() if p.name.startswith("part-"))
        if not parts:
            raise ParameterError(f"cannot write {path}: Spark wrote no part")
        _join_parts(parts, path, kind)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _join_parts(parts: list[Path], path: Path, kind: str) -> None:
    """Join Spark's part files into one file ``path``, streaming: Parquet row group by row group (one schema),
    CSV with the header of the first part only, JSON lines as they are."""
    import shutil

    if len(parts) == 1:
        shutil.move(str(parts[0]), path)
        return
    if kind == "parquet":
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(parts[0]).schema_arrow
        with pq.ParquetWriter(path, schema) as writer:
            for part in parts:
                pf = pq.ParquetFile(part)
                for group in range(pf.num_row_groups):
                    writer.write_table(pf.read_row_group(group).cast(schema))
        return
    with open(path, "wb") as out:
        for i, part in enumerate(parts):
            with open(part, "rb") as fh:
                if kind == "csv" and i > 0:
                    fh.readline()  # every part repeats the header
                shutil.copyfileobj(fh, out, 1 << 20)
