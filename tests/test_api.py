"""The Python API: pandas, polars and pyarrow in, the same type out; docstring examples run."""

from __future__ import annotations

import doctest

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import clustermap
import clustermap.api
from clustermap.mapping import RANK_COLUMNS, STARS_COLUMNS, MappingResult

FRAME = pd.DataFrame(
    {
        "region": ["A", "B", "A", "B"],
        "industry": ["x", "x", "y", "y"],
        "year": 2012,
        "employment": [3000, 1000, 1000, 3000],
    }
)


@pytest.mark.parametrize(
    ("table", "kind"),
    [(FRAME, pd.DataFrame), (pl.from_pandas(FRAME), pl.DataFrame), (pa.Table.from_pandas(FRAME), pa.Table)],
    ids=["pandas", "polars", "pyarrow"],
)
def test_returns_the_type_it_is_given(table, kind) -> None:
    out = clustermap.map_clusters(table, min_employment=0)
    assert isinstance(out, kind)
    # the competition ranks are window sorts, computed only when asked (ranks=True)
    expected = [c for c in STARS_COLUMNS if c not in RANK_COLUMNS]
    assert list(out.columns if not isinstance(out, pa.Table) else out.column_names) == expected


def test_full_result_has_summary_and_provenance() -> None:
    r = clustermap.map_clusters(FRAME, full=True, methodology="eco2007", lq_threshold=1.5)
    assert isinstance(r, MappingResult)
    assert r.provenance["methodology"]["parameters"]["lq_threshold"] == 1.5
    assert r.provenance["methodology"]["version"] == "1.0"
    assert list(r.summary["year"]) == [2012]


def test_unknown_parameter_is_an_error() -> None:
    with pytest.raises(clustermap.errors.ParameterError, match="no parameter"):
        clustermap.map_clusters(FRAME, size_shar=0.2)


def test_docstring_examples_run() -> None:
    for module in (clustermap.api, clustermap.indicators.hierarchy):
        failed, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert tried > 0 and failed == 0, module.__name__
