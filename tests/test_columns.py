"""Every result column the engine, the web API and the API schema publish is defined in the result vocabulary."""

from __future__ import annotations

import pytest

from clustermap import columns
from clustermap.mapping import PANORAMA_COLUMNS, STARS_COLUMNS, STRONG_COLUMNS
from clustermap.web.api.schemas import CELL_KEYS, CellPublic, MapValuePublic, cell_type
from clustermap.web.api.tables import CELL_FIELDS


@pytest.mark.parametrize(
    "names",
    [STARS_COLUMNS, PANORAMA_COLUMNS, STRONG_COLUMNS, list(CELL_FIELDS), list(CellPublic.model_fields)],
    ids=["stars cells", "panorama cells", "strong cells", "API cell fields", "CellPublic"],
)
def test_every_published_column_is_defined(names: list[str]) -> None:
    assert columns.unknown(names) == []


def test_a_column_nobody_defined_is_found() -> None:
    assert columns.unknown(["lq", "lq_squared"]) == ["lq_squared"]


def test_description_gives_meaning_and_unit() -> None:
    assert columns.describe("lq") == "location quotient (E[r,c] / T[r]) / (E[.,c] / T) (ratio)"
    assert columns.describe("strong").startswith("strong cluster")


@pytest.mark.parametrize("model", [CellPublic, MapValuePublic], ids=["CellPublic", "MapValuePublic"])
def test_rest_fields_take_their_type_and_description_from_the_vocabulary(model) -> None:
    shared = [n for n in model.model_fields if n in columns.CELL_COLUMNS]
    assert len(shared) >= 9
    for name in shared:
        field = model.model_fields[name]
        assert field.description == columns.describe(name), name
        assert field.annotation == cell_type(name, required=field.is_required()), name


def test_cell_public_publishes_the_api_cell_fields_in_order() -> None:
    assert tuple(CellPublic.model_fields) == CELL_FIELDS
    assert [n for n, f in CellPublic.model_fields.items() if f.is_required()] == list(CELL_KEYS)
    schema = CellPublic.model_json_schema()
    assert schema["properties"]["lq"]["description"] == columns.describe("lq")
    assert (
        CellPublic(region="DE11", region_name="Stuttgart", category="automotive", category_name="A", year=2020).lq
        is None
    )
