"""The overview report on the real data (built, not printed): the reference's figures beside ours for the items of
issue 11 — shares of all employment on the LFS base, EU vs US with units and Ellison-Glaeser, within-country
innovation and prosperity, honest category names, counts printed as counts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def overview(mirror, tmp_path_factory):
    from clustermap.reports.overview import build_overview
    from clustermap.reports.study import load_study
    from clustermap.warehouse import Warehouse

    path = tmp_path_factory.mktemp("overview") / "wh.duckdb"
    with Warehouse(path) as wh:
        study = load_study(wh, mirror=mirror)
        report = build_overview(study)
    return report


def _comparisons(report):
    return {c.statistic: c for s in report.sections for c in s.comparisons}


def _tables(report):
    return {t.key: t for s in report.sections for t in s.tables}


def test_shares_of_all_employment_on_the_lfs_base(overview) -> None:
    c = _comparisons(overview)["Share of employment in regional clusters (≥ 1 star)"]
    assert "of all persons employed (LFS TOTAL" in c.ours and "of the SBS business economy" in c.ours
    assert "38%" in c.reference and "lfst_r_lfe2en2" in c.why
    t = _tables(overview)["cluster_employment"]
    assert {"share_in_clusters_all", "share_in_traded_all"} <= set(t.show)
    eu = t.frame[t.frame["side"] == "EU"].iloc[0]
    assert 0 < eu["share_in_clusters_all"] < eu["share_in_clusters"]


def test_eu_us_states_units_years_and_ellison_glaeser(overview) -> None:
    cmp = _comparisons(overview)
    states = [c for k, c in cmp.items() if k.startswith("Categories more concentrated over US states (2011)")]
    assert states and "EU NUTS-2 regions" in states[0].statistic
    assert "Ellison–Glaeser" in states[0].why and "Years:" in states[0].why
    cbsa = [k for k in cmp if k.startswith("Categories more concentrated over US metropolitan")]
    assert cbsa, "CBSAs are named as such, never as states"
    t = _tables(overview)["figure8_eu_us"]
    assert {"eu_eg", "us_eg"} <= set(t.show) and "US states" in t.title


def test_within_country_estimates_beside_pooled(overview) -> None:
    cmp = _comparisons(overview)
    inn = cmp["Patents and portfolio strength within countries"]
    assert "pooled over Europe ρ" in inn.ours and "within countries ρ" in inn.ours
    pro = cmp["GDP per capita vs strong-cluster share within countries (EU15 without PT and EL)"]
    assert "fixed-effects slope" in pro.ours
    tables = _tables(overview)
    for key in ("innovation_within_countries", "prosperity_within_countries"):
        f = tables[key].frame
        assert len(f) and (f["within_spearman_low"] <= f["within_spearman_high"]).all()


def test_counts_print_as_counts_and_names_are_honest(overview) -> None:
    from clustermap.reports.render import format_table

    fig9 = format_table(_tables(overview)["figure9"])
    n_row = next(r for r in fig9["rows"] if r[0] == "n")
    assert "%" not in " ".join(n_row[1:]) and n_row[1].replace(",", "").isdigit()
    cmp = _comparisons(overview)
    ex = cmp["Footwear and aerospace vs construction and education"]
    assert "research and development" in ex.ours and "aerospace and other transport equipment" in ex.ours
