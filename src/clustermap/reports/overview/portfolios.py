"""Overview sections on regions' cluster portfolios: portfolio strength (Figure 6) and the employment in
clusters and strong clusters (section 2.2)."""

from __future__ import annotations

import pandas as pd

from clustermap import analyses as an
from clustermap.analyses.portfolio import PORTFOLIO_COLUMNS, PORTFOLIO_STARS
from clustermap.reports._common import (
    PCT,
    compare,
    fmt_int,
    fmt_num,
    pct,
    star_map_chart,
)
from clustermap.reports.model import Chart, Comparison, Section, Table
from clustermap.reports.study import Study


def portfolio_section(study: Study, headline: list[Comparison]) -> Section:
    """Portfolio strength (Figure 6): ranking, distribution and map of the regions' stars."""
    p = study.eu_portfolios
    k = study.min_stars
    n25 = int((p["portfolio_strength"] >= 25).sum())
    nk = int((p["portfolio_strength"] >= k).sum())
    stats, hist = an.portfolio_distribution(p)
    top = p.head(30).copy()
    top["label"] = top["region"] + " " + top["name"].str.slice(0, 28)
    strongest = an.strong_portfolios(p, min_stars=k)[[*PORTFOLIO_STARS, "strong_share_traded"]]
    cmp = [
        compare(
            "Regions with ≥ 25 stars",
            f"{n25} (of {len(p)} regions; at most {3 * study.n_categories} stars)",
            "fig6",
            "granularity",
            "regions",
            extra=f"With {study.n_categories} instead of 38 categories a region can collect at most "
            f"{3 * study.n_categories} stars, not 114.",
        ),
        compare(
            f"Regions with ≥ {k} stars (25 scaled to {study.n_categories} categories)", f"{nk}", "fig6", "granularity"
        ),
    ]
    headline.append(cmp[1])
    charts = [
        Chart(
            "portfolio_top30",
            f"The 30 strongest cluster portfolios, {study.year}",
            "barh",
            top,
            x="portfolio_strength",
            y="label",
            options={"xlabel": "stars", "height": 700, "vlines": [(k, f"{k} stars")]},
        ),
        Chart(
            "portfolio_distribution",
            "Portfolio strength across regions",
            "hist",
            hist.assign(count=hist["count"]),
            y="count",
            options={"xlabel": "stars (portfolio strength)", "ylabel": "regions"},
        ),
    ]
    if study.eu_geojson:
        charts.append(
            star_map_chart(
                "portfolio_map",
                f"Portfolio strength by region, {study.year}",
                p,
                "portfolio_strength",
                study.eu_geojson,
                colorbar="stars",
                hover="name",
            )
        )
    all_cols = [
        *PORTFOLIO_STARS,
        "n_strong",
        "traded_employment",
        "cluster_employment",
        "strong_employment",
        "region_total",
        "cluster_share_total",
        "strong_share_traded",
        "strong_share_total",
    ]
    return Section(
        "portfolios",
        "Portfolio strength (Figure 6)",
        [
            "A region's portfolio strength is the sum of its stars. The median region has "
            f"{fmt_num(stats['median'], 0)} "
            f"stars, the strongest {fmt_int(stats['max'])} ({p.iloc[0]['region']} {p.iloc[0]['name']}); "
            f"{stats['regions_without_clusters']} regions have no cluster at all. {nk} regions reach the scaled "
            f"threshold of {k} stars, {n25} the reference's 25."
        ],
        comparisons=cmp,
        charts=charts,
        tables=[
            Table(
                "strongest_portfolios",
                f"Regions with at least {k} stars",
                strongest,
                formats={"strong_share_traded": PCT},
            ),
            Table(
                "portfolios",
                "Portfolio strength of every region",
                p[all_cols],
                formats={c: "int" for c in all_cols if c.endswith("employment") or c == "region_total"}
                | {"cluster_share_total": PCT, "strong_share_traded": PCT, "strong_share_total": PCT},
                max_rows=25,
                show=PORTFOLIO_COLUMNS,
            ),
        ],
        definitions=["portfolio_strength", "n_clusters", "portfolio_rank", "scaled_star_threshold"],
    )


def employment_section(study: Study, headline: list[Comparison]) -> Section:
    """Employment in clusters and strong clusters (section 2.2), EU beside the US sides."""
    with_all = an.add_total_base(study.eu_portfolios, study.eu_total_employment)
    ce = an.cluster_employment(with_all)
    rows = [ce.assign(side="EU")]
    for _, label, us_p, _ in study.us_sides():
        rows.append(an.cluster_employment(us_p).assign(side=label))
    t = pd.concat(rows, ignore_index=True)
    t = t[["side"] + [c for c in t.columns if c != "side"]]
    e = ce.iloc[0]
    traded = study.eu_portfolios["traded_share_total"].dropna()
    all_base = "share_in_clusters_all" in ce.columns and pd.notna(e.get("share_in_clusters_all"))
    if all_base:
        ours = (
            f"{pct(e['share_in_clusters_all'])} of all persons employed (LFS TOTAL, {int(e['regions_all_base'])} "
            f"regions); {pct(e['share_in_clusters'])} of the SBS business economy"
        )
        extra = (
            f"Base: {an.employment_shares.LFS_BASE}; the SBS business economy (B-N, S95 without K) is the "
            f"second figure. Read as employment in the traded (cluster) categories: {pct(e['share_in_traded_all'])}"
            f" of all employment, {pct(e['share_in_traded'])} of the business economy; the reference's 'local "
            "sectors … account for nearly 57%' suggests it counted cluster-category employment, about 43%. "
            "LFS counts residents where they live, SBS jobs where they are."
        )
    else:
        ours = f"{pct(e['share_in_clusters'])} of the SBS business economy (no all-employment total could be read)"
        extra = (
            f"Read as employment in the traded (cluster) categories, the share is {pct(e['share_in_traded'])}; "
            "the reference's 'local sectors … account for nearly 57%' suggests it counted cluster-category "
            "employment, about 43%."
        )
    cmp = [
        compare(
            "Share of employment in regional clusters (≥ 1 star)",
            ours,
            "sec22_share",
            "base",
            "granularity",
            extra=extra,
        ),
        compare(
            "Range across regions",
            f"{pct(e['region_cluster_share_p10'])} (10th percentile) to "
            f"{pct(e['region_cluster_share_p90'])} (90th); min {pct(e['region_cluster_share_min'])}, max "
            f"{pct(e['region_cluster_share_max'])}",
            "sec22_range",
            "regions",
            "base",
            extra=f"Read as the share of employment in traded categories, regions range from "
            f"{pct(traded.quantile(0.1))} (10th percentile) to {pct(traded.quantile(0.9))} (90th), min "
            f"{pct(traded.min())}, max {pct(traded.max())}.",
        ),
        compare(
            "Of cluster employment, the share in strong clusters (LQ > 2)",
            pct(e["strong_of_clusters"]),
            "sec22_strong",
            "granularity",
            extra=f"Of all traded employment {pct(e['strong_of_traded'])} is in strong clusters; the reference's "
            "21% equals its Figure 9 average, so it may be the traded-employment reading.",
        ),
    ]
    headline.extend(cmp[:1] + cmp[2:])
    p = study.eu_portfolios
    hist = an.histogram(p["cluster_share_total"], bins=an.employment_shares.SHARE_BINS)
    chart = Chart(
        "cluster_share_distribution",
        "Regions by share of employment in regional clusters",
        "hist",
        hist,
        y="count",
        options={"percent_x": True, "xlabel": "share of the region's employment in clusters", "ylabel": "regions"},
    )
    return Section(
        "employment",
        "Employment in clusters and strong clusters (section 2.2)",
        [
            f"In {study.year}, {pct(e['share_in_clusters'])} of the employment of the {int(e['regions'])} regions "
            "is in "
            f"regional clusters and {pct(e['share_in_traded'])} in the traded categories; "
            f"{pct(e['strong_of_clusters'])} of cluster employment is in strong clusters (LQ > 2)."
        ],
        comparisons=cmp,
        charts=[chart],
        tables=[
            Table(
                "cluster_employment",
                "Employment in clusters, pooled over regions: '… all' columns are shares of all persons employed "
                "(Eurostat LFS lfst_r_lfe2en2 TOTAL), the others of the mapping's total (EU: SBS business economy)",
                t,
                formats={
                    c: (PCT if ("share" in c or c.startswith("strong_of")) else "int")
                    for c in t.columns
                    if c not in ("side", "year")
                },
                show=[
                    "side",
                    "year",
                    "regions",
                    "share_in_clusters_all",
                    "share_in_traded_all",
                    "share_in_traded",
                    "share_in_clusters",
                    "strong_of_clusters",
                    "strong_of_traded",
                    "region_cluster_share_min",
                    "region_cluster_share_p10",
                    "region_cluster_share_median",
                    "region_cluster_share_p90",
                    "region_cluster_share_max",
                ],
            )
        ],
        definitions=[
            "share_in_clusters_all",
            "share_in_traded_all",
            "share_in_clusters",
            "share_in_traded",
            "strong_of_clusters",
            "strong_of_traded",
            "cluster_share_total",
        ],
    )
