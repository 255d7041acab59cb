"""The registry of cluster organisations (``clustermap registry``; the *region* registry is
:mod:`clustermap.regions`): cluster organisations, initiatives, programmes, case studies and members; partner
matchmaking; the excellence self-assessment; accounts. A transactional store (SQLAlchemy 2 + Alembic; SQLite by default,
PostgreSQL for deployments), separate from the DuckDB warehouse, whose mapping results it reads for matchmaking.

==========================================  =====================================================================
:func:`clustermap.organisations.api.install`     put the registry into a FastAPI app: migrate, ``/api/registry/…``,
                                            ``/registry`` pages
:mod:`~clustermap.organisations.db`              engines, sessions, ``upgrade(url)`` / ``downgrade(url, rev)``,
                                            :class:`~clustermap.organisations.db.RegistrySettings`
:mod:`~clustermap.organisations.models`          the typed ORM (``version`` columns for optimistic locking)
:mod:`~clustermap.organisations.repository`      create / update / delete with version checks, audit log, search index
:mod:`~clustermap.organisations.search`          full text (FTS5 / tsvector) and facets
:mod:`~clustermap.organisations.matchmaking`     ranked partners and regions with explanations
:mod:`~clustermap.organisations.match_inputs`    what matchmaking reads: mapping results, relatedness, region points
:mod:`~clustermap.organisations.assessment`      31 indicators, levels, benchmark (``data/excellence_indicators.toml``)
:mod:`~clustermap.organisations.security`        argon2, sessions, tokens, roles, ownership, CSRF, login rate limit
:mod:`~clustermap.organisations.importers`       CSV / JSON import (every bad row with line and field) and export
:mod:`~clustermap.organisations.content`         the programmes, initiatives and cases SEC(2008) 2637 names
:mod:`~clustermap.organisations.routes`          the REST API, one module per resource (``/api/registry/…``)
:mod:`~clustermap.organisations.pages`           the server-rendered pages (``/registry/…``)
:mod:`~clustermap.organisations.services`        the rules both call: accounts, matches, interests, assessments
:mod:`~clustermap.organisations.deps`            who is asking, the runtime of the app, error answers
:mod:`clustermap.cli.registry`              ``clustermap registry db|import|export|users|search|content``
==========================================  =====================================================================

Submodules are imported on use (``from clustermap.organisations.api import install``), so that reading the registry
from a script does not import the web framework.
"""
