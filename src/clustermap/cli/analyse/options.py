"""What every ``clustermap analyse`` sub-command shares on the way in: its options, where the warehouse and the
data mirror are, and the mapping results it reads (mapped now when the warehouse holds none)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clustermap.cli._common import MirrorOpt, WarehouseOpt, err

__all__ = [
    "MirrorOpt",
    "NutsOpt",
    "OutOpt",
    "TopOpt",
    "WarehouseOpt",
    "YearOpt",
    "load_eu",
    "load_us",
    "mirror_of",
    "warehouse_of",
]

YearOpt = Annotated[int | None, typer.Option("--year", help="EU year (default: the latest complete year).")]
NutsOpt = Annotated[
    int,
    typer.Option(
        "--nuts-version", help="NUTS version the SBS panel is harmonised to before mapping (0 = as published)."
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the main table to FILE (.csv .xlsx .parquet .json).")]
TopOpt = Annotated[int, typer.Option("--top", help="Rows to print.")]


def mirror_of(data_dir: Path | None) -> Path | None:
    """The data mirror: ``--data-dir`` or the configured one."""
    from clustermap.settings import get_settings

    return data_dir or get_settings().mirror()


def warehouse_of(path: Path | None) -> Path:
    """The warehouse file: ``--warehouse`` or the configured one."""
    from clustermap.settings import get_settings

    return path or get_settings().warehouse


def load_eu(warehouse: Path | None, data_dir: Path | None, nuts_version: int) -> Any:
    """EU mapping results from the warehouse; the main job runs first when it holds none (NUTS as published)."""
    from clustermap.analyses.inputs import eu_mapping

    with err.status("reading mapping results (mapping the Eurostat SBS panel if the warehouse has none)"):
        from clustermap.jobs import run_main_job

        return eu_mapping(
            warehouse_of(warehouse),
            mirror=mirror_of(data_dir),
            nuts_version=nuts_version or None,
            produce=run_main_job,
        )


def load_us(warehouse: Path | None, data_dir: Path | None, level: str, year: int | None) -> Any:
    """US mapping results (states or metro areas) from the warehouse, mapped from CBP when it holds none."""
    from clustermap.analyses.inputs import us_mapping

    with err.status(f"reading US {level} mapping results (mapping CBP if the warehouse has none)"):
        return us_mapping(warehouse_of(warehouse), mirror=mirror_of(data_dir), level=level, year=year)
