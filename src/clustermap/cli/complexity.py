"""``clustermap complexity`` — relatedness and economic complexity of regions and industries.

A plain function with typer options, registered by :mod:`clustermap.cli.main` as ``app.command("complexity")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clustermap.cli._common import err as _err
from clustermap.errors import ParameterError

#: columns whose values repeat along the rectangle (per region, per industry or per year): Parquet dictionary
#: encoding pays off on them; on the others (rca, density, cog: nearly all distinct) pyarrow would build a
#: dictionary per page only to give it up (measured on the 28.9 M-row output: 4.0 CPU s instead of 5.3)
REPEATED = ("region", "industry", "year", "mcp", "diversity", "ubiquity", "eci", "pci", "coi")


def _write_cells(cells: Any, out: Path, write_table: Any) -> None:
    """The cells to ``out``: Parquet through pyarrow with dictionaries on :data:`REPEATED` only (the same
    schema and pandas metadata as ``DataFrame.to_parquet``), other formats by ``write_table``."""
    from clustermap.exports import format_of

    if format_of(out) != "parquet":
        write_table(cells, out)
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(cells, preserve_index=False), out, use_dictionary=list(REPEATED))


def complexity(
    input: Annotated[
        Path,
        typer.Option("--input", help="Tidy CSV/Parquet: region, industry, year, employment (blank = suppressed)."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output .csv/.parquet/.json/.xlsx, one row per region x industry x year: region, industry, year, "
            "rca, mcp, diversity, ubiquity, eci, pci, density, coi, cog.",
        ),
    ],
    proximity: Annotated[
        Path | None,
        typer.Option(
            "--proximity",
            help="Also write the industry x industry proximity table (year, industry_1, industry_2, proximity) here.",
        ),
    ] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="mcp = 1 iff rca >= this (default 1).")] = 1.0,
    missing: Annotated[
        str,
        typer.Option("--missing", help="Cells with no employment: 'error' (default) or 'drop' them from the matrix."),
    ] = "error",
    backend: Annotated[
        str, typer.Option("--backend", help="Engine for RCA and presence: duckdb or pyspark.")
    ] = "duckdb",
) -> None:
    """Relatedness and economic complexity per region x industry x year (py-ecomplexity's definitions).

    rca = (x[r,i] / x[r,.]) / (x[.,i] / x) (Balassa); mcp = 1 if rca >= threshold; diversity = industries a region
    has (mcp = 1), ubiquity = regions an industry is present in; eci / pci = the eigenvector of the second largest
    eigenvalue of the region-industry network (Hidalgo-Hausmann), standardised, ECI signed to correlate
    positively with diversity; proximity[i,j] = share of regions having both, over the larger ubiquity; density =
    proximity-weighted share of the related industries a region has; coi = complexity outlook index, cog =
    complexity outlook gain. Each year is computed on its own regions and industries with positive totals.
    """
    from clustermap.complexity import complexity as run_complexity
    from clustermap.engines.backends import connect
    from clustermap.exports import format_of, write_table
    from clustermap.loaders.tidy import load_tidy

    format_of(out)
    if proximity is not None:
        format_of(proximity)
    if missing not in ("error", "drop"):
        raise ParameterError(f"--missing must be 'error' or 'drop', not {missing!r}")
    frame = load_tidy(input).frame
    res = run_complexity(
        frame, threshold=threshold, missing=missing, with_proximity=proximity is not None, con=connect(backend)
    )  # type: ignore[arg-type]
    _write_cells(res.cells, out, write_table)
    if proximity is not None and res.proximity is not None:
        write_table(res.proximity, proximity)
    n = res.notes
    years = sorted(res.cells["year"].unique().tolist())
    _err.print(
        f"{len(res.cells):,} region x industry x year rows ({n['cells_present']:,} cells with employment, "
        f"{n['missing_cells_dropped']:,} without employment dropped) for {len(years)} year(s); wrote {out}"
        + (f" and {proximity}" if proximity is not None else ""),
        highlight=False,
    )
