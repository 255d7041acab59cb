"""Region and category reports: one region's portfolio, stars, LQs, change over time and peers; one category's
ranking by stars beside by employment (Figure 3), concentration, map and change."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from clustermap import analyses as an
from clustermap.errors import UnknownNameError
from clustermap.reports._common import (
    CELL_FORMATS,
    GROWTH_FORMATS,
    PCT,
    STAR_CHANGE_FORMATS,
    fmt_int,
    fmt_num,
    pct,
    report_meta,
    star_colours,
    star_map_chart,
)
from clustermap.reports.model import Chart, Report, Section, Table
from clustermap.reports.study import Study

#: the columns of a mapped cell a report lists: employment, location quotient, stars and share of the region
CELL_COLUMNS = ["employment", "lq", "stars", "size_star", "specialisation_star", "focus_star", "share"]

__all__ = ["build_category_report", "build_region_report", "report_stem"]


def report_stem(text: str) -> str:
    """File stem of a region or category report (the code or slug, file-name safe)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text))


def _side(study: Study, code: str) -> tuple[Any, int]:
    """The mapping (EU or US) that holds region ``code`` and its year."""
    if study.us is not None and code in set(study.us.cells["region"]):
        return study.us, int(study.us_year)
    if code in set(study.eu.cells.loc[study.eu.cells["year"] == study.year, "region"]):
        return study.eu, study.year
    hint = ""
    try:
        from clustermap.regions import get_registry

        reg = get_registry(mirror=study.mirror)
        if code in reg:
            r = reg.get(code)
            hint = (
                f" {code} ({r.name}) is a NUTS {', '.join(map(str, r.versions))} code; the results use NUTS "
                f"{study.nuts_version} codes"
            )
            near = [c for c in sorted(set(study.eu.cells["region"])) if study.names.get(c) == r.name]
            if near:
                hint += f": try {', '.join(near)}"
    except Exception:  # hints only
        pass
    raise UnknownNameError(f"region {code!r} is not in the mapping results.{hint}")


def build_region_report(study: Study, code: str) -> Report:
    """The report of one region (a NUTS code of the EU results or a US state FIPS code)."""
    code = str(code).strip().upper() if not str(code).strip().isdigit() else str(code).strip().zfill(2)
    mapped, year = _side(study, code)
    name = study.names.get(code, "")
    cells = mapped.cells
    portfolios = study.us_portfolios if mapped.system == "us" else study.eu_portfolios
    me = portfolios[portfolios["region"] == code].iloc[0]
    g = cells[(cells["year"] == year) & (cells["region"] == code)].copy()
    g["category_name"] = g.get("category_name", g["category"])
    report = Report(
        kind="region",
        stem=report_stem(code),
        title=f"{code} {name}".strip(),
        subtitle=f"Cluster portfolio in {year} · {mapped.label} · {mapped.methodology} on {mapped.categories}",
        meta=report_meta(study),
    )
    n = len(portfolios)
    paras = [
        f"{name or code} has a portfolio strength of {int(me['portfolio_strength'])} stars (rank {int(me['rank'])} of "
        f"{n} regions) from {int(me['n_clusters'])} regional clusters: {int(me['n_3_star'])} with three stars, "
        f"{int(me['n_2_star'])} with two, {int(me['n_1_star'])} with one. {pct(me['cluster_share_total'])} of its "
        f"employment ({fmt_int(me['region_total'])} persons in the mapped industries) is in regional clusters, "
        f"{pct(me['strong_share_traded'])} of its traded employment in strong clusters (LQ > 2).",
    ]
    comp = an.portfolio_composition(cells, code, year=year)
    lq = g.sort_values("lq", ascending=False)
    lq["colour"] = star_colours(lq["stars"])
    lq["stars_text"] = lq["stars"].astype(int).astype(str) + "★"
    charts = [
        Chart(
            "lq",
            f"Location quotients of {code}, {year} (bars coloured by stars)",
            "barh",
            lq,
            x="lq",
            y="category_name",
            options={
                "color": "colour",
                "text": "stars_text",
                "height": 700,
                "xlabel": "location quotient",
                "vlines": [(2.0, "LQ 2: strong"), (1.0, "")],
            },
        )
    ]
    if len(comp):
        stars = comp.assign(
            size=comp["size_star"], specialisation=comp["specialisation_star"], focus=comp["focus_star"]
        )
        long = stars.melt(
            id_vars=["category_name"], value_vars=["size", "specialisation", "focus"], var_name="star", value_name="has"
        )
        order = {c: i for i, c in enumerate(comp["category_name"])}
        long = long[long["has"] == 1].assign(_o=lambda t: t["category_name"].map(order)).sort_values(["_o", "star"])
        charts.append(
            Chart(
                "stars",
                f"Stars of {code}'s regional clusters",
                "barh",
                long.assign(one=1),
                x="one",
                y="category_name",
                options={
                    "series": "star",
                    "stack": True,
                    "xlabel": "stars (size, specialisation, focus)",
                    "height": max(260, 28 * len(comp) + 120),
                },
            )
        )
    sections = [
        Section(
            "portfolio",
            "Cluster portfolio",
            paras,
            charts=charts,
            tables=[
                Table(
                    "portfolio",
                    f"Regional clusters of {code}",
                    comp,
                    formats=CELL_FORMATS | {"share_of_portfolio_employment": PCT},
                ),
                Table(
                    "all_categories",
                    f"Every category in {code}",
                    g[
                        [
                            "category",
                            "category_name",
                            *CELL_COLUMNS,
                            "size_rank",
                            "focus_rank",
                        ]
                    ].sort_values("lq", ascending=False),
                    formats=CELL_FORMATS,
                ),
            ],
            definitions=["portfolio_strength", "lq", "regional_cluster", "strong_cluster", "strong_share_traded"],
        )
    ]
    # change over time (EU: harmonised panel)
    if mapped.system == "eu" and study.years_for_change is not None:
        y0, y1 = study.years_for_change
        ch = study.star_changes
        mine = ch[ch["region"] == code] if ch is not None else pd.DataFrame()
        if len(mine):
            growth = an.employment_growth(cells, y0, y1, by="region_category")
            growth = growth[growth["region"] == code]
            counts = mine["change"].value_counts()
            paras = [
                f"Between {y0} and {y1}: "
                + ", ".join(
                    f"{counts.get(k, 0)} {k}" for k in ("emerged", "disappeared", "gained", "lost", "unchanged")
                )
                + "."
            ]
            if code in study.split_regions:
                paras.append(
                    f"{code}'s employment before the NUTS change is a population-weighted estimate: its "
                    "changes partly reflect that estimate."
                )
            long = pd.concat(
                [
                    pd.DataFrame({"category": mine["category_name"], "stars": mine["stars_from"], "year": str(y0)}),
                    pd.DataFrame({"category": mine["category_name"], "stars": mine["stars_to"], "year": str(y1)}),
                ]
            )
            long = long[long.groupby("category")["stars"].transform("max") > 0]
            ch_charts = []
            if len(long):
                ch_charts.append(
                    Chart(
                        "stars_change",
                        f"Stars of {code} in {y0} and {y1}",
                        "barh",
                        long,
                        x="stars",
                        y="category",
                        options={
                            "series": "year",
                            "xlabel": "stars",
                            "height": max(300, 22 * long["category"].nunique() + 160),
                        },
                    )
                )
            sections.append(
                Section(
                    "change",
                    f"Change over time, {y0}-{y1}",
                    paras,
                    charts=ch_charts,
                    tables=[
                        Table(
                            "star_changes",
                            f"Stars of {code} by category, {y0} and {y1}",
                            mine,
                            formats=STAR_CHANGE_FORMATS,
                        ),
                        Table(
                            "growth",
                            f"Employment growth of {code} by category, {y0}-{y1}",
                            growth,
                            formats=GROWTH_FORMATS,
                        ),
                    ],
                    definitions=["star_transition", "employment_growth"],
                )
            )
    # peers
    peers_lq = study.optional(
        "peers", lambda: an.portfolio_peers(cells, code, year=year, by="lq", n=10, mirror=study.mirror)
    )
    peers_st = study.optional(
        "peers", lambda: an.portfolio_peers(cells, code, year=year, by="stars", n=10, mirror=study.mirror)
    )
    tables = []
    if peers_lq is not None:
        tables.append(
            Table("peers_lq", "Most similar regions by location quotients", peers_lq, formats={"similarity": "f3"})
        )
    if peers_st is not None:
        tables.append(Table("peers_stars", "Most similar regions by stars", peers_st, formats={"similarity": "f3"}))
    sections.append(
        Section(
            "peers",
            "Regions with similar portfolios",
            [
                "Peers are the regions whose vectors of location quotients (or of stars) over the traded categories "
                "point in "
                "the most similar direction (cosine similarity): candidates for benchmarking and partnerships."
            ],
            tables=tables,
            definitions=["peer_similarity"],
        )
    )
    # indicators
    ind = []
    for label, table, col, _fmt in (
        (
            "Patents per million inhabitants",
            study.us_innovation if mapped.system == "us" else study.eu_innovation,
            "patent_rate",
            "f1",
        ),
        (
            "GDP per capita",
            study.us_prosperity if mapped.system == "us" else study.eu_prosperity,
            "gdp_per_capita",
            "int",
        ),
    ):
        if table is None or code not in set(table["region"]):
            continue
        v = table.set_index("region")[col]
        rank = int(v.rank(ascending=False, method="min")[code])
        ind.append(
            {
                "indicator": label,
                "value": float(v[code]),
                "rank": rank,
                "regions": len(v),
                "median_of_regions": float(v.median()),
            }
        )
    if ind:
        sections.append(
            Section(
                "indicators",
                "Innovation and prosperity",
                ["Where the region stands on the indicators of the overview report."],
                tables=[
                    Table(
                        "indicators",
                        "Indicators",
                        pd.DataFrame(ind),
                        formats={"value": "num", "median_of_regions": "num"},
                    )
                ],
                definitions=["patents_per_million_inhabitants", "gdp_per_capita"],
            )
        )
    report.sections = sections
    report.notes = list(study.missing)
    report.sources = study.sources()
    return report


def build_category_report(study: Study, slug: str) -> Report:
    """The report of one category (an ``eco-nace2`` slug such as ``automotive``)."""
    cells = study.eu.cells
    cats = sorted(cells["category"].unique())
    if slug not in cats:
        near = [c for c in cats if slug.lower() in c or c in slug.lower()]
        raise UnknownNameError(
            f"unknown category {slug!r}; categories: {', '.join(cats)}"
            + (f" (did you mean {', '.join(near)}?)" if near else "")
        )
    year = study.year
    g = cells[(cells["year"] == year) & (cells["category"] == slug)].copy()
    name = str(g["category_name"].iloc[0]) if "category_name" in g.columns else slug
    g["name"] = g["region"].map(study.names).fillna("")
    conc = study.eu_concentration.set_index("category").loc[slug]
    report = Report(
        kind="category",
        stem=report_stem(slug),
        title=f"{name}",
        subtitle=f"Category {slug} · {study.eu.label}, {year} · {study.eu.methodology}",
        meta=report_meta(study),
    )
    ranking = an.category_ranking(cells, slug, year=year, top=15, names=study.names)
    top = g.sort_values("employment", ascending=False).head(25).copy()
    top["label"] = top["region"] + " " + top["name"].str.slice(0, 24)
    top["colour"] = star_colours(top["stars"])
    top["stars_text"] = top["stars"].astype(int).astype(str) + "★"
    n3 = int((g["stars"] == 3).sum())
    big = set(ranking["by_employment_region"])
    big_not3 = [r for r in ranking["by_employment_region"] if r not in set(g.loc[g["stars"] == 3, "region"])]
    sections = [
        Section(
            "ranking",
            "Ranking by stars beside ranking by employment (Figure 3)",
            [
                f"{name}: {fmt_int(conc['employment'])} persons employed in "
                f"{int(conc['regions_with_employment'])} regions; "
                f"{int(conc['clusters'])} regional clusters, {n3} of them with three stars. {len(big_not3)} of the "
                f"{len(big)} regions with most employment have fewer than three stars: the star method measures "
                "relative "
                "strength (specialisation and focus), so large diversified regions can miss stars."
            ],
            charts=[
                Chart(
                    "employment_stars",
                    f"The 25 largest regions in {name}, coloured by stars",
                    "barh",
                    top,
                    x="employment",
                    y="label",
                    options={"color": "colour", "text": "stars_text", "height": 640, "xlabel": "persons employed"},
                )
            ],
            tables=[
                Table(
                    "ranking",
                    "Top regions by stars beside top regions by employment",
                    ranking,
                    formats={"by_stars_employment": "int", "by_employment_employment": "int"},
                )
            ],
            definitions=["regional_cluster", "employment"],
        )
    ]
    rows = [
        {"measure": k, "EU": conc[k]}
        for k in ("strong_share", "gini", "hoover", "herfindahl", "equivalent_regions", "top_region_share")
    ]
    rank = study.eu_concentration["strong_share"].rank(ascending=False, method="min")
    rank_of = int(rank[study.eu_concentration["category"] == slug].iloc[0])
    paras = [
        f"{pct(conc['strong_share'])} of the category's employment is in strong clusters (rank {rank_of} of "
        f"{len(study.eu_concentration)} categories; the reference's average is 32%); locational Gini "
        f"{fmt_num(conc['gini'], 3)}, Hoover {fmt_num(conc['hoover'], 3)}; its largest region "
        f"{conc['top_region']} {study.names.get(conc['top_region'], '')} holds {pct(conc['top_region_share'])}."
    ]
    if study.us_concentration is not None and slug in set(study.us_concentration["category"]):
        us = study.us_concentration.set_index("category").loc[slug]
        for r in rows:
            r["US"] = us[r["measure"]]
        paras.append(
            f"Over US states ({study.us_year}) the same category has a Gini of {fmt_num(us['gini'], 3)} and "
            f"{pct(us['strong_share'])} of its employment in strong clusters."
        )
    charts = []
    if study.eu_geojson:
        charts.append(
            star_map_chart(
                "map_lq",
                f"{name}: location quotient by region, {year}",
                g,
                "lq",
                study.eu_geojson,
                colorbar="LQ",
                hover="name",
                zmax=float(min(g["lq"].quantile(0.98), 6.0)) if len(g) else None,
                caption="Colour scale capped at the 98th percentile (or LQ 6).",
            )
        )
        charts.append(
            star_map_chart(
                "map_stars",
                f"{name}: stars by region, {year}",
                g,
                "stars",
                study.eu_geojson,
                colorbar="stars",
                hover="name",
                zmax=3,
            )
        )
    if study.us is not None and study.us_geojson:
        gu = study.us.cells[(study.us.cells["year"] == study.us_year) & (study.us.cells["category"] == slug)].copy()
        if len(gu):
            gu["name"] = gu["region"].map(study.names).fillna("")
            charts.append(
                star_map_chart(
                    "map_us",
                    f"{name}: US states, location quotient ({study.us_year})",
                    gu,
                    "lq",
                    study.us_geojson,
                    colorbar="LQ",
                    scope="usa",
                    hover="name",
                    zmax=float(min(gu["lq"].quantile(0.98), 6.0)),
                )
            )
    sections.append(
        Section(
            "concentration",
            "Concentration",
            paras,
            charts=charts,
            tables=[
                Table("concentration", "Concentration measures", pd.DataFrame(rows), formats={"EU": "f3", "US": "f3"})
            ],
            definitions=["category_strong_share", "gini", "hoover", "herfindahl", "lq"],
        )
    )
    if study.years_for_change is not None:
        y0, y1 = study.years_for_change
        ch = study.star_changes
        mine = ch[ch["category"] == slug]
        growth = an.employment_growth(cells, y0, y1, by="region_category")
        growth = growth[growth["category"] == slug]
        growth.insert(1, "name", growth["region"].map(study.names).fillna(""))
        counts = mine["change"].value_counts()
        sections.append(
            Section(
                "change",
                f"Change over time, {y0}-{y1}",
                [
                    f"{counts.get('emerged', 0)} clusters emerged, {counts.get('disappeared', 0)} disappeared, "
                    f"{counts.get('gained', 0)} gained and {counts.get('lost', 0)} lost stars between {y0} and {y1} "
                    "(regions "
                    "present in both years)."
                ],
                tables=[
                    Table(
                        "transitions",
                        f"Star transitions {y0} → {y1}",
                        an.transition_matrix(mine).reset_index().rename(columns={i: f"stars_to_{i}" for i in range(4)}),
                    ),
                    Table(
                        "growth",
                        f"Employment growth by region, {y0}-{y1}",
                        growth,
                        formats=GROWTH_FORMATS,
                        max_rows=20,
                    ),
                ],
                definitions=["star_transition", "employment_growth"],
            )
        )
    allr = g.sort_values(["stars", "employment"], ascending=[False, False])[
        [
            "region",
            "name",
            *CELL_COLUMNS,
            "strong",
        ]
    ]
    sections.append(
        Section(
            "regions",
            "Every region",
            [],
            tables=[
                Table(
                    "regions",
                    f"{name}: every region, {year}",
                    allr,
                    formats=CELL_FORMATS,
                    max_rows=30,
                )
            ],
        )
    )
    report.sections = sections
    report.notes = list(study.missing)
    report.sources = study.sources()
    return report
