"""The result vocabulary: every column of the cells a mapping run produces — name, type, unit and meaning — in one
place that the engine's column lists, the web API and the downloads are checked against
(``tests/test_columns.py``).

Notation as in ``DESIGN.md`` § 2: ``E[r,c]`` employment of category ``c`` in region ``r``, ``T[r]`` the region's
total on the methodology's ``total_base``, ``E[.,c]`` and ``T`` the sums over regions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CELL_COLUMNS", "Column", "describe", "unknown"]


@dataclass(frozen=True)
class Column:
    """One result column: ``name``, pandas ``dtype``, ``unit`` (empty when a count or a flag) and ``meaning``."""

    name: str
    dtype: str
    unit: str
    meaning: str


_PERSONS = "persons employed (or employees, as the source counts them)"

#: the columns of the cells of a run (stars and strong-cluster methodologies), by name
CELL_COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        Column("region", "string", "", "region code (NUTS, state FIPS, CBSA …) as the input publishes it"),
        Column("region_name", "string", "", "the region's name"),
        Column("category", "string", "", "category slug of the category set (e.g. automotive)"),
        Column("category_name", "string", "", "the category's name"),
        Column("year", "int64", "year", "reference year of the input"),
        Column("employment", "float64", _PERSONS, "E[r,c]: the category's employment in the region"),
        Column("establishments", "float64", "establishments", "establishments of the category in the region"),
        Column("region_total", "float64", _PERSONS, "T[r]: the region's total on the methodology's total_base"),
        Column("share", "float64", "ratio", "E[r,c] / T[r]: the cell's share of its region's employment"),
        Column("lq", "float64", "ratio", "location quotient (E[r,c] / T[r]) / (E[.,c] / T)"),
        Column("size_star", "int64", "0 or 1", "E[r,c] among the top size_share of the regions of the category"),
        Column("specialisation_star", "int64", "0 or 1", "lq ≥ lq_threshold"),
        Column("focus_star", "int64", "0 or 1", "share among the top focus_share over the focus_scope"),
        Column("stars", "int64", "stars (0–3; 0–5 panorama)", "number of star criteria met; a cluster has ≥ 1"),
        Column(
            "productivity_star",
            "int64",
            "0 or 1",
            "panorama: relative_productivity in the top productivity_share"
            " of the category's regions (or ≥ productivity_ratio)",
        ),
        Column(
            "dynamism_star",
            "int64",
            "0 or 1",
            "panorama: relative_growth in the top dynamism_share of the category's regions (or ≥ dynamism_ratio)",
        ),
        Column("wages", "float64", "EUR million", "panorama: wages and salaries of the cell (SBS V13320)"),
        Column(
            "imputed_wages",
            "float64",
            "EUR million",
            "panorama: the part of wages imputed with the employment of confidential cells (0 if none)",
        ),
        Column(
            "wages_per_person",
            "float64",
            "EUR million per person",
            "panorama: wages / persons employed with published or imputed wages",
        ),
        Column(
            "relative_productivity",
            "float64",
            "ratio",
            "panorama: wages_per_person / the category's average across the regions of the year",
        ),
        Column(
            "employment_growth",
            "float64",
            "ratio",
            "panorama: E[r,c,t] / E[r,c,t-N], the growth factor over the dynamism window",
        ),
        Column("relative_growth", "float64", "ratio", "panorama: employment_growth / the category's growth factor"),
        Column("strong", "bool", "", "strong cluster (lq > strong_lq; US CMP: the percentile rule)"),
        Column("strong_strict", "bool", "", "US CMP strong cluster on the stricter (90th) percentile"),
        Column("size_rank", "int64", "rank", "competition rank of E[r,c] among the category's regions (1 = largest)"),
        Column("focus_rank", "int64", "rank", "competition rank of the share over the focus_scope (1 = largest)"),
        Column("category_total", "float64", _PERSONS, "E[.,c]: the category's employment over all regions"),
        Column("grand_total", "float64", _PERSONS, "T: the total over all regions"),
        Column("n_regions", "int64", "regions", "|R|: regions mapped in the year"),
        Column("lq_p", "float64", "ratio", "US CMP: the 75th percentile of the category's LQs"),
        Column("lq_p_strict", "float64", "ratio", "US CMP: the 90th percentile of the category's LQs"),
        Column("employment_p", "float64", _PERSONS, "US CMP: the 25th percentile of the category's employment"),
        Column("establishments_p", "float64", "establishments", "US CMP: the 25th percentile of establishments"),
        Column("imputed", "bool", "", "the cell's employment rests on at least one imputed industry cell"),
        Column("imputed_employment", "float64", _PERSONS, "the part of E[r,c] that was imputed"),
        Column("employment_low", "float64", _PERSONS, "lower bound of E[r,c] the published figures allow"),
        Column("employment_high", "float64", _PERSONS, "upper bound of E[r,c] the published figures allow"),
        Column("imputation_policy", "string", "", "the suppression policy that filled the cell's inputs"),
        Column("flags", "string", "", "the source flags of the cell's inputs (e.g. c confidential, e estimated)"),
    )
}


def describe(name: str) -> str:
    """``meaning (unit)`` of a cell column, for column notes in downloads and schemas."""
    c = CELL_COLUMNS[name]
    return f"{c.meaning} ({c.unit})" if c.unit else c.meaning


def unknown(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names in ``names`` the vocabulary does not define (a column someone added without saying what it is)."""
    return [n for n in names if n not in CELL_COLUMNS]
