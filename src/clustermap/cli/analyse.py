"""``clustermap analyse`` — the analyses of chapter 2 of SEC(2008) 2637 from the command line.

Every subcommand reads the EU mapping results from the warehouse (its latest matching run) or maps the Eurostat
SBS panel now and stores it there, prints rich tables and, with ``--out FILE``, writes its main table (CSV,
XLSX, Parquet or JSON by extension). Missing inputs stop with a message naming them (exit status 2).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from clustermap.errors import ClustermapError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    help="Analyses of mapping results (SEC(2008) 2637 chapter 2): portfolios, employment in clusters, "
    "concentration, EU vs US, innovation, prosperity, change over time.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 150)

WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [env CLUSTERMAP_WAREHOUSE].")
]
MirrorOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Local mirror of the publishers' files [env CLUSTERMAP_DATA_DIR].")
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


# ---------------------------------------------------------------------------------------------- helpers


def fail(exc: ClustermapError) -> None:
    """Print a clustermap error as one line and exit with its status."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=getattr(exc, "exit_code", 1))


def mirror_of(data_dir: Path | None) -> Path | None:
    from clustermap.settings import get_settings

    return data_dir or get_settings().mirror()


def warehouse_of(path: Path | None) -> Path:
    from clustermap.settings import get_settings

    return path or get_settings().warehouse


def years_of(text: str | None) -> list[int] | None:
    """``2010-2012`` or ``2010,2012`` → list of years."""
    if not text:
        return None
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(int(a), int(b) + 1))
        elif part.strip():
            out.append(int(part))
    return out


def _cell(v: Any, kind: str | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float) and not isinstance(v, bool):
        if kind == "pct":
            return f"{v:.1%}"
        if kind == "int":
            return f"{v:,.0f}"
        if kind == "year":
            return f"{v:.0f}"
        return f"{v:,.3f}" if abs(v) < 10 and not float(v).is_integer() else f"{v:,.0f}"
    return str(v)


def print_table(
    frame: pd.DataFrame,
    title: str,
    *,
    formats: dict[str, str] | None = None,
    top: int | None = None,
    columns: list[str] | None = None,
) -> None:
    """Print a frame as a rich table (shares as %, counts with separators)."""
    import pandas as pd

    formats = formats or {}
    f = frame[[c for c in columns if c in frame.columns]] if columns else frame
    shown = f.head(top) if top else f
    t = RichTable(
        title=title + (f" (first {len(shown)} of {len(f)})" if len(shown) < len(f) else ""), title_justify="left"
    )
    numeric = {c: pd.api.types.is_numeric_dtype(f[c]) and not pd.api.types.is_bool_dtype(f[c]) for c in f.columns}
    for c in f.columns:
        t.add_column(str(c), justify="right" if numeric[c] else "left")
    from clustermap.reports.render import row_kind

    by_row = "statistic" in f.columns  # a table of statistics by row: its count rows (n) print as counts
    for row in shown.itertuples(index=False, name=None):
        stat = row[list(f.columns).index("statistic")] if by_row else None
        t.add_row(
            *[
                _cell(
                    v.item() if hasattr(v, "item") else v,
                    row_kind(stat, formats.get(c))
                    if by_row and c != "statistic"
                    else formats.get(c, "year" if "year" in str(c) else None),
                )
                for c, v in zip(f.columns, row, strict=True)
            ]
        )
    console.print(t)


def export(frame: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        return
    from clustermap.exports import write_table

    path = write_table(frame.reset_index(drop=True), out)
    err.print(f"wrote {path}")


def load_eu(warehouse: Path | None, data_dir: Path | None, nuts_version: int) -> Any:
    from clustermap.analyses.inputs import eu_mapping

    with err.status("reading mapping results (mapping the Eurostat SBS panel if the warehouse has none)"):
        return eu_mapping(warehouse_of(warehouse), mirror=mirror_of(data_dir), nuts_version=nuts_version or None)


def load_us(warehouse: Path | None, data_dir: Path | None, level: str, year: int | None) -> Any:
    from clustermap.analyses.inputs import us_mapping

    with err.status(f"reading US {level} mapping results (mapping CBP if the warehouse has none)"):
        return us_mapping(warehouse_of(warehouse), mirror=mirror_of(data_dir), level=level, year=year)


def print_definitions(keys: list[str]) -> None:
    from clustermap.analyses import DEFINITIONS

    for k in keys:
        d = DEFINITIONS.get(k)
        if d is not None:
            console.print(f"[bold]{d.term}[/] [dim]\\[{d.unit}][/]: {d.text}", highlight=False)


_SHARE_FMT = {
    "cluster_share_total": "pct",
    "strong_share_traded": "pct",
    "strong_share_total": "pct",
    "traded_share_total": "pct",
}


# ---------------------------------------------------------------------------------------------- commands


@app.command()
def portfolio(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    top: TopOpt = 25,
    min_stars: Annotated[
        int | None,
        typer.Option(help="List regions with at least this many stars (default: 25 scaled to the categories mapped)."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Show this region's portfolio and its peers.")] = None,
    out: OutOpt = None,
) -> None:
    """Portfolio strength (sum of stars) per region: ranking, distribution, regions with ≥ N stars (Figure 6),
    a region's portfolio and peers (cosine similarity of location quotients)."""
    from clustermap import analyses as an

    try:
        mapped = load_eu(warehouse, data_dir, nuts_version)
        y = an.select_year(mapped.cells, year)
        p = an.region_portfolios(mapped.cells, year=y, mirror=mirror_of(data_dir))
        n_cat = int(mapped.cells.loc[mapped.cells["year"] == y, "category"].nunique())
        k = min_stars if min_stars is not None else an.scaled_star_threshold(n_cat)
        if region:
            comp = an.portfolio_composition(mapped.cells, region, year=y)
            print_table(
                comp,
                f"Regional clusters of {region}, {y}",
                formats={"share": "pct", "employment": "int", "share_of_portfolio_employment": "pct"},
            )
            peers = an.portfolio_peers(mapped.cells, region, year=y, mirror=mirror_of(data_dir))
            print_table(peers, f"Regions with portfolios like {region}'s (cosine similarity of LQs)")
            export(comp, out)
            return
        stats, _ = an.portfolio_distribution(p)
        print_table(
            p, f"Portfolio strength, {mapped.label}, {y}", formats=_SHARE_FMT, top=top, columns=_portfolio_columns()
        )
        strong = an.strong_portfolios(p, min_stars=k)
        console.print(
            f"{len(strong)} regions have at least {k} stars ({int((p['portfolio_strength'] >= 25).sum())} "
            f"at least 25; the reference lists 19 with 25 or more out of 38 × 3 possible). Median "
            f"{stats['median']:.0f}, max {stats['max']:.0f}; {stats['regions_without_clusters']} regions "
            "without clusters."
        )
        print_definitions(["portfolio_strength", "scaled_star_threshold"])
        export(p, out)
    except ClustermapError as exc:
        fail(exc)


@app.command()
def employment(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    nuts_version: NutsOpt = 2016,
    us: Annotated[str | None, typer.Option("--us", help="Also the US: state or cbsa.")] = None,
    us_year: Annotated[int | None, typer.Option(help="US CBP year.")] = None,
    top: TopOpt = 20,
    out: OutOpt = None,
) -> None:
    """Employment in clusters and in strong clusters (LQ > 2): pooled shares (section 2.2) and the distribution
    of the regions' strong-cluster shares — max, mean, median, min (Figure 9)."""
    import pandas as pd

    from clustermap import analyses as an

    try:
        mapped = load_eu(warehouse, data_dir, nuts_version)
        y = an.select_year(mapped.cells, year)
        samples = {f"EU {y}": an.region_shares(mapped.cells, year=y, mirror=mirror_of(data_dir))}
        if us:
            m = load_us(warehouse, data_dir, us, us_year)
            samples[f"US {us} {max(m.years)}"] = an.region_shares(m.cells, mirror=mirror_of(data_dir))
        pooled = pd.concat([an.cluster_employment(s).assign(sample=k) for k, s in samples.items()], ignore_index=True)
        print_table(
            pooled,
            "Employment in clusters, pooled over regions",
            formats={c: "pct" for c in pooled.columns if "share" in c or c.startswith("strong_of")}
            | {c: "int" for c in pooled.columns if c.endswith("employment")},
            columns=[
                "sample",
                "regions",
                "share_in_traded",
                "share_in_clusters",
                "strong_of_clusters",
                "strong_of_traded",
                "region_cluster_share_min",
                "region_cluster_share_median",
                "region_cluster_share_max",
            ],
        )
        fig9 = an.strong_share_summary(samples)
        print_table(
            fig9,
            "Strong-cluster share of traded employment across regions (Figure 9: EU max 74%, mean "
            "21%, median 18%, min 0%; US max 70%, median 27%)",
            formats={c: "pct" for c in fig9.columns if c != "statistic"},
        )
        first = next(iter(samples.values())).sort_values("strong_share_traded", ascending=False)
        print_table(
            first,
            "Regions by strong-cluster share",
            formats=_SHARE_FMT | {"region_total": "int"},
            top=top,
            columns=[
                "region",
                "name",
                "region_total",
                "strong_share_traded",
                "strong_share_total",
                "cluster_share_total",
            ],
        )
        print_definitions(["share_in_clusters", "strong_of_clusters", "strong_share_traded"])
        export(pd.concat([s.assign(sample=k) for k, s in samples.items()], ignore_index=True), out)
    except ClustermapError as exc:
        fail(exc)


@app.command()
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

    try:
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
    except ClustermapError as exc:
        fail(exc)


@app.command("eu-us")
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

    try:
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
    except ClustermapError as exc:
        fail(exc)


@app.command()
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

    try:
        eu = load_eu(warehouse, data_dir, nuts_version)
        y = an.select_year(eu.cells, year)
        root = mirror_of(data_dir)
        p = an.region_portfolios(eu.cells, year=y, mirror=root)
        years = years_of(patent_years)
        if years is None:
            path = inputs._mirror_file(inputs.EU_PATENTS_FILE, root, "EPO patent applications")
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
            columns=[
                "sample",
                "x",
                "n",
                "pearson_r",
                "pearson_p",
                "spearman_rho",
                "spearman_p",
                "slope",
                "slope_low",
                "slope_high",
                "r2",
                "outliers",
            ],
        )
        print_table(an.patents_by_portfolio_group(table, min_stars=k), "Patent rates by portfolio group (EU)")
        print_table(
            table,
            "Regions by patent rate (EU)",
            top=top,
            formats=_SHARE_FMT,
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
    except ClustermapError as exc:
        fail(exc)


@app.command()
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

    try:
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
            columns=[
                "sample",
                "n",
                "pearson_r",
                "pearson_p",
                "spearman_rho",
                "spearman_p",
                "slope",
                "slope_low",
                "slope_high",
                "r2",
                "outliers",
            ],
        )
        sel = an.select_regions(table, chosen, exclude=ex).sort_values("gdp_per_capita", ascending=False)
        print_table(
            sel,
            "Regions",
            top=20,
            formats=_SHARE_FMT | {"gdp_per_capita": "int"},
            columns=["region", "name", "gdp_per_capita", "strong_share_traded", "portfolio_strength"],
        )
        print_definitions(["gdp_per_capita", "strong_share_traded", "pearson_r", "ols_slope"])
        export(sel, out)
    except ClustermapError as exc:
        fail(exc)


@app.command()
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

    try:
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
    except ClustermapError as exc:
        fail(exc)


def _portfolio_columns() -> list[str]:
    from clustermap.analyses.portfolio import PORTFOLIO_COLUMNS  # imported on use: `clustermap --help` stays fast

    return PORTFOLIO_COLUMNS
