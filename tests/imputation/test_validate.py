"""The masking experiment on synthetic panels: what is masked, the scores, the printed report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.imputation.synthetic import cbp_panel, nuts_panel

from clustermap.analyses.imputation_check import format_validation, map_level_cells, mask_cells, validate
from clustermap.errors import ParameterError


@pytest.fixture(scope="module")
def nuts() -> pd.DataFrame:
    return nuts_panel()


@pytest.fixture(scope="module")
def nuts_result(nuts: pd.DataFrame):
    return validate(nuts, mask_share=0.2, seed=3, dataset="synthetic")


def test_masking_is_seeded_stratified_and_at_the_map_level(nuts: pd.DataFrame) -> None:
    a = mask_cells(nuts, mask_share=0.2, seed=3)
    b = mask_cells(nuts, mask_share=0.2, seed=3)
    c = mask_cells(nuts, mask_share=0.2, seed=4)
    assert (a == b).all() and (a != c).any()
    level = map_level_cells(nuts)
    assert set(nuts.loc[level, "region"].str.len()) == {4}  # NUTS 2 only: the regions without children
    assert not (a & ~level).any() and not nuts.loc[a, "employment"].isna().any()
    for year, g in nuts[level & nuts["employment"].gt(0)].groupby("year"):
        masked = a[g.index].sum()
        assert masked == pytest.approx(0.2 * len(g), abs=5)
        # every size class is represented: the largest fifth of the cells loses its share too
        top = g["employment"] >= g["employment"].quantile(0.8)
        assert a[g.index[top.to_numpy()]].sum() >= 0.1 * top.sum(), year
    with pytest.raises(ParameterError):
        mask_cells(nuts, mask_share=1.5, seed=0)
    shuffled = nuts.sample(frac=1.0, random_state=1).reset_index(drop=True)
    d = mask_cells(shuffled, mask_share=0.2, seed=3)
    key = ["region", "industry", "year"]
    assert set(map(tuple, nuts.loc[a, key].to_numpy())) == set(map(tuple, shuffled.loc[d, key].to_numpy()))


def test_scores_per_year_and_policy(nuts_result) -> None:
    t = nuts_result.table
    assert set(t["policy"]) == {"drop", "parent-residual", "two-way"}  # no size classes: size-class skipped
    assert nuts_result.settings["skipped"] == ["size-class"]
    assert set(t["year"]) == {2011, 2012}
    drop = t[t["policy"] == "drop"]
    assert (drop["mdape"] == 100).all() and (drop["filled"] == 0).all() and drop["spearman"].isna().all()
    two = nuts_result.overall.set_index("policy")
    assert two.loc["two-way", "filled"] == 1.0
    assert two.loc["two-way", "mdape"] <= 0.5 * two.loc["parent-residual", "mdape"]
    assert two.loc["two-way", "stars_changed"] <= two.loc["parent-residual", "stars_changed"]
    assert two.loc["drop", "stars_changed"] > 0
    cells = nuts_result.cells
    assert {"true", "pinned", "drop", "parent-residual", "two-way"} <= set(cells.columns)
    assert cells["drop"].isna().all()


def test_the_report_has_one_line_per_policy_with_its_mdape(nuts_result) -> None:
    text = format_validation(nuts_result)
    tail = text.split("All years")[1].splitlines()[1:]
    assert [line.split()[0] for line in tail] == ["drop", "parent-residual", "two-way"]
    for line in tail:
        assert "MdAPE" in line and "%" in line
    assert "synthetic" in text and "2011" in text and "2012" in text


def test_size_class_policy_runs_when_the_input_has_size_classes() -> None:
    res = validate(cbp_panel(), mask_share=0.2, seed=1, dataset="cbp-like")
    o = res.overall.set_index("policy")
    assert list(o.index) == ["drop", "parent-residual", "size-class", "two-way"]
    assert o.loc["size-class", "filled"] == 1.0
    assert o.loc["two-way", "mdape"] <= o.loc["size-class", "mdape"]
    # a masked cell gets the size class of its true value, so size-class errors stay inside the class width
    cells = res.cells
    assert np.all(np.abs(cells["size-class"] - cells["true"]) <= np.maximum(cells["true"], 100))
