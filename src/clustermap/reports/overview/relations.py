"""Overview sections relating clusters to other outcomes: innovation (Figures 5 and 6) and prosperity
(Figure 10), with scatter charts and regression statistics."""

from __future__ import annotations

from typing import Any

import pandas as pd

from clustermap import analyses as an
from clustermap.reports._common import (
    PCT,
    RELATION_COLUMNS,
    WITHIN_FORMATS,
    compare,
    fmt_int,
    fmt_num,
    fmt_p,
    relation_formats,
    relation_table,
    within_table,
)
from clustermap.reports.model import Chart, Comparison, Section, Table
from clustermap.reports.study import Study


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


def _unavailable(study: Study, key: str, title: str, what: str) -> Section:
    """The section without its data: which of the study's missing inputs (those naming ``what``) it needed."""
    needed = "; ".join(m for m in study.missing if what.lower() in m.lower())
    return Section(key, title, [f"No {what} data could be read: {needed}"])


def innovation_section(study: Study, headline: list[Comparison]) -> Section | None:
    """Patents against cluster strength (Figures 5 and 6): relations, scatters, overlap."""
    it = study.eu_innovation
    if it is None:
        return _unavailable(study, "innovation", "Clusters and innovation (Figures 5 and 6)", "patent")
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
                formats=relation_formats(),
                show=RELATION_COLUMNS,
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
                    "share_in_top_third": PCT,
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
                    "strong_share_traded": PCT,
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


def prosperity_section(study: Study, headline: list[Comparison]) -> Section | None:
    """GDP per capita against the strong-cluster share (Figure 10); a note when no GDP could be read."""
    pt = study.eu_prosperity
    if pt is None:
        return _unavailable(study, "prosperity", "Clusters and prosperity (Figure 10)", "GDP")
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
                formats=relation_formats("int"),
                show=RELATION_COLUMNS,
            )
        ],
        definitions=["gdp_per_capita", "strong_share_traded", "pearson_r", "spearman_rho", "ols_slope", "outlier"],
    )
