"""The registry inside one app: settings, database engine and sessions, mapping results for matchmaking.

One :class:`RegistryRuntime` per app, kept as ``app.state.registry`` by :func:`clustermap.organisations.api.install`;
routes reach it through :func:`clustermap.organisations.deps.runtime`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path as FilePath
from typing import Any

from fastapi import Request

from clustermap.organisations import match_inputs, matchmaking, schemas, security
from clustermap.organisations.db import (
    RegistrySettings,
    get_registry_settings,
    make_engine,
    make_session_factory,
    normalise_url,
    session_scope,
)

__all__ = ["PREFIX", "SAFE_METHODS", "RegistryRuntime"]

#: where the REST API is mounted
PREFIX = "/api/registry"
#: methods that never write (no CSRF check)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RegistryRuntime:
    """The registry inside one app: settings, engine, session factory, mapping results for matchmaking."""

    def __init__(
        self,
        database_url: str,
        *,
        settings: RegistrySettings | None = None,
        mapping: "match_inputs.MappingData | str | FilePath | None" = None,
    ) -> None:
        self.settings = settings or get_registry_settings()
        self.url = normalise_url(database_url)
        self.engine = make_engine(self.url)
        self.sessions = make_session_factory(self.engine)
        self._centroids: match_inputs.Centroids | None = None
        if isinstance(mapping, match_inputs.MappingData):
            self._mapping: match_inputs.MappingData | None = mapping
            self._mapping_source: match_inputs.MappingSource | None = None
        else:
            from clustermap.settings import get_settings

            path = mapping or self.settings.warehouse or get_settings().warehouse
            self._mapping = None
            self._mapping_source = match_inputs.MappingSource(path)

    @contextmanager
    def transaction(self, identity: security.Identity | None = None) -> Iterator[Any]:
        """A session in one transaction, with the audit log naming ``identity``."""
        with session_scope(self.sessions, actor_id=identity.user_id if identity else None) as session:
            yield session

    def centroids(self) -> "match_inputs.Centroids":
        """Region label points for distances (GISCO, from the mirror; loaded once)."""
        if self._centroids is None:
            data = self.mapping_data()
            if data is not None and data.centroids.points:
                self._centroids = data.centroids
            else:
                self._centroids = match_inputs.Centroids.from_gisco()
        return self._centroids

    def match(self, session: Any, profile: schemas.Profile) -> dict[str, Any]:
        """Matchmaking with this runtime's mapping results and centroids."""
        return matchmaking.match(session, profile, self.mapping_data(), centroids=self.centroids())

    def mapping_data(self) -> "match_inputs.MappingData | None":
        """The mapping results matchmaking reads (``None`` when there are none)."""
        if self._mapping is not None:
            return self._mapping
        return self._mapping_source.get() if self._mapping_source else None

    def identify(self, request: Request) -> security.Identity | None:
        """Who sends ``request``: a bearer token, else the session cookie (with the CSRF header on API writes).

        Raises
        ------
        PermissionDeniedError
            a cookie-authenticated write without the session's ``X-CSRF-Token``.
        """
        header = request.headers.get("authorization")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None
            with self.transaction() as session:
                return security.identity_for_token(session, token.strip())
        cookie = request.cookies.get(security.SESSION_COOKIE)
        if not cookie:
            return None
        with self.transaction() as session:
            identity = security.identity_for_session(session, cookie)
        if identity is not None and request.method not in SAFE_METHODS and request.url.path.startswith(PREFIX):
            security.check_csrf(request.headers.get("x-csrf-token"), identity=identity, secret="", nonce=None)
        return identity

    def dispose(self) -> None:
        """Close the connections."""
        self.engine.dispose()
