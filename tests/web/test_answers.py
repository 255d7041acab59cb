"""The answers assembled from the cell index (:mod:`clustermap.web.api.answers`) equal the ones the pandas tables
build, and answers served by URL (:mod:`clustermap.web.api.urlcache`) equal the routed ones.

Three levels: hand-checked legend classes, hypothesis properties of the index on small random runs (filters,
sort orders, JSON rounding), and every map / profile / comparison / download of the real published run checked
against the pandas reference.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.web.reference import category_profile, compare, filter_cells, map_data, region_profile

from clustermap.web.api import answers as fast
from clustermap.web.api import tables as t
from clustermap.web.api.service import Observatory, build_run
from clustermap.web.api.tables import to_csv

# ------------------------------------------------------------------------------------------- hand-checked


def test_legend_classes_by_hand() -> None:
    classes, idx = t.legend_classes(np.array([0.0, 1.0, 3.0, np.nan, 2.0, 1.0]), "stars")
    assert idx.tolist() == [0, 1, 3, -1, 2, 1]
    assert [c["count"] for c in classes] == [1, 2, 1, 1]
    # quintiles of 1..5: breaks 1.8, 2.6, 3.4, 4.2 -> one value per class
    classes, idx = t.legend_classes(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), "employment")
    assert idx.tolist() == [0, 1, 2, 3, 4]
    assert [(c["min"], c["max"]) for c in classes] == [(1.0, 1.8), (1.8, 2.6), (2.6, 3.4), (3.4, 4.2), (4.2, 5.0)]
    # LQ: fixed breaks, 2 belongs to the class "2 – < 3"; inf has no class
    classes, idx = t.legend_classes(np.array([0.4, 2.0, 7.0, np.inf]), "lq")
    assert idx.tolist() == [0, 4, 5, -1]
    assert classes[4]["label"] == "2 – < 3" and classes[5]["max"] is None


# ------------------------------------------------------------------------------------------- properties

_REGIONS = ["DE11", "DE12", "FR10", "EL30", "AT1", "ES"]
_CATEGORIES = ["automotive", "biopharma", "tourism"]


@st.composite
def small_runs(draw: st.DrawFn) -> pd.DataFrame:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(_REGIONS), st.sampled_from(_CATEGORIES), st.integers(2008, 2011)),
            min_size=1,
            max_size=40,
            unique=True,
        )
    )
    floats = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False), st.floats(0, 10, allow_nan=False))
    rows = []
    for region, category, year in keys:
        emp = draw(floats)
        rows.append(
            {
                "region": region,
                "category": category,
                "year": year,
                "employment": np.nan if emp is None else emp,
                "region_total": draw(st.floats(1, 1e7, allow_nan=False)),
                "lq": np.nan if (x := draw(floats)) is None else x,
                "share": draw(st.floats(0, 1, allow_nan=False)),
                "stars": draw(st.integers(0, 3)),
                "strong": draw(st.booleans()),
                "category_name": category.title(),
            }
        )
    return pd.DataFrame(rows)


def _run(cells: pd.DataFrame):
    record = {"run_id": "r1", "methodology": "eco2007", "kind": "stars", "categories": "eco", "summary": "[]"}
    return build_run(record, cells, lambda code: f"name of {code}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=small_runs(),
    sort=st.sampled_from(["year", "region", "category", "stars", "-stars", "lq", "-lq", "employment", "-employment"]),
    year=st.one_of(st.none(), st.integers(2008, 2011)),
    country=st.one_of(st.none(), st.sampled_from(["DE", "GR", "fr", "AT"])),
    level=st.one_of(st.none(), st.integers(0, 2)),
    min_stars=st.one_of(st.none(), st.integers(0, 3)),
    strong=st.one_of(st.none(), st.booleans()),
)
def test_results_positions_select_and_order_as_pandas(cells, sort, year, country, level, min_stars, strong) -> None:
    run = _run(cells)
    years = [year] if year is not None and year in run.years else None
    filters = {"years": years, "country": country, "level": level, "min_stars": min_stars, "strong": strong}
    expected = filter_cells(run, sort=sort, **filters)
    positions = fast.results_positions(run, sort=sort, **filters)
    assert positions.tolist() == expected.index.tolist()
    # the pre-rendered CSV lines and the JSON records of the same cells are the pandas ones
    ix = run.index
    assert ix.csv_header + b"".join(ix.csv_lines[i] for i in positions.tolist()) == to_csv(expected)
    assert ix.records(positions, list(expected.columns)) == t.records(expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=small_runs(), metric=st.sampled_from(["stars", "lq", "employment", "share", "strong"]))
def test_map_answer_equals_the_pandas_map_on_random_runs(cells, metric, tmp_path_factory) -> None:
    run = _run(cells)
    obs = Observatory(tmp_path_factory.getbasetemp() / "absent.duckdb", mirror=None)
    obs._geometry[tuple(run.regions)] = {"type": "FeatureCollection", "features": [], "version": None}
    for year, category in list(run.by_year_category)[:3]:
        got = orjson.loads(orjson.dumps(fast.map_answer(obs, run, year, category, metric)))
        assert got == json.loads(map_data(obs, run, year, category, metric).model_dump_json())


# ------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def published(warehouse_path: Path, mirror: Path):
    obs = Observatory(warehouse_path, mirror=mirror)
    snap = obs.snapshot()
    return obs, snap.latest


def _same(fast_answer: dict, reference) -> bool:
    return orjson.loads(orjson.dumps(fast_answer)) == json.loads(reference.model_dump_json())


def test_map_answers_equal_the_pandas_maps(published) -> None:
    obs, run = published
    year = run.default_year
    for category in run.category_names:  # every category and metric of the default year
        for metric in ("stars", "lq", "employment", "share", "strong"):
            assert _same(fast.map_answer(obs, run, year, category, metric), map_data(obs, run, year, category, metric))
    for y in run.years:  # every year of two categories
        for category in sorted(run.category_names)[:2]:
            assert _same(fast.map_answer(obs, run, y, category, "share"), map_data(obs, run, y, category, "share"))


def test_profiles_and_comparisons_equal_the_pandas_ones(published) -> None:
    obs, run = published
    rng = random.Random(12)
    for code in rng.sample(sorted(run.by_region), 25):
        for year in run.region_years[code]:
            assert _same(
                fast.region_profile_answer(obs, run, code, year, True), region_profile(obs, run, code, year, True)
            )
    for slug in run.category_names:
        year = rng.choice(run.years)
        top = rng.choice((1, 10, 20, 500))
        assert _same(
            fast.category_profile_answer(obs, run, slug, year, top), category_profile(obs, run, slug, year, top)
        )
    regions = sorted(run.by_region)
    for _ in range(40):
        codes = rng.sample(regions, rng.randint(1, 10))
        year, value = rng.choice(run.years), rng.choice(("stars", "lq", "employment", "share"))
        assert _same(fast.compare_answer(obs, run, codes, year, value), compare(obs, run, codes, year, value))


def test_filtered_downloads_equal_the_pandas_csv(published) -> None:
    _, run = published
    ix = run.index
    category = sorted(run.category_names)[0]
    region = sorted(run.by_region)[0]
    for filters in (
        {"years": [run.default_year], "categories": [category]},
        {"regions": [region]},
        {"country": "DE", "sort": "-lq"},
        {"level": 2, "min_stars": 2, "sort": "-employment"},
        {"strong": True, "sort": "category"},
    ):
        positions = fast.results_positions(run, **filters)
        assert ix.csv_header + b"".join(ix.csv_lines[i] for i in positions.tolist()) == to_csv(
            filter_cells(run, **filters)
        )


# ------------------------------------------------------------------------------------------- by URL


def test_answers_by_url_equal_the_routed_ones(client, web_app) -> None:
    obs = web_app.state.observatory
    run = client.get("/api/runs/latest").json()
    urls = [
        f"/api/map-data?year={run['years'][0]}&metric=lq",
        f"/api/results?format=csv&year={run['years'][0]}&limit=50",
        "/api/results?limit=3&sort=-lq",
        "/api/compare?regions=DE11,FR10",
        f"/api/downloads/results?format=csv&year={run['years'][0]}",
    ]
    for url in urls:
        for encoding in ("gzip", "identity"):
            obs.urls.clear()
            obs.cache.clear()
            routed = client.get(url, headers={"accept-encoding": encoding})
            assert routed.status_code == 200 and len(obs.urls) == 1, url
            again = client.get(url, headers={"accept-encoding": encoding})
            assert again.content == routed.content
            assert dict(again.headers) == dict(routed.headers)
            assert client.get(url, headers={"if-none-match": routed.headers["etag"]}).status_code == 304
            assert client.head(url).content == b""
    obs.urls.clear()
    client.get("/api/results?limit=3&junk=1")
    assert len(obs.urls) == 0  # a parameter the route does not declare: not kept by URL


def test_results_download_is_the_pandas_csv(client, web_app) -> None:
    snap = web_app.state.observatory.snapshot()
    run = snap.latest
    category = sorted(run.category_names)[0]
    region = sorted(run.by_region)[0]
    for query, filters in (
        (f"year={run.default_year}&category={category}", {"years": [run.default_year], "categories": [category]}),
        (f"region={region}&min_stars=1", {"regions": [region], "min_stars": 1}),
    ):
        r = client.get(f"/api/downloads/results?format=csv&{query}")
        assert r.status_code == 200
        assert r.content == to_csv(filter_cells(run, **filters))
        assert r.headers["content-disposition"].startswith('attachment; filename="clustermap_results_')
    assert client.get("/api/downloads/results?format=csv&category=no-such").status_code == 400


# ------------------------------------------------------------------------------------------- workers


def _hold(path: Path, read_only: bool):
    """A child process holding a DuckDB connection on ``path`` until its stdin closes."""
    import subprocess
    import sys

    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == '1'); "
        "print('held', flush=True); sys.stdin.read()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path), "1" if read_only else "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


def test_workers_read_the_warehouse_at_once_and_retry_after_a_writer(warehouse_path: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "wh.duckdb"
    shutil.copy(warehouse_path, path)
    other_worker = _hold(path, read_only=True)  # another worker process reading the same file
    try:
        snap = Observatory(path, mirror=None).snapshot()
        assert snap.error is None and snap.runs
    finally:
        other_worker.communicate("")
    writer = _hold(path, read_only=False)  # `clustermap run` writing: the file is locked
    obs = Observatory(path, mirror=None, recheck_seconds=0)
    try:
        blocked = obs.snapshot()
        assert blocked.error and not blocked.runs
    finally:
        writer.communicate("")
    assert obs.snapshot().runs  # read again at the next check, though the file did not change
