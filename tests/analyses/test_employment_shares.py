"""Employment in clusters and strong clusters: pooled shares and distributions by hand; Figure 9 for the EU
and the US from the same code."""

from __future__ import annotations

import pytest

from clustermap import analyses as an


def test_cluster_employment_by_hand(tiny) -> None:
    p = an.region_shares(tiny, names=False)
    ce = an.cluster_employment(p).iloc[0]
    assert ce["total_employment"] == 250  # 100 + 100 + 50
    assert ce["traded_employment"] == 20
    assert ce["cluster_employment"] == 15  # A/x 10 (1 star), C/y 5 (2 stars)
    assert ce["share_in_clusters"] == pytest.approx(15 / 250)
    assert ce["share_in_traded"] == pytest.approx(20 / 250)
    assert ce["strong_of_clusters"] == pytest.approx(1.0)  # both clusters have LQ > 2
    assert ce["strong_of_traded"] == pytest.approx(15 / 20)
    assert ce["region_cluster_share_max"] == pytest.approx(0.1)  # A 10/100, C 5/50
    assert ce["region_cluster_share_min"] == 0.0


def test_total_employment_base_by_hand(tiny) -> None:
    """All-employment base (LFS TOTAL): A 400 persons (2010), B 300 (only 2011: the nearest year), C none — so C
    has no all-employment share (null, not 0) and leaves the pooled all-base share."""
    import pandas as pd

    totals = pd.DataFrame({"region": ["A", "B", "B"], "year": [2010, 2011, 2013], "total": [400.0, 300.0, 1.0]})
    p = an.add_total_base(an.region_shares(tiny, names=False), totals)
    by = p.set_index("region")
    assert by.loc["A", "total_all"] == 400.0 and by.loc["B", "total_all_year"] == 2011
    assert by.loc["A", "cluster_share_all"] == pytest.approx(10 / 400)
    assert by.loc["A", "cluster_share_total"] == pytest.approx(10 / 100), "the SBS-base share stays beside it"
    assert pd.isna(by.loc["C", "cluster_share_all"]) and pd.isna(by.loc["C", "total_all"])
    assert "lfst_r_lfe2en2" in p.attrs["total_base"]
    ce = an.cluster_employment(p).iloc[0]
    assert ce["regions_all_base"] == 2 and ce["total_employment_all"] == 700.0
    assert ce["share_in_clusters_all"] == pytest.approx(10 / 700)  # A's cluster; C (5 in a cluster) has no total
    assert ce["share_in_traded_all"] == pytest.approx(15 / 700)  # A: x 10 + y 5; B: 0
    assert ce["share_in_clusters"] == pytest.approx(15 / 250)
    assert "lfst_r_lfe2en2" in an.cluster_employment(p).attrs["total_base"]
    empty = an.add_total_base(an.region_shares(tiny, names=False), None)
    assert empty["cluster_share_all"].isna().all()


def test_share_distribution_by_hand(tiny) -> None:
    p = an.region_shares(tiny, names=False)
    stats, hist = an.share_distribution(p)
    # strong share of traded: A 10/15, C 5/5, B undefined (no traded employment)
    assert stats["n"] == 2
    assert stats["max"] == pytest.approx(1.0) and stats["argmax"] == "C"
    assert stats["min"] == pytest.approx(2 / 3) and stats["argmin"] == "A"
    assert stats["mean"] == pytest.approx((1 + 2 / 3) / 2)
    assert stats["weighted_mean"] == pytest.approx((15 * 2 / 3 + 5 * 1) / 20)
    assert hist["count"].sum() == 2 and hist["count"].iloc[-1] == 1  # 100 % is in the last (closed) bin
    fig9 = an.strong_share_summary({"one": p, "two": p}).set_index("statistic")
    assert fig9.loc["median", "one"] == fig9.loc["median", "two"] == pytest.approx(stats["median"])


def test_strong_threshold_is_strict() -> None:
    from tests.analyses.conftest import cells

    p = an.region_portfolios(cells([("A", "x", 2010, 10.0, 100.0, 2.0, 1)]), names=False)
    assert p["strong_employment"].item() == 0  # LQ = 2 is not strong (LQ > 2)


@pytest.mark.realdata
def test_real_figure9_eu_and_us(real) -> None:
    eu_p = an.region_shares(real["eu"].cells, year=2014, names=False)
    us_p = an.region_shares(real["us"].cells, names=False)
    res = an.compare_strong_shares(eu_p, us_p)
    for side, n in (("eu", (270, 300)), ("us", (51, 51))):
        s = res[side]
        assert n[0] <= s["n"] <= n[1]
        assert 0 <= s["min"] <= s["median"] <= s["max"] <= 1
        assert 0.05 < s["mean"] < 0.4
    ce = an.cluster_employment(eu_p).iloc[0]
    assert 0.15 < ce["share_in_clusters"] < ce["share_in_traded"] < 0.7


@pytest.mark.realdata
def test_real_shares_on_the_lfs_total_base(real) -> None:
    """The reference's 38 % is a share of all employees: on the LFS TOTAL base (harmonised to the mapping's NUTS
    2016 codes) the EU shares are lower than on the SBS business-economy base, for almost every region."""
    from clustermap.loaders.eurostat_tsv import load_lfs_totals
    from clustermap.regions import harmonise

    lfs = load_lfs_totals(mirror=real["mirror"])
    t = lfs.rename(columns={"total": "employment"}).assign(industry="TOTAL")
    h = harmonise(t[["region", "industry", "year", "employment"]], to_version=2016, mirror=real["mirror"])
    totals = h.frame.rename(columns={"employment": "total"})[["region", "year", "total"]]
    p = an.add_total_base(an.region_shares(real["eu"].cells, year=2014, names=False), totals)
    assert p["total_all"].notna().mean() > 0.9
    ce = an.cluster_employment(p).iloc[0]
    assert ce["regions_all_base"] > 250
    assert 0.05 < ce["share_in_clusters_all"] < ce["share_in_clusters"]
    assert ce["share_in_traded_all"] < ce["share_in_traded"]
    both = p.dropna(subset=["traded_share_all"])
    assert (both["traded_share_all"] < both["traded_share_total"]).mean() > 0.9
