"""Innovation and prosperity: the relation statistics, patent rates and the top-third count by hand; region
subsets; typed errors for missing inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustermap import analyses as an
from clustermap.analyses import MissingInputError


def test_relation_on_a_line_with_an_outlier() -> None:
    x = np.arange(20, dtype=float)
    y = 2 * x + 1 + np.tile([0.1, -0.1], 10)
    y[7] += 30  # one region far off the line
    frame = pd.DataFrame({"region": [f"R{i}" for i in range(20)], "x": x, "y": y})
    r = an.relation(frame, "x", "y")
    assert r.n == 20
    assert r.slope_low < 2 < r.slope_high + 0.5
    assert r.slope_low <= r.slope <= r.slope_high
    assert r.outliers["label"].tolist() == ["R7"]
    clean = an.relation(frame.drop(index=7), "x", "y")
    assert clean.pearson_r == pytest.approx(1.0, abs=1e-4)
    assert clean.spearman_rho == pytest.approx(1.0)
    assert clean.slope == pytest.approx(2.0, abs=0.01) and clean.intercept == pytest.approx(1.0, abs=0.1)
    with pytest.raises(MissingInputError, match="at least 3"):
        an.relation(frame.head(2), "x", "y")


def _portfolios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["A", "B", "C", "D", "E", "F"],
            "name": "",
            "country": ["DE", "DE", "FR", "PT", "EL", "PL"],
            "year": 2014,
            "portfolio_strength": [30, 20, 0, 26, 5, 2],
            "rank": [1, 3, 6, 2, 4, 5],
            "strong_share_traded": [0.4, 0.3, 0.0, 0.5, 0.1, 0.2],
            "region_total": [1e6] * 6,
        }
    )


def test_innovation_table_and_top_third_by_hand() -> None:
    patents = pd.DataFrame(
        {
            "region": list("ABCDEF") * 2,
            "year": [2011] * 6 + [2012] * 6,
            "patents": [100, 50, 10, 1, 20, 5, 300, 50, 30, 3, 20, 15],
        }
    )
    population = pd.DataFrame({"region": list("ABCDEF"), "year": 2014, "population": [2e6, 1e6, 1e6, 1e6, 1e6, 1e6]})
    t = an.innovation_table(_portfolios(), patents, population).set_index("region")
    # A: mean(100, 300) = 200 patents / 2 M inhabitants = 100 per million
    assert t.loc["A", "patents"] == 200 and t.loc["A", "patents_per_million_inhabitants"] == pytest.approx(100)
    assert t.loc["D", "patent_rate"] == pytest.approx(2)
    # rates: A 100, B 50, C 20, E 20, F 10, D 2 → top third (⌈6/3⌉ = 2): A, B
    assert t["top_third"].to_dict() == {"A": True, "B": True, "C": False, "E": False, "F": False, "D": False}
    assert t.loc["C", "patent_rank"] == t.loc["E", "patent_rank"] == 3
    ov = an.top_third_overlap(t.reset_index(), min_stars=25)  # strongest: A (30), D (26)
    assert (ov["strongest"], ov["in_top_third"], ov["regions_in_top_third"]) == (2, 1, "A")
    g = an.patents_by_portfolio_group(t.reset_index(), min_stars=25).set_index("group")
    assert g.loc["no clusters", "regions"] == 1 and g.loc["strong portfolio", "median_rate"] == pytest.approx(51)
    per_emp = an.innovation_table(_portfolios(), patents, None, per="employee").set_index("region")
    assert per_emp.loc["A", "patent_rate"] == pytest.approx(200)  # 200 per 1 M employed
    with pytest.raises(MissingInputError, match="population"):
        an.innovation_table(_portfolios(), patents, None, per="capita")
    with pytest.raises(MissingInputError, match="patent counts"):
        an.innovation_table(_portfolios(), patents.assign(region="ZZ"), population)


def test_prosperity_subsets() -> None:
    p = _portfolios()
    gdp = pd.DataFrame({"region": list("ABCDEF"), "year": 2013, "gdp_per_capita": [50e3, 40e3, 20e3, 45e3, 10e3, 9e3]})
    t = an.prosperity_table(p, gdp)
    assert t["gdp_year"].unique().tolist() == [2013]  # the nearest year
    assert an.select_regions(t, "EU15", exclude=["PT", "EL"])["region"].tolist() == ["A", "B", "C"]
    assert an.select_regions(t, "EU27")["region"].tolist() == list("ABCDEF")
    assert an.select_regions(t, ["FR", "PL"])["region"].tolist() == ["C", "F"]
    r = an.prosperity_relation(t, subset="EU15", exclude=["PT", "EL"])
    assert r.n == 3 and r.slope > 0
    with pytest.raises(LookupError, match="subset"):
        an.select_regions(t, "EU99")


def _simpson() -> pd.DataFrame:
    """Two countries: inside each, y rises with x (slope +1 exactly); across them, the high-x country has low y,
    so the pooled relation is negative."""
    rows = [("AA", float(x), float(x)) for x in range(1, 6)] + [("BB", float(x), float(x) - 20) for x in range(11, 16)]
    frame = pd.DataFrame(rows, columns=["country", "x", "y"])
    frame["region"] = [f"R{i}" for i in range(len(frame))]
    return frame


def test_within_country_relation_by_hand() -> None:
    f = _simpson()
    pooled = an.relation(f, "x", "y")
    assert pooled.spearman_rho < 0 and pooled.slope < 0
    w = an.within_relation(f, "x", "y")
    # demeaned x and y are equal in both countries: slope 1, residuals 0 → interval of width 0
    assert (w.n, w.groups) == (10, 2)
    assert w.slope == pytest.approx(1.0) and w.slope_low == pytest.approx(1.0) and w.slope_high == pytest.approx(1.0)
    assert w.per_group["spearman_rho"].tolist() == [1.0, 1.0]
    assert np.isnan(w.spearman_rho), "|rho| = 1 in every country: Fisher's z is infinite, no combined value"
    # noise: slope by hand. Country AA: x 1..5, y = x + (0, .5, 0, -.5, 0); BB: x 1..5, y = 2x (slope 2)
    g = pd.DataFrame(
        {
            "country": ["AA"] * 5 + ["BB"] * 5,
            "x": [1, 2, 3, 4, 5] * 2,
            "y": [1, 2.5, 3, 3.5, 5, 2, 4, 6, 8, 10],
        }
    )
    w2 = an.within_relation(g, "x", "y")
    # Σ xd·yd: AA (−2·−2 + −1·−.5 + 0 + 1·.5 + 2·2) = 9; BB 2·10 = 20; Σ xd² = 10 + 10 → slope 29/20
    assert w2.slope == pytest.approx(29 / 20)
    assert w2.slope_low < 29 / 20 < w2.slope_high
    # per-country rank correlation with a Fisher interval (n = 5): AA is monotone → ρ = 1 (no interval)
    aa = w2.per_group.set_index("group").loc["AA"]
    assert aa["spearman_rho"] == pytest.approx(1.0) and np.isnan(aa["low"])
    # a country with fewer than min_group regions is skipped and named
    short = pd.concat([g, pd.DataFrame({"country": ["CC", "CC"], "x": [1, 2], "y": [5, 1]})])
    assert an.within_relation(short, "x", "y").skipped == ["CC"]
    with pytest.raises(MissingInputError, match="groups"):
        an.within_relation(g[g["country"] == "AA"], "x", "y")


def test_within_spearman_combines_countries_in_fisher_z() -> None:
    rng = np.random.default_rng(3)
    parts = []
    for c, n in (("AA", 30), ("BB", 20)):
        x = rng.normal(size=n)
        parts.append(pd.DataFrame({"country": c, "x": x, "y": x + rng.normal(scale=1.0, size=n)}))
    f = pd.concat(parts, ignore_index=True)
    w = an.within_relation(f, "x", "y")
    per = w.per_group.set_index("group")
    z = np.average(np.arctanh(per["spearman_rho"]), weights=per["n"] - 3)
    assert w.spearman_rho == pytest.approx(np.tanh(z))
    assert w.spearman_low < w.spearman_rho < w.spearman_high
    half = np.arctanh(w.spearman_high) - np.arctanh(w.spearman_rho)
    assert half == pytest.approx(1.959964 * np.sqrt(1.06 / (27 + 17)), rel=1e-5)
    for row in per.itertuples():
        assert row.low < row.spearman_rho < row.high


def test_innovation_and_prosperity_within_countries() -> None:
    f = _simpson().rename(columns={"x": "strong_share_traded", "y": "gdp_per_capita"})
    f["gdp_per_capita"] += 100
    w = an.prosperity_within(f)
    assert w.slope == pytest.approx(1.0) and w.groups == 2
    t = f.rename(columns={"gdp_per_capita": "patent_rate"}).assign(
        portfolio_strength=lambda d: d["strong_share_traded"]
    )
    rel = an.innovation_within(t, log_rate=False)
    assert set(rel) == {"portfolio_strength", "strong_share_traded"}
    assert rel["portfolio_strength"].slope == pytest.approx(1.0)


@pytest.mark.realdata
def test_real_innovation_and_prosperity(real) -> None:
    from clustermap.analyses import inputs

    eu, m = real["eu"], real["mirror"]
    p = an.region_portfolios(eu.cells, year=2014, mirror=m)
    it = an.innovation_table(p, inputs.eu_patents([2010, 2011, 2012], mirror=m), inputs.eu_population(mirror=m))
    assert len(it) > 250 and len(it.attrs["unmatched"]) < 20
    rel = an.innovation_relations(it)
    assert rel["portfolio_strength"].n == len(it[it["patent_rate"] > 0])
    ov = an.top_third_overlap(it, min_stars=19)
    assert 0 <= ov["in_top_third"] <= ov["strongest"] and ov["top_third_size"] == -(-len(it) // 3)
    pt = an.prosperity_table(p, inputs.eu_gdp([2014], mirror=m))
    fig10 = an.prosperity_relation(pt, subset="EU15", exclude=["PT", "EL"])
    # Figure 10's finding holds on today's data: in the EU15 without PT and EL, prosperity rises with the share
    assert fig10.n > 150 and fig10.pearson_r > 0 and fig10.pearson_p < 0.05
    # within countries (fixed effects, per-country rank correlations) beside the pooled estimate, with intervals
    w = an.innovation_within(it)["portfolio_strength"]
    assert w.groups >= 15 and w.n > 200
    assert w.slope_low <= w.slope <= w.slope_high and w.spearman_low <= w.spearman_rho <= w.spearman_high
    # the pooled rank correlation of patents with portfolio strength is near 0; within countries it is positive
    assert abs(rel["portfolio_strength"].spearman_rho) < 0.2 and w.spearman_rho > 0.2 and w.spearman_low > 0
    wp = an.prosperity_within(pt, subset="EU15", exclude=["PT", "EL"])
    assert wp.groups >= 8 and np.isfinite(wp.slope_low)
