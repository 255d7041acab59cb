"""``clustermap registry`` — the registry database from the command line.

Mounted by :mod:`clustermap.cli.main` as ``clustermap registry``; usable alone as the typer app ``app``.
Every command is a thin wrapper over :mod:`clustermap.organisations`. Errors print as one line (``error: …``) with
exit status 2 for bad input or options, 1 otherwise; an import with bad rows prints every bad row (line, field,
reason) and exits 2.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clustermap.cli._common import console, err, table
from clustermap.cli.failures import SafeGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

HELP = """\
The registry of cluster organisations, initiatives, programmes, case studies and members (SQLite by default,
PostgreSQL with --database-url postgresql://user:password@host/db or CLUSTERMAP_REGISTRY_DATABASE_URL).

db upgrade|downgrade|current manage the schema (Alembic migrations); import / export move records as CSV or JSON
(every bad row is reported with its line and field; nothing is written unless all rows are good, or with
--partial the good ones); users add creates an account (roles: visitor, member, manager, admin); search runs a
full-text search with facets; content loads the records the reference document names.
"""

app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, cls=SafeGroup)
db_app = typer.Typer(help="Schema migrations of the registry database.", no_args_is_help=True, rich_markup_mode=None)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")


UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Registry database URL [env CLUSTERMAP_REGISTRY_DATABASE_URL; default sqlite:///warehouse/registry.sqlite3].",
    ),
]
KINDS = {"organisations": "organisation", "programmes": "programme", "case-studies": "case_study", "members": "member"}


def _url(url: str | None) -> str:
    from clustermap.organisations.db import get_registry_settings

    return url or get_registry_settings().database_url


def _kind(kind: str) -> str:
    from clustermap.errors import ParameterError

    if kind not in KINDS:
        raise ParameterError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    return KINDS[kind]


@contextmanager
def _session(url: str | None) -> Iterator[Session]:
    """A session of the registry database at ``url`` (committed when the block ends well); the engine is
    disposed of however the block ends."""
    from clustermap.organisations.db import session_scope

    engine, factory = _factory(url)
    try:
        with session_scope(factory) as session:
            yield session
    finally:
        engine.dispose()


def _factory(url: str | None):
    from clustermap.organisations.db import current_revision, make_engine, make_session_factory
    from clustermap.organisations.errors import RegistryError

    engine = make_engine(_url(url))
    if current_revision(engine) is None:
        engine.dispose()
        raise RegistryError(f"the registry at {_url(url)} has no schema; run `clustermap registry db upgrade`")
    return engine, make_session_factory(engine)


# -------------------------------------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(
    database_url: UrlOpt = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision (default: head).")] = "head",
) -> None:
    """Migrate the registry database up to a revision (default: the newest)."""
    _migrate("upgrade", database_url, revision)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. 0001_initial, -1, or base (drops all).")],
    database_url: UrlOpt = None,
) -> None:
    """Migrate the registry database down to a revision."""
    _migrate("downgrade", database_url, revision)


def _migrate(direction: str, database_url: str | None, revision: str) -> None:
    """Run ``organisations.db.upgrade`` or ``downgrade`` and print the revision reached."""
    from clustermap.organisations import db

    reached = getattr(db, direction)(_url(database_url), revision)
    console.print(f"registry database at revision {reached or 'base (empty)'}")


@db_app.command("current")
def db_current(database_url: UrlOpt = None) -> None:
    """Print the revision the registry database is at."""
    from clustermap.organisations.db import current_revision

    console.print(current_revision(_url(database_url)) or "base (empty)")


# -------------------------------------------------------------------------------------------- import, export


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help="organisations, programmes, case-studies or members")],
    file: Annotated[Path, typer.Argument(help="CSV or JSON file (see `clustermap registry export`).", exists=True)],
    database_url: UrlOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or json (default: from the file name).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and try everything; write nothing.")] = False,
    partial: Annotated[bool, typer.Option("--partial", help="Write the good rows even if some are bad.")] = False,
) -> None:
    """Import records from CSV or JSON; every bad row is reported with its line and field."""
    from clustermap.organisations.importers import import_records
    from clustermap.sources.guard import check_file

    entity = _kind(kind)
    check_file(file)
    with _session(database_url) as session:
        report = import_records(session, entity, file, fmt=fmt, dry_run=dry_run, partial=partial)
    for error in report.errors:
        err.print(f"{file}: {error}", highlight=False, markup=False, soft_wrap=True)
    console.print(("dry run: " if dry_run else "") + report.summary())
    if report.errors:
        raise typer.Exit(code=2)


@app.command("export")
def export(
    kind: Annotated[str, typer.Argument(help="organisations, programmes, case-studies or members")],
    out: Annotated[Path | None, typer.Option("--out", help="File to write (.csv or .json); default: stdout.")] = None,
    database_url: UrlOpt = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or json (default: from --out, else csv).")] = None,
) -> None:
    """Export every record of a kind as CSV or JSON (the import format)."""
    from clustermap.organisations.importers import export_records

    entity = _kind(kind)
    fmt = fmt or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "csv")
    with _session(database_url) as session:
        text = export_records(session, entity, fmt)  # type: ignore[arg-type]
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


# -------------------------------------------------------------------------------------------- users, content, search


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="E-mail address (the login).")],
    role: Annotated[str, typer.Option("--role", help="visitor, member, manager or admin.")] = "member",
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Password (at least 12 characters, not a common one); default: asked for, or read from stdin.",
        ),
    ] = None,
    database_url: UrlOpt = None,
) -> None:
    """Create an account (argon2-hashed password)."""
    from pydantic import ValidationError

    from clustermap.errors import ParameterError
    from clustermap.organisations.schemas import UserIn
    from clustermap.organisations.security import create_user

    if password is None:
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        checked = UserIn(email=email, password=password, role=role, name=name)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ParameterError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    with _session(database_url) as session:
        user = create_user(session, checked.email, checked.password, role=checked.role, name=checked.name)
        console.print(f"created user {user.id} {user.email} ({user.role})")


@app.command("content")
def content(database_url: UrlOpt = None) -> None:
    """Load the shipped programmes, initiatives and case studies that are not in the registry yet."""
    from clustermap.organisations.content import load_content

    with _session(database_url) as session:
        added = load_content(session)
    console.print("added " + ", ".join(f"{n} {kind}" for kind, n in added.items()))


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="Words to find (all must occur; prefixes match).")] = "",
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="organisation, programme, case_study, member.")
    ] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="Country code (repeatable).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="NUTS code or prefix (repeatable).")] = None,
    category: Annotated[list[str] | None, typer.Option("--category", help="eco-nace2 category (repeatable).")] = None,
    programme_type: Annotated[
        list[str] | None, typer.Option("--programme-type", help="national, regional, european.")
    ] = None,
    support_type: Annotated[
        list[str] | None, typer.Option("--support-type", help="finance, knowledge-network, both.")
    ] = None,
    target_group: Annotated[list[str] | None, typer.Option("--target-group", help="businesses, smes, …")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (hits and facet counts).")] = False,
    database_url: UrlOpt = None,
) -> None:
    """Full-text search with facets."""
    from dataclasses import asdict

    from clustermap.organisations.search import search

    filters = {
        "type": type_ or [],
        "country": country or [],
        "region": region or [],
        "category": category or [],
        "programme_type": programme_type or [],
        "support_type": support_type or [],
        "target_group": target_group or [],
    }
    with _session(database_url) as session:
        result = search(session, query, filters=filters, per_page=limit)
    if as_json:
        sys.stdout.write(json.dumps(asdict(result), ensure_ascii=False, indent=1) + "\n")
        return
    rows = ((hit.entity_type, hit.slug, hit.title) for hit in result.hits)
    console.print(table(f"{result.total} record(s)", ("type", "slug", "title"), rows, justify="left"))
