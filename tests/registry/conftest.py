"""Registry fixtures: the database matrix (every test that takes ``db_url`` or ``reg`` runs on SQLite and on
PostgreSQL), a bare FastAPI app with the registry installed, accounts of every role with bearer tokens, and a
small hand-made mapping result for matchmaking.

PostgreSQL comes from ``CLUSTERMAP_TEST_POSTGRES_URL`` (``eval "$(bash scripts/services.sh)"`` sets it); each
test session (each xdist worker) gets a fresh database created through that URL and dropped afterwards. Without
the variable the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from clustermap.organisations import security
from clustermap.organisations.db import normalise_url, upgrade
from clustermap.organisations.match_inputs import Centroids, MappingData, Relatedness
from clustermap.organisations.models import Base

PG_ENV = "CLUSTERMAP_TEST_POSTGRES_URL"
PG_SKIP = f'PostgreSQL tests need {PG_ENV} (run: eval "$(bash scripts/services.sh)")'
PASSWORD = "correct horse battery"
#: accounts every registry module has: name → role ("member2" and "manager2" own nothing the others own)
ACCOUNTS = {
    "visitor": "visitor",
    "member": "member",
    "member2": "member",
    "manager": "manager",
    "manager2": "manager",
    "admin": "admin",
}
#: tables kept between tests (accounts); every other table is emptied before each test
KEEP = {"users", "api_tokens", "registry_meta", "alembic_version"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: runs on the PostgreSQL server of CLUSTERMAP_TEST_POSTGRES_URL")
    config.addinivalue_line("markers", "sqlite: runs on an SQLite file")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            # starlette 1.x asks for httpx2 in its TestClient; fastapi's TestClient still uses httpx
            item.add_marker(pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"))
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:fastapi.testclient"))


def postgres_url() -> str | None:
    value = os.environ.get(PG_ENV)
    return normalise_url(value) if value else None


@contextmanager
def new_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database: an SQLite file in ``directory``, or a new PostgreSQL database (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'registry-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(PG_SKIP)
    name = f"cm_reg_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as con:
            con.execute(text(f'CREATE DATABASE "{name}"'))
            # a test database need not survive a crash: commits without waiting for the disk
            con.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as con:
            # our own client connections only: an autovacuum worker on the database belongs to the superuser (it
            # may not be terminated by a test role; DROP DATABASE stops it itself)
            con.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                    "AND pid <> pg_backend_pid() AND usename = current_user AND backend_type = 'client backend'"
                ),
                {"n": name},
            )
            con.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


BACKENDS = [pytest.param("sqlite", marks=pytest.mark.sqlite), pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", autouse=True)
def _quick_argon2() -> Iterator[None]:
    """Cheaper argon2 parameters for the accounts the tests create (the hashes stay argon2id; production
    parameters are tested in test_security)."""
    from argon2 import PasswordHasher

    saved = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    yield
    security._hasher = saved


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each registry test runs once per database: ``pytest -m sqlite`` or ``-m postgres`` selects one."""
    if request.param == "postgresql" and postgres_url() is None:
        pytest.skip(PG_SKIP)
    return request.param


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all (for the migration tests)."""
    with new_database(backend, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def db_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for the session (one per backend and test worker), migrated to head."""
    with new_database(backend, tmp_path_factory.mktemp("registry")) as url:
        upgrade(url)
        yield url


# -------------------------------------------------------------------------------------------- mapping results


def small_cells() -> pd.DataFrame:
    """Mapping cells of one year, hand-made (ECO star method columns that matchmaking reads)."""
    rows = [
        # region, category, employment, lq, stars, strong
        ("ES21", "automotive", 40_000, 2.4, 3, True),
        ("ES21", "metal", 30_000, 2.2, 2, True),
        ("ES21", "it-and-instruments", 3_000, 0.5, 0, False),
        ("DE11", "automotive", 150_000, 3.2, 3, True),
        ("DE11", "metal", 20_000, 1.1, 1, False),
        ("DE11", "it-and-instruments", 10_000, 0.9, 0, False),
        ("FI1D", "automotive", 500, 0.1, 0, False),
        ("FI1D", "metal", 4_000, 0.8, 0, False),
        ("FI1D", "it-and-instruments", 12_000, 2.8, 2, True),
        ("PL41", "automotive", 30_000, 2.0, 1, False),
        ("PL41", "metal", 9_000, 1.3, 0, False),
        ("PL41", "it-and-instruments", 1_000, 0.3, 0, False),
    ]
    frame = pd.DataFrame(rows, columns=["region", "category", "employment", "lq", "stars", "strong"])
    frame["year"] = 2015
    return frame


#: label points (lon, lat) for the hand-checked distances
POINTS = {"ES21": (-2.6, 43.0), "DE11": (9.2, 48.8), "FI1D": (27.0, 64.0), "PL41": (17.0, 52.4), "ES51": (1.5, 41.8)}


def small_mapping() -> MappingData:
    """The hand-made cells with an explicit relatedness (automotive–metal 0.6) and explicit points."""
    rel = Relatedness()
    rel.add("test", {("automotive", "metal"): 0.6, ("metal", "automotive"): 0.6}, "hand-made relatedness")
    return MappingData.from_cells(
        small_cells(), source="test cells", relatedness=rel, centroids=Centroids(dict(POINTS), "test points")
    )


# -------------------------------------------------------------------------------------------- the app


@dataclass
class Harness:
    """An app with the registry installed, its runtime, a test client, and the accounts with their tokens."""

    app: Any
    rt: Any
    client: Any
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, who: str | None) -> dict[str, str]:
        """Authorization header of account ``who`` (no header for ``None``)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    def session(self, who: str | None = None) -> Any:
        """A transaction on the registry database, audited as ``who``."""
        identity = None
        if who is not None:
            identity = security.Identity(self.users[who], f"{who}@example.org", ACCOUNTS[who], "test")
        return self.rt.transaction(identity)


def truncate(rt: Any) -> None:
    """Empty every table but the accounts."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP]
    with rt.engine.begin() as con:  # DELETE, not TRUNCATE: on these small tables it is ten times faster
        for table in tables:
            con.execute(table.delete())


@pytest.fixture(scope="session")
def registry(db_url: str) -> Iterator[Harness]:
    """The app (bare FastAPI + :func:`clustermap.organisations.api.install`) with the accounts, one per backend."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from clustermap.organisations.api import install
    from clustermap.organisations.db import RegistrySettings

    settings = RegistrySettings(database_url=db_url, login_max_failures=5, login_max_failures_per_ip=50)
    app = FastAPI()
    rt = install(app, database_url=db_url, mapping=small_mapping(), settings=settings, content=False)
    harness = Harness(app, rt, None)
    with rt.transaction() as s:
        for name, role in ACCOUNTS.items():
            user = security.create_user(s, f"{name}@example.org", PASSWORD, role=role, name=name)
            _, raw = security.issue_token(s, user, name="test")
            harness.users[name] = user.id
            harness.tokens[name] = raw
    with TestClient(app) as client:
        harness.client = client
        yield harness
    rt.dispose()


@pytest.fixture
def reg(registry: Harness) -> Harness:
    """The app with every table but the accounts emptied before the test."""
    truncate(registry.rt)
    registry.client.cookies.clear()
    return registry
