"""The uscmp category set and cluster relatedness: loader logic on tiny made-up files, then the real mirror."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clustermap.definitions import (
    USCMP_CREDIT,
    load_category_set,
    load_cluster_relatedness,
    load_uscmp,
    slugify,
)
from clustermap.errors import DuplicateKeyError, SchemaError, SourceError, ValueValidationError

CMP_HEADER = "naics,naics_title,traded_local,cluster_code,cluster_name,subcluster_name,non_standard_naics\n"
#: made-up clusters, laid out like the mirror file (no CMP content)
FAKE = (
    CMP_HEADER
    + "111111,Widget Making,Traded,1,Widgets and Gadgets,Widgets,False\n"
    + "111112,Gadget Making,Traded,1,Widgets and Gadgets,Gadgets,False\n"
    + "222221,Corner Shops,Local,101,Local Shops,Shops,False\n"
    + "999999,Households,Local,,,,False\n"
    + "111113,New Widget Code,Traded,1,Widgets and Gadgets,Widgets,True\n"
    + "900001,Government,Local,,Government Services,,True\n"
)


def fake_mirror(tmp_path: Path, text: str = FAKE) -> Path:
    folder = tmp_path / "us" / "clusters"
    folder.mkdir(parents=True)
    (folder / "cmp_naics2012_to_cluster.csv").write_text(text, encoding="utf-8")
    return tmp_path


# ---------------------------------------------------------------------------------------------- made-up files


def test_loader_on_a_made_up_mirror(tmp_path: Path) -> None:
    cats = load_uscmp(fake_mirror(tmp_path), download=False)
    assert cats.industries == ["111111", "111112", "222221"]
    assert cats.traded_categories == ["widgets-and-gadgets"] and cats.local_categories == ["local-shops"]
    assert cats.categories["cluster_code"].tolist() == [1, 101]
    assert cats.credit == USCMP_CREDIT and "non-commercial" in cats.licence and "not" in cats.licence
    skipped = cats.skipped.set_index("industry")["reason"]
    assert skipped.index.tolist() == ["111113", "900001", "999999"]
    assert skipped["999999"] == "not assigned to a CMP cluster"
    assert skipped["111113"].startswith("non-standard")


def test_non_standard_rows_on_request(tmp_path: Path) -> None:
    cats = load_uscmp(fake_mirror(tmp_path), include_non_standard=True, download=False)
    assert "111113" in cats.industries and "900001" not in cats.industries
    assert cats.version == "naics2012+nonstandard"
    assert sorted(cats.skipped["industry"]) == ["900001", "999999"]


@pytest.mark.parametrize(
    ("row", "error", "column"),
    [
        ("33333,Short Code,Traded,1,Widgets and Gadgets,W,False\n", ValueValidationError, "naics"),
        ("333333,Odd,Exported,1,Widgets and Gadgets,W,False\n", ValueValidationError, "traded_local"),
        ("111111,Again,Traded,1,Widgets and Gadgets,W,False\n", DuplicateKeyError, "naics"),
        ("333333,Flip,Local,1,Widgets and Gadgets,W,False\n", ValueValidationError, "traded"),
    ],
)
def test_bad_rows(tmp_path: Path, row: str, error: type, column: str) -> None:
    mirror = fake_mirror(tmp_path, FAKE + row)
    with pytest.raises(error) as info:
        load_uscmp(mirror, download=False)
    assert info.value.location.column == column
    assert info.value.location.line == 8


def test_missing_column(tmp_path: Path) -> None:
    mirror = fake_mirror(tmp_path, "naics,naics_title,cluster_name\n111111,W,Widgets\n")
    with pytest.raises(SchemaError, match="traded_local"):
        load_uscmp(mirror, download=False)


def test_absent_from_the_mirror_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        load_uscmp(tmp_path, download=False)


# ---------------------------------------------------------------------------------------------- real mirror


@pytest.fixture(scope="module")
def cmp_mirror(data_mirror: Path, mirror_file) -> Path:
    mirror_file("us/clusters/cmp_naics2012_to_cluster.csv")
    return data_mirror


@pytest.mark.realdata
def test_51_traded_16_local(cmp_mirror: Path) -> None:
    cats = load_category_set("uscmp", mirror=cmp_mirror)
    assert cats.name == "uscmp" and cats.industry_classification == "NAICS 2012"
    assert len(cats.traded_categories) == 51 and len(cats.local_categories) == 16
    codes = cats.categories.set_index("category")["cluster_code"]
    assert sorted(codes[cats.traded_categories]) == list(range(1, 52))
    assert sorted(codes[cats.local_categories]) == list(range(101, 117))
    cw = cats.crosswalk
    assert len(cw) == 954 and not cw["industry"].duplicated().any()
    assert cw["industry"].str.fullmatch(r"\d{6}").all() and (cw["share"] == 1.0).all()
    assert cw.loc[cw["traded"], "industry"].nunique() == 660 and cw.loc[~cw["traded"], "industry"].nunique() == 294


@pytest.mark.realdata
def test_aircraft_is_aerospace_cluster_1(cmp_mirror: Path) -> None:
    cats = load_uscmp(cmp_mirror)
    row = cats.crosswalk.set_index("industry").loc["336411"]
    assert row["category"] == "aerospace-vehicles-and-defense"
    assert row["category_name"] == "Aerospace Vehicles and Defense" and row["traded"]
    assert cats.categories.set_index("category").loc["aerospace-vehicles-and-defense", "cluster_code"] == 1
    assert cats.credit == USCMP_CREDIT


@pytest.mark.realdata
def test_unassigned_and_non_standard_rows_are_counted(cmp_mirror: Path) -> None:
    cats = load_uscmp(cmp_mirror)
    counts = cats.skipped["reason"].value_counts()
    assert counts["not assigned to a CMP cluster"] == 1
    assert cats.skipped.loc[cats.skipped["reason"] == "not assigned to a CMP cluster", "industry"].tolist() == [
        "814110"
    ]
    assert len(cats.skipped) == 38
    wide = load_uscmp(cmp_mirror, include_non_standard=True)
    assert len(wide.crosswalk) == 954 + 37 - 5
    assert {"541713", "452210", "211120"} <= set(wide.industries)
    assert len(wide.skipped) == 6
    assert len(wide.traded_categories) == 51 and len(wide.local_categories) == 16


@pytest.mark.realdata
def test_slugs_match_the_cluster_list(cmp_mirror: Path, mirror_file) -> None:
    path = mirror_file("us/clusters/cmp_clusters.csv")
    clusters = pd.read_csv(path, dtype=str)
    cats = load_uscmp(cmp_mirror).categories
    assert sorted(cats["category"]) == sorted(clusters["cluster_name"].map(slugify))
    assert cats["category"].is_unique


@pytest.mark.realdata
def test_cluster_relatedness(cmp_mirror: Path, mirror_file) -> None:
    mirror_file("us/clusters/cmp_related_clusters.csv")
    rel = load_cluster_relatedness(cmp_mirror)
    assert list(rel.columns) == [
        "cluster_a", "cluster_b", "cluster_code_a", "cluster_code_b", "related", "score", "percentile"
    ]  # fmt: skip
    assert len(rel) == 51 * 50 and (rel["cluster_a"] != rel["cluster_b"]).all()
    assert rel["related"].dtype == bool and rel["score"].dtype == "float64"
    assert rel["percentile"].between(0, 100).all()
    traded = set(load_uscmp(cmp_mirror).traded_categories)
    assert set(rel["cluster_a"]) == set(rel["cluster_b"]) == traded
    swapped = rel.rename(columns={"cluster_a": "cluster_b", "cluster_b": "cluster_a"})
    joined = rel.merge(swapped, on=["cluster_a", "cluster_b"], suffixes=("", "_ba"), validate="one_to_one")
    assert len(joined) == len(rel)
    assert (joined["related"] == joined["related_ba"]).all()
    assert joined["score"].to_numpy() == pytest.approx(joined["score_ba"].to_numpy(), abs=1e-5), (
        "symmetric up to rounding"
    )
    assert int(rel["related"].sum()) == 256
    assert rel.attrs["credit"] == USCMP_CREDIT
    assert len(load_cluster_relatedness(cmp_mirror, include_self=True)) == 51 * 51


@pytest.mark.realdata
def test_publisher_workbook_without_cluster_codes(cmp_mirror: Path, mirror_file, monkeypatch) -> None:
    """What a download returns (the NoCo REDI workbook): same clusters, no numeric codes."""
    from clustermap.definitions import uscmp as module

    workbook = mirror_file("us/clusters/NAICS_crosswalks_to_Cluster_system.xlsx")
    reference = load_uscmp(cmp_mirror, download=False)
    monkeypatch.setattr(module, "resolve_source", lambda *args, **kwargs: workbook)
    cats = load_uscmp(cmp_mirror)
    assert len(cats.traded_categories) == 51 and len(cats.local_categories) == 16
    assert cats.categories["cluster_code"].isna().all()
    assert cats.crosswalk.set_index("industry").loc["336411", "category"] == "aerospace-vehicles-and-defense"
    pd.testing.assert_frame_equal(
        cats.crosswalk[["industry", "category", "traded"]], reference.crosswalk[["industry", "category", "traded"]]
    )
    assert sorted(cats.skipped["industry"]) == sorted(reference.skipped["industry"])
