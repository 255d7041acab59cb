"""Every result column the engine, the web API and the API schema publish is defined in the result vocabulary."""

from __future__ import annotations

import pytest

from clustermap import columns
from clustermap.mapping import STARS_COLUMNS, STRONG_COLUMNS
from clustermap.web.api.schemas import CellPublic
from clustermap.web.api.tables import CELL_FIELDS


@pytest.mark.parametrize(
    "names",
    [STARS_COLUMNS, STRONG_COLUMNS, list(CELL_FIELDS), list(CellPublic.model_fields)],
    ids=["stars cells", "strong cells", "API cell fields", "CellPublic"],
)
def test_every_published_column_is_defined(names: list[str]) -> None:
    assert columns.unknown(names) == []


def test_a_column_nobody_defined_is_found() -> None:
    assert columns.unknown(["lq", "lq_squared"]) == ["lq_squared"]


def test_description_gives_meaning_and_unit() -> None:
    assert columns.describe("lq") == "location quotient (E[r,c] / T[r]) / (E[.,c] / T) (ratio)"
    assert columns.describe("strong").startswith("strong cluster")
