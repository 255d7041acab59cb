"""The analyses read mapping results; running the main job is the caller's (an interface's) decision."""

from __future__ import annotations

import pytest

from clustermap.analyses.inputs import MissingInputError, eu_mapping
from clustermap.warehouse.store import Warehouse


def test_without_a_stored_run_the_analyses_say_what_to_run() -> None:
    with Warehouse(":memory:") as wh, pytest.raises(MissingInputError, match="clustermap run"):
        eu_mapping(wh, nuts_version=None)


def test_the_caller_passes_the_job_that_makes_the_run() -> None:
    calls: list[dict] = []

    class RanError(Exception):
        pass

    def produce(warehouse: Warehouse, **kwargs: object) -> None:
        calls.append({"warehouse": warehouse, **kwargs})
        raise RanError

    with Warehouse(":memory:") as wh, pytest.raises(RanError):
        eu_mapping(wh, nuts_version=None, produce=produce, methodology="eco2007")
    assert calls[0]["warehouse"] is wh and calls[0]["methodology"] == "eco2007"
