"""The overview report: every analysis of chapter 2 of SEC(2008) 2637 on the latest data, each statistic next
to the figure the reference publishes and the reasons they differ."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from clustermap import analyses as an
from clustermap.analyses.portfolio import PORTFOLIO_COLUMNS
from clustermap.analyses.reference import DIFFERENCE_LABELS, DIFFERENCES, REFERENCE
from clustermap.reports._common import (
    WITHIN_FORMATS,
    compare,
    fmt_int,
    fmt_num,
    fmt_p,
    pct,
    relation_table,
    star_colours,
    star_map_chart,
    within_table,
)
from clustermap.reports.model import Chart, Comparison, Report, Section, Table
from clustermap.reports.study import Study

__all__ = ["build_overview"]

_PCT = "pct"
_REL_SHOW = [
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
]


def _meta(study: Study) -> dict[str, Any]:
    from clustermap.mapping import code_version

    runs = ", ".join(r for r in (study.eu.run_id, study.us.run_id if study.us else None) if r)
    return {"created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "code_version": code_version(), "runs": runs}


def build_overview(study: Study) -> Report:
    """The overview :class:`~clustermap.reports.model.Report` of a :class:`~clustermap.reports.study.Study`."""
    eu, us, year = study.eu, study.us, study.year
    report = Report(
        kind="overview",
        stem="overview",
        title="Regional clusters in Europe and the United States",
        subtitle=(
            f"The statistical results of SEC(2008) 2637, chapter 2, recomputed: {eu.label}, {year}"
            + (f"; {us.label}" if us is not None else "")
            + f"; European Cluster Observatory star method ({eu.methodology}) on {study.n_categories} categories."
        ),
        meta=_meta(study),
    )
    headline: list[Comparison] = []
    builders = (
        _data_section,
        _differences_section,
        _clusters_section,
        _portfolio_section,
        _employment_section,
        _figure9_section,
        _concentration_section,
        _eu_us_section,
        _innovation_section,
        _prosperity_section,
        _change_section,
        _automotive_section,
    )
    for build in builders:
        section = build(study, headline)
        if section is not None:
            report.sections.append(section)
    report.meta["headline"] = headline
    report.notes = list(study.missing)
    report.sources = study.sources()
    return report


# ---------------------------------------------------------------------------------------------- sections


def _data_section(study: Study, headline: list[Comparison]) -> Section:
    eu, us = study.eu, study.us
    s = study.eu_summary
    p = eu.parameters
    paras = [
        f"Europe: {eu.label}. Employment is Eurostat's regional Structural Business Statistics (persons employed, "
        f"NUTS-2 × NACE Rev. 2 division), {study.year} being the latest year with (nearly) all regions published. "
        f"{int(s['regions'])} regions × {int(s['categories'])} traded categories = {fmt_int(s['potential_areas'])} "
        f"potential cluster areas. Cells whose employment Eurostat does not publish (confidential) are left out "
        f"({fmt_int(s.get('cells_dropped', np.nan))} of {fmt_int(s.get('input_cells', np.nan))} input cells in "
        f"{study.year}, policy '{p.get('suppression')}').",
        "The SBS series mixes NUTS 2006, 2010 and 2013 codes; it was converted to one NUTS version "
        f"(NUTS {study.nuts_version}) before mapping so that years can be compared, the population table and the "
        "map match, with the JRC NUTS converter (recodes and merges exact, splits by population)."
        if eu.nuts_version
        else "Region codes are used as published (mixed NUTS versions).",
        f"Method ({eu.methodology}): a cell gets a size star when its employment is in the top "
        f"{pct(p.get('size_share'))} of regions in its category, a specialisation star when its location quotient "
        f"is at least {p.get('lq_threshold')}, a focus star when the category's share of the region's employment "
        f"is in the top {pct(p.get('focus_share'))}; cells under {fmt_int(p.get('min_employment'))} employees get "
        f"none. The location quotient's base is '{p.get('total_base')}': all employment of the region in the "
        "mapped industries (the business economy; SBS has no agriculture, finance or public services).",
    ]
    if us is not None:
        paras.append(
            f"United States: {us.label}, 6-digit NAICS employment of the {us.cells['region'].nunique()} states "
            f"(50 and DC) on the same {study.n_categories} categories ({us.categories}: US NAICS put on the eco-nace2 "
            "categories through the Census NAICS → ISIC Rev. 4 concordance), with the same stars and cut-offs; "
            "withheld cells are valued at the midpoint of their employment-size class "
            f"('{us.parameters.get('suppression')}')."
        )
    if study.us_metro is not None:
        paras.append(
            f"A second US region set, {study.us_metro.label}: the {study.us_metro.cells['region'].nunique()} "
            "metropolitan and micropolitan statistical areas, closer in size to the economic areas of the US "
            f"Cluster Mapping, on NAICS 2017 ({study.us_metro.categories}); cells Census does not disclose are absent."
        )
    rows = []
    for side, m, y in (
        ("EU", eu, study.year),
        ("US states", us, study.us_year),
        ("US CBSAs", study.us_metro, study.us_metro_year),
    ):
        if m is not None:
            rows.append({"side": side, "year": y, **{k: m.summary.set_index("year").loc[y].get(k) for k in _SUMMARY}})
    t = pd.DataFrame(rows)
    return Section(
        "data",
        "Data and method",
        paras,
        tables=[
            Table(
                "mapping_summary",
                "What was mapped",
                t,
                formats={c: "int" for c in _SUMMARY} | {"clusters_share_of_potential": _PCT},
            )
        ],
        definitions=["employment", "region_total", "lq", "regional_cluster", "strong_cluster"],
    )


_SUMMARY = [
    "regions",
    "categories",
    "potential_areas",
    "employment",
    "clusters",
    "clusters_3_star",
    "clusters_2_star",
    "clusters_1_star",
    "clusters_share_of_potential",
    "cells_suppressed",
    "cells_imputed",
    "cells_dropped",
]


def _differences_section(study: Study, headline: list[Comparison]) -> Section:
    t = pd.DataFrame({"reason": [DIFFERENCE_LABELS[k] for k in DIFFERENCES], "explanation": list(DIFFERENCES.values())})
    return Section(
        "differences",
        "Why the numbers differ from the reference",
        [
            "SEC(2008) 2637 reports the European Cluster Observatory's first map (dataset of June 2007). The "
            "statistics "
            "below are computed the same way on today's public data, and differ for the reasons listed here; each "
            "comparison names the ones that apply."
        ],
        tables=[Table("differences", "Reasons for differences", t, max_rows=20)],
    )


def _clusters_section(study: Study, headline: list[Comparison]) -> Section:
    s = study.eu_summary
    n = int(s["clusters"])
    pot = int(s["potential_areas"])
    rows = []
    refs = {3: (155, 0.0768, 0.0158), 2: (524, 0.2598, 0.0534), 1: (1338, 0.6634, 0.1365)}
    for k in (3, 2, 1):
        c = int(s[f"clusters_{k}_star"])
        rows.append(
            {
                "stars": f"{k} star clusters",
                "clusters": c,
                "share_of_clusters": c / n if n else np.nan,
                "share_of_potential": c / pot,
                "reference_clusters": refs[k][0],
                "reference_share_of_clusters": refs[k][1],
                "reference_share_of_potential": refs[k][2],
            }
        )
    rows.append(
        {
            "stars": "Total (1-3 stars)",
            "clusters": n,
            "share_of_clusters": 1.0,
            "share_of_potential": n / pot,
            "reference_clusters": 2017,
            "reference_share_of_clusters": 1.0,
            "reference_share_of_potential": 0.2057,
        }
    )
    rows.append(
        {
            "stars": "Potential areas",
            "clusters": pot,
            "share_of_clusters": np.nan,
            "share_of_potential": 1.0,
            "reference_clusters": 9804,
            "reference_share_of_clusters": np.nan,
            "reference_share_of_potential": 1.0,
        }
    )
    t = pd.DataFrame(rows)
    cmp = [
        compare(
            "3-star clusters",
            f"{int(s['clusters_3_star'])} ({pct(s['clusters_3_star'] / n, 1)} of clusters)",
            "fig2_3star",
            "granularity",
            "regions",
        ),
        compare(
            "2-star clusters",
            f"{int(s['clusters_2_star'])} ({pct(s['clusters_2_star'] / n, 1)})",
            "fig2_2star",
            "granularity",
        ),
        compare(
            "1-star clusters",
            f"{int(s['clusters_1_star'])} ({pct(s['clusters_1_star'] / n, 1)})",
            "fig2_1star",
            "granularity",
        ),
        compare(
            "Regional clusters (share of potential areas)",
            f"{n} ({pct(n / pot, 1)})",
            "fig2_total",
            "regions",
            "granularity",
            extra=f"{int(s['regions'])} regions × {int(s['categories'])} categories = {pot} potential areas, "
            "against 258 × 38 = 9,804.",
        ),
    ]
    headline.append(cmp[-1])
    chart = Chart(
        "clusters_by_stars",
        "Regional clusters by number of stars",
        "bar",
        pd.DataFrame(
            {
                "stars": ["1 star", "2 stars", "3 stars"] * 2,
                "share": [
                    s["clusters_1_star"] / n,
                    s["clusters_2_star"] / n,
                    s["clusters_3_star"] / n,
                    0.6634,
                    0.2598,
                    0.0768,
                ],
                "series": [f"this report ({study.year})"] * 3 + ["SEC(2008) 2637 Figure 2"] * 3,
            }
        ),
        x="stars",
        y="share",
        options={"series": "series", "percent_y": True, "ylabel": "share of clusters", "xlabel": ""},
    )
    return Section(
        "clusters",
        "Cluster presence (Figure 2)",
        [
            f"{n} of the {pot} potential region × category areas are regional clusters with at least one star "
            f"({pct(n / pot, 1)}); the reference found 2,017 of 9,804 (20.57%). Three-star clusters are a larger part "
            f"of all clusters here ({pct(s['clusters_3_star'] / n)} against 8%), probably because broad, "
            "division-level categories make the largest regions in a category also its most specialised and focused "
            "ones more often than 4-digit categories do."
        ],
        comparisons=cmp,
        charts=[chart],
        tables=[
            Table(
                "figure2_clusters",
                "Clusters by stars, this report and Figure 2",
                t,
                formats={
                    "share_of_clusters": _PCT,
                    "share_of_potential": _PCT,
                    "reference_share_of_clusters": _PCT,
                    "reference_share_of_potential": _PCT,
                    "clusters": "int",
                    "reference_clusters": "int",
                },
            )
        ],
        definitions=["regional_cluster"],
    )


def _portfolio_section(study: Study, headline: list[Comparison]) -> Section:
    p = study.eu_portfolios
    k = study.min_stars
    n25 = int((p["portfolio_strength"] >= 25).sum())
    nk = int((p["portfolio_strength"] >= k).sum())
    stats, hist = an.portfolio_distribution(p)
    top = p.head(30).copy()
    top["label"] = top["region"] + " " + top["name"].str.slice(0, 28)
    strongest = an.strong_portfolios(p, min_stars=k)[
        [
            "rank",
            "region",
            "name",
            "country",
            "portfolio_strength",
            "n_clusters",
            "n_3_star",
            "n_2_star",
            "n_1_star",
            "strong_share_traded",
        ]
    ]
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
        "rank",
        "region",
        "name",
        "country",
        "portfolio_strength",
        "n_clusters",
        "n_3_star",
        "n_2_star",
        "n_1_star",
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
                formats={"strong_share_traded": _PCT},
            ),
            Table(
                "portfolios",
                "Portfolio strength of every region",
                p[all_cols],
                formats={c: "int" for c in all_cols if c.endswith("employment") or c == "region_total"}
                | {"cluster_share_total": _PCT, "strong_share_traded": _PCT, "strong_share_total": _PCT},
                max_rows=25,
                show=PORTFOLIO_COLUMNS,
            ),
        ],
        definitions=["portfolio_strength", "n_clusters", "portfolio_rank", "scaled_star_threshold"],
    )


def _employment_section(study: Study, headline: list[Comparison]) -> Section:
    with_all = an.add_total_base(study.eu_portfolios, study.eu_total_employment)
    ce = an.cluster_employment(with_all)
    rows = [ce.assign(side="EU")]
    for _, label, us_p, _ in _us_sides(study):
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
                    c: (_PCT if ("share" in c or c.startswith("strong_of")) else "int")
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


def _us_sides(study: Study) -> list[tuple[str, str, pd.DataFrame, int]]:
    """(key, label, portfolios, year) of the US region sets available."""
    out = []
    if study.us_portfolios is not None:
        out.append(("us", "US states", study.us_portfolios, int(study.us_year)))
    if study.us_metro_portfolios is not None:
        out.append(("us_cbsa", "US CBSAs", study.us_metro_portfolios, int(study.us_metro_year)))
    return out


def _figure9_section(study: Study, headline: list[Comparison]) -> Section:
    eu_p = study.eu_portfolios
    eu_stats, eu_hist = an.share_distribution(eu_p)
    ref = REFERENCE
    cmp = [
        compare(
            "EU: most specialised region",
            f"{pct(eu_stats['max'])} ({eu_stats['argmax']} {study.names.get(eu_stats['argmax'], '')})",
            "fig9_eu_max",
            "granularity",
            "year",
        ),
        compare("EU: average region", pct(eu_stats["mean"]), "fig9_eu_mean", "granularity", "year"),
        compare("EU: median region", pct(eu_stats["median"]), "fig9_eu_median", "granularity", "year"),
        compare(
            "EU: least specialised region",
            f"{pct(eu_stats['min'])} ({eu_stats['argmin']} {study.names.get(eu_stats['argmin'], '')})",
            "fig9_eu_min",
        ),
    ]
    stats_rows = ("max", "mean", "median", "min", "p25", "p75", "n")
    rows = [
        {"statistic": k, "eu": eu_stats[k], "eu_reference": r}
        for k, r in zip(stats_rows, (0.74, 0.21, 0.18, 0.0, np.nan, np.nan, np.nan), strict=True)
    ]
    charts = []
    hist = eu_hist.assign(series=f"EU NUTS-2 ({study.year})")
    paras = [
        f"The strong-cluster share of a region is its employment in cells with LQ > 2 over its traded "
        f"employment. Across the {eu_stats['n']} EU regions it ranges from {pct(eu_stats['min'])} to "
        f"{pct(eu_stats['max'])}, with a mean of {pct(eu_stats['mean'])} and a median of "
        f"{pct(eu_stats['median'])}."
    ]
    for key, label, us_p, us_year in _us_sides(study):
        res = an.compare_strong_shares(eu_p, us_p)
        st = res["us"]
        cmp += [
            compare(
                f"{label}: most specialised region",
                f"{pct(st['max'])} ({st['argmax']} {study.names.get(st['argmax'], '')})",
                "fig9_us_max",
                "us",
            ),
            compare(f"{label}: median region", pct(st["median"]), "fig9_us_median", "us"),
            compare(
                f"{label}: least specialised region",
                f"{pct(st['min'])} ({st['argmin']} {study.names.get(st['argmin'], '')})",
                "fig9_us_min",
                "us",
            ),
            compare(
                f"EU gap to {label} (average; median)",
                f"EU average {'lower' if res['mean_gap'] > 0 else 'higher'} by {pct(abs(res['mean_gap']))}; "
                f"median {'lower' if res['median_gap'] > 0 else 'higher'} by {pct(abs(res['median_gap']))}",
                "fig9_text",
                "us",
                "granularity",
            ),
        ]
        for r, v in zip(rows, (0.70, np.nan, 0.27, 0.0, np.nan, np.nan, np.nan), strict=True):
            r[key] = st[r["statistic"]]
            r[f"{key}_reference"] = v
        hist = pd.concat([hist, res["us_histogram"].assign(series=f"{label} ({us_year})")], ignore_index=True)
        direction = "lower" if res["mean_gap"] > 0 else "higher"
        paras.append(
            f"Over the {st['n']} {label} ({us_year}) the mean is {pct(st['mean'])} and the median "
            f"{pct(st['median'])}: the EU's average region is {direction} by {pct(abs(res['mean_gap']))}."
        )
    if len(paras) > 1:
        paras.append(
            "How the US compares depends on its regions: states are large and diversified (California alone is "
            "larger than most EU countries) and come out less specialised than NUTS-2 regions, while the 933 "
            "metropolitan and micropolitan areas (many of them small towns built around one industry) come out "
            "more specialised, as the reference found for its US regions. CBP's 6-digit detail is lost when it "
            "is folded into the 30 division-level categories."
        )
    headline.extend(c for c in cmp if c.statistic.startswith(("EU:", "US states:", "US CBSAs:")))
    charts.append(
        Chart(
            "figure9_histogram",
            "Employment share of strong clusters (LQ > 2) across regions",
            "hist",
            hist,
            y="share",
            options={
                "series": "series",
                "percent_x": True,
                "percent_y": True,
                "xlabel": "strong-cluster share of traded employment",
                "ylabel": "share of regions",
            },
        )
    )
    if study.eu_geojson:
        charts.append(
            star_map_chart(
                "strong_share_map",
                f"Strong-cluster share of traded employment, {study.year}",
                eu_p,
                "strong_share_traded",
                study.eu_geojson,
                percent=True,
                colorbar="share",
                hover="name",
            )
        )
    if study.us_portfolios is not None and study.us_geojson:
        charts.append(
            star_map_chart(
                "strong_share_map_us",
                f"US states: strong-cluster share, {study.us_year}",
                study.us_portfolios,
                "strong_share_traded",
                study.us_geojson,
                percent=True,
                colorbar="share",
                scope="usa",
                hover="name",
            )
        )
    t = pd.DataFrame(rows)
    fmt = {c: _PCT for c in t.columns if c != "statistic"}
    return Section(
        "figure9",
        "Employment share of strong clusters across regions (Figure 9)",
        paras,
        comparisons=cmp,
        charts=charts,
        tables=[
            Table(
                "figure9",
                "Strong-cluster share of traded employment: distribution across regions",
                t,
                formats=fmt,
                caption=f"Reference values: {ref['fig9_eu_mean'].where} (the reference gives no US "
                "average). p25 and p75 are the quartiles.",
            )
        ],
        definitions=["strong_share_traded", "strong_share_total", "strong_cluster"],
    )


def _concentration_section(study: Study, headline: list[Comparison]) -> Section:
    c = study.eu_concentration
    s = an.concentration_summary(c)
    by = c.set_index("category")

    def share(cat: str) -> str:
        return pct(by.loc[cat, "strong_share"]) if cat in by.index else "–"

    cmp = [
        compare(
            "Average share of a category's employment in strong clusters",
            pct(s["mean_strong_share"]),
            "sec22_category",
            "granularity",
            "regions",
            extra=f"Pooled over all categories the share is {pct(s['pooled_strong_share'])}.",
        ),
        compare(
            "Range across categories",
            f"{pct(s['min_strong_share'])} ({s['min_category']}) to "
            f"{pct(s['max_strong_share'])} ({s['max_category']}); {s['below_10pct']} below 10%, "
            f"{s['above_70pct']} above 70%",
            "sec22_category",
            "granularity",
        ),
        compare(
            "Footwear and aerospace vs construction and education",
            f"footwear and leather {share('footwear-and-leather')}, aerospace and other transport equipment "
            f"{share('aerospace')}; construction {share('construction')}, research and development (for "
            f"education) {share('research-and-development')}",
            "sec22_examples",
            "granularity",
            extra="Here 'construction' is civil engineering only (F42), aerospace is all of C30 (ships and rail "
            "vehicles too), and the reference's education is research and development only (M72): SBS has no "
            "education (P85), and building construction is local.",
        ),
    ]
    headline.append(cmp[0])
    chart = Chart(
        "category_strong_share",
        "Share of each category's employment in strong clusters",
        "barh",
        c.assign(label=c["category_name"]),
        x="strong_share",
        y="label",
        options={
            "percent_x": True,
            "xlabel": "share in strong clusters (LQ > 2)",
            "height": 640,
            "vlines": [(0.32, "reference average 32%")],
        },
    )
    cols = [
        "category",
        "category_name",
        "employment",
        "regions_with_employment",
        "clusters",
        "strong_clusters",
        "strong_share",
        "gini",
        "hoover",
        "herfindahl",
        "equivalent_regions",
        "top_region",
        "top_region_share",
    ]
    t = c[[x for x in cols if x in c.columns]]
    return Section(
        "concentration",
        "Concentration of categories (section 2.2)",
        [
            f"On average {pct(s['mean_strong_share'])} of a category's employment is in strong clusters; the "
            f"locational Gini averages {fmt_num(s['mean_gini'])}. The most concentrated categories are "
            + ", ".join(c["category_name"].head(3))
            + "; the most dispersed "
            + ", ".join(c["category_name"].tail(3).iloc[::-1])
            + "."
        ],
        comparisons=cmp,
        charts=[chart],
        tables=[
            Table(
                "category_concentration",
                f"Concentration of each category, {study.year}",
                t,
                formats={
                    "employment": "int",
                    "strong_share": _PCT,
                    "top_region_share": _PCT,
                    "gini": "f3",
                    "hoover": "f3",
                    "herfindahl": "f3",
                    "equivalent_regions": "f1",
                },
                show=[
                    "category_name",
                    "employment",
                    "clusters",
                    "strong_clusters",
                    "strong_share",
                    "gini",
                    "hoover",
                    "herfindahl",
                    "equivalent_regions",
                    "top_region",
                    "top_region_share",
                ],
            )
        ],
        definitions=["category_strong_share", "gini", "hoover", "herfindahl", "top_region_share"],
    )


def _eu_us_section(study: Study, headline: list[Comparison]) -> Section | None:
    sides = [
        (k, lab, conc, y)
        for (k, lab, _, y), conc in zip(
            _us_sides(study),
            [c for c in (study.us_concentration, study.us_metro_concentration) if c is not None],
            strict=True,
        )
    ]
    if not sides:
        return None
    cmp = []
    tables = []
    long = [
        pd.DataFrame(
            {
                "category": study.eu_concentration["category_name"],
                "gini": study.eu_concentration["gini"],
                "series": f"EU NUTS-2 ({study.year})",
            }
        )
    ]
    paras = [
        f"Each category's locational Gini over EU NUTS-2 regions ({study.year}) and over US regions, on the same "
        "categories with the same method. Gini and Hoover fall as regions get larger and more diversified, so "
        "the verdict depends on the US region set: states (51) are larger than NUTS-2 regions, CBSAs (933) "
        "smaller; the reference does not name its US regions (the US Cluster Mapping of the time used 179 "
        "economic areas, footnote 44)."
    ]
    for key, label, conc, year in sides:
        gap = an.match_year(study.eu.years, year, complete=[y for y in study.eu.years if y <= study.year])
        eu_year = gap["eu_year"]
        eu_conc = (
            study.eu_concentration
            if eu_year == study.year
            else an.category_concentration(study.eu.cells, year=eu_year).merge(
                study.eu_concentration[["category"]], on="category"
            )
        )
        eu_units = f"{an.units_label(2)} ({eu_year})"
        us_units = f"{an.units_label('state' if key == 'us' else 'cbsa')} ({year})"
        us_mapped = study.us if key == "us" else study.us_metro
        policies = (
            str(study.eu.parameters.get("suppression", "")),
            str(us_mapped.parameters.get("suppression", "")) if key == "us" else "none (undisclosed cells absent)",
        )
        comps = {
            m: an.compare_concentration(eu_conc, conc, measure=m, eu_units=eu_units, us_units=us_units)
            for m in ("gini", "hoover", "eg", "strong_share")
        }
        v = {m: an.concentration_verdict(c) for m, c in comps.items()}
        g = v["gini"]
        c = compare(
            f"Categories more concentrated over {us_units} than over {eu_units} (locational Gini)",
            f"{g['more_concentrated_in_us']} of {g['categories']}",
            "fig8",
            "us",
            "granularity",
            extra=f"Hoover: {v['hoover']['more_concentrated_in_us']} of {g['categories']}; Ellison–Glaeser "
            f"(does not rise with the number of regions): {v['eg']['more_concentrated_in_us']} of "
            f"{g['categories']}; share in strong clusters: {v['strong_share']['more_concentrated_in_us']} of "
            f"{g['categories']}. Years: {gap['note']}. Gini and Hoover rise with the number of regions "
            f"({g['categories']} categories over {len(study.eu_portfolios)} EU regions against "
            f"{int(conc['regions'].max())} US regions), so the region sets decide them; 'clustermap analyse eu-us' "
            "and clustermap.analyses.robustness repeat the verdict on NUTS-1 against states. Confidential cells: "
            f"EU {policies[0]}, US {policies[1]}"
            + (
                " — not the same handling (a dropped EU cell is absent, a withheld US cell takes a value)."
                if (policies[0] == "drop") != (policies[1] == "drop")
                else "."
            ),
        )
        cmp.append(c)
        headline.append(c)
        t = comps["gini"].merge(comps["hoover"][["category", "eu_hoover", "us_hoover"]], on="category")
        t = t.merge(comps["eg"][["category", "eu_eg", "us_eg"]], on="category")
        tables.append(
            Table(
                f"figure8_eu_{key}",
                f"Concentration by category: {eu_units} and {us_units}",
                t,
                formats={
                    "eu_gini": "f3",
                    "us_gini": "f3",
                    "difference": "f3",
                    "eu_hoover": "f3",
                    "us_hoover": "f3",
                    "eu_eg": "f3",
                    "us_eg": "f3",
                    "eu_strong_share": _PCT,
                    "us_strong_share": _PCT,
                    "eu_employment": "int",
                    "us_employment": "int",
                },
                show=[
                    "category_name",
                    "eu_gini",
                    "us_gini",
                    "difference",
                    "more_concentrated_in",
                    "eu_hoover",
                    "us_hoover",
                    "eu_eg",
                    "us_eg",
                    "eu_strong_share",
                    "us_strong_share",
                ],
            )
        )
        names = dict(zip(study.eu_concentration["category"], study.eu_concentration["category_name"], strict=False))
        long.append(
            pd.DataFrame(
                {
                    "category": conc["category"].map(names).fillna(conc["category"]),
                    "gini": conc["gini"],
                    "series": f"{label} ({year})",
                }
            )
        )
        paras.append(
            f"{label}: {g['more_concentrated_in_us']} of {g['categories']} categories are more concentrated "
            "than in the EU."
        )
    chart = Chart(
        "figure8_gini",
        "Regional concentration by category (locational Gini)",
        "barh",
        pd.concat(long, ignore_index=True),
        x="gini",
        y="category",
        options={"series": "series", "xlabel": "locational Gini", "height": 900},
    )
    return Section(
        "eu_us",
        "Europe and the US: concentration by category (Figure 8)",
        paras,
        comparisons=cmp,
        charts=[chart],
        tables=tables,
        definitions=["gini", "hoover", "eg", "more_concentrated_in_us"],
    )


def _scatter(
    key: str,
    title: str,
    table: pd.DataFrame,
    x: str,
    y: str,
    rel: Any,
    *,
    log_y: bool = False,
    percent_x: bool = False,
    xlabel: str = "",
    ylabel: str = "",
    top: int = 6,
) -> Chart:
    d = table.copy()
    d["label"] = d["region"]
    out = set(rel.outliers["label"]) if rel is not None else set()
    d["highlight"] = d["region"].isin(out) | d[y].rank(ascending=False).le(top)
    d["hover"] = d["region"] + " " + (d["name"].astype(str) if "name" in d.columns else "")
    fit = None
    if rel is not None:
        fit = {"slope": rel.slope, "intercept": rel.intercept, "log_y": log_y}
    if log_y:
        d = d[d[y] > 0]
    return Chart(
        key,
        title,
        "scatter",
        d,
        x=x,
        y=y,
        options={
            "label": "label",
            "highlight": "highlight",
            "hover": "hover",
            "fit": fit,
            "log_y": log_y,
            "percent_x": percent_x,
            "xlabel": xlabel,
            "ylabel": ylabel,
            "height": 460,
        },
    )


def _innovation_section(study: Study, headline: list[Comparison]) -> Section | None:
    it = study.eu_innovation
    if it is None:
        return Section(
            "innovation",
            "Clusters and innovation (Figures 5 and 6)",
            ["No patent data could be read: " + "; ".join(m for m in study.missing if "patent" in m.lower())],
        )
    rel = an.innovation_relations(it)
    k = study.min_stars
    ov = an.top_third_overlap(it, min_stars=k)
    ov25 = an.top_third_overlap(it, min_stars=25)
    groups = an.patents_by_portfolio_group(it, min_stars=k)
    years = f"{min(study.patent_years)}-{max(study.patent_years)}"
    rs = rel["portfolio_strength"]
    cmp = [
        compare(
            "Strongest portfolios in the top third by patents",
            f"{ov['in_top_third']} of {ov['strongest']} regions with ≥ {k} stars ({ov25['in_top_third']} of "
            f"{ov25['strongest']} with ≥ 25)",
            "fig6",
            "patents",
            "granularity",
        ),
        compare(
            "Patenting of regions without clusters and with strong portfolios",
            f"median {fmt_num(groups.iloc[0]['median_rate'], 0)} patents per million inhabitants without "
            f"clusters, {fmt_num(groups.iloc[2]['median_rate'], 0)} with ≥ {k} stars; rank correlation with "
            f"portfolio strength ρ = {fmt_num(rs.spearman_rho)} ({fmt_p(rs.spearman_p)})",
            "fig5",
            "patents",
            "granularity",
            extra="Many of the strongest portfolios here are central and eastern European manufacturing regions, "
            "which patent little.",
        ),
    ]
    headline.append(cmp[0])
    relations = {
        "EU: patents vs portfolio strength": rel["portfolio_strength"],
        "EU: patents vs strong-cluster share": rel["strong_share_traded"],
    }
    within = study.optional("EU innovation within countries", lambda: an.innovation_within(it))
    within_rows = pd.DataFrame()
    if within is not None:
        within_rows = within_table(
            relations,
            {
                "EU: patents vs portfolio strength": within["portfolio_strength"],
                "EU: patents vs strong-cluster share": within["strong_share_traded"],
            },
        )
        w = within["portfolio_strength"]
        lo, hi = an._stats.spearman_interval(rs.spearman_rho, rs.n)
        c = compare(
            "Patents and portfolio strength within countries",
            f"pooled over Europe ρ = {fmt_num(rs.spearman_rho)} [{fmt_num(lo)}, {fmt_num(hi)}]; within "
            f"countries ρ = {fmt_num(w.spearman_rho)} [{fmt_num(w.spearman_low)}, {fmt_num(w.spearman_high)}] "
            f"({w.groups} countries, {w.n} regions; country fixed-effects slope {fmt_num(w.slope, 3)} "
            f"[{fmt_num(w.slope_low, 3)}, {fmt_num(w.slope_high, 3)}] log10 units per star)",
            "fig5",
            "patents",
            "regions",
            extra="The reference pools its regions. Patenting follows national levels (Germany, the Nordic "
            "countries patent most, whatever their regions' clusters), so the pooled relation mixes countries; "
            "within one country the regions with stronger portfolios patent more. 95% intervals.",
        )
        cmp.append(c)
        headline.append(c)
    charts = [
        _scatter(
            "patents_vs_portfolio",
            f"Patents per million inhabitants ({years}) and portfolio strength ({study.year})",
            it,
            "portfolio_strength",
            "patent_rate",
            rel["portfolio_strength"],
            log_y=True,
            xlabel="stars",
            ylabel="EPO applications per million inhabitants (log)",
        ),
        _scatter(
            "patents_vs_strong_share",
            "Patents per million inhabitants and strong-cluster share",
            it,
            "strong_share_traded",
            "patent_rate",
            rel["strong_share_traded"],
            log_y=True,
            percent_x=True,
            xlabel="strong-cluster share of traded employment",
            ylabel="EPO applications per million (log)",
        ),
    ]
    paras = [
        f"EPO patent applications by priority year ({years}, annual average; the mirror ends in 2012), per million "
        f"inhabitants, against the {study.year} cluster map for {len(it)} regions "
        f"({len(it.attrs.get('unmatched', []))} without patent data: {', '.join(it.attrs.get('unmatched', [])[:12])}). "
        f"The regression is fitted on log10 of the rate; Spearman's ρ does not depend on that choice.",
    ]
    if study.us_innovation is not None:
        urel = an.innovation_relations(study.us_innovation)
        relations["US: patents vs portfolio strength"] = urel["portfolio_strength"]
        relations["US: patents vs strong-cluster share"] = urel["strong_share_traded"]
        paras.append(
            f"US states: USPTO utility patents granted in {study.us_year} per million inhabitants (BEA population)."
        )
    rt = relation_table(relations)
    extra_tables = []
    if len(within_rows):
        extra_tables.append(
            Table(
                "innovation_within_countries",
                "Patenting against cluster strength: pooled and within countries (country fixed effects, "
                "per-country rank correlations), 95% intervals",
                within_rows,
                formats=WITHIN_FORMATS,
            )
        )
    return Section(
        "innovation",
        "Clusters and innovation (Figures 5 and 6)",
        paras,
        comparisons=cmp,
        charts=charts,
        tables=[
            *extra_tables,
            Table(
                "innovation_statistics",
                "Patenting against cluster strength: correlation and regression",
                rt,
                formats={
                    "pearson_r": "f3",
                    "pearson_p": "f3",
                    "spearman_rho": "f3",
                    "spearman_p": "f3",
                    "slope": "f3",
                    "slope_low": "f3",
                    "slope_high": "f3",
                    "intercept": "f3",
                    "intercept_low": "f3",
                    "intercept_high": "f3",
                    "r2": "f3",
                    "confidence": _PCT,
                },
                show=_REL_SHOW,
            ),
            Table(
                "patents_by_portfolio",
                "Patent rates by portfolio group (Figure 5 in numbers)",
                groups,
                formats={
                    "median_rate": "f1",
                    "mean_rate": "f1",
                    "min_rate": "f1",
                    "max_rate": "f1",
                    "share_in_top_third": _PCT,
                },
            ),
            Table(
                "innovation_regions",
                "Regions: portfolio strength and patents",
                it[
                    [
                        "region",
                        "name",
                        "portfolio_strength",
                        "rank",
                        "strong_share_traded",
                        "patents",
                        "population",
                        "patents_per_million_inhabitants",
                        "patents_per_million_employed",
                        "patent_rank",
                        "top_third",
                    ]
                ],
                formats={
                    "strong_share_traded": _PCT,
                    "patents": "f1",
                    "population": "int",
                    "patents_per_million_inhabitants": "f1",
                    "patents_per_million_employed": "f1",
                },
                max_rows=20,
                show=[
                    "region",
                    "name",
                    "portfolio_strength",
                    "strong_share_traded",
                    "patents",
                    "patents_per_million_inhabitants",
                    "patent_rank",
                    "top_third",
                ],
            ),
        ],
        definitions=[
            "patents_per_million_inhabitants",
            "top_third",
            "pearson_r",
            "spearman_rho",
            "ols_slope",
            "outlier",
        ],
    )


def _prosperity_section(study: Study, headline: list[Comparison]) -> Section | None:
    pt = study.eu_prosperity
    if pt is None:
        return Section(
            "prosperity",
            "Clusters and prosperity (Figure 10)",
            ["No GDP data could be read: " + "; ".join(m for m in study.missing if "GDP" in m)],
        )
    rels: dict[str, Any] = {}
    subsets = {
        "EU15 without Portugal and Greece (Figure 10)": ("EU15", ("PT", "EL")),
        "EU15": ("EU15", ()),
        "EU28": ("EU28", ()),
        "All regions mapped": (None, ()),
    }
    for label, (sub, ex) in subsets.items():
        rels[label] = study.optional(
            f"prosperity {label}", lambda s=sub, e=ex: an.prosperity_relation(pt, subset=s, exclude=e)
        )
    withins: dict[str, Any] = {}
    for label, (sub, ex) in subsets.items():
        withins[label] = study.optional(
            f"prosperity within countries {label}", lambda s=sub, e=ex: an.prosperity_within(pt, subset=s, exclude=e)
        )
    if study.us_prosperity is not None:
        rels["US states"] = study.optional("US prosperity", lambda: an.prosperity_relation(study.us_prosperity))
    fig10 = rels["EU15 without Portugal and Greece (Figure 10)"]
    eu28 = rels["EU28"]
    cmp = [
        compare(
            "GDP per capita vs strong-cluster share, EU15 without PT and EL",
            f"r = {fmt_num(fig10.pearson_r)} ({fmt_p(fig10.pearson_p)}), ρ = "
            f"{fmt_num(fig10.spearman_rho)}; slope {fmt_int(fig10.slope / 100)} EUR per percentage point "
            f"[{fmt_int(fig10.slope_low / 100)}, {fmt_int(fig10.slope_high / 100)}]",
            "fig10",
            "year",
            "granularity",
        ),
        compare(
            "The same over the EU28",
            f"r = {fmt_num(eu28.pearson_r)}, ρ = {fmt_num(eu28.spearman_rho)}",
            "fig10_note",
            "regions",
            extra="Adding the central and eastern European regions, specialised in manufacturing at low "
            "income levels, removes the association: Figure 10 was drawn for the EU15 only.",
        ),
    ]
    w10 = withins.get("EU15 without Portugal and Greece (Figure 10)")
    if w10 is not None and fig10 is not None:
        lo, hi = an._stats.spearman_interval(fig10.spearman_rho, fig10.n)
        cmp.append(
            compare(
                "GDP per capita vs strong-cluster share within countries (EU15 without PT and EL)",
                f"pooled ρ = {fmt_num(fig10.spearman_rho)} [{fmt_num(lo)}, {fmt_num(hi)}]; within countries ρ = "
                f"{fmt_num(w10.spearman_rho)} [{fmt_num(w10.spearman_low)}, {fmt_num(w10.spearman_high)}] "
                f"({w10.groups} countries); fixed-effects slope {fmt_int(w10.slope / 100)} EUR per percentage "
                f"point [{fmt_int(w10.slope_low / 100)}, {fmt_int(w10.slope_high / 100)}]",
                "fig10",
                "regions",
                extra="The pooled figure compares rich and poor countries as much as regions; the within-country "
                "estimate compares regions of the same country. 95% intervals.",
            )
        )
    within_rows = within_table(rels, withins)
    headline.append(cmp[0])
    sub = an.select_regions(pt, "EU15", exclude=("PT", "EL"))
    gdp_year = int(pt["gdp_year"].iloc[0])
    chart = _scatter(
        "figure10",
        f"GDP per capita ({gdp_year}) and strong-cluster share ({study.year}), EU15 without PT and EL",
        sub,
        "strong_share_traded",
        "gdp_per_capita",
        fig10,
        percent_x=True,
        xlabel="strong-cluster share of traded employment",
        ylabel="GDP per inhabitant (EUR)",
    )
    charts = [chart]
    if study.us_prosperity is not None and rels.get("US states") is not None:
        charts.append(
            _scatter(
                "figure10_us",
                f"US states: GDP per capita and strong-cluster share ({study.us_year})",
                study.us_prosperity,
                "strong_share_traded",
                "gdp_per_capita",
                rels["US states"],
                percent_x=True,
                xlabel="strong-cluster share",
                ylabel="GDP per capita (USD)",
            )
        )
    rt = relation_table(rels)
    return Section(
        "prosperity",
        "Clusters and prosperity (Figure 10)",
        [
            f"GDP per inhabitant at current prices (Eurostat nama_10r_2gdp, EUR, {gdp_year}) against the share of "
            "traded employment in strong clusters; the subset can be chosen (clustermap analyse prosperity --subset)."
        ],
        comparisons=cmp,
        charts=charts,
        tables=(
            [
                Table(
                    "prosperity_within_countries",
                    "GDP per capita against strong-cluster share: pooled and within countries (country fixed "
                    "effects, per-country rank correlations), 95% intervals",
                    within_rows,
                    formats=WITHIN_FORMATS,
                )
            ]
            if len(within_rows)
            else []
        )
        + [
            Table(
                "prosperity_statistics",
                "GDP per capita against strong-cluster share",
                rt,
                formats={
                    "pearson_r": "f3",
                    "pearson_p": "f3",
                    "spearman_rho": "f3",
                    "spearman_p": "f3",
                    "slope": "int",
                    "slope_low": "int",
                    "slope_high": "int",
                    "intercept": "int",
                    "intercept_low": "int",
                    "intercept_high": "int",
                    "r2": "f3",
                    "confidence": _PCT,
                },
                show=_REL_SHOW,
            )
        ],
        definitions=["gdp_per_capita", "strong_share_traded", "pearson_r", "spearman_rho", "ols_slope", "outlier"],
    )


def _change_section(study: Study, headline: list[Comparison]) -> Section | None:
    ch = study.star_changes
    if ch is None:
        return None
    y0, y1 = study.years_for_change
    tm = an.transition_matrix(ch)
    summary = an.change_summary(ch)
    by_year = an.cluster_shares_by_year(study.eu.cells, [y for y in study.eu.years if y <= y1])
    growth = an.employment_growth(study.eu.cells, y0, y1)
    counts = summary.set_index("change")["cells"]
    cmp = [
        compare(
            f"Clusters that emerged / disappeared, {y0}-{y1}",
            f"{counts['emerged']} emerged, {counts['disappeared']} disappeared, {counts['gained']} gained and "
            f"{counts['lost']} lost stars; {counts['became 3-star']} became and {counts['ceased to be 3-star']} "
            "ceased to be 3-star clusters",
            "change",
            "year",
            "regions",
        )
    ]
    split = [r for r in study.split_regions if r in set(ch["region"])]
    notes = []
    if split:
        notes.append(
            f"Employment of {len(split)} regions in the earlier years is a population-weighted estimate "
            f"(their region was split between NUTS versions): {', '.join(split)}. Their changes partly "
            "reflect the estimate (jobs are more concentrated than residents)."
        )
    info = ch.attrs
    heat = tm.copy()
    heat.index = [f"{i} stars in {y0}" for i in heat.index]
    heat.columns = [f"{c} stars in {y1}" for c in heat.columns]
    charts = [
        Chart(
            "star_transitions",
            f"Star transitions {y0} → {y1} (region × category cells)",
            "heatmap",
            heat,
            options={"height": 380},
        ),
        Chart(
            "growth_by_category",
            f"Employment growth by category, {y0}-{y1}",
            "barh",
            growth.assign(label=growth["category_name"]),
            x="growth",
            y="label",
            options={"percent_x": True, "xlabel": f"growth {y0}-{y1}", "height": 640},
        ),
    ]
    tm_out = tm.reset_index()
    tm_out.columns = ["stars_from"] + [f"stars_to_{c}" for c in tm.columns]
    return Section(
        "change",
        f"Change over time, {y0}-{y1}",
        [
            f"On the {info['regions_common']} regions present in both {y0} and {y1} (on one NUTS version) and the "
            f"{info['categories_common']} categories, {info['cells_in_one_year_only']} cells published in only one of "
            "the two years are left out. The share of employment in clusters per year is computed on the regions "
            "present in every year."
        ],
        comparisons=cmp,
        charts=charts,
        notes=notes,
        tables=[
            Table("star_transitions", f"Star transition matrix {y0} → {y1}", tm_out),
            Table("change_summary", "Cells by kind of change", summary),
            Table(
                "cluster_shares_by_year",
                "Employment in clusters by year (common regions)",
                by_year,
                formats={
                    "share_in_clusters": _PCT,
                    "strong_of_traded": _PCT,
                    "total_employment": "int",
                    "traded_employment": "int",
                    "cluster_employment": "int",
                },
            ),
            Table(
                "growth_by_category",
                f"Employment growth by category {y0}-{y1}",
                growth,
                formats={
                    "employment_from": "int",
                    "employment_to": "int",
                    "change": "int",
                    "growth": _PCT,
                    "annual_growth": _PCT,
                },
            ),
            Table(
                "star_changes",
                "Every cell's stars at both dates",
                ch,
                max_rows=15,
                formats={"employment_from": "int", "employment_to": "int", "lq_from": "f2", "lq_to": "f2"},
            ),
        ],
        definitions=["star_transition", "employment_growth", "cluster_share_by_year"],
    )


def _automotive_section(study: Study, headline: list[Comparison]) -> Section | None:
    cat = "automotive"
    if cat not in set(study.eu.cells["category"]):
        return None
    r = an.category_ranking(study.eu.cells, cat, year=study.year, top=13, names=study.names)
    g = study.eu.cells[(study.eu.cells["year"] == study.year) & (study.eu.cells["category"] == cat)]
    missing3 = r[~r["by_employment_region"].isin(set(g.loc[g["stars"] == 3, "region"]))]
    cmp = [
        compare(
            "Large automotive regions without three stars",
            f"{len(missing3)} of the 13 largest: "
            + ", ".join(
                f"{row.by_employment_region} {row.by_employment_name} ({row.by_employment_stars}★)"
                for row in missing3.itertuples()
            ),
            "fig3",
            "granularity",
            "year",
        )
    ]
    top = g.sort_values("employment", ascending=False).head(20).copy()
    top["label"] = top["region"] + " " + top["region"].map(study.names).fillna("").str.slice(0, 24)
    top["colour"] = star_colours(top["stars"])
    top["stars_text"] = top["stars"].astype(int).astype(str) + "★"
    chart = Chart(
        "figure3_automotive",
        f"Automotive: the 20 largest regions by employment, coloured by stars ({study.year})",
        "barh",
        top,
        x="employment",
        y="label",
        options={"color": "colour", "text": "stars_text", "xlabel": "persons employed", "height": 560},
    )
    return Section(
        "figure3",
        "Stars against employment: automotive (Figure 3)",
        [
            "The star method measures relative, not absolute strength: large regions with many industries can have "
            "big automotive employment without the specialisation or focus stars. The region reports and "
            "'clustermap report --category SLUG' show this for every category."
        ],
        comparisons=cmp,
        charts=[chart],
        tables=[
            Table(
                "figure3_automotive",
                "Automotive: top 13 by stars beside top 13 by employment",
                r,
                formats={"by_stars_employment": "int", "by_employment_employment": "int"},
            )
        ],
        definitions=["regional_cluster"],
    )


def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
