"""``clustermap analyse concentration`` and ``eu-us``: how concentrated each category is across regions
(section 2.2), in Europe against the United States (Figures 8 and 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clustermap.cli._common import console, err
from clustermap.cli.analyse.options import (
    MirrorOpt,
    NutsOpt,
    OutOpt,
    WarehouseOpt,
    YearOpt,
    load_eu,
    load_us,
    mirror_of,
)
from clustermap.cli.analyse.output import export, print_definitions, print_table


def concentration(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    out: OutOpt = None,
) -> None:
    """Per category: share of employment in strong clusters (section 2.2: on average 32%), locational Gini,
    Hoover and Herfindahl indices across regions."""
    from clustermap import analyses as an

    mapped = load_eu(warehouse, data_dir, nuts_version)
    y = an.select_year(mapped.cells, year)
    c = an.category_concentration(mapped.cells, year=y)
    print_table(
        c,
        f"Concentration of categories, {mapped.label}, {y}",
        formats={"employment": "int", "strong_share": "pct", "top_region_share": "pct"},
        columns=[
            "category",
            "employment",
            "clusters",
            "strong_share",
            "gini",
            "hoover",
            "herfindahl",
            "top_region",
            "top_region_share",
        ],
    )
    s = an.concentration_summary(c)
    console.print(
        f"Average strong share {s['mean_strong_share']:.0%} (pooled {s['pooled_strong_share']:.0%}); "
        f"from {s['min_strong_share']:.0%} ({s['min_category']}) to {s['max_strong_share']:.0%} "
        f"({s['max_category']})."
    )
    print_definitions(["category_strong_share", "gini", "hoover", "herfindahl"])
    export(c, out)


def eu_us(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    us_level: Annotated[
        str, typer.Option("--us-level", help="state (CBP 2000-2011) or cbsa (CBP 2018-2019).")
    ] = "state",
    us_year: Annotated[int | None, typer.Option(help="US CBP year (default 2011 for states, 2019 for CBSAs).")] = None,
    measure: Annotated[
        str, typer.Option(help="gini, hoover, eg (Ellison-Glaeser), herfindahl or strong_share.")
    ] = "gini",
    imputed: Annotated[
        str, typer.Option(help="Imputed cells on both sides: keep (their values) or exclude (unknown, never 0).")
    ] = "keep",
    us_county_file: Annotated[
        Path | None,
        typer.Option(
            "--us-county-file",
            help="A Census county CBP file (cbpYYco.txt): the US side becomes the 179 BEA economic areas.",
        ),
    ] = None,
    out: OutOpt = None,
) -> None:
    """EU vs US per category on the common category set (Figure 8: 32 of 38 categories more concentrated in
    the US), and the strong-cluster shares of both sides (Figure 9). Both sides from the same year (or the
    nearest complete EU year, said), the same handling of imputed cells, the region units in every label, and
    the verdict by Gini, Hoover and Ellison-Glaeser."""
    import pandas as pd

    from clustermap import analyses as an

    eu = load_eu(warehouse, data_dir, nuts_version)
    if us_county_file is not None:
        from types import SimpleNamespace

        cells = an.eu_us.us_economic_area_cells(us_county_file, mirror=mirror_of(data_dir))
        years = sorted(int(v) for v in cells["year"].unique())
        us_level = "economic_area"
        us = SimpleNamespace(
            cells=cells,
            years=years,
            label=f"US BEA economic areas (Census county CBP {years[-1]})",
            parameters={"suppression": "size-class"},
        )
    else:
        us = load_us(warehouse, data_dir, us_level, us_year)
    if year is None:
        complete = an.latest_complete_year(eu.cells)
        match = an.match_year(eu.years, max(us.years), complete=[v for v in eu.years if v <= complete])
        y = match["eu_year"]
        err.print(f"years: {match['note']}")
    else:
        y = an.select_year(eu.cells, year)
    eu_units = an.units_label(2)
    us_units = an.units_label(us_level)
    lfl = an.like_for_like(
        eu.cells,
        us.cells,
        eu_units=eu_units,
        us_units=us_units,
        eu_year=y,
        imputed=imputed,
        eu_policy=str(eu.parameters.get("suppression", "")) or None,
        us_policy=str(us.parameters.get("suppression", "")) or None,
    )
    err.print(f"confidential cells: {lfl['suppression_note']}")
    print_table(
        lfl["verdicts"].drop(columns=["text"]),
        f"Categories more concentrated over {us_units} ({lfl['us_year']}, {lfl['us_regions']}) than over "
        f"{eu_units} ({y}, {lfl['eu_regions']}); imputed cells: {imputed} on both sides",
        formats={"share_us": "pct"},
    )
    cmp = an.compare_concentration(
        an.category_concentration(eu.cells, year=y, imputed=imputed),
        an.category_concentration(us.cells, imputed=imputed),
        measure=measure,
        eu_units=eu_units,
        us_units=us_units,
    )
    print_table(
        cmp,
        f"Concentration by category ({measure}): {eu_units} {y} vs {us.label}",
        formats={
            "eu_strong_share": "pct",
            "us_strong_share": "pct",
            "eu_employment": "int",
            "us_employment": "int",
        },
    )
    v = an.concentration_verdict(cmp)
    console.print(f"{v['text']}; the reference: 32 of 38 (US regions not named).")
    res = an.compare_strong_shares(
        an.region_shares(eu.cells, year=y, names=False), an.region_shares(us.cells, names=False)
    )
    fig9 = pd.DataFrame({"EU": res["eu"], "US": res["us"]}).loc[["max", "mean", "median", "min", "n"]]
    print_table(
        fig9.reset_index(names="statistic").rename(columns={"EU": eu_units, "US": us_units}),
        f"Strong-cluster share across regions (Figure 9): {eu_units} {y}, {us.label}",
        formats={eu_units: "pct", us_units: "pct"},
    )
    print_definitions(
        [measure if measure != "strong_share" else "category_strong_share", "more_concentrated_in_us", "eg"]
    )
    export(cmp, out)
