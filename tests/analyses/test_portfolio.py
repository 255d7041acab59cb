"""Portfolio strength, composition and peers on hand-made cells; the real map's portfolios."""

from __future__ import annotations

import math

import pytest
from tests.analyses.conftest import cells

from clustermap import analyses as an


def test_region_portfolios_by_hand(tiny) -> None:
    p = an.region_portfolios(tiny, names=False).set_index("region")
    assert p["portfolio_strength"].to_dict() == {"A": 1, "B": 0, "C": 2}
    assert p["rank"].to_dict() == {"C": 1, "A": 2, "B": 3}
    assert p.loc["A", "traded_employment"] == 15 and p.loc["A", "cluster_employment"] == 10
    assert p.loc["A", "strong_employment"] == 10  # LQ 2.5 in x
    assert p.loc["A", "strong_share_traded"] == pytest.approx(10 / 15)
    assert p.loc["A", "strong_share_total"] == pytest.approx(0.1)
    assert p.loc["C", "cluster_share_total"] == pytest.approx(5 / 50)
    assert p.loc["C", "n_2_star"] == 1 and p.loc["C", "n_strong"] == 1
    assert math.isnan(p.loc["B", "strong_share_traded"])  # no traded employment: no share
    assert p.loc["B", "strong_share_total"] == 0.0


def test_ties_share_the_best_rank() -> None:
    rows = [
        ("A", "x", 2010, 10.0, 100.0, 1.0, 2),
        ("B", "x", 2010, 10.0, 100.0, 1.0, 2),
        ("C", "x", 2010, 10.0, 100.0, 1.0, 1),
    ]
    p = an.region_portfolios(cells(rows), names=False).set_index("region")
    assert p["rank"].to_dict() == {"A": 1, "B": 1, "C": 3}


def test_thresholds_and_distribution(tiny) -> None:
    assert an.scaled_star_threshold(38) == 25
    assert an.scaled_star_threshold(29) == 19  # 25 × 29 / 38 = 19.08
    p = an.region_portfolios(tiny, names=False)
    assert an.strong_portfolios(p, min_stars=1)["region"].tolist() == ["C", "A"]
    stats, hist = an.portfolio_distribution(p, bin_width=1)
    assert stats["max"] == 2 and stats["median"] == 1 and stats["regions_without_clusters"] == 1
    assert hist["count"].sum() == 3


def test_composition_and_peers(tiny) -> None:
    frame = tiny.assign(size_star=0, specialisation_star=tiny["stars"].clip(upper=1), focus_star=0, share=0.0)
    comp = an.portfolio_composition(frame, "C")
    assert comp["category"].tolist() == ["y"] and comp["stars"].tolist() == [2]
    with pytest.raises(LookupError, match="not in the mapping results"):
        an.portfolio_composition(frame, "Z")
    # LQ vectors over (x, y): A (2.5, .5), B (0, 0), C (0, 3): cos(A, C) = 1.5 / (√6.5 · 3)
    peers = an.portfolio_peers(frame, "A", mirror=None).set_index("region")
    assert peers.loc["C", "similarity"] == pytest.approx(1.5 / (math.sqrt(6.5) * 3))
    assert math.isnan(peers.loc["B", "similarity"])  # a zero vector has no direction
    stars = an.portfolio_peers(frame, "C", by="stars").set_index("region")
    assert stars.loc["A", "similarity"] == pytest.approx(0.0)  # (1, 0) · (0, 2)


@pytest.mark.realdata
def test_real_portfolios(real) -> None:
    eu = real["eu"]
    assert an.latest_complete_year(eu.cells) == 2014
    p = an.region_portfolios(eu.cells, year=2014, mirror=real["mirror"])
    assert 270 <= len(p) <= 300
    assert p.iloc[0]["portfolio_strength"] >= 25 and p["portfolio_strength"].max() <= 87
    assert p["strong_share_traded"].dropna().between(0, 1).all()
    assert (p["strong_employment"] <= p["traded_employment"] + 1e-6).all()
    assert p.loc[p["region"] == "DE11", "name"].item() == "Stuttgart"
    # the summary's cluster counts are the portfolio counts
    s = eu.summary.set_index("year").loc[2014]
    assert p["n_clusters"].sum() == s["clusters"] and p["n_3_star"].sum() == s["clusters_3_star"]
    peers = an.portfolio_peers(eu.cells, "DE11", year=2014)
    assert len(peers) == 10 and peers["similarity"].is_monotonic_decreasing
