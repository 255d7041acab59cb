"""Migrations upgrade and downgrade on SQLite and PostgreSQL, and the models agree with the migrated schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from clustermap.organisations.db import current_revision, downgrade, make_engine, upgrade
from clustermap.organisations.models import Base

RECORD_TABLES = {"organisations", "programmes", "case_studies", "members", "users", "audit_log", "assessments"}
SEARCH_TABLES = {"search_documents", "search_facets"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_roundtrip(empty_db: str) -> None:
    assert current_revision(empty_db) is None
    assert upgrade(empty_db) == "0002_search"
    tables = _tables(empty_db)
    assert tables >= RECORD_TABLES | SEARCH_TABLES

    assert downgrade(empty_db, "0001_initial") == "0001_initial"
    tables = _tables(empty_db)
    assert tables >= RECORD_TABLES
    assert not (SEARCH_TABLES & tables)
    assert not any(t.startswith("search_fts") for t in tables)

    assert downgrade(empty_db, "base") is None
    assert _tables(empty_db) <= {"alembic_version"}

    assert upgrade(empty_db, "0001_initial") == "0001_initial"
    assert upgrade(empty_db) == "0002_search"
    assert upgrade(empty_db) == "0002_search"  # idempotent


def test_full_text_index_exists_for_the_backend(empty_db: str) -> None:
    upgrade(empty_db)
    engine = make_engine(empty_db)
    try:
        with engine.connect() as con:
            if con.dialect.name == "sqlite":
                names = {r[0] for r in con.execute(text("SELECT name FROM sqlite_master"))}
                assert {"search_fts", "search_documents_ai", "search_documents_ad", "search_documents_au"} <= names
            else:
                columns = {c["name"] for c in inspect(con).get_columns("search_documents")}
                assert "tsv" in columns
                indexes = {i["name"] for i in inspect(con).get_indexes("search_documents")}
                assert "ix_search_documents_tsv" in indexes
    finally:
        engine.dispose()


def _ignore(obj, name, type_, reflected, compare_to) -> bool:
    # the full-text objects are made by raw SQL in the migration and are not models
    if type_ == "table" and name and (name.startswith("search_fts") or name == "alembic_version"):
        return False
    if type_ == "column" and name == "tsv":
        return False
    return not (type_ == "index" and name == "ix_search_documents_tsv")


def test_models_match_the_migrated_schema(empty_db: str) -> None:
    upgrade(empty_db)
    engine = make_engine(empty_db)
    try:
        with engine.connect() as con:
            context = MigrationContext.configure(
                con, opts={"compare_type": True, "include_object": _ignore, "target_metadata": Base.metadata}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
