"""Cells as statistics offices show them: confidential values as ranges, imputed values marked with their
published bounds, Eurostat flags with their meaning, legends rounded by the kind of number."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from tests.web.reference import map_classes

from clustermap.web.api.cellnotes import about, employment_text, flag_meanings


@pytest.mark.parametrize(
    ("args", "kwargs", "text"),
    [
        ((None,), {"low": 0, "high": 1240}, "confidential; between 0 and 1,240"),
        ((float("nan"),), {"low": None, "high": 1240.0}, "confidential; between 0 and 1,240"),
        ((None,), {}, "not published"),
        (
            (41234.0,),
            {"imputed": True, "low": 30000, "high": 92966},
            "about 41,000 (imputed; published bounds 30,000–92,966)",
        ),
        ((41234.0,), {"imputed": True}, "about 41,000 (imputed)"),
        ((41234.0,), {"imputed": False, "low": 41234, "high": 41234}, "41,234"),
        ((0.0,), {}, "0"),
    ],
)
def test_employment_text(args, kwargs, text: str) -> None:
    assert employment_text(*args, **kwargs) == text


def test_about_rounds_to_two_significant_figures() -> None:
    assert [about(x) for x in (41234.0, 987.0, 12.4, 5.0, 1_505_005.0)] == ["41,000", "990", "12", "5", "1,500,000"]


def test_flag_meanings() -> None:
    assert flag_meanings("b,i") == ["b: break in time series", "i: see metadata"]
    assert flag_meanings("c") == ["c: confidential"]
    assert flag_meanings("") == [] and flag_meanings(None) == [] and flag_meanings(float("nan")) == []
    assert flag_meanings("e, e") == ["e: estimated"]


@given(st.floats(min_value=1, max_value=1e9, allow_nan=False))
def test_about_stays_within_five_percent(x: float) -> None:
    rounded = float(about(x).replace(",", ""))
    assert abs(rounded - x) <= 0.05 * x + 0.5


def test_legends_are_rounded_by_kind() -> None:
    values = pd.Series([0.0, 1234.4, 5000.6, 10_000.2, 39_302.0, 700.0])
    classes, _ = map_classes(values, "employment")
    assert classes[0]["label"].startswith("0 – ") and classes[-1]["label"].endswith("39,302")
    assert not any(".00" in c["label"] for c in classes)
    shares = pd.Series([0.01234, 0.02, 0.05, 0.1, 0.2])
    labels = [c["label"] for c in map_classes(shares, "share")[0]]
    assert labels[0] == "1.2 – 1.8 %" and all(label.endswith(" %") for label in labels)


def _trusting_run() -> object:
    import clustermap

    frame = pd.DataFrame(
        {
            "region": ["DE11", "DE12", "DE11", "DE12"],
            "industry": ["C29", "C29", "C10", "C10"],
            "year": 2014,
            "employment": [3000.0, 1000.0, 1000.0, 3000.0],
        }
    )
    result = clustermap.map_clusters(frame, categories="eco-nace2", full=True, min_employment=0)
    cells = result.cells
    first = (cells["region"] == "DE11").to_numpy()
    cells["imputed"] = first
    cells["employment_low"] = np.where(first, cells["employment"] * 0.5, cells["employment"])
    cells["employment_high"] = np.where(first, cells["employment"] * 2, cells["employment"])
    cells["imputation_policy"] = "two-way"
    cells["flags"] = np.where(first, "c", "b,i")
    return result


@pytest.mark.realdata
def test_map_data_says_how_far_to_trust_each_value(tmp_path: Path, mirror: Path) -> None:
    from clustermap.warehouse import Warehouse
    from clustermap.web.api.app import create_app

    path = tmp_path / "wh.duckdb"
    with Warehouse(path) as wh:
        wh.publish(wh.save_run(_trusting_run(), dataset="tiny"))
    app = create_app(warehouse=path, data_dir=mirror, registry_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", warm=False)
    with TestClient(app) as c:
        data = c.get("/api/map-data", params={"category": "automotive"}).json()
        by = {v["region"]: v for v in data["values"]}
        assert by["DE11"]["imputed"] is True and by["DE12"]["imputed"] is False
        assert by["DE11"]["employment_text"] == "about 3,000 (imputed; published bounds 1,500–6,000)"
        assert by["DE12"]["employment_text"] == "1,000"
        assert by["DE12"]["flag_meanings"] == ["b: break in time series", "i: see metadata"]
        assert "1 value rests on imputed confidential cells" in data["summary"]
        run = c.get("/api/runs").json()[0]
        assert run["suppression"] == "two-way"
        items = c.get("/api/results", params={"category": "automotive", "region": "DE11"}).json()["items"]
        assert items[0]["flags"] == "c" and items[0]["employment_low"] == 1500.0
        employment = c.get("/api/map-data", params={"category": "automotive", "metric": "employment"}).json()
        assert "persons" in employment["summary"] and ".00" not in employment["summary"]
        html = c.get("/region/DE11").text
        assert "about 3\u202f000 (imputed; published bounds 1\u202f500–6\u202f000)" in html
        assert '<abbr title="confidential">c</abbr>' in html
        assert '<abbr title="break in time series">b</abbr>' in c.get("/region/DE12").text
        assert re.search(r'aria-label="[0-3] of 3 stars"', html)  # not "★★★" read aloud
