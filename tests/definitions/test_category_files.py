"""User category-set CSV files: every validation error path on tiny hand-made files, names, the identity set."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clustermap.definitions import (
    CROSSWALK_COLUMNS,
    CategorySet,
    available_category_sets,
    category_set_schema,
    identity_category_set,
    load_category_set,
    slugify,
)
from clustermap.errors import (
    ClustermapError,
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    InputError,
    SchemaError,
    SourceError,
    UnknownNameError,
    ValueValidationError,
)

HEADER = "industry,category,category_name,traded,share\n"


def write(tmp_path: Path, text: str, name: str = "cats.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------- valid files


def test_valid_file_loads_with_types_and_metadata_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1.0\nG471,local-retail,Local Retail,False,1\n")
    cats = load_category_set(path)
    assert isinstance(cats, CategorySet)
    assert cats.name == "cats"
    assert cats.version.startswith("sha256:")
    assert cats.checksum is not None and cats.version == f"sha256:{cats.checksum[:12]}"
    assert tuple(cats.crosswalk.columns) == CROSSWALK_COLUMNS
    assert cats.crosswalk["traded"].dtype == bool
    assert cats.crosswalk["share"].dtype == "float64"
    assert cats.crosswalk["traded"].tolist() == [True, False]
    assert cats.traded_categories == ["automotive"]
    assert cats.local_categories == ["local-retail"]
    assert cats.industries == ["C29", "G471"]
    assert list(cats.categories.columns[:3]) == ["category", "category_name", "traded"]
    assert cats.licence.startswith("unknown")
    assert len(cats.skipped) == 0 and len(cats.uncovered) == 0
    assert cats.provenance()["traded_categories"] == 1


def test_pandas_written_file_is_accepted(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"industry": ["x", "y"], "category": ["X", "local"], "category_name": ["X", "Local"],
         "traded": [True, False], "share": [1.0, 1.0]}
    )  # fmt: skip
    path = tmp_path / "pandas.csv"
    frame.to_csv(path, index=False)
    cats = load_category_set(path)
    assert cats.crosswalk["traded"].tolist() == [True, False]


def test_optional_columns_take_their_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "industry,category,traded\n336411,aero,1\n")
    cats = load_category_set(path)
    row = cats.crosswalk.iloc[0]
    assert row["share"] == 1.0
    assert row["category_name"] == "aero"
    assert row["industry_title"] == ""


def test_split_shares_up_to_one_are_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEADER + "C26,it,IT,true,0.6\nC26,instruments,Instruments,true,0.4\nC33,repair,R,false,0.5\n"
    )
    cats = load_category_set(path)
    assert cats.crosswalk.groupby("industry")["share"].sum().to_dict() == pytest.approx({"C26": 1.0, "C33": 0.5})


def test_bom_blank_lines_and_quoted_cells(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + '\nC29,automotive,"Automotive, cars",true,1\n').encode("utf-8"))
    cats = load_category_set(str(path))
    assert cats.categories.loc[0, "category_name"] == "Automotive, cars"


def test_sidecar_toml_supplies_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\n", name="mine.csv")
    (tmp_path / "mine.toml").write_text(
        'name = "my-set"\nversion = "3"\nlicence = "CC0-1.0"\nindustry_classification = "NACE Rev. 2"\n'
        '[[categories]]\nslug = "automotive"\nname = "Automotive"\ntraded = true\n',
        encoding="utf-8",
    )
    cats = load_category_set(path)
    assert (cats.name, cats.version, cats.licence, cats.industry_classification) == (
        "my-set", "3", "CC0-1.0", "NACE Rev. 2",
    )  # fmt: skip


def test_sidecar_toml_that_disagrees_with_the_csv_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\n", name="mine.csv")
    (tmp_path / "mine.toml").write_text(
        '[[categories]]\nslug = "automotive"\nname = "Automotive"\ntraded = false\n', encoding="utf-8"
    )
    with pytest.raises(ValueValidationError, match="traded") as info:
        load_category_set(path)
    assert info.value.location.file.endswith("mine.toml")


def test_sidecar_originals_must_all_be_accounted_for(tmp_path: Path) -> None:
    path = write(tmp_path, "industry,category,traded,merged_from\nC15,leather,true,Leather|Footwear\n", name="o.csv")
    toml = (
        'originals = ["Leather", "Footwear", "Fishing"]\n'
        '[[categories]]\nslug = "leather"\nname = "leather"\ntraded = true\nmerged_from = ["Leather", "Footwear"]\n'
    )
    (tmp_path / "o.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ValueValidationError, match="do not match") as info:
        load_category_set(path)
    assert info.value.location.value == "Fishing"
    (tmp_path / "o.toml").write_text(
        toml + '[[uncovered]]\noriginal = "Fishing"\nreason = "Not covered by this source: no data."\n',
        encoding="utf-8",
    )
    cats = load_category_set(path)
    assert cats.originals == ("Leather", "Footwear", "Fishing")
    assert cats.uncovered["original"].tolist() == ["Fishing"]
    assert cats.categories.loc[0, "merged_from"] == "Leather|Footwear"


# ---------------------------------------------------------------------------------------------- error paths


def test_missing_column_is_a_schema_error(tmp_path: Path) -> None:
    path = write(tmp_path, "industry,category,share\nC29,automotive,1\n")
    with pytest.raises(SchemaError) as info:
        load_category_set(path)
    err = info.value
    assert (err.location.line, err.location.column) == (1, "traded")
    assert err.location.file == str(path)
    assert "missing required column" in str(err) and "line 1" in str(err) and "'traded'" in str(err)
    assert isinstance(err, InputError) and isinstance(err, ValueError) and isinstance(err, ClustermapError)


def test_unknown_column_is_a_schema_error(tmp_path: Path) -> None:
    path = write(tmp_path, "industry,category,traded,shares\nC29,automotive,true,0.5\n")
    with pytest.raises(SchemaError, match="unknown column") as info:
        load_category_set(path)
    assert info.value.location.column == "shares"


def test_repeated_column_is_a_schema_error(tmp_path: Path) -> None:
    path = write(tmp_path, "industry,category,traded,traded\nC29,automotive,true,true\n")
    with pytest.raises(SchemaError, match="twice"):
        load_category_set(path)


def test_row_with_wrong_number_of_cells_is_a_schema_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\nC30,aerospace,true,1\n")
    with pytest.raises(SchemaError, match="cells") as info:
        load_category_set(path)
    assert info.value.location.line == 3


def test_duplicate_industry_category_is_a_duplicate_key_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + "C29,automotive,Automotive,true,0.5\nC30,aerospace,Aerospace,true,1\nC29,automotive,Automotive,true,0.5\n",
    )
    with pytest.raises(DuplicateKeyError) as info:
        load_category_set(path)
    assert (info.value.location.line, info.value.location.column, info.value.location.value) == (4, "industry", "C29")


@pytest.mark.parametrize(
    ("share", "message"), [("0", "greater than 0"), ("1.5", "at most 1"), ("-0.2", "greater than 0")]
)
def test_share_outside_zero_one_is_a_value_error(tmp_path: Path, share: str, message: str) -> None:
    path = write(tmp_path, HEADER + f"C10,food,Food,true,1\nC29,automotive,Automotive,true,{share}\n")
    with pytest.raises(ValueValidationError, match=message) as info:
        load_category_set(path)
    loc = info.value.location
    assert (loc.line, loc.column, loc.value) == (3, "share", share)


def test_share_not_a_number_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,half\n")
    with pytest.raises(ValueValidationError, match="not a number") as info:
        load_category_set(path)
    assert (info.value.location.line, info.value.location.value) == (2, "half")


def test_shares_of_one_industry_summing_above_one_are_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C26,it,IT,true,0.6\nC27,lighting,Lighting,true,1\nC26,instruments,I,true,0.5\n")
    with pytest.raises(ValueValidationError, match=r"sum to 1\.1") as info:
        load_category_set(path)
    assert (info.value.location.line, info.value.location.column) == (4, "share")


@pytest.mark.parametrize("value", ["yes", "T", "2", "maybe"])
def test_traded_not_boolean_is_a_value_error(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, HEADER + f"C29,automotive,Automotive,{value},1\n")
    with pytest.raises(ValueValidationError, match="not a boolean") as info:
        load_category_set(path)
    loc = info.value.location
    assert (loc.line, loc.column, loc.value) == (2, "traded", value)
    assert f"value '{value}'" in str(info.value)


def test_blank_traded_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,,1\n")
    with pytest.raises(ValueValidationError, match="blank"):
        load_category_set(path)


def test_blank_industry_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\n ,automotive,Automotive,true,1\n")
    with pytest.raises(ValueValidationError, match="blank") as info:
        load_category_set(path)
    assert (info.value.location.line, info.value.location.column) == (3, "industry")


def test_malformed_category_slug_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,motor vehicles,Automotive,true,1\n")
    with pytest.raises(ValueValidationError, match="must match") as info:
        load_category_set(path)
    assert info.value.location.column == "category"


def test_category_with_two_traded_values_is_a_value_error(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\nC30,automotive,Automotive,false,1\n")
    with pytest.raises(ValueValidationError, match="another traded") as info:
        load_category_set(path)
    assert info.value.location.line == 3


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "C29,automotive,Automotive,true,1\n\n\nC30,aerospace,Aerospace,nope,1\n")
    with pytest.raises(ValueValidationError) as info:
        load_category_set(path)
    assert info.value.location.line == 5


def test_empty_file_and_header_only_are_empty_input_errors(tmp_path: Path) -> None:
    with pytest.raises(EmptyInputError):
        load_category_set(write(tmp_path, "", name="empty.csv"))
    with pytest.raises(EmptyInputError, match="no data rows"):
        load_category_set(write(tmp_path, HEADER, name="header.csv"))


def test_non_utf8_file_is_a_corrupt_file_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "C29,automotive,Automobilindustrie \xfc,true,1\n").encode("latin-1"))
    with pytest.raises(CorruptFileError, match="UTF-8"):
        load_category_set(path)


# ---------------------------------------------------------------------------------------------- names


def test_available_category_sets() -> None:
    names = available_category_sets()
    assert {"eco-nace2", "uscmp"} <= set(names)
    # derived from public classification tables at load time (clustermap.classifications)
    assert {"eco-nace2-naics2007", "eco-nace2-naics2012", "uscmp-naics2012"} <= set(names)


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownNameError) as info:
        load_category_set("eco-nace1")
    assert "eco-nace2" in str(info.value) and "uscmp" in str(info.value)
    assert isinstance(info.value, LookupError)


def test_none_is_not_a_stored_set_and_says_so() -> None:
    with pytest.raises(UnknownNameError, match="identity_category_set"):
        load_category_set("none")


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        load_category_set(tmp_path / "nope.csv")


def test_schema_file_describes_the_crosswalk_columns() -> None:
    schema = category_set_schema()
    items = schema["items"]
    assert set(items["required"]) == {"industry", "category", "traded"}
    assert set(CROSSWALK_COLUMNS) <= set(items["properties"])
    assert items["properties"]["share"]["exclusiveMinimum"] == 0 and items["properties"]["share"]["maximum"] == 1
    assert schema["x-unique"] == ["industry", "category"]


def test_slugify() -> None:
    assert slugify("Aerospace Vehicles and Defense") == "aerospace-vehicles-and-defense"
    assert slugify("Marketing, Design, and Publishing") == "marketing-design-and-publishing"
    assert slugify("Local Personal Services (Non-Medical)") == "local-personal-services-non-medical"
    assert slugify("Bières & Vins") == "bieres-and-vins"


# ---------------------------------------------------------------------------------------------- identity


def test_identity_category_set() -> None:
    cats = identity_category_set(["C29", "G471", "C29", " C30 "])
    assert cats.name == "none"
    assert cats.industries == ["C29", "G471", "C30"]
    cw = cats.crosswalk
    assert tuple(cw.columns) == CROSSWALK_COLUMNS
    assert (cw["category"] == cw["industry"]).all() and (cw["category_name"] == cw["industry"]).all()
    assert cw["traded"].all() and (cw["share"] == 1.0).all()
    assert cats.traded_categories == ["C29", "G471", "C30"] and cats.local_categories == []


def test_identity_category_set_rejects_empty_and_blank() -> None:
    with pytest.raises(EmptyInputError):
        identity_category_set([])
    with pytest.raises(ValueValidationError):
        identity_category_set(["C29", ""])
