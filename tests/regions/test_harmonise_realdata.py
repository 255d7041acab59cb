"""The real SBS panel (2008-2015, NUTS 2006/2010/2013 codes mixed) harmonised to NUTS 2013 and NUTS 2016: one
region set every year, employment conserved per country and year, and the mapping runs on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clustermap.regions import aggregate_nuts, harmonise
from clustermap.regions.nuts import country_of

pytestmark = pytest.mark.realdata

YEARS = list(range(2008, 2016))


def _cell(frame: pd.DataFrame, region: str, industry: str, year: int) -> float:
    sel = frame[(frame["region"] == region) & (frame["industry"] == industry) & (frame["year"] == year)]
    assert len(sel) == 1
    return float(sel["employment"].iloc[0])


@pytest.fixture(params=[2013, 2016])
def harmonised(request, sbs_2013, sbs_2016):
    return request.param, {2013: sbs_2013, 2016: sbs_2016}[request.param]


def test_every_year_has_the_same_region_set_in_the_target_version(harmonised, registry) -> None:
    version, res = harmonised
    out = res.frame
    sets = out.groupby("year")["region"].apply(frozenset)
    assert list(sets.index) == YEARS and len(set(sets)) == 1
    assert set(sets.iloc[0]) <= registry.codes(version, level=2)
    # and no holes: a country with data in a year has data for every one of its regions
    has = out[out["employment"].notna()].assign(country=lambda f: f["region"].map(country_of))
    full = has.groupby("country")["region"].apply(set)
    for (country, year), g in has.groupby(["country", "year"]):
        assert set(g["region"]) == full[country], (country, year)
    # the input had codes of three versions within and across years
    versions = res.versions.groupby("year")["version"].apply(set)
    assert {2006, 2010, 2013} <= set().union(*versions)


def test_employment_is_conserved_per_country_and_year(harmonised, sbs) -> None:
    _, res = harmonised
    b = res.balance
    assert (b["difference"].abs() <= 1e-6 * b["employment_in"].clip(lower=1)).all()
    # the published totals of the input, country by country
    sbs_totals = sbs.assign(country=sbs["region"].map(country_of)).groupby(["country", "year"])["employment"].sum()
    pd.testing.assert_series_equal(b.set_index(["country", "year"])["employment_in"], sbs_totals, check_names=False)
    # only FI and UK 2010 publish one territory under two versions' codes; nothing else is dropped
    dropped = b[b["dropped"] > 0]
    assert set(zip(dropped["country"], dropped["year"], strict=True)) == {("FI", 2010), ("UK", 2010)}
    assert set(res.changes.loc[res.changes["change"].str.startswith("dropped"), "from_region"]) == {
        "FI13",
        "FI18",
        "FI1A",
        "UKD7",
    }
    # every country of the input is in the output of the same year
    out_countries = res.frame[res.frame["employment"].notna()].assign(c=lambda f: f["region"].map(country_of))
    assert set(zip(b["country"], b["year"], strict=True)) >= set(
        out_countries[["c", "year"]].drop_duplicates().itertuples(index=False, name=None)
    )


def test_with_the_drop_policy_published_totals_are_conserved_exactly(sbs, registry, mirror) -> None:
    res = harmonise(sbs, to_version=2016, registry=registry, mirror=mirror, policy="drop")
    b = res.balance
    assert (b["hidden"] == 0).all()
    np.testing.assert_allclose(b["employment_out"], b["employment_in"] - b["dropped"], rtol=1e-12)
    assert res.notes["cells_dropped"] == int(sbs["employment"].isna().sum())


def test_recodes_merges_and_splits_on_known_regions(sbs, sbs_2016) -> None:
    out = sbs_2016.frame
    # recode: FR71 (NUTS 2010) is FRK2 (NUTS 2016), value unchanged
    assert _cell(out, "FRK2", "C", 2012) == _cell(sbs, "FR71", "C", 2012)
    # merge: DE41 + DE42 (NUTS 2006) = DE40
    assert _cell(out, "DE40", "C", 2008) == _cell(sbs, "DE41", "C", 2008) + _cell(sbs, "DE42", "C", 2008)
    # split: UKI1 (2010) into UKI3 / UKI4 by 2011 residents
    ch = sbs_2016.changes
    split = ch[(ch["from_region"] == "UKI1") & (ch["year"] == 2012)].set_index("to_region")
    assert set(split.index) == {"UKI3", "UKI4"} and set(split["change"]) == {"split"}
    assert set(split["weight"]) == {"pop11"} and split["share"].sum() == pytest.approx(1.0)
    assert _cell(out, "UKI3", "C", 2012) == pytest.approx(_cell(sbs, "UKI1", "C", 2012) * split.loc["UKI3", "share"])
    # the change report's employment moved adds up to the input employment of the moved codes
    moved = ch[(ch["year"] == 2012) & (ch["from_region"] == "FR71")]
    fr71 = sbs[(sbs["region"] == "FR71") & (sbs["year"] == 2012)]["employment"].sum()
    assert moved["employment_moved"].sum() == pytest.approx(fr71)


def test_region_counts_per_year(sbs, sbs_2013, sbs_2016) -> None:
    before = sbs[sbs["employment"].notna()].groupby("year")["region"].nunique()
    assert before.tolist() == [251, 252, 282, 277, 277, 278, 282, 167]
    assert sbs_2013.summary["regions_out"].tolist() == [253, 254, 280, 280, 280, 278, 282, 167]
    # NUTS 2016: no UKN1 (the JRC matrices' truncation of Northern Ireland's NUTS-3 codes; the region is UKN0)
    assert sbs_2016.summary["regions_out"].tolist() == [258, 259, 285, 285, 285, 282, 287, 171]
    assert set(sbs_2013.summary["regions_out_rows"]) == {282} and set(sbs_2016.summary["regions_out_rows"]) == {287}


def test_mapping_runs_on_the_harmonised_panel(sbs_2016) -> None:
    import clustermap

    result = clustermap.map_clusters(sbs_2016.frame, categories="eco-nace2", methodology="eco2007", full=True)
    s = result.summary
    assert s["year"].tolist() == YEARS
    assert (s["regions"] == sbs_2016.summary["regions_out"]).all()
    assert (s["clusters"] > 0).all()


def test_map_observations_on_ibis_and_nuts0_totals(sbs_2013) -> None:
    from clustermap.api import resolve_categories
    from clustermap.engines.backends import connect, to_backend
    from clustermap.mapping import map_observations
    from clustermap.schema import validate_observations

    frame = validate_observations(sbs_2013.frame)
    obs = to_backend(connect("duckdb"), frame)
    cats = resolve_categories("eco-nace2", frame["industry"].unique())
    result = map_observations(obs, categories=cats, methodology="eco2007", years=[2012, 2014])
    assert result.summary["regions"].tolist() == [280, 282]
    # NUTS 2 -> NUTS 0 within NUTS 2013, with the drop policy: the country totals of the harmonised panel
    agg = aggregate_nuts(frame[frame["year"] == 2014], 0, version=2013, policy="drop")
    de = _cell(agg.frame, "DE", "C", 2014)
    assert de == pytest.approx(
        frame.query("year == 2014 and industry == 'C' and region.str.startswith('DE')")["employment"].sum()
    )


@pytest.mark.parametrize(
    ("old", "new", "prefix", "weight"), [(2010, 2013, "code", "pop11"), (2013, 2016, "recoded", "pop21")]
)
def test_jrc_recodes_agree_with_the_official_change_tables(mirror, old, new, prefix, weight) -> None:
    from clustermap.regions import jrc_matrix
    from clustermap.regions.conversion import change_kind, shares

    changes = pd.read_csv(
        mirror / "eu/nuts/nuts_changes_1999_2021_ropengov_regions.csv", dtype=str, keep_default_na=False
    )
    official = changes[(changes["typology"] == "nuts_level_2") & changes[f"change_{new}"].str.startswith(prefix)]
    s = shares(jrc_matrix(2, old, new, mirror=mirror), weight)
    s["kind"] = change_kind(s)
    got = official.merge(s, left_on=f"code_{old}", right_on="from_code", how="left")
    assert len(got) >= 12
    assert (got["kind"] == "recode").all() and (got["to_code"] == got[f"code_{new}"]).all()


def test_2012_to_2016_conserves_employment_per_country_and_industry(sbs, registry, mirror) -> None:
    """Issue 11 item 5: ``regions convert --from auto --to 2016`` on the 2012 SBS divisions (NUTS 2010 / 2013 codes
    mixed) kept IE C33 at -54 % and UK industries at -1 to -3 %, and wrote UKN1 (no NUTS-2 2016 code)."""
    from clustermap.regions.conversion import attested_codes

    y2012 = sbs[sbs["year"] == 2012]
    res = harmonise(y2012, to_version=2016, registry=registry, mirror=mirror)
    out = res.frame

    def totals(f: pd.DataFrame) -> pd.Series:
        return f.assign(country=f["region"].map(country_of)).groupby(["country", "industry"])["employment"].sum()

    before, after = totals(y2012), totals(out)
    assert set(before[before > 0].index) == set(after[after > 0].index)
    after = after.reindex(before.index, fill_value=0.0)
    np.testing.assert_allclose(after.to_numpy(), before.to_numpy(), rtol=1e-9, atol=1e-6)
    assert before.loc[("IE", "C33")] == pytest.approx(after.loc[("IE", "C33")])
    # only codes that exist in NUTS 2016: Northern Ireland is UKN0, never the truncated UKN1
    assert set(out["region"]) <= attested_codes(registry, 2016)
    assert "UKN1" not in set(out["region"]) and "UKN0" in set(out["region"])
    assert "UKN1 -> UKN0" in res.notes["targets_repaired"]
    # the change log lists every split with its weight and shares summing to 1 per source
    splits = res.changes[res.changes["change"].str.contains("split")]
    assert {"IE01", "IE02", "UKI1", "UKI2", "UKM2", "UKM3"} <= set(splits["from_region"])
    assert (splits["weight"] == "pop11").all() and splits["share"].between(0, 1).all()
    per_source = res.changes[~res.changes["change"].str.startswith("dropped")].groupby("from_region")["share"].sum()
    np.testing.assert_allclose(per_source[splits["from_region"].unique()], 1.0)
    # cells that mix a published part with a confidential one keep the published part, flagged i
    assert res.summary["employment_hidden"].sum() == 0 and res.summary["cells_partial"].sum() > 0
    ie06 = out[(out["region"] == "IE06") & (out["industry"] == "C33")].iloc[0]
    assert ie06["employment"] > 0 and "i" in ie06["flag"] and "c" in ie06["flag"]
