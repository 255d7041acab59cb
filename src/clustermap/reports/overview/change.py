"""Overview section on change over time: star transitions, employment in clusters by year, growth."""

from __future__ import annotations

from clustermap import analyses as an
from clustermap.reports._common import (
    GROWTH_FORMATS,
    PCT,
    STAR_CHANGE_FORMATS,
    compare,
)
from clustermap.reports.model import Chart, Comparison, Section, Table
from clustermap.reports.study import Study


def change_section(study: Study, headline: list[Comparison]) -> Section | None:
    """Change over time: star transitions, cluster shares by year, growth; ``None`` with one year."""
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
                    "share_in_clusters": PCT,
                    "strong_of_traded": PCT,
                    "total_employment": "int",
                    "traded_employment": "int",
                    "cluster_employment": "int",
                },
            ),
            Table(
                "growth_by_category",
                f"Employment growth by category {y0}-{y1}",
                growth,
                formats=GROWTH_FORMATS,
            ),
            Table(
                "star_changes",
                "Every cell's stars at both dates",
                ch,
                max_rows=15,
                formats=STAR_CHANGE_FORMATS,
            ),
        ],
        definitions=["star_transition", "employment_growth", "cluster_share_by_year"],
    )
