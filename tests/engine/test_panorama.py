"""The panorama methodology's productivity and dynamism stars on tiny hand-checked tables, on every backend."""

from __future__ import annotations

import math

import pytest
from tests.conftest import cell, panel

# category X, 2012: five regions of 1,000 persons; wages (EUR million) 1, 2, 3, 4 and one unpublished.
# wages per person .001 .. .004; the category's average over the published cells = 10 / 4000 = .0025, so the
# relative productivity is .4, .8, 1.2, 1.6 and null for E
PROD = panel(
    [(x, "X", 2012, 1000) for x in "ABCDE"],
    wages=[1.0, 2.0, 3.0, 4.0, None],
)


def test_relative_productivity_is_against_the_category_average(run_map) -> None:
    r = run_map(PROD, methodology="panorama", min_employment=0)
    rel = {x: cell(r, x, "X")["relative_productivity"] for x in "ABCDE"}
    assert [round(rel[x], 12) for x in "ABCD"] == [0.4, 0.8, 1.2, 1.6]
    assert rel["E"] is None or math.isnan(rel["E"])
    assert cell(r, "D", "X")["wages_per_person"] == pytest.approx(0.004)


def test_productivity_star_top_share_and_ratio(run_map) -> None:
    # top_share 0.25 of |R| = 5 regions -> k = 1: D only; ratio 1.2 -> C (exactly 1.2) and D; E (no wages) never
    r = run_map(PROD, methodology="panorama", min_employment=0, productivity_share=0.25)
    assert [cell(r, x, "X")["productivity_star"] for x in "ABCDE"] == [0, 0, 0, 1, 0]
    r = run_map(PROD, methodology="panorama", min_employment=0, productivity_rule="ratio", productivity_ratio=1.2)
    assert [cell(r, x, "X")["productivity_star"] for x in "ABCDE"] == [0, 0, 1, 1, 0]


# category X: 2010 1,000 persons in A..E; 2012 1000, 1100, 1200, 1500, 2000, and F (new in 2012) 3000.
# Growth factors over 2 years 1, 1.1, 1.2, 1.5, 2.0; the category's over the same cells 6800 / 5000 = 1.36;
# relative growth .735, .809, .882, 1.103, 1.471; F has none (no 2010 value) and does not count in 1.36
DYN = panel(
    [(x, "X", 2010, 1000) for x in "ABCDE"]
    + [(x, "X", 2012, v) for x, v in zip("ABCDEF", (1000, 1100, 1200, 1500, 2000, 3000), strict=True)]
)


def test_relative_growth_is_against_the_category_over_the_same_cells(run_map) -> None:
    r = run_map(DYN, methodology="panorama", min_employment=0, dynamism_window=2)
    got = [cell(r, x, "X", 2012)["relative_growth"] for x in "ABCDE"]
    want = [g / 1.36 for g in (1.0, 1.1, 1.2, 1.5, 2.0)]
    assert got == pytest.approx(want, rel=1e-12)
    f = cell(r, "F", "X", 2012)["relative_growth"]
    assert f is None or math.isnan(f)
    assert (r.cells.loc[r.cells["year"] == 2010, "dynamism_star"] == 0).all()  # no year 2008 to grow from


def test_dynamism_star_top_share_and_ratio(run_map) -> None:
    # top_share 0.2 of |R| = 6 regions in 2012 -> k = 1: E; ratio 1.1 -> D (1.103) and E; F never
    r = run_map(DYN, methodology="panorama", min_employment=0, dynamism_window=2, dynamism_share=0.2)
    assert [cell(r, x, "X", 2012)["dynamism_star"] for x in "ABCDEF"] == [0, 0, 0, 0, 1, 0]
    r = run_map(
        DYN, methodology="panorama", min_employment=0, dynamism_window=2, dynamism_rule="ratio", dynamism_ratio=1.1
    )
    assert [cell(r, x, "X", 2012)["dynamism_star"] for x in "ABCDEF"] == [0, 0, 0, 1, 1, 0]


def test_five_stars_add_up_and_min_employment_gates_every_star(run_map) -> None:
    r = run_map(DYN, methodology="panorama", min_employment=0, dynamism_window=2, dynamism_share=0.2)
    c = r.cells
    five = ["size_star", "specialisation_star", "focus_star", "productivity_star", "dynamism_star"]
    assert (c["stars"] == c[five].sum(axis=1)).all()
    r = run_map(DYN, methodology="panorama", min_employment=2500, dynamism_window=2, dynamism_share=0.2)
    e = cell(r, "E", "X", 2012)  # 2,000 persons < 2,500: its dynamism star goes
    assert e["dynamism_star"] == 0 and e["stars"] == 0
    assert set(r.summary.columns) >= {f"clusters_{k}_star" for k in range(1, 6)}


@pytest.mark.realdata
def test_panorama_on_the_real_sbs_panel_has_every_star(mirror) -> None:
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines.backends import connect, to_backend
    from clustermap.loaders.eurostat_tsv import load_sbs
    from clustermap.mapping import map_observations

    sbs = load_sbs(mirror=mirror, nuts_level=2, years=[2011, 2014], wages=True)
    assert sbs.frame["wages"].notna().sum() > 10_000  # V13320 wages and salaries came along
    obs = to_backend(connect("duckdb"), sbs.frame)
    r = map_observations(obs, categories=load_category_set("eco-nace2", mirror=mirror), methodology="panorama")
    c = r.cells[r.cells["year"] == 2014]
    for col in ("size_star", "specialisation_star", "focus_star", "productivity_star", "dynamism_star"):
        assert c[col].sum() > 50, col
    assert c["relative_productivity"].notna().mean() > 0.5 and c["relative_growth"].notna().mean() > 0.5
