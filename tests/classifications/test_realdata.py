"""Real-data checks of the classification layer (data mirror ../shared/data).

The two "done when" figures of issue 3 are printed here (run ``pytest -s -m realdata tests/classifications``):

* CBP state data 2000–2011 on NAICS 2012 and on the US Cluster Mapping clusters, per year;
* US states 2011 on the same ``eco-nace2`` categories as the EU, with the employment each allocation rule moved.
"""

from __future__ import annotations

import pandas as pd
import pytest

import clustermap
from clustermap.classifications import (
    category_coverage,
    convert_naics,
    naics_concordance,
    naics_titles,
    six_digit_panel,
    to_naics2012,
)
from clustermap.definitions.categories import load_category_set
from clustermap.definitions.derived import allocation_report, naics_to_eco_nace2, uscmp_naics2012
from clustermap.loaders import load_cbp_cbsa, load_cbp_state, load_cbp_state_totals, load_sbs

pytestmark = pytest.mark.realdata

#: the issue's target: share of employment in codes that map to a US Cluster Mapping cluster
TARGET = 0.98


@pytest.fixture(scope="module")
def cbp(mirror):
    """CBP state data 2000–2011, every NAICS level (the 6-digit panel is built from it)."""
    return load_cbp_state(mirror=mirror, naics_digits=None).frame


def test_naics_tables(mirror) -> None:
    counts = {v: len(naics_titles(v, digits=6, mirror=mirror)) for v in (2002, 2007, 2012, 2017)}
    assert counts == {2002: 1179, 2007: 1175, 2012: 1065, 2017: 1057}
    pairs = {(a, b): len(naics_concordance(a, b, mirror=mirror)) for a, b in ((2002, 2007), (2007, 2012), (2012, 2017))}
    assert pairs == {(2002, 2007): 1200, (2007, 2012): 1184, (2012, 2017): 1069}
    chained = naics_concordance(2002, 2012, mirror=mirror)
    assert set(chained.loc[chained["source"] == "541710", "target"]) == {"541711", "541712"}


def test_uscmp_completed_for_naics2012(mirror) -> None:
    base = load_category_set("uscmp", mirror=mirror)
    full = uscmp_naics2012(mirror)
    codes12 = set(naics_titles(2012, digits=6, mirror=mirror)["naics"])
    assert set(full.crosswalk["industry"]) <= codes12
    added = set(full.crosswalk["industry"]) - set(base.crosswalk["industry"])
    assert {"452112", "454111", "541711", "541712", "211111"} <= added
    cw = full.crosswalk.set_index("industry")
    assert cw.loc["452112", "category"] == "local-retailing-of-clothing-and-general-merchandise"
    assert cw.loc["541712", "category"] == "education-and-knowledge-creation"
    assert full.credit == base.credit  # same licence and credit line as the definitions it comes from


def test_cbp_2000_2011_on_naics2012_and_uscmp(cbp, mirror) -> None:
    """The issue's figure: per year, the share of CBP employment that maps to NAICS 2012 and to the clusters."""
    panel, recovered = six_digit_panel(cbp, mirror=mirror)
    # weights for splits into NAICS 2012 codes: the nearest data on NAICS 2012 is CBSA 2018 (NAICS 2017, back)
    reference, _ = convert_naics(load_cbp_cbsa(mirror=mirror, years=[2018]).frame, target=2012, mirror=mirror)
    on2012, report = to_naics2012(panel, reference=reference, mirror=mirror)
    plain = category_coverage(on2012, load_category_set("uscmp", mirror=mirror)).set_index("year")
    full = category_coverage(on2012, uscmp_naics2012(mirror)).set_index("year")
    totals = load_cbp_state_totals(mirror=mirror).groupby("year")["total"].sum()
    by = report.by_year.set_index("year")
    sector = cbp[cbp["industry"].isin(["23", "42"])].groupby("year")["employment"].sum()
    table = pd.DataFrame(
        {
            "vintage": by["vintage"],
            "all_industries": totals,
            "six_digit_of_all": panel.groupby("year")["employment"].sum() / totals,
            "clean": by["share_clean"],
            "split": by["share_split"],
            "unmapped": by["share_unmapped"],
            "moved_regional": by["split_regional"],
            "moved_national": by["split_national"],
            "moved_equal": by["split_equal"],
            "uscmp_file": plain["share_assigned"],
            "uscmp_naics2012": full["share_assigned"],
        }
    )
    pct = ["six_digit_of_all", "clean", "split", "unmapped", "uscmp_file", "uscmp_naics2012"]
    shown = table.copy()
    shown[pct] = (100 * shown[pct]).round(2)
    print(
        "\nCBP state 2000-2011 -> NAICS 2012 -> US Cluster Mapping clusters (shares in % of employment; "
        "moved_* = persons each split rule allocated)"
    )
    print(shown.to_string(float_format=lambda v: f"{v:,.2f}"))
    print(
        "six_digit_of_all: employment in 6-digit codes (after recovering industries the mirror stores under a "
        "parent code) / all-industries total. 2000-2002: construction (NAICS 23) and wholesale (42), "
        f"{sector.loc[2000:2002].div(totals.loc[2000:2002]).mean():.1%} of employment, have only sector totals "
        "in the mirror (their NAICS 1997 codes are not there), so they cannot be mapped."
    )
    print(
        "uscmp_file: the mirror's CMP NAICS table as loaded by load_category_set('uscmp'); it lacks the 2012 codes "
        "that NAICS 2017 replaced (department stores, e-shopping, R&D, rental ...). uscmp_naics2012: completed "
        "through the 2012->2017 concordance (classifications.uscmp_naics2012)."
    )
    assert set(table.index) == set(range(2000, 2012))
    assert len(recovered) > 0
    assert (table["clean"] + table["split"] + table["unmapped"]).round(9).eq(1.0).all()
    # the target: >= 98 % of employment in codes that map, every year, with the completed definitions
    assert (1 - table["unmapped"] >= TARGET).all()
    assert (table["uscmp_naics2012"] >= TARGET).all()
    # the plain file misses the target from 2003 on, and only because of the 2012 codes NAICS 2017 replaced
    replaced = set(naics_concordance(2012, 2017, mirror=mirror).query("source != target")["source"])
    for codes in plain["unassigned_codes"]:
        assert set(filter(None, codes.split("|"))) <= replaced
    # every year maps on the clusters, all 51 states
    result = clustermap.map_clusters(on2012, categories=uscmp_naics2012(mirror), methodology="uscmp", full=True)
    assert result.summary["year"].tolist() == list(range(2000, 2012))
    assert (result.summary["regions"] == 51).all()
    assert (result.summary["categories"] == 51).all()


def test_us_states_2011_on_the_eu_categories(cbp, mirror) -> None:
    """CBP 2011 (NAICS 2007) on eco-nace2 through the 2007 NAICS → ISIC concordance, mapped with eco2007 like the
    EU SBS 2011; every traded category present on the EU side is present on the US side."""
    panel, _ = six_digit_panel(cbp[cbp["year"] == 2011], mirror=mirror)
    us_set = naics_to_eco_nace2(2007, mirror=mirror)
    us = clustermap.map_clusters(panel, categories=us_set, methodology="eco2007", full=True)
    eu = clustermap.map_clusters(
        load_sbs(mirror=mirror, years=[2011]).frame, categories="eco-nace2", methodology="eco2007", full=True
    )
    us_cats, eu_cats = set(us.cells["category"]), set(eu.cells["category"])
    traded = set(load_category_set("eco-nace2").traded_categories)
    report = allocation_report(panel, 2007, mirror=mirror, categories=us_set)
    print("\nUS states 2011 (CBP, NAICS 2007) on eco-nace2: employment by allocation rule")
    print(report.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    print(f"traded categories: EU {len(eu_cats)}, US {len(us_cats)}, both {len(eu_cats & us_cats)} of {len(traded)}")
    print("only EU:", sorted(eu_cats - us_cats), "only US:", sorted(us_cats - eu_cats))
    assert us_cats == eu_cats == traded
    assert us.summary["regions"].iloc[0] == 51
    assert set(report["rule"]) <= {"single", "residual", "siblings", "equal", "not in concordance"}
    assert report.loc[report["rule"] == "not in concordance", "employment"].sum() == 0
