"""The loaders on the real data mirror (../shared/data): counts and values quoted in its README."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clustermap.loaders import (
    load_cbp_cbsa,
    load_cbp_state,
    load_cbp_state_totals,
    load_eurostat,
    load_lfs_totals,
    load_sbs,
    read_tsv,
)
from clustermap.provenance import LoadResult
from clustermap.schema import validate_observations

pytestmark = pytest.mark.realdata

#: README: "V16110 NUTS-2 non-missing cells per year" — these count every 4-character geo code, i.e. they
#: include the extra-regio codes xxZZ (CZZZ, ELZZ, ESZZ, FRZZ, LVZZ, SEZZ, SKZZ), which load_sbs drops.
README_V16110_NUTS2 = {
    2008: 22182, 2009: 22749, 2010: 25680, 2011: 25516, 2012: 25242, 2013: 25447, 2014: 25835, 2015: 15230,
}  # fmt: skip
README_FLAGS = {
    "c": 93421, "b": 19692, "d": 18027, "p": 12135, "u": 12015, "cd": 3883, "bc": 2773, "i": 1813, "cu": 1644,
    "r": 672, "cp": 575, "ci": 247, "bu": 8,
}  # fmt: skip


@pytest.fixture(scope="module")
def sbs(mirror: Path) -> LoadResult:
    return load_sbs(mirror=mirror)


@pytest.fixture(scope="module")
def cbp_state(mirror: Path) -> LoadResult:
    return load_cbp_state(mirror=mirror)


def test_sbs_raw_read_matches_readme(mirror: Path) -> None:
    frame = read_tsv(mirror / "eu" / "sbs" / "sbs_r_nuts06_r2.tsv.gz")
    assert len(frame) == 195227 * 8
    counts = frame["flag"].value_counts().to_dict()
    assert {k: counts.get(k, 0) for k in README_FLAGS} == README_FLAGS
    assert set(counts) == {"", *README_FLAGS}
    v = frame[(frame["indic_sb"] == "V16110") & (frame["geo"].str.len() == 4) & frame["value"].notna()]
    assert v.groupby("year").size().to_dict() == README_V16110_NUTS2


def test_sbs_v16110_nuts2(sbs: LoadResult, mirror: Path) -> None:
    frame, prov = sbs.frame, sbs.provenance
    assert prov.dataset == "sbs_r_nuts06_r2" and prov.source == "eurostat"
    assert prov.rows_read == 195227 * 8
    assert prov.rows_read == prov.rows_kept + sum(prov.rows_dropped.values())
    assert set(prov.rows_dropped) == {"other indicator", "extra-regio code", "other NUTS level"}
    assert frame["region"].str.len().eq(4).all()
    assert not frame["region"].str.endswith("ZZ").any()
    published = frame[frame["employment"].notna()].groupby("year").size().to_dict()
    extra_regio = read_tsv(mirror / "eu" / "sbs" / "sbs_r_nuts06_r2.tsv.gz", filters={"indic_sb": "V16110"}).query(
        "geo.str.endswith('ZZ') and geo.str.len() == 4 and value.notna()", engine="python"
    )
    extra = extra_regio.groupby("year").size().reindex(list(README_V16110_NUTS2), fill_value=0).to_dict()
    assert {y: published[y] + extra[y] for y in README_V16110_NUTS2} == README_V16110_NUTS2
    assert published[2015] == 15230
    # README sample "B,V16110,AT11  232  : c  : c  248 …": the first year column is 2015
    at11 = frame[(frame["region"] == "AT11") & (frame["industry"] == "B")].set_index("year")
    assert at11.loc[2015, "employment"] == 232
    assert np.isnan(at11.loc[2014, "employment"]) and at11.loc[2014, "flag"] == "c"
    assert at11.loc[2012, "employment"] == 248 and at11.loc[2008, "employment"] == 292
    flags = frame["flag"].value_counts()
    assert flags["c"] > 0 and flags["cd"] > 0
    assert frame.loc[frame["flag"].str.contains("c"), "employment"].isna().all()  # confidential → null
    assert {"C29", "G471", "B"} <= set(frame["industry"])


def test_lfs_totals_in_persons(mirror: Path) -> None:
    totals = load_lfs_totals(mirror=mirror)
    assert list(totals.columns) == ["region", "year", "total"]
    assert totals["region"].str.len().eq(4).all()
    at11 = totals[(totals["region"] == "AT11") & (totals["year"] == 2015)]["total"].item()
    assert 100_000 < at11 < 200_000  # Burgenland: ~137 thousand persons
    assert totals["total"].max() > 1_000_000  # Île-de-France is several million persons
    assert totals.attrs["provenance"].notes["scale"] == 1000.0


def test_gdp_through_the_generic_loader(mirror: Path) -> None:
    result = load_eurostat(dataset="nama_10r_2gdp", industry_dim=None, value_filters={"unit": "MIO_EUR"}, mirror=mirror)
    frame = result.frame
    assert set(frame["industry"]) == {"TOTAL"} and frame["year"].between(2000, 2014).all()
    assert frame.loc[(frame["region"] == "AT11") & (frame["year"] == 2014), "employment"].item() > 0


def test_cbp_state(cbp_state: LoadResult) -> None:
    frame = cbp_state.frame.set_index(["region", "industry", "year"])
    assert frame.loc[("04", "325412", 2011), "employment"] == 846
    alabama = frame.loc[("01", "325412", 2011)]
    assert np.isnan(alabama["employment"]) and alabama["size_class"] == "F"
    assert (frame.index.get_level_values("industry").str.len() == 6).all()
    assert cbp_state.provenance.rows_read == 811632
    prov = cbp_state.provenance
    assert prov.rows_read == prov.rows_kept + sum(prov.rows_dropped.values())
    withheld = cbp_state.frame["size_class"] != ""
    assert cbp_state.frame.loc[withheld, "employment"].isna().all()


def test_cbp_state_totals(mirror: Path) -> None:
    totals = load_cbp_state_totals(mirror=mirror)
    assert len(totals) == 51 * 12
    assert totals.loc[(totals["region"] == "06") & (totals["year"] == 2011), "total"].item() > 10_000_000


def test_cbp_cbsa(mirror: Path) -> None:
    result = load_cbp_cbsa(mirror=mirror)
    frame = result.frame
    assert frame["region"].nunique() > 900 and set(frame["year"]) == {2018, 2019}
    assert frame.loc[(frame["region"] == "16620") & (frame["industry"] == "713990") & (frame["year"] == 2018)][
        "employment"
    ].tolist() == [116]
    validate_observations(frame)
