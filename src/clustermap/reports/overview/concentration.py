"""Overview sections on concentration: the strong-cluster share across regions (Figure 9), concentration by
category (section 2.2) and Europe against the United States (Figure 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clustermap import analyses as an
from clustermap.analyses.reference import REFERENCE
from clustermap.reports._common import (
    PCT,
    compare,
    fmt_num,
    pct,
    star_map_chart,
)
from clustermap.reports.model import Chart, Comparison, Section, Table
from clustermap.reports.study import Study


def figure9_section(study: Study, headline: list[Comparison]) -> Section:
    """The strong-cluster share of traded employment across regions (Figure 9), EU and US."""
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
    for key, label, us_p, us_year in study.us_sides():
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
    fmt = {c: PCT for c in t.columns if c != "statistic"}
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


def concentration_section(study: Study, headline: list[Comparison]) -> Section:
    """Concentration by category (section 2.2): strong share, Gini, Hoover, Herfindahl."""
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
                    "strong_share": PCT,
                    "top_region_share": PCT,
                    "gini": "f3",
                    "hoover": "f3",
                    "herfindahl": "f3",
                    "equivalent_regions": "f1",
                },
                show=[x for x in cols if x not in ("category", "regions_with_employment")],
            )
        ],
        definitions=["category_strong_share", "gini", "hoover", "herfindahl", "top_region_share"],
    )


def eu_us_section(study: Study, headline: list[Comparison]) -> Section | None:
    """Europe against the US by category (Figure 8); ``None`` without a US mapping."""
    sides = [
        (k, lab, conc, y)
        for (k, lab, _, y), conc in zip(
            study.us_sides(),
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
                    "eu_strong_share": PCT,
                    "us_strong_share": PCT,
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
