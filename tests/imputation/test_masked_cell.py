"""Confidential is never zero, anywhere: a published cell of the real SBS panel is masked (made confidential, as
Eurostat would), the panel is imputed two-way and mapped, and every analysis — change, portfolio, employment
shares, concentration, EU–US, innovation, prosperity — is run on it and on the unmasked panel. No number of
≥ 1,000 persons may turn into 0 (or vanish from a change table) because of the mask; under ``drop`` it does,
which shows that the check can fail."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustermap import analyses as an
from clustermap.analyses.inputs import eu_gdp, eu_patents
from clustermap.definitions.categories import load_category_set
from clustermap.engines.backends import connect, to_backend
from clustermap.imputation.engine import two_way_frame
from clustermap.loaders.eurostat_tsv import load_sbs
from clustermap.mapping import map_observations

pytestmark = pytest.mark.realdata

# DE11 (Stuttgart) C29 motor vehicles, 2014: published, the only industry of the "automotive" category
REGION, INDUSTRY, CATEGORY, YEARS = "DE11", "C29", "automotive", [2008, 2014]


@pytest.fixture(scope="module")
def mapped(mirror: Path) -> dict[str, pd.DataFrame]:
    raw = load_sbs(mirror=mirror, nuts_level=None, years=YEARS).frame
    raw = raw[raw["region"].str.startswith("DE")].reset_index(drop=True)  # one country: the blocks are national
    target = (raw["region"] == REGION) & (raw["industry"] == INDUSTRY) & (raw["year"] == YEARS[1])
    truth = float(raw.loc[target, "employment"].iloc[0])
    assert truth >= 1000
    masked = raw.copy()
    masked.loc[target, ["employment", "flag"]] = [np.nan, "c"]
    cats = load_category_set("eco-nace2", mirror=mirror)
    con = connect("duckdb")

    def run(frame: pd.DataFrame, policy: str) -> pd.DataFrame:
        filled = two_way_frame(frame) if policy == "two-way" else frame.assign()
        nuts2 = filled[(filled["region"].str.len() == 4) & ~filled["region"].str.endswith("Z")]
        return map_observations(
            to_backend(con, nuts2.reset_index(drop=True)), categories=cats, suppression=policy
        ).cells

    return {
        "truth": truth,
        "published": run(raw, "two-way"),
        "masked": run(masked, "two-way"),
        "masked_drop": run(masked, "drop"),
        "mirror": mirror,
    }


def _the_cell(cells: pd.DataFrame) -> pd.DataFrame:
    return cells[(cells["region"] == REGION) & (cells["category"] == CATEGORY) & (cells["year"] == YEARS[1])]


def test_the_masked_cell_is_imputed_within_bounds_that_hold_the_truth(mapped) -> None:
    cell = _the_cell(mapped["masked"]).iloc[0]
    assert bool(cell["imputed"]) and cell["imputation_policy"] == "two-way" and "c" in cell["flags"].split(",")
    assert cell["employment_low"] <= cell["employment"] <= cell["employment_high"]
    assert cell["employment_low"] <= mapped["truth"] <= cell["employment_high"]
    assert _the_cell(mapped["masked_drop"]).empty  # under drop the cell is gone


def _outputs(cells: pd.DataFrame, mirror: Path) -> dict[str, pd.DataFrame]:
    y0, y1 = YEARS
    out: dict[str, pd.DataFrame] = {
        "change": an.star_changes(cells, y0, y1),
        "growth_region_category": an.employment_growth(cells, y0, y1, by="region_category"),
        "growth_category": an.employment_growth(cells, y0, y1, by="category"),
        "growth_region": an.employment_growth(cells, y0, y1, by="region"),
    }
    portfolios = an.region_portfolios(cells, year=y1, names=False)
    out["portfolio"] = portfolios
    out["employment_shares"] = an.region_shares(cells, year=y1, names=False)
    conc = an.category_concentration(cells, year=y1)
    out["concentration"] = conc
    out["eu_us"] = an.compare_concentration(conc, conc)  # the plumbing of the EU side; US data play no part
    patents = eu_patents([2010, 2011, 2012], mirror=mirror)
    out["innovation"] = an.innovation_table(portfolios, patents, per="employee")
    out["prosperity"] = an.prosperity_table(portfolios, eu_gdp(mirror=mirror))
    return out


def _keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in ("region", "category", "year") if k in frame.columns]


def _turned_to_zero(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Numbers ≥ 1,000 in ``before`` that are 0 or missing in ``after`` (rows matched on their keys)."""
    keys = _keys(before)
    numeric = [c for c in before.columns if c not in keys and pd.api.types.is_float_dtype(before[c])]
    b = before.set_index(keys) if keys else before
    a = after.set_index(keys) if keys else after
    found = []
    for col in numeric:
        big = b[col][b[col].abs() >= 1000]
        now = a[col].reindex(big.index) if col in a.columns else pd.Series(np.nan, index=big.index)
        bad = now.isna() | (now == 0)
        found += [f"{col} {idx}: {big[idx]:,.0f} -> {now[idx]}" for idx in big.index[bad.to_numpy()]]
    return found


def test_no_analysis_turns_the_masked_cell_into_zero(mapped) -> None:
    before = _outputs(mapped["published"], mapped["mirror"])
    after = _outputs(mapped["masked"], mapped["mirror"])
    problems = {name: _turned_to_zero(before[name], after[name]) for name in before}
    assert not any(problems.values()), problems
    row = after["change"].set_index(["region", "category"]).loc[(REGION, CATEGORY)]
    assert row["change"] != "disappeared" and row["employment_to"] >= 1000 and row["imputed_to"]


def test_under_drop_the_check_fails(mapped) -> None:
    before = _outputs(mapped["published"], mapped["mirror"])
    dropped = _outputs(mapped["masked_drop"], mapped["mirror"])
    assert _turned_to_zero(before["growth_region_category"], dropped["growth_region_category"])
    assert _turned_to_zero(before["concentration"], dropped["concentration"]) or _turned_to_zero(
        before["portfolio"], dropped["portfolio"]
    )
    row = dropped["change"].set_index(["region", "category"]).loc[(REGION, CATEGORY)]
    assert row["change"] == "not comparable" and pd.isna(row["employment_to"])
