"""The packaged eco-nace2 category set: structure, the 38 ECO categories, and checks against the real mirror."""

from __future__ import annotations

import tomllib
from importlib import resources

import pandas as pd
import pytest

from clustermap.definitions import load_category_set

#: SEC(2008) 2637, footnote 35: the 38 traded categories of the European Cluster Observatory (2007)
# fmt: off
FOOTNOTE_35 = [
    "Aerospace", "Instruments", "Apparel", "Automotive", "Building Fixtures", "Business Services", "Chemical",
    "Communications", "Food", "Agricultural", "Distribution", "Education", "Entertainment", "Heavy Machinery",
    "Finance", "Fishing", "Footwear", "Forest", "Furniture", "Construction", "Hospitality", "IT", "Jewellery",
    "Leather", "Lighting", "Constr. Materials", "Medical", "Metal", "Oil and Gas", "Biopharma", "Plastics", "Power",
    "Production Tech.", "Publishing", "Sporting", "Textiles", "Tobacco", "Transportation",
]
# fmt: on

MERGES = {
    "footwear-and-leather": ({"Footwear", "Leather"}, ["C15"]),
    "it-and-instruments": ({"IT", "Instruments"}, ["C26"]),
    "heavy-machinery-and-production-technology": ({"Heavy Machinery", "Production Tech."}, ["C28"]),
    "medical-jewellery-and-sporting": ({"Medical", "Jewellery", "Sporting"}, ["C32"]),
    "construction-materials-and-building-fixtures": ({"Constr. Materials", "Building Fixtures"}, ["B08", "C23"]),
}


@pytest.fixture(scope="module")
def eco():
    return load_category_set("eco-nace2")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    text = resources.files("clustermap.definitions").joinpath("data", "eco-nace2.csv").read_text("utf-8")
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def meta() -> dict:
    return tomllib.loads(
        resources.files("clustermap.definitions").joinpath("data", "eco-nace2.toml").read_text("utf-8")
    )


def expected_sbs_codes() -> list[str]:
    """The SBS code list of sbs_r_nuts06_r2 written out (the realdata test checks it against the file)."""
    divisions = ["B05", "B06", "B07", "B08", "B09"] + [f"C{d}" for d in range(10, 34)] + ["D35"]
    divisions += ["E36", "E37", "E38", "E39", "F41", "F42", "F43"]
    groups = ["G451", "G452", "G453", "G454"] + [f"G46{g}" for g in (1, 2, 3, 4, 5, 6, 7, 9)]
    groups += [f"G47{g}" for g in range(1, 10)]
    rest = ["H49", "H50", "H51", "H52", "H53", "I55", "I56"] + [f"J{d}" for d in range(58, 64)] + ["L68"]
    rest += [f"M{d}" for d in range(69, 76)] + [f"N{d}" for d in range(77, 83)] + ["S95"]
    return divisions + groups + rest


def test_metadata(eco, meta) -> None:
    assert (eco.name, eco.version, eco.licence) == ("eco-nace2", "2026.2", "CC-BY-4.0")
    assert eco.industry_classification == "NACE Rev. 2 (SBS codes)"
    assert "SEC(2008) 2637" in eco.source and "sbs_r_nuts06_r2" in eco.source
    assert "loses" in eco.description and "NACE Rev. 1.1" in eco.description
    assert eco.title and eco.citation and eco.credit
    assert eco.checksum is not None and len(eco.checksum) == 64
    assert meta["name"] == "eco-nace2"


def test_every_sbs_code_once_no_sections_no_trade_divisions(eco) -> None:
    codes = eco.crosswalk["industry"]
    assert not codes.duplicated().any(), "one row per code (shares are all 1.0)"
    assert sorted(codes) == sorted(expected_sbs_codes())
    assert len(codes) == 86
    assert (codes.str.len() >= 3).all(), "sections are not in the crosswalk"
    assert not set(codes) & {"G45", "G46", "G47"}, "trade divisions are replaced by their groups"
    assert (eco.crosswalk["share"] == 1.0).all()


def test_38_categories_accounted_for(eco, meta) -> None:
    assert len(FOOTNOTE_35) == 38
    assert list(eco.originals) == FOOTNOTE_35 == meta["originals"]
    traded = eco.categories[eco.categories["traded"]]
    covered: list[str] = []
    merged: list[str] = []
    for names in traded["merged_from"]:
        if not names:
            continue
        parts = names.split("|")
        (merged if len(parts) > 1 else covered).extend(parts)
    uncovered = eco.uncovered["original"].tolist()
    everything = covered + merged + uncovered
    assert len(everything) == 38 and set(everything) == set(FOOTNOTE_35), "each original exactly once"
    assert set(uncovered) == {"Agricultural", "Fishing", "Finance"}
    assert all(reason.startswith("Not covered by this source") for reason in eco.uncovered["reason"])
    assert len(covered) == 24 and len(merged) == 11 and len(traded) == 30
    assert (traded["merged_from"] == "").sum() == 1, "one traded category that no original names: coal-mining"


def test_merged_categories_name_their_originals(eco) -> None:
    cats = eco.categories.set_index("category")
    cw = eco.crosswalk
    for slug, (originals, codes) in MERGES.items():
        assert set(cats.loc[slug, "merged_from"].split("|")) == originals
        assert sorted(cw.loc[cw["category"] == slug, "industry"]) == codes
        name = cats.loc[slug, "category_name"]
        for original in originals:
            word = {"Production Tech.": "Production", "Constr. Materials": "Construction Materials"}.get(
                original, original
            )
            assert word in name, f"{name!r} must list {original!r}"
    single = cats[cats["traded"] & ~cats.index.isin(list(MERGES))]
    assert (~single["merged_from"].str.contains("|", regex=False)).all()


def test_local_categories(eco, table) -> None:
    cats = eco.categories
    local = cats[~cats["traded"]]
    assert local["category"].str.startswith("local-").all()
    assert not cats.loc[cats["traded"], "category"].str.startswith("local-").any()
    assert (table.loc[table["traded"] == "false", "merged_from"] == "").all()
    traded = table[table["traded"] == "true"]
    assert (traded.loc[traded["category"] != "coal-mining", "merged_from"] != "").all()
    assert traded.loc[traded["category"] == "coal-mining", "industry"].tolist() == ["B05"]


def test_rationale_on_every_row(table) -> None:
    assert (table["rationale"].str.len() > 20).all()
    assert set(table.columns) == {
        "industry", "industry_title", "category", "category_name", "traded", "share", "merged_from", "rationale"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "category", "traded"),
    [
        ("C29", "automotive", True),
        ("C30", "aerospace", True),
        ("C12", "tobacco", True),
        ("C15", "footwear-and-leather", True),
        ("C21", "biopharma", True),
        ("D35", "power", True),
        ("F42", "construction", True),
        ("F41", "local-construction", False),
        ("G461", "distribution", True),
        ("G469", "distribution", True),
        ("G479", "distribution", True),
        ("G471", "local-retail", False),
        ("G478", "local-retail", False),
        ("G451", "local-motor-vehicle-trade", False),
        ("I55", "hospitality", True),
        ("I56", "local-food-service", False),
        ("J61", "communications", True),
        ("M72", "research-and-development", True),
        ("B05", "coal-mining", True),
        ("B06", "oil-and-gas", True),
        ("J59", "entertainment", True),
        ("C33", "local-industrial-services", False),
    ],
)
def test_calls(eco, code: str, category: str, traded: bool) -> None:
    row = eco.crosswalk.set_index("industry").loc[code]
    assert (row["category"], bool(row["traded"])) == (category, traded)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("B05", "Coal Mining"),
        ("B06", "Oil and Gas"),
        ("J61", "Telecommunications Services"),
        ("C30", "Aerospace and Other Transport Equipment"),
        ("D35", "Power and Gas Utilities"),
        ("M72", "Research and Development"),
    ],
)
def test_honest_names(eco, code: str, name: str) -> None:
    """Issue 11 item 4: a category's name says what its divisions hold (coal is not oil and gas, C30 not only
    aircraft, D35 not only power, J61 services only, M72 research only)."""
    slug = eco.crosswalk.set_index("industry").loc[code, "category"]
    assert eco.categories.set_index("category").loc[slug, "category_name"] == name
    cw = eco.crosswalk
    assert "B05" not in set(cw.loc[cw["category"] == "oil-and-gas", "industry"])
    assert set(cw.loc[cw["category"] == "communications", "industry"]) == {"J61"}


def _status_table() -> pd.DataFrame:
    """The table of docs/eco-nace2.md: one row per original category of footnote 35."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "eco-nace2.md").read_text("utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| Original")]
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in rows]
    return pd.DataFrame(cells, columns=["original", "status", "category", "codes", "how"])


def test_doc_lists_every_original_with_its_status(eco) -> None:
    doc = _status_table()
    assert sorted(doc["original"]) == sorted(FOOTNOTE_35) and len(doc) == 38
    assert set(doc["status"]) <= {"matched", "approximated", "missing"}
    missing = doc[doc["status"] == "missing"]
    assert set(missing["original"]) == set(eco.uncovered["original"])
    assert (missing["category"] == "").all() and (missing["codes"] == "").all()
    cats = eco.categories.set_index("category")
    cw = eco.crosswalk
    for row in doc[doc["status"] != "missing"].itertuples():
        assert row.original in cats.loc[row.category, "merged_from"].split("|"), row.original
        assert row.codes.split() == sorted(cw.loc[cw["category"] == row.category, "industry"]), row.original
        merged = "|" in cats.loc[row.category, "merged_from"]
        if merged:
            assert row.status == "approximated", f"{row.original} is merged, so approximated"
        if row.status == "approximated":
            assert row.how, row.original
    counts = doc["status"].value_counts().to_dict()
    assert counts == {"matched": 16, "approximated": 19, "missing": 3}


def test_wholesale_traded_retail_local(eco) -> None:
    cw = eco.crosswalk.set_index("industry")
    wholesale = [c for c in cw.index if c.startswith("G46")]
    retail = [c for c in cw.index if c.startswith("G47") and c != "G479"]
    assert len(wholesale) == 8 and cw.loc[wholesale, "traded"].all()
    assert len(retail) == 8 and not cw.loc[retail, "traded"].any()


# ---------------------------------------------------------------------------------------------- real data


@pytest.mark.realdata
def test_complete_against_the_real_sbs_code_list(eco, mirror_file) -> None:
    path = mirror_file("eu/sbs/sbs_r_nuts06_r2_V16110_long.csv.gz")
    codes = set(pd.read_csv(path, usecols=["nace_r2"], dtype=str)["nace_r2"].unique())
    wanted = {c for c in codes if len(c) >= 3} - {"G45", "G46", "G47"}
    assert len(wanted) == 86
    assert sorted(eco.crosswalk["industry"]) == sorted(wanted), "every SBS division/G-group exactly once"
    assert sorted(wanted) == sorted(expected_sbs_codes())


@pytest.mark.realdata
def test_titles_match_the_nace_rev2_structure(table, mirror_file) -> None:
    path = mirror_file("classifications/nace_rev2_structure.csv")
    nace = pd.read_csv(path, dtype=str, keep_default_na=False)
    nace = nace[nace["level_name"].isin(["division", "group"])]
    titles = dict(zip(nace["section"] + nace["code_nodot"], nace["title"].str.strip(), strict=True))
    wrong = {
        row.industry: (row.industry_title, titles.get(row.industry))
        for row in table.itertuples()
        if titles.get(row.industry) != row.industry_title
    }
    assert not wrong
