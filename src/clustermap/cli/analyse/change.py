"""``clustermap analyse change``: change between two years on one harmonised region set."""

from __future__ import annotations

from typing import Annotated

import typer

from clustermap.cli._common import err
from clustermap.cli.analyse.options import (
    MirrorOpt,
    NutsOpt,
    OutOpt,
    TopOpt,
    WarehouseOpt,
    load_eu,
)
from clustermap.cli.analyse.output import export, print_definitions, print_table


def change(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year_from: Annotated[int | None, typer.Option("--from", help="First year (default: the first mapped).")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="Second year (default: latest complete).")] = None,
    nuts_version: NutsOpt = 2016,
    by: Annotated[str, typer.Option(help="Employment growth by category, region or region_category.")] = "category",
    top: TopOpt = 30,
    out: OutOpt = None,
) -> None:
    """Change between two years on one harmonised region set: clusters that emerged, disappeared, gained or
    lost stars (star transition matrix), employment growth, and the share of employment in clusters by year."""
    from clustermap import analyses as an

    if not nuts_version:
        err.print("note: without --nuts-version the regions are as published and may differ between years")
    eu = load_eu(warehouse, data_dir, nuts_version)
    y1 = an.select_year(eu.cells, year_to)
    y0 = year_from if year_from is not None else min(eu.years)
    ch = an.star_changes(eu.cells, y0, y1)
    tm = an.transition_matrix(ch)
    print_table(tm.reset_index(), f"Star transitions {y0} → {y1} (rows: stars in {y0}; columns: stars in {y1})")
    print_table(an.change_summary(ch), "Cells by kind of change")
    print_table(
        an.cluster_shares_by_year(eu.cells, [y0, y1]),
        "Employment in clusters (regions of both years)",
        formats={
            "share_in_clusters": "pct",
            "strong_of_traded": "pct",
            "total_employment": "int",
            "traded_employment": "int",
            "cluster_employment": "int",
        },
    )
    growth = an.employment_growth(eu.cells, y0, y1, by=by)
    print_table(
        growth,
        f"Employment growth by {by}, {y0}-{y1}",
        top=top,
        formats={
            "growth": "pct",
            "annual_growth": "pct",
            "total_growth": "pct",
            "employment_from": "int",
            "employment_to": "int",
            "change": "int",
            "total_from": "int",
            "total_to": "int",
        },
    )
    a = ch.attrs
    err.print(
        f"{a['cells_in_one_year_only']:,} cells present in one year only: not comparable (never counted as 0); "
        f"{a['cells_flagged']:,} cells flagged b, i or u in either year (marked; left out of the growth of "
        f"categories and regions); {a['cells_imputed']:,} cells rest on imputed inputs, "
        f"{a['cells_undetermined']:,} of them changed within their published bounds (not determined); "
        f"{growth.attrs['groups_under_coverage']:,} groups under {growth.attrs['min_coverage']:.0%} published "
        "employment not ranked"
    )
    print_definitions(["star_transition", "employment_growth"])
    export(ch, out)
