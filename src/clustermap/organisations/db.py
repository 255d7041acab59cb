"""Engine, sessions and migrations of the registry database.

SQLite is the embedded default (``sqlite:///warehouse/registry.sqlite3``, a file beside the DuckDB warehouse);
PostgreSQL is used for deployments (``postgresql://user:password@host/db``; the ``psycopg`` driver is chosen
for a plain ``postgresql://`` URL). The schema is made only by the Alembic migrations in
``clustermap/organisations/migrations``: :func:`upgrade` and :func:`downgrade` run them from Python, the CLI runs
them as ``clustermap registry db upgrade|downgrade``.

On SQLite every transaction starts with ``BEGIN IMMEDIATE`` (the writer lock is taken up front, other writers
wait up to ``busy_timeout``), so that a read-then-write transaction cannot fail half-way with
"database is locked"; foreign keys are switched on for every connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from clustermap.errors import ParameterError
from clustermap.settings import DEFAULT_REGISTRY_URL as DEFAULT_URL
from clustermap.settings import RegistrySettings, get_registry_settings

__all__ = [
    "DEFAULT_URL",
    "HEAD",
    "RegistrySettings",
    "current_revision",
    "downgrade",
    "get_registry_settings",
    "make_engine",
    "make_session_factory",
    "normalise_url",
    "session_scope",
    "upgrade",
]

#: the newest migration
HEAD = "head"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` → ``postgresql+psycopg://``; other URLs unchanged.

    Raises
    ------
    ParameterError
        neither SQLite nor PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ParameterError(f"not a database URL: {url!r} ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise ParameterError(f"the registry runs on SQLite or PostgreSQL, not {backend!r} ({url})")


def _sqlite_path(url: str) -> str | None:
    database = make_url(url).database
    return None if database in (None, "", ":memory:") else database


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the registry's connection settings (see the module notes).

    Parameters
    ----------
    url : str
        ``sqlite:///FILE``, ``sqlite://`` (in memory, one shared connection) or ``postgresql://…``.
    **kwargs
        passed to :func:`sqlalchemy.create_engine`.
    """
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA busy_timeout = 30000")
            if path is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable except on power loss
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory on ``engine`` that writes the audit log of every change (see :mod:`.repository`)."""
    from clustermap.organisations.repository import install_audit

    factory = sessionmaker(engine, expire_on_commit=False)
    install_audit(factory)
    return factory


@contextmanager
def session_scope(factory: sessionmaker[Session], *, actor_id: int | None = None) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on an error.

    ``actor_id`` is the user the audit log names for the changes made in the block.
    """
    session = factory()
    session.info["actor_id"] = actor_id
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# -------------------------------------------------------------------------------------------- migrations


def _alembic_config(url: str, connection: Any = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("clustermap.organisations") / "migrations"))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = HEAD) -> str | None:
    """Migrate the database at ``url`` up to ``revision`` (default: the newest); returns the revision reached.

    Examples
    --------
    >>> upgrade("sqlite://")  # an in-memory database, gone afterwards
    '0002_search'
    """
    return _migrate(url, "upgrade", revision)


def downgrade(url: str, revision: str) -> str | None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"`` removes every registry table)."""
    return _migrate(url, "downgrade", revision)


def _migrate(url: str, direction: str, revision: str) -> str | None:
    """Run Alembic's ``upgrade`` or ``downgrade`` command to ``revision`` in one transaction; the revision reached."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            getattr(command, direction)(_alembic_config(url, connection), revision)
        return current_revision(engine)
    finally:
        engine.dispose()


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The migration the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()
