"""Fixtures of the web tests: a warehouse built once by the real main job, the application, a live server.

The warehouse is built once per test session even under pytest-xdist (the workers share the base temporary
directory and take turns with a file lock); ``CLUSTERMAP_TEST_WAREHOUSE`` points the tests at an existing one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.serving import serve

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def warehouse_path(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse written by :func:`clustermap.jobs.run_main_job` on the real SBS data (all years)."""
    given = os.environ.get("CLUSTERMAP_TEST_WAREHOUSE")
    if given:
        return Path(given)
    base = tmp_path_factory.getbasetemp()
    # under xdist each worker's base is <session>/popen-gwN: its parent is this session's, shared by the workers;
    # without xdist the base itself is this session's (its parent would be shared with earlier sessions)
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = shared / "web-warehouse" / "wh.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(shared / "web-warehouse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = target.with_suffix(".done")
            if not done.exists():
                from clustermap.jobs import run_main_job
                from clustermap.warehouse import Warehouse

                with Warehouse(target) as wh:
                    run_main_job(wh, mirror=mirror)
                done.write_text("ok")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


@pytest.fixture(scope="session")
def registry_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry database of the test session's own (when the registry is installed)."""
    return f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite3'}"


@pytest.fixture(scope="session")
def web_app(warehouse_path: Path, mirror: Path, registry_url: str):
    from clustermap.web.api.app import create_app

    return create_app(warehouse=warehouse_path, data_dir=mirror, registry_url=registry_url, warm=False)


@pytest.fixture(scope="session")
def client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="session")
def cells(warehouse_path: Path):
    """The newest run's cells, read straight from the warehouse (the reference the API is checked against)."""
    from clustermap.warehouse import Warehouse

    with Warehouse(warehouse_path) as wh:
        _, frame = wh.run("latest")
    return frame


@pytest.fixture(scope="session")
def live_server(warehouse_path: Path, mirror: Path, registry_url: str) -> Iterator[str]:
    """The application served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    from clustermap.web.api.app import create_app

    app = create_app(warehouse=warehouse_path, data_dir=mirror, registry_url=registry_url, warm=False)
    app.state.observatory.warm()
    with serve(app, timeout=30) as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
