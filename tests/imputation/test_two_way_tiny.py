"""Hand-made tables with a known answer pin the two-way solver: unique solutions, bounds, a rank-one table that
the prior recovers exactly, inconsistent totals (relaxed and reported, or a typed error), families that do not
add up, region-years that do not exist, and the hierarchies themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from clustermap.errors import ClustermapError
from clustermap.imputation import (
    InconsistentTotalsError,
    build_problem,
    impute,
    impute_two_way,
    industry_parents,
    propagate_bounds,
    region_parents,
)

NAN = None


def table(rows: list[tuple], **extra: list) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    frame["flag"] = ["c" if pd.isna(v) else "" for v in frame["employment"]]
    for key, values in extra.items():
        frame[key] = values
    return frame


def value(out: pd.DataFrame, region: str, industry: str, year: int = 2012) -> float:
    sel = out[(out["region"] == region) & (out["industry"] == industry) & (out["year"] == year)]
    assert len(sel) == 1
    return float(sel["employment"].iloc[0])


def test_unique_solution_from_both_hierarchies() -> None:
    # DE2 C10 = DE2 C − C11 = 30; then DE C10 = 60 forces DE1 C10 = 30, and DE1 C11 = 50 − 30 = 20. Neither
    # hierarchy alone pins DE1: parent-residual would split DE1's 50 equally (25/25).
    t = table(
        [
            ("DE", "C", 2012, 100),
            ("DE", "C10", 2012, 60),
            ("DE", "C11", 2012, 40),
            ("DE1", "C", 2012, 50),
            ("DE1", "C10", 2012, NAN),
            ("DE1", "C11", 2012, NAN),
            ("DE2", "C", 2012, 50),
            ("DE2", "C10", 2012, NAN),
            ("DE2", "C11", 2012, 20),
        ]
    )
    res = impute_two_way(t)
    out = res.frame
    assert value(out, "DE1", "C10") == pytest.approx(30, abs=1e-6)
    assert value(out, "DE1", "C11") == pytest.approx(20, abs=1e-6)
    assert value(out, "DE2", "C10") == pytest.approx(30, abs=1e-6)
    filled = out[out["imputed"] == "two-way"]
    assert len(filled) == 3
    # pinned: the bounds collapse on the value
    assert np.allclose(filled["low"], filled["employment"], atol=1e-6)
    assert np.allclose(filled["high"], filled["employment"], atol=1e-6)
    assert out.loc[out["imputed"] == "", "low"].isna().all()
    assert res.relaxations.empty and res.dropped_families.empty
    pr = impute(t, "parent-residual").frame
    assert value(pr, "DE1", "C10") == pytest.approx(25)


def test_nested_hierarchies_three_levels() -> None:
    # G = G45 + G47, G47 = G471 + G472 in two NUTS-1 regions of one country; only one unknown per constraint
    rows = [
        ("AT", "G", 2012, 300),
        ("AT", "G45", 2012, 100),
        ("AT", "G47", 2012, 200),
        ("AT", "G471", 2012, 150),
        ("AT", "G472", 2012, 50),
        ("AT1", "G", 2012, 180),
        ("AT1", "G45", 2012, 60),
        ("AT1", "G47", 2012, NAN),  # 120
        ("AT1", "G471", 2012, 90),
        ("AT1", "G472", 2012, NAN),  # 30
        ("AT2", "G", 2012, NAN),  # 120
        ("AT2", "G45", 2012, 40),
        ("AT2", "G47", 2012, 80),
        ("AT2", "G471", 2012, 60),
        ("AT2", "G472", 2012, 20),
    ]
    out = impute_two_way(table(rows)).frame
    assert value(out, "AT1", "G47") == pytest.approx(120, abs=1e-6)
    assert value(out, "AT1", "G472") == pytest.approx(30, abs=1e-6)
    assert value(out, "AT2", "G") == pytest.approx(120, abs=1e-6)


def _rank_one(a: dict[str, float], b: dict[str, float]) -> dict[tuple[str, str], float]:
    """A table E[r, i] = a[r] · b[i] on leaves, with every parent the exact sum of its children."""
    out = {(r, i): a[r] * b[i] for r in a for i in b}
    for i in b:
        out[("NL", i)] = sum(a[r] * b[i] for r in a)
    for r in [*a, "NL"]:
        out[(r, "C")] = sum(out[(r, i)] for i in b)
    return out


def test_rank_one_table_is_recovered_exactly() -> None:
    # Under-determined (a 2×2 block of unknowns), but the table is exactly "regional size × industry structure":
    # the quasi-independence prior fitted on the published cells is the truth, meets every total, and the solver
    # returns it. Parent-residual splits equally and misses.
    a = {"NL1": 10.0, "NL2": 20.0, "NL3": 30.0}
    b = {"C10": 100.0, "C11": 300.0, "C12": 600.0}
    truth = _rank_one(a, b)
    hidden = {("NL1", "C10"), ("NL1", "C11"), ("NL2", "C10"), ("NL2", "C11")}
    rows = [(r, i, 2012, None if (r, i) in hidden else v) for (r, i), v in truth.items()]
    res = impute_two_way(table(rows))
    for r, i in hidden:
        assert value(res.frame, r, i) == pytest.approx(truth[(r, i)], rel=1e-6)
        row = res.frame[(res.frame["region"] == r) & (res.frame["industry"] == i)].iloc[0]
        assert row["high"] - row["low"] > 1  # not pinned: the prior decided
    pr = impute(table(rows), "parent-residual").frame
    assert value(pr, "NL1", "C10") == pytest.approx((truth[("NL1", "C10")] + truth[("NL1", "C11")]) / 2)


def test_size_class_bounds_pin_the_cells() -> None:
    # total 120 = x1 + x2 with x1 in class B (20–99) and x2 in class C (100–249): only x1 = 20, x2 = 100 fit
    rows = [
        ("01", "total", 2011, 120),
        ("01", "11", 2011, NAN),
        ("01", "21", 2011, NAN),
        ("01", "22", 2011, 0),
    ]
    t = table(rows, size_class=["", "B", "C", ""])
    out = impute_two_way(t).frame
    assert value(out, "01", "11", 2011) == pytest.approx(20, abs=1e-6)
    assert value(out, "01", "21", 2011) == pytest.approx(100, abs=1e-6)
    sc = impute(t, "size-class").frame
    assert value(sc, "01", "11", 2011) == pytest.approx(59.5)  # the class midpoint, whatever the total says


def test_size_class_bounds_hold_when_not_pinned() -> None:
    rows = [("01", "total", 2011, 1000), ("01", "11", 2011, NAN), ("01", "21", 2011, NAN), ("01", "22", 2011, 400)]
    t = table(rows, size_class=["", "B", "F", ""])  # B 20–99, F 500–999: x1 + x2 = 600
    out = impute_two_way(t).frame
    x1, x2 = value(out, "01", "11", 2011), value(out, "01", "21", 2011)
    assert x1 + x2 == pytest.approx(600, abs=1e-6)
    assert 20 - 1e-6 <= x1 <= 99 + 1e-6 and 500 - 1e-6 <= x2 <= 580 + 1e-6
    row = out[out["industry"] == "21"].iloc[0]
    assert row["low"] == pytest.approx(501) and row["high"] == pytest.approx(580)


def test_inconsistent_totals_are_relaxed_and_reported_or_raise() -> None:
    # published children 80 + 50 exceed their parent 100: the unknown sibling can only be 0, the total is off by 30
    rows = [
        ("SE1", "C", 2012, 100),
        ("SE1", "C10", 2012, 80),
        ("SE1", "C11", 2012, 50),
        ("SE1", "C12", 2012, NAN),
    ]
    res = impute_two_way(table(rows))
    assert value(res.frame, "SE1", "C12") == pytest.approx(0, abs=1e-6)
    assert bool(res.frame.loc[res.frame["industry"] == "C12", "relaxed"].iloc[0])
    rel = res.relaxations
    assert len(rel) == 1
    assert rel["slack"].iloc[0] == pytest.approx(30, abs=1e-6)
    assert not rel["tolerated"].iloc[0]
    with pytest.raises(InconsistentTotalsError) as info:
        impute_two_way(table(rows), strict=True)
    assert isinstance(info.value, ClustermapError) and isinstance(info.value, ValueError)
    assert len(info.value.relaxations) == 1


def test_rounding_differences_are_tolerated_not_flagged() -> None:
    # children published 1 person above the parent (rounding): the unknown is 0, the relaxation is tolerated
    rows = [("SE1", "C", 2012, 100), ("SE1", "C10", 2012, 61), ("SE1", "C11", 2012, 40), ("SE1", "C12", 2012, NAN)]
    res = impute_two_way(table(rows))
    assert value(res.frame, "SE1", "C12") == pytest.approx(0, abs=1e-6)
    assert res.relaxations["tolerated"].all()
    assert not res.frame["relaxed"].any()
    impute_two_way(table(rows), strict=True)  # tolerated: no error


def test_a_family_that_does_not_add_up_is_imposed_as_an_upper_bound() -> None:
    # in every fully published region G46's groups sum to half of G46 (a definitional gap): the family is not
    # imposed as an equality, so the unknown group is not inflated with the gap; the region totals still bind it
    rows = []
    for r, scale in (("PL1", 1.0), ("PL2", 2.0), ("PL3", 3.0)):
        rows += [(r, "G46", 2012, 200 * scale), (r, "G461", 2012, 60 * scale), (r, "G462", 2012, 40 * scale)]
    rows += [("PL", "G46", 2012, 1600.0), ("PL", "G461", 2012, 480.0), ("PL", "G462", 2012, 320.0)]
    rows += [("PL4", "G46", 2012, 400.0), ("PL4", "G461", 2012, NAN), ("PL4", "G462", 2012, 80.0)]
    res = impute_two_way(table(rows))
    fam = res.dropped_families
    assert list(fam["family_code"]) == ["G46"] and not fam["additive"].any()
    assert list(fam["imposed_as"]) == ["<="]  # the groups never exceed G46: Σ groups ≤ G46 still holds
    # region constraint: PL G461 = 480 = 60 + 120 + 180 + x
    assert value(res.frame, "PL4", "G461") == pytest.approx(120, abs=1e-6)


def test_an_upper_bound_family_bounds_a_cell_without_forcing_it() -> None:
    # as above, but PL4's G461 is bound only by its G46 total (no national row): 0 ≤ x ≤ 400 − 80, not = 320
    rows = []
    for r, scale in (("PL1", 1.0), ("PL2", 2.0), ("PL3", 3.0)):
        rows += [(r, "G46", 2012, 200 * scale), (r, "G461", 2012, 60 * scale), (r, "G462", 2012, 40 * scale)]
    rows += [("PL4", "G46", 2012, 400.0), ("PL4", "G461", 2012, NAN), ("PL4", "G462", 2012, 80.0)]
    prob = build_problem(table(rows))
    assert list(prob.constraints["sense"]) == ["<="]
    out = impute_two_way(table(rows)).frame
    row = out[(out["region"] == "PL4") & (out["industry"] == "G461")].iloc[0]
    assert row["low"] == pytest.approx(0) and row["high"] == pytest.approx(320)
    assert 0 <= row["employment"] < 320 - 1


def test_a_family_whose_parts_exceed_the_total_is_not_imposed() -> None:
    rows = []
    for r, scale in (("FI1", 1.0), ("FI2", 2.0)):
        rows += [(r, "C", 2012, 100 * scale), (r, "C10", 2012, 90 * scale), (r, "C11", 2012, 60 * scale)]
    rows += [("FI3", "C", 2012, 100.0), ("FI3", "C10", 2012, NAN), ("FI3", "C11", 2012, 60.0)]
    res = impute_two_way(table(rows))
    assert list(res.dropped_families["imposed_as"]) == ["none"]
    assert np.isnan(value(res.frame, "FI3", "C10"))  # nothing else bounds it: left empty, not forced to 40


def test_region_years_without_data_are_not_imputed() -> None:
    # UKI1 is a code of another NUTS version: nothing published in 2013, so its cells are not unknowns
    rows = [
        ("UKI", "C", 2013, 100),
        ("UKI3", "C", 2013, 60),
        ("UKI4", "C", 2013, NAN),
        ("UKI1", "C", 2013, NAN),
    ]
    t = table(rows)
    t.loc[3, "flag"] = ""
    res = impute_two_way(t)
    assert value(res.frame, "UKI4", "C", 2013) == pytest.approx(40, abs=1e-6)
    assert np.isnan(value(res.frame, "UKI1", "C", 2013))
    assert res.stats["not_existing"] == 1


def test_unbounded_cells_are_left_empty_unless_asked() -> None:
    # C = C10 + C11 with C and C11 unknown: C ≥ 5, but nothing published bounds either from above
    rows = [("FR1", "C", 2012, NAN), ("FR1", "C10", 2012, 5.0), ("FR1", "C11", 2012, NAN), ("FR1", "B", 2012, 10.0)]
    res = impute_two_way(table(rows))
    assert np.isnan(value(res.frame, "FR1", "C")) and np.isnan(value(res.frame, "FR1", "C11"))
    assert res.stats["unbounded"] == 2
    row = res.frame[res.frame["industry"] == "C"].iloc[0]
    assert row["low"] == pytest.approx(5.0) and np.isinf(row["high"])
    filled = impute_two_way(table(rows), fill_unbounded=True).frame
    assert value(filled, "FR1", "C") == pytest.approx(5.0 + value(filled, "FR1", "C11"), abs=1e-6)


def test_drop_policy_keeps_the_rows_and_fills_nothing() -> None:
    rows = [("SE1", "C", 2012, 100), ("SE1", "C10", 2012, 80), ("SE1", "C11", 2012, NAN)]
    out = impute(table(rows), "drop").frame
    assert len(out) == 3 and np.isnan(value(out, "SE1", "C11"))
    assert (out["imputed"] == "").all()
    assert out.loc[out["industry"] == "C11", "high"].iloc[0] == pytest.approx(20)


def test_industry_parents_naics_ranges_and_total() -> None:
    p = industry_parents(["total", "11", "31", "321", "3211", "332", "44", "452", "48", "493", "S95", "G", "G471"])
    assert p["321"] == "31" and p["332"] == "31" and p["452"] == "44" and p["493"] == "48"
    assert p["3211"] == "321" and p["11"] == "total" and p["total"] is None
    assert p["G471"] == "G" and p["S95"] == "total"
    assert industry_parents(["C", "C10", "S95"])["S95"] is None


def test_region_parents_nuts_prefix_and_nation() -> None:
    p = region_parents(["DE", "DE9", "DE91", "DEA1"])
    assert p["DE91"] == "DE9" and p["DEA1"] == "DE" and p["DE"] is None
    q = region_parents(["US", "01", "56"])
    assert q["01"] == "US" and q["US"] is None
    assert region_parents(["01", "02"])["01"] is None


def test_propagate_bounds_on_a_small_system() -> None:
    # x0 + x1 = 10, x1 + x2 = 4, all ≥ 0: x1 ≤ 4, x0 ≥ 6, x2 ≤ 4
    mat = sp.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]))
    lo, hi = propagate_bounds(mat, np.array([10.0, 4.0]), np.zeros(3), np.full(3, np.inf))
    assert hi.tolist() == [10.0, 4.0, 4.0]
    assert lo.tolist() == [6.0, 0.0, 0.0]


def test_build_problem_counts_and_typed_errors() -> None:
    rows = [("DE", "C", 2012, 100), ("DE", "C10", 2012, NAN), ("DE", "C11", 2012, 40)]
    prob = build_problem(table(rows))
    assert prob.n_vars == 1 and len(prob.constraints) == 1
    assert prob.constraints["rhs"].iloc[0] == pytest.approx(60)
    bad = table([*rows, ("DE", "C", 2012, 5)])
    with pytest.raises(ClustermapError):
        build_problem(bad)
    with pytest.raises(ClustermapError):
        impute(table(rows), "median")
