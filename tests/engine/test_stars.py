"""European Cluster Observatory stars: ties at the top-10 % cut, the minimum size, focus, on every backend."""

from __future__ import annotations

from tests.conftest import cell, panel


def _twenty_regions(x_values: dict[str, float], other: float = 50_000.0):
    """20 regions; category X employment as given (else 1,000), and a large category Y so that T[r] differs
    little between regions."""
    rows = []
    for i in range(1, 21):
        r = f"R{i:02d}"
        rows.append((r, "X", 2012, x_values.get(r, 1000.0)))
        rows.append((r, "Y", 2012, other))
    return panel(rows)


def test_ties_at_the_size_cut_share_the_best_rank(run_map) -> None:
    # 20 regions, top 10 % -> 2 regions; R01 5000, R02 and R03 tie at 4000: competition ranks 1, 2, 2 -> 3 stars
    r = run_map(_twenty_regions({"R01": 5000, "R02": 4000, "R03": 4000, "R04": 3000}), ranks=True)
    stars = {reg: cell(r, reg, "X")["size_star"] for reg in ("R01", "R02", "R03", "R04")}
    assert stars == {"R01": 1, "R02": 1, "R03": 1, "R04": 0}
    assert cell(r, "R02", "X")["size_rank"] == 2
    assert cell(r, "R04", "X")["size_rank"] == 4


def test_a_tie_above_the_cut_pushes_the_next_region_out(run_map) -> None:
    # R01 and R02 tie at 5000 (ranks 1, 1); R03 4000 has rank 3 > 2: no size star
    r = run_map(_twenty_regions({"R01": 5000, "R02": 5000, "R03": 4000}), ranks=True)
    assert [cell(r, x, "X")["size_star"] for x in ("R01", "R02", "R03")] == [1, 1, 0]
    assert cell(r, "R03", "X")["size_rank"] == 3


def test_999_employees_get_no_star_1000_do(run_map) -> None:
    # two very specialised small cells: only the one with 1,000 employees can have stars
    rows = [("A", "X", 2012, 999), ("A", "Y", 2012, 1), ("B", "X", 2012, 1000), ("B", "Y", 2012, 1)]
    rows += [(f"R{i}", "Y", 2012, 100_000) for i in range(20)]
    rows += [(f"R{i}", "X", 2012, 10) for i in range(20)]
    r = run_map(panel(rows), focus_scope="category")
    a, b = cell(r, "A", "X"), cell(r, "B", "X")
    assert a["lq"] > 2 and b["lq"] > 2
    assert (a["size_star"], a["specialisation_star"], a["focus_star"], a["stars"]) == (0, 0, 0, 0)
    assert (b["size_star"], b["specialisation_star"], b["focus_star"], b["stars"]) == (1, 1, 1, 3)
    # focus_scope = all (the default): B/X's share 1000/1001 ranks 21st of the 44 cells, behind the twenty
    # R*/Y cells (100000/100010) and A/X's 999/1000 ties below it; k = floor(0.1 x 22 x 2) = 4 -> no focus star
    r = run_map(panel(rows))
    b = cell(r, "B", "X")
    assert (b["size_star"], b["specialisation_star"], b["focus_star"], b["stars"]) == (1, 1, 0, 2)


def test_focus_ranks_the_share_of_the_regions_employment(run_map) -> None:
    # focus_scope = category: R01 has the largest share of its employment in X (not the largest X employment):
    # focus star, no size star
    values = {"R01": 3000, "R02": 6000, "R03": 5500}
    rows = []
    for i in range(1, 21):
        r = f"R{i:02d}"
        rows.append((r, "X", 2012, values.get(r, 1000.0)))
        rows.append((r, "Y", 2012, 10_000.0 if r == "R01" else 90_000.0))
    r = run_map(panel(rows), focus_scope="category", ranks=True)
    r01 = cell(r, "R01", "X")
    assert r01["focus_rank"] == 1 and r01["focus_star"] == 1
    assert r01["size_rank"] == 3 and r01["size_star"] == 0
    assert cell(r, "R02", "X")["size_star"] == 1


def test_star_count_and_summary(run_map) -> None:
    r = run_map(_twenty_regions({"R01": 50_000, "R02": 4000}), focus_scope="category")
    top = cell(r, "R01", "X")
    assert top["stars"] == top["size_star"] + top["specialisation_star"] + top["focus_star"] == 3
    s = r.summary.iloc[0]
    assert s["regions"] == 20 and s["categories"] == 2 and s["potential_areas"] == 40
    assert s["clusters"] == (r.cells["stars"] >= 1).sum()
    assert s["clusters_3_star"] == (r.cells["stars"] == 3).sum()


def test_size_share_is_a_parameter(run_map) -> None:
    r = run_map(_twenty_regions({"R01": 5000, "R02": 4000, "R03": 3000, "R04": 2000}), size_share=0.2)
    assert [cell(r, x, "X")["size_star"] for x in ("R01", "R02", "R03", "R04", "R05")] == [1, 1, 1, 1, 0]
