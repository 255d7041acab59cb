"""Overview sections on what was mapped and where the clusters are: data and method, why the numbers
differ from the reference, cluster presence (Figure 2), stars against employment (Figure 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clustermap import analyses as an
from clustermap.analyses.reference import DIFFERENCE_LABELS, DIFFERENCES
from clustermap.reports._common import (
    PCT,
    compare,
    fmt_int,
    pct,
    star_colours,
)
from clustermap.reports.model import Chart, Comparison, Section, Table
from clustermap.reports.study import Study


def data_section(study: Study, headline: list[Comparison]) -> Section:
    """The data and method: what was mapped on each side, with the mapping summary table."""
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
                formats={c: "int" for c in _SUMMARY} | {"clusters_share_of_potential": PCT},
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


def differences_section(study: Study, headline: list[Comparison]) -> Section:
    """The reasons why the numbers differ from the reference, as a table."""
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


def clusters_section(study: Study, headline: list[Comparison]) -> Section:
    """Cluster presence (Figure 2): clusters by number of stars against the reference."""
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
                    "share_of_clusters": PCT,
                    "share_of_potential": PCT,
                    "reference_share_of_clusters": PCT,
                    "reference_share_of_potential": PCT,
                    "clusters": "int",
                    "reference_clusters": "int",
                },
            )
        ],
        definitions=["regional_cluster"],
    )


def automotive_section(study: Study, headline: list[Comparison]) -> Section | None:
    """Stars against employment in automotive (Figure 3); ``None`` without the category."""
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
