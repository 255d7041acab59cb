"""``clustermap analyse portfolio`` and ``employment``: the regions' cluster portfolios (Figure 6) and their
employment in clusters and strong clusters (section 2.2, Figure 9)."""

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
    from clustermap.analyses.portfolio import PORTFOLIO_COLUMNS

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
        p, f"Portfolio strength, {mapped.label}, {y}", formats=SHARE_FORMATS, top=top, columns=PORTFOLIO_COLUMNS
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
        formats=SHARE_FORMATS | {"region_total": "int"},
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
