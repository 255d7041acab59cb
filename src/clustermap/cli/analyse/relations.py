"""``clustermap analyse innovation`` and ``prosperity``: patents and GDP per capita against cluster strength
(Figures 5, 6 and 10)."""

from __future__ import annotations

from typing import Annotated

import typer

from clustermap.cli._common import console
from clustermap.cli.analyse.options import (
    MirrorOpt,
    NutsOpt,
    OutOpt,
    TopOpt,
    WarehouseOpt,
    YearOpt,
    load_eu,
    load_us,
    mirror_of,
)
from clustermap.cli.analyse.output import SHARE_FORMATS, export, print_definitions, print_table
from clustermap.cli.failures import parse_years


def innovation(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    patent_years: Annotated[
        str | None,
        typer.Option(help="EPO priority years to average, e.g. 2010-2012 (default: the 3 latest up to the year)."),
    ] = None,
    per: Annotated[str, typer.Option(help="capita (population) or employee (the mapping's T[r]).")] = "capita",
    min_stars: Annotated[int | None, typer.Option(help="Strongest portfolios: at least this many stars.")] = None,
    us: Annotated[bool, typer.Option("--us/--no-us", help="Also US states (USPTO, CBP 2011).")] = False,
    top: TopOpt = 15,
    out: OutOpt = None,
) -> None:
    """Patents per capita (or per employee) against portfolio strength and strong-cluster share (Figures 5 and
    6): correlation, rank correlation, OLS with 95% confidence intervals, outliers, and how many of the strongest
    portfolios are in the top third by patents (the reference: 7 of 19)."""
    import pandas as pd

    from clustermap import analyses as an
    from clustermap.analyses import inputs
    from clustermap.reports._common import RELATION_COLUMNS

    eu = load_eu(warehouse, data_dir, nuts_version)
    y = an.select_year(eu.cells, year)
    root = mirror_of(data_dir)
    p = an.region_portfolios(eu.cells, year=y, mirror=root)
    years = parse_years(patent_years, "--patent-years")
    if years is None:
        path = inputs.mirror_file(inputs.EU_PATENTS_FILE, root, "EPO patent applications")
        have = sorted(int(t) for t in pd.read_csv(path, usecols=["time"])["time"].unique() if int(t) <= y)
        years = have[-3:]
    pat = inputs.eu_patents(years, nuts_version=eu.nuts_version or 2016, mirror=root)
    pop = inputs.eu_population(nuts_version=eu.nuts_version or 2016, mirror=root)
    table = an.innovation_table(p, pat, pop, per=per)
    tables = {f"EU {y} (patents {min(years)}-{max(years)})": table}
    if us:
        m = load_us(warehouse, data_dir, "state", None)
        uy = max(m.years)
        tables[f"US states {uy}"] = an.innovation_table(
            an.region_portfolios(m.cells, mirror=root),
            inputs.us_patents([uy], mirror=root),
            inputs.us_economy([uy], mirror=root),
            per=per,
        )
    rows = []
    n_cat = int(eu.cells.loc[eu.cells["year"] == y, "category"].nunique())
    k = min_stars if min_stars is not None else an.scaled_star_threshold(n_cat)
    for label, t in tables.items():
        for r in an.innovation_relations(t).values():
            rows.append({"sample": label, **r.summary()})
        ov = an.top_third_overlap(t, min_stars=k)
        console.print(
            f"{label}: {ov['in_top_third']} of the {ov['strongest']} regions with ≥ {k} stars are in "
            f"the top third by patents (expected if unrelated: {ov['expected_share']:.0%})."
        )
    stats = pd.DataFrame(rows)
    print_table(
        stats,
        "Patent rate (log10) against cluster strength",
        columns=["sample", "x", *RELATION_COLUMNS[1:]],
    )
    print_table(an.patents_by_portfolio_group(table, min_stars=k), "Patent rates by portfolio group (EU)")
    print_table(
        table,
        "Regions by patent rate (EU)",
        top=top,
        formats=SHARE_FORMATS,
        columns=[
            "patent_rank",
            "region",
            "name",
            "patent_rate",
            "portfolio_strength",
            "strong_share_traded",
            "top_third",
        ],
    )
    print_definitions([an.innovation.RATE_COLUMNS[per], "spearman_rho", "ols_slope", "outlier"])
    export(table, out)


def prosperity(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    subset: Annotated[str, typer.Option(help="EU15, EU27, EU28, EU27_2020, all, or country codes (DE,FR).")] = "EU15",
    exclude: Annotated[str, typer.Option(help="Countries to leave out (Figure 10: PT,EL).")] = "PT,EL",
    unit: Annotated[str, typer.Option(help="EUR_HAB or PPS_HAB.")] = "EUR_HAB",
    us: Annotated[bool, typer.Option("--us/--no-us", help="Also US states (BEA GDP, CBP 2011).")] = False,
    out: OutOpt = None,
) -> None:
    """GDP per capita against the strong-cluster share of employment (Figure 10: EU15 without Portugal and
    Greece), with correlation, rank correlation, OLS with 95% confidence intervals and outliers."""
    import pandas as pd

    from clustermap import analyses as an
    from clustermap.analyses import inputs
    from clustermap.reports._common import RELATION_COLUMNS

    eu = load_eu(warehouse, data_dir, nuts_version)
    y = an.select_year(eu.cells, year)
    root = mirror_of(data_dir)
    p = an.region_portfolios(eu.cells, year=y, mirror=root)
    gdp = inputs.eu_gdp(unit=unit, nuts_version=eu.nuts_version or 2016, mirror=root)
    table = an.prosperity_table(p, gdp)
    chosen = subset if "," not in subset else [c.strip() for c in subset.split(",")]
    ex = [c.strip() for c in exclude.split(",") if c.strip()]
    rels = {
        f"EU {subset}" + (f" without {','.join(ex)}" if ex else ""): an.prosperity_relation(
            table, subset=chosen, exclude=ex
        )
    }
    if us:
        m = load_us(warehouse, data_dir, "state", None)
        uy = max(m.years)
        ut = an.prosperity_table(an.region_portfolios(m.cells, mirror=root), inputs.us_economy([uy], mirror=root))
        rels[f"US states {uy}"] = an.prosperity_relation(ut)
    stats = pd.DataFrame([{"sample": k, **r.summary()} for k, r in rels.items()])
    print_table(
        stats,
        "GDP per capita against strong-cluster share of traded employment",
        columns=RELATION_COLUMNS,
    )
    sel = an.select_regions(table, chosen, exclude=ex).sort_values("gdp_per_capita", ascending=False)
    print_table(
        sel,
        "Regions",
        top=20,
        formats=SHARE_FORMATS | {"gdp_per_capita": "int"},
        columns=["region", "name", "gdp_per_capita", "strong_share_traded", "portfolio_strength"],
    )
    print_definitions(["gdp_per_capita", "strong_share_traded", "pearson_r", "ols_slope"])
    export(sel, out)
