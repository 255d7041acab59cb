"""The registry's REST API (FastAPI) under ``/api/registry/``, and :func:`install`, which the web app calls.

Thin adapters: every route reads the request, calls :mod:`.repository`, :mod:`.search`, :mod:`.matchmaking`,
:mod:`.assessment`, :mod:`.importers` or :mod:`.security`, and shapes the answer. Resources: ``organisations``,
``programmes``, ``case-studies``, ``members`` (list, read, create, patch, delete, history), ``search``,
``matches`` (ranking, saved requests), ``interests``, ``notifications``, ``assessments``, ``auth``, ``users``,
``import`` / ``export``, ``audit``, ``vocabulary``, ``statistics``.

Authentication and errors
-------------------------
* Writes need a bearer token (``Authorization: Bearer cmr_…``, from ``POST /api/registry/auth/login`` or
  ``POST /api/registry/auth/tokens``) or the web session cookie plus ``X-CSRF-Token``. Without a valid one:
  **401**, checked before the body is read. A role that may not: **403** (also before the body is read; for
  ownership, before the body is validated). Every write route states its rule in the OpenAPI schema
  (``x-permission``).
* Errors are JSON ``{"error": code, "detail": message, …}``: ``not_found`` 404, ``conflict`` 409 (a stale
  ``version`` — with ``expected_version``, ``current_version`` and the ``current`` record — or a duplicate),
  ``rate_limited`` 429 (with ``Retry-After``), ``validation_error`` 422 (``errors``: one entry per field with
  ``field``, ``location`` and ``message``; ``detail`` keeps FastAPI's list).
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from sqlalchemy import func, or_, select
from starlette.concurrency import run_in_threadpool

from clustermap.organisations import assessment as assess
from clustermap.organisations import importers, matchmaking, repository, schemas, search, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.content import load_content, survey
from clustermap.organisations.db import (
    RegistrySettings,
    get_registry_settings,
    make_engine,
    make_session_factory,
    normalise_url,
    session_scope,
    upgrade,
)
from clustermap.organisations.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RegistryError,
    RegistryValidationError,
)
from clustermap.organisations.models import (
    ApiToken,
    Assessment,
    Interest,
    MatchRequest,
    Member,
    Notification,
    Organisation,
    Programme,
    User,
    WebSession,
)

__all__ = ["PREFIX", "RegistryRuntime", "build_api_router", "install"]

log = logging.getLogger(__name__)

PREFIX = "/api/registry"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: URL segment → kind of record
PLURALS = {
    "organisations": "organisation",
    "programmes": "programme",
    "case-studies": "case_study",
    "members": "member",
}
_MAX_ID = 2_147_483_647
_ERRORS = {
    401: {"model": schemas.ErrorBody, "description": "No valid session or token"},
    403: {"model": schemas.ErrorBody, "description": "Role or ownership does not allow this"},
    404: {"model": schemas.ErrorBody, "description": "No such record"},
    409: {"model": schemas.ErrorBody, "description": "Stale version or duplicate"},
    422: {"model": schemas.ErrorBody, "description": "Invalid input, field by field"},
}


class BadRequestBody(BaseModel):
    """The body could not be read at all (not JSON, or a content type the route does not take)."""

    model_config = ConfigDict(extra="allow")

    detail: Any = None


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {code: _ERRORS[code] for code in codes}
    if 422 in codes:
        out[400] = {"model": BadRequestBody, "description": "The body could not be parsed"}
    return out


def _clean(text: str | None, limit: int = 200) -> str:
    """Query text without NUL characters and at most ``limit`` characters (never reaches the database raw)."""
    return (text or "").replace("\x00", "")[:limit]


def _clean_list(values: list[str] | None) -> list[str]:
    return [v for v in (_clean(x, 120).strip() for x in values or []) if v][:50]


# -------------------------------------------------------------------------------------------- runtime


class RegistryRuntime:
    """The registry inside one app: settings, engine, session factory, mapping results for matchmaking."""

    def __init__(
        self,
        database_url: str,
        *,
        settings: RegistrySettings | None = None,
        mapping: "matchmaking.MappingData | str | FilePath | None" = None,
    ) -> None:
        self.settings = settings or get_registry_settings()
        self.url = normalise_url(database_url)
        self.engine = make_engine(self.url)
        self.sessions = make_session_factory(self.engine)
        self._centroids: matchmaking.Centroids | None = None
        if isinstance(mapping, matchmaking.MappingData):
            self._mapping: matchmaking.MappingData | None = mapping
            self._mapping_source: matchmaking.MappingSource | None = None
        else:
            from clustermap.settings import get_settings

            path = mapping or self.settings.warehouse or get_settings().warehouse
            self._mapping = None
            self._mapping_source = matchmaking.MappingSource(path)

    @contextmanager
    def transaction(self, identity: security.Identity | None = None) -> Iterator[Any]:
        """A session in one transaction, with the audit log naming ``identity``."""
        with session_scope(self.sessions, actor_id=identity.user_id if identity else None) as session:
            yield session

    def centroids(self) -> "matchmaking.Centroids":
        """Region label points for distances (GISCO, from the mirror; loaded once)."""
        if self._centroids is None:
            data = self.mapping_data()
            if data is not None and data.centroids.points:
                self._centroids = data.centroids
            else:
                self._centroids = matchmaking.Centroids.from_gisco()
        return self._centroids

    def match(self, session: Any, profile: schemas.Profile) -> dict[str, Any]:
        """Matchmaking with this runtime's mapping results and centroids."""
        return matchmaking.match(session, profile, self.mapping_data(), centroids=self.centroids())

    def mapping_data(self) -> "matchmaking.MappingData | None":
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


def error_response(exc: RegistryError) -> JSONResponse:
    """The JSON response of a registry error (with ``WWW-Authenticate`` on 401, ``Retry-After`` on 429)."""
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="clustermap registry"'
    if exc.status_code == 429:
        headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return JSONResponse(jsonable_encoder(exc.body()), status_code=exc.status_code, headers=headers)


def _route_class(rt: RegistryRuntime) -> type[APIRoute]:
    """Routes that establish who is asking before the body is read: a write without identity is 401, a write by
    a role the route's ``x-permission`` excludes is 403 — whatever the body holds."""

    class RegistryRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Any]:
            original = super().get_route_handler()
            permission = (self.openapi_extra or {}).get("x-permission")

            async def handler(request: Request) -> Response:
                if permission is not None:
                    try:
                        identity = await run_in_threadpool(rt.identify, request)
                    except RegistryError as exc:
                        return error_response(exc)
                    request.state.registry_identity = identity
                    if identity is None:
                        return error_response(
                            AuthenticationError("log in or send a bearer token to change the registry")
                        )
                    rule = security.PERMISSIONS.get((permission["entity"], permission["action"]))
                    if rule != security.OWNER and not security.may(
                        identity, permission["entity"], permission["action"]
                    ):
                        try:
                            security.authorize(identity, permission["entity"], permission["action"])
                        except RegistryError as exc:
                            return error_response(exc)
                return await original(request)

            return handler

    return RegistryRoute


def _permission(entity: str, action: str) -> dict[str, Any]:
    rule = security.PERMISSIONS.get((entity, action))
    roles = "owner" if rule == security.OWNER else sorted(rule or {"admin"})
    return {"x-permission": {"entity": entity, "action": action, "roles": roles}}


# -------------------------------------------------------------------------------------------- response models


class SearchHitOut(BaseModel):
    """One record found."""

    type: str
    id: int
    slug: str
    title: str
    summary: str
    score: float
    url: str


class FacetValueOut(BaseModel):
    value: str
    label: str
    count: int


class SearchOut(BaseModel):
    """A page of search results with facet counts."""

    query: str
    total: int
    page: int
    per_page: int
    filters: dict[str, list[str]]
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]


class AuditOut(BaseModel):
    """One audit entry."""

    id: int
    at: Any
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int
    version: int | None
    changes: dict[str, Any]


class ImportOut(BaseModel):
    """What an import found and did: every bad row with its line and field."""

    kind: str
    format: str
    rows: int
    valid: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    partial: bool
    applied: bool
    bad_lines: list[int]
    errors: list[dict[str, Any]]


class MeOut(BaseModel):
    """The caller."""

    user: schemas.UserPublic
    via: str
    csrf_token: str | None = None


def _hit_url(entity_type: str, slug: str) -> str:
    plural = {v: k for k, v in PLURALS.items()}[entity_type]
    return f"{PREFIX}/{plural}/{slug}"


def _search_out(result: search.SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "filters": result.filters,
        "hits": [
            {
                "type": h.entity_type,
                "id": h.entity_id,
                "slug": h.slug,
                "title": h.title,
                "summary": h.summary,
                "score": h.score,
                "url": _hit_url(h.entity_type, h.slug),
            }
            for h in result.hits
        ],
        "facets": result.facets,
    }


# -------------------------------------------------------------------------------------------- router


def build_api_router(rt: RegistryRuntime) -> APIRouter:
    """The API router of one registry runtime (mounted at ``/api/registry``)."""
    router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=_route_class(rt))

    def current_identity(request: Request) -> security.Identity | None:
        identity = getattr(request.state, "registry_identity", "unset")
        if identity == "unset":
            identity = rt.identify(request)
            request.state.registry_identity = identity
        return identity

    Ident = Annotated[security.Identity | None, Depends(current_identity)]  # noqa: N806

    def required_identity(identity: Ident) -> security.Identity:
        if identity is None:
            raise AuthenticationError("log in or send a bearer token")
        return identity

    User_ = Annotated[security.Identity, Depends(required_identity)]  # noqa: N806

    # ---------------------------------------------------------------------------------------- auth

    @router.post(
        "/auth/login",
        response_model=schemas.TokenOut,
        responses={**_responses(401, 422), 429: {"model": schemas.ErrorBody, "description": "Too many failures"}},
        summary="Log in: a bearer token for the API",
    )
    def login(body: schemas.LoginIn, request: Request) -> Any:
        """Exchange e-mail and password for a bearer token (valid ``login_token_hours``). Failed attempts are
        rate-limited per address and per client (429 with ``Retry-After``)."""
        ip = request.client.host if request.client else ""
        with rt.transaction() as s:
            try:
                user = security.authenticate(s, body.email, body.password, ip=ip, settings=rt.settings)
            except RegistryError:
                s.commit()  # the failed attempt must count
                raise
            token, raw = security.issue_token(
                s, user, name="login", expires=timedelta(hours=rt.settings.login_token_hours)
            )
            return {"id": token.id, "name": token.name, "token": raw, "expires_at": token.expires_at}

    @router.post(
        "/auth/logout",
        status_code=204,
        responses=_responses(401, 403),
        openapi_extra=_permission("session", "delete"),
        summary="Log out: revoke this token or end this session",
    )
    def logout(request: Request, identity: User_) -> Response:
        """Revoke the bearer token used, or end the web session."""
        with rt.transaction(identity) as s:
            if identity.token_id is not None:
                security.revoke_token(s, identity, identity.token_id)
            elif identity.session_id is not None:
                web = s.get(WebSession, identity.session_id)
                if web is not None:
                    s.delete(web)
        return Response(status_code=204)

    @router.get("/auth/me", response_model=MeOut, responses=_responses(401))
    def me(identity: User_) -> Any:
        """The caller's account (and, for a web session, its CSRF token for API writes)."""
        with rt.transaction() as s:
            user = s.get(User, identity.user_id)
            return {"user": user, "via": identity.via, "csrf_token": identity.csrf_token}

    @router.get("/auth/tokens", response_model=list[schemas.TokenPublic], responses=_responses(401))
    def list_tokens(identity: User_) -> Any:
        """The caller's API tokens (never the tokens themselves)."""
        with rt.transaction() as s:
            return list(s.scalars(select(ApiToken).where(ApiToken.user_id == identity.user_id).order_by(ApiToken.id)))

    @router.post(
        "/auth/tokens",
        response_model=schemas.TokenOut,
        status_code=201,
        responses=_responses(401, 403, 422),
        openapi_extra=_permission("token", "create"),
    )
    def create_token(body: schemas.TokenIn, identity: User_) -> Any:
        """A new named API token for the caller; the token text is shown only in this answer."""
        with rt.transaction(identity) as s:
            user = s.get(User, identity.user_id)
            expires = timedelta(days=body.expires_days) if body.expires_days else None
            token, raw = security.issue_token(s, user, name=body.name, expires=expires)
            return {"id": token.id, "name": token.name, "token": raw, "expires_at": token.expires_at}

    @router.delete(
        "/auth/tokens/{token_id}",
        status_code=204,
        responses=_responses(401, 403, 404),
        openapi_extra=_permission("token", "delete"),
    )
    def revoke_token(token_id: Annotated[int, Path(ge=1, le=_MAX_ID)], identity: User_) -> Response:
        """Revoke one of the caller's tokens (administrators: anyone's)."""
        with rt.transaction(identity) as s:
            security.revoke_token(s, identity, token_id)
        return Response(status_code=204)

    # ---------------------------------------------------------------------------------------- users

    @router.get("/users", response_model=list[schemas.UserPublic], responses=_responses(401, 403))
    def list_users(identity: User_) -> Any:
        """Every account (administrators)."""
        security.authorize(identity, "user", "update")
        with rt.transaction() as s:
            return list(s.scalars(select(User).order_by(User.id)))

    @router.post(
        "/users",
        response_model=schemas.UserPublic,
        status_code=201,
        responses=_responses(401, 403, 409, 422),
        openapi_extra=_permission("user", "create"),
    )
    def create_user(body: schemas.UserIn, identity: User_) -> Any:
        """Create an account (administrators)."""
        with rt.transaction(identity) as s:
            return security.create_user(s, body.email, body.password, role=body.role, name=body.name)

    @router.patch(
        "/users/{user_id}",
        response_model=schemas.UserPublic,
        responses=_responses(401, 403, 404, 409, 422),
        openapi_extra=_permission("user", "update"),
    )
    def patch_user(user_id: Annotated[int, Path(ge=1, le=_MAX_ID)], body: schemas.UserPatch, identity: User_) -> Any:
        """Change an account's name, role, activity or password (administrators; optimistic locking)."""
        with rt.transaction(identity) as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFoundError(f"no user {user_id}")
            if user.version != body.version:
                raise ConflictError(
                    f"the user is at version {user.version}, not {body.version}",
                    entity="user",
                    id=user.id,
                    expected_version=body.version,
                    current_version=user.version,
                    reason="stale_version",
                )
            for key in ("name", "role", "active"):
                value = getattr(body, key)
                if value is not None:
                    setattr(user, key, value)
            if body.password is not None:
                user.password_hash = security.hash_password(body.password)
            _flush_or_conflict(s, "user", user.id, body.version)
            return user

    # ---------------------------------------------------------------------------------------- records

    for plural, entity in PLURALS.items():
        _record_routes(router, rt, plural, entity, Ident, User_)

    # ---------------------------------------------------------------------------------------- search

    @router.get("/search", response_model=SearchOut, responses=_responses(422))
    def search_registry(
        q: Annotated[str, Query(max_length=200, description="words to find (all must occur; prefixes match)")] = "",
        type: Annotated[list[Literal["organisation", "programme", "case_study", "member"]], Query()] = (),
        country: Annotated[list[str], Query()] = (),
        region: Annotated[list[str], Query(description="NUTS code or prefix")] = (),
        category: Annotated[list[str], Query()] = (),
        programme_type: Annotated[list[str], Query()] = (),
        support_type: Annotated[list[str], Query()] = (),
        target_group: Annotated[list[str], Query()] = (),
        policy_focus: Annotated[list[str], Query()] = (),
        member_kind: Annotated[list[str], Query()] = (),
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        """Full-text search with facets over organisations, programmes, case studies and members. Values of one
        facet are alternatives; facets combine with AND; facet counts are over everything that matched."""
        filters = {
            "type": list(type),
            "country": _clean_list(country),
            "region": _clean_list(region),
            "category": _clean_list(category),
            "programme_type": _clean_list(programme_type),
            "support_type": _clean_list(support_type),
            "target_group": _clean_list(target_group),
            "policy_focus": _clean_list(policy_focus),
            "member_kind": _clean_list(member_kind),
        }
        with rt.transaction() as s:
            result = search.search(s, _clean(q), filters=filters, page=page, per_page=per_page)
        return _search_out(result)

    @router.get("/vocabulary")
    def vocabulary() -> dict[str, dict[str, str]]:
        """The controlled vocabularies (value → label) and the cluster categories records may use."""
        return {
            "roles": dict(voc.ROLES),
            "programme_levels": dict(voc.PROGRAMME_LEVELS),
            "policy_focus": dict(voc.POLICY_FOCUS),
            "target_groups": dict(voc.TARGET_GROUPS),
            "support_types": dict(voc.SUPPORT_TYPES),
            "lifecycle": dict(voc.LIFECYCLE),
            "funding_sources": dict(voc.FUNDING_SOURCES),
            "organisation_kinds": dict(voc.ORGANISATION_KINDS),
            "member_kinds": dict(voc.MEMBER_KINDS),
            "exchange_tags": dict(voc.EXCHANGE_TAGS),
            "facets": dict(voc.FACETS),
            "categories": schemas.registry_categories(),
        }

    @router.get("/statistics")
    def statistics() -> dict[str, Any]:
        """What the registry holds, beside the European Cluster Observatory survey figures the reference document
        reports (69 national and 88 regional cluster programmes)."""
        with rt.transaction() as s:
            levels = dict(s.execute(select(Programme.level, func.count()).group_by(Programme.level)).all())
            counts = {
                "organisations": s.scalar(select(func.count()).select_from(Organisation)),
                "programmes": s.scalar(select(func.count()).select_from(Programme)),
                "members": s.scalar(select(func.count()).select_from(Member)),
                "case_studies": s.scalar(select(func.count()).select_from(repository.CaseStudy)),
                "assessments": s.scalar(select(func.count()).select_from(Assessment)),
            }
        return {"registry": {**counts, "programmes_by_level": levels}, "survey": survey()}

    # ---------------------------------------------------------------------------------------- matches

    def profile_from_query(
        region: Annotated[str | None, Query(max_length=5, pattern=schemas.REGION_PATTERN)] = None,
        category: Annotated[list[schemas.Category], Query()] = (),
        nace: Annotated[
            list[Annotated[str, StringConstraints(pattern=schemas.NACE_PATTERN)]],
            Query(description="NACE Rev. 2 codes as Eurostat SBS writes them: C29, G471"),
        ] = (),
        offers: Annotated[list[schemas.ExchangeTag], Query()] = (),
        needs: Annotated[list[schemas.ExchangeTag], Query()] = (),
        seeker: Annotated[Literal["sme", "cluster-manager"], Query()] = "sme",
        member_id: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None,
        max_distance_km: Annotated[float | None, Query(gt=0, le=50_000)] = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> schemas.Profile:
        try:
            return schemas.Profile(
                region=region or None,
                categories=list(category),
                nace_codes=list(nace),
                offers=list(offers),
                needs=list(needs),
                seeker=seeker,
                member_id=member_id,
                max_distance_km=max_distance_km,
                limit=limit,
            )
        except ValidationError as exc:
            raise repository.validation_error(exc, ("query",)) from exc

    @router.get("/matches", response_model=schemas.MatchResults, responses=_responses(422))
    def rank_matches(profile: Annotated[schemas.Profile, Depends(profile_from_query)]) -> Any:
        """Rank partner organisations, members and regions for a profile given in the query (nothing is
        stored). Each match has a score, its components and its reasons in words and numbers."""
        with rt.transaction() as s:
            return rt.match(s, profile)

    @router.post(
        "/matches",
        response_model=schemas.MatchResults,
        status_code=201,
        responses=_responses(401, 403, 422),
        openapi_extra=_permission("match", "create"),
    )
    def save_match(body: schemas.Profile, identity: User_) -> Any:
        """Rank partners for a profile and keep the request and its result (members, managers, admins)."""
        with rt.transaction(identity) as s:
            if body.member_id is not None:
                member = s.get(Member, body.member_id)
                if member is None or (member.owner_id != identity.user_id and identity.role != "admin"):
                    raise RegistryValidationError("member_id must be one of your member profiles", field="member_id")
            result = rt.match(s, body)
            row = MatchRequest(
                owner_id=identity.user_id,
                member_id=body.member_id,
                profile=jsonable_encoder(body),
                results=jsonable_encoder(result),
            )
            s.add(row)
            s.flush()
            return {**result, "id": row.id}

    @router.get("/matches/saved", response_model=list[schemas.MatchResults], responses=_responses(401))
    def saved_matches(identity: User_) -> Any:
        """The caller's saved matchmaking requests, newest first."""
        with rt.transaction() as s:
            rows = s.scalars(
                select(MatchRequest).where(MatchRequest.owner_id == identity.user_id).order_by(MatchRequest.id.desc())
            )
            return [{**r.results, "id": r.id} for r in rows]

    @router.get("/matches/{match_id}", response_model=schemas.MatchResults, responses=_responses(401, 404))
    def saved_match(match_id: Annotated[int, Path(ge=1, le=_MAX_ID)], identity: User_) -> Any:
        """One saved matchmaking request (its owner or an administrator)."""
        with rt.transaction() as s:
            row = s.get(MatchRequest, match_id)
            if row is None or (row.owner_id != identity.user_id and identity.role != "admin"):
                raise NotFoundError(f"no saved match {match_id}")
            return {**row.results, "id": row.id}

    @router.delete(
        "/matches/{match_id}",
        status_code=204,
        responses=_responses(401, 403, 404),
        openapi_extra=_permission("match", "delete"),
    )
    def delete_match(match_id: Annotated[int, Path(ge=1, le=_MAX_ID)], identity: User_) -> Response:
        """Delete a saved matchmaking request (its owner or an administrator)."""
        with rt.transaction(identity) as s:
            row = s.get(MatchRequest, match_id)
            if row is None:
                raise NotFoundError(f"no saved match {match_id}")
            security.authorize(identity, "match", "delete", row.owner_id)
            s.delete(row)
        return Response(status_code=204)

    # ---------------------------------------------------------------------------------------- interests

    @router.post(
        "/interests",
        response_model=schemas.InterestPublic,
        status_code=201,
        responses=_responses(401, 403, 404, 422),
        openapi_extra=_permission("interest", "create"),
    )
    def create_interest(body: schemas.InterestIn, identity: User_) -> Any:
        """Express interest, from one of your member profiles, in a member or an organisation; its owner is
        notified in the app."""
        with rt.transaction(identity) as s:
            return express_interest(s, identity, body)

    @router.get("/interests", response_model=list[schemas.InterestPublic], responses=_responses(401))
    def list_interests(identity: User_) -> Any:
        """Expressions of interest the caller sent or received (through their members and organisations)."""
        with rt.transaction() as s:
            return interests_of(s, identity)

    @router.patch(
        "/interests/{interest_id}",
        response_model=schemas.InterestPublic,
        responses=_responses(401, 403, 404, 409, 422),
        openapi_extra=_permission("interest", "update"),
    )
    def answer_interest(
        interest_id: Annotated[int, Path(ge=1, le=_MAX_ID)], body: schemas.InterestPatch, identity: User_
    ) -> Any:
        """Accept or decline (the recipient) or withdraw (the sender) an expression of interest; the other side
        is notified."""
        with rt.transaction(identity) as s:
            return answer(s, identity, interest_id, body)

    # ---------------------------------------------------------------------------------------- notifications

    @router.get("/notifications", response_model=list[schemas.NotificationPublic], responses=_responses(401))
    def notifications(identity: User_, unread: bool = False) -> Any:
        """The caller's notifications, newest first."""
        with rt.transaction() as s:
            query = select(Notification).where(Notification.user_id == identity.user_id)
            if unread:
                query = query.where(Notification.read_at.is_(None))
            return list(s.scalars(query.order_by(Notification.id.desc()).limit(200)))

    @router.post(
        "/notifications/{notification_id}/read",
        response_model=schemas.NotificationPublic,
        responses=_responses(401, 403, 404),
        openapi_extra=_permission("notification", "update"),
    )
    def read_notification(notification_id: Annotated[int, Path(ge=1, le=_MAX_ID)], identity: User_) -> Any:
        """Mark one of the caller's notifications as read."""
        with rt.transaction(identity) as s:
            note = s.get(Notification, notification_id)
            if note is None:
                raise NotFoundError(f"no notification {notification_id}")
            if note.user_id != identity.user_id and identity.role != "admin":
                raise PermissionDeniedError("this notification is someone else's")
            if note.read_at is None:
                from clustermap.organisations.models import utcnow

                note.read_at = utcnow()
            s.flush()
            return note

    # ---------------------------------------------------------------------------------------- assessments

    @router.get("/assessments/questionnaire")
    def questionnaire() -> dict[str, Any]:
        """The self-assessment questionnaire: 31 indicators in 6 areas, thresholds, level rules, disclaimer."""
        return assess.load_questionnaire().as_dict()

    @router.get("/assessments", response_model=list[schemas.AssessmentPublic], responses=_responses(422))
    def list_assessments(
        identity: Ident,
        organisation_id: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None,
    ) -> Any:
        """Assessments, newest first: the public ones, and the caller's own organisations' (administrators:
        all). With ``organisation_id``, that organisation's history."""
        with rt.transaction() as s:
            query = select(Assessment).order_by(Assessment.created_at.desc(), Assessment.id.desc())
            if organisation_id is not None:
                query = query.where(Assessment.organisation_id == organisation_id)
            if identity is None:
                query = query.where(Assessment.is_public)
            elif identity.role != "admin":
                own = select(Organisation.id).where(Organisation.owner_id == identity.user_id)
                query = query.where(or_(Assessment.is_public, Assessment.organisation_id.in_(own)))
            return list(s.scalars(query.limit(500)))

    @router.post(
        "/assessments",
        response_model=schemas.AssessmentPublic,
        status_code=201,
        responses=_responses(401, 403, 404, 422),
        openapi_extra=_permission("assessment", "create"),
    )
    def create_assessment(body: schemas.AssessmentIn, identity: User_) -> Any:
        """Score a self-assessment of one of the caller's organisations and keep it in its history."""
        with rt.transaction(identity) as s:
            row = record_assessment(s, identity, body.organisation_id, body.answers, body.is_public)
            out = schemas.AssessmentPublic.model_validate(row).model_dump()
            out["benchmark"] = assess.benchmark(s, row)
            return out

    @router.get("/assessments/{assessment_id}", response_model=schemas.AssessmentPublic, responses=_responses(404))
    def get_assessment(
        assessment_id: Annotated[int, Path(ge=1, le=_MAX_ID)],
        identity: Ident,
        peer_group: Literal["all", "country", "category"] = "all",
    ) -> Any:
        """One assessment with its result and the benchmark against peers."""
        with rt.transaction() as s:
            row = visible_assessment(s, identity, assessment_id)
            out = schemas.AssessmentPublic.model_validate(row).model_dump()
            out["benchmark"] = assess.benchmark(s, row, peer_group=peer_group)
            return out

    @router.delete(
        "/assessments/{assessment_id}",
        status_code=204,
        responses=_responses(401, 403, 404),
        openapi_extra=_permission("assessment", "delete"),
    )
    def delete_assessment(assessment_id: Annotated[int, Path(ge=1, le=_MAX_ID)], identity: User_) -> Response:
        """Delete an assessment (administrators)."""
        with rt.transaction(identity) as s:
            row = s.get(Assessment, assessment_id)
            if row is None:
                raise NotFoundError(f"no assessment {assessment_id}")
            s.delete(row)
        return Response(status_code=204)

    # ---------------------------------------------------------------------------------------- import, export, audit

    @router.post(
        "/import/{kind}",
        response_model=ImportOut,
        responses={**_responses(401, 403, 422), 400: {"model": ImportOut, "description": "Bad rows; see errors"}},
        openapi_extra={
            **_permission("import", "create"),
            "requestBody": {
                "required": True,
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                },
            },
        },
    )
    async def import_records(
        kind: Annotated[Literal["organisations", "programmes", "case-studies", "members"], Path()],
        request: Request,
        format: Annotated[Literal["csv", "json"] | None, Query()] = None,
        dry_run: bool = False,
        partial: bool = False,
    ) -> Any:
        """Import CSV or JSON records (administrators). Every bad row is reported with its line and field; by
        default nothing is written when any row is bad (``partial=true``: the good rows are). ``dry_run=true``
        writes nothing. The answer is 200 when the import was applied (or would be), 400 otherwise."""
        identity = request.state.registry_identity
        raw = await request.body()
        if format is None:
            ctype = request.headers.get("content-type", "")
            format = "json" if "json" in ctype else "csv" if "csv" in ctype else None

        def work() -> importers.ImportReport:
            with rt.transaction(identity) as s:
                return importers.import_records(
                    s, PLURALS[kind], raw, fmt=format, dry_run=dry_run, partial=partial, owner_id=identity.user_id
                )

        report = await run_in_threadpool(work)
        body = report.as_dict()
        return JSONResponse(jsonable_encoder(body), status_code=200 if report.applied or not report.errors else 400)

    @router.get(
        "/export/{kind}",
        responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
        response_class=PlainTextResponse,
    )
    def export_records(
        kind: Annotated[Literal["organisations", "programmes", "case-studies", "members"], Path()],
        format: Annotated[Literal["csv", "json"], Query()] = "csv",
    ) -> Response:
        """Every record of a kind as CSV or JSON, in the import format."""
        with rt.transaction() as s:
            text = importers.export_records(s, PLURALS[kind], format)
        media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
        return Response(
            text,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{kind}.{format}"'},
        )

    @router.get("/audit", response_model=list[AuditOut], responses=_responses(401, 403, 422))
    def audit(
        identity: User_,
        entity_type: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
        entity_id: Annotated[int | None, Query(ge=1, le=_MAX_ID)] = None,
    ) -> Any:
        """The audit log, newest first (administrators)."""
        security.authorize(identity, "audit", "read")
        with rt.transaction() as s:
            return repository.audit_trail(s, entity_type, entity_id)

    return router


def _flush_or_conflict(session: Any, entity: str, entity_id: int, expected: int | None) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            f"the {entity} was changed by someone else", entity=entity, id=entity_id, expected_version=expected
        ) from exc


def _list_filters(entity: str) -> Callable[..., dict[str, list[str]]]:
    """A dependency reading the facet filters a list of ``entity`` offers."""

    def common(
        country: Annotated[list[str], Query()] = (),
        region: Annotated[list[str], Query(description="NUTS code or prefix")] = (),
        category: Annotated[list[str], Query()] = (),
    ) -> dict[str, list[str]]:
        return {"country": _clean_list(country), "region": _clean_list(region), "category": _clean_list(category)}

    if entity == "programme":

        def programme_filters(
            base: Annotated[dict[str, list[str]], Depends(common)],
            programme_type: Annotated[list[str], Query()] = (),
            support_type: Annotated[list[str], Query()] = (),
            target_group: Annotated[list[str], Query()] = (),
            policy_focus: Annotated[list[str], Query()] = (),
        ) -> dict[str, list[str]]:
            return base | {
                "programme_type": _clean_list(programme_type),
                "support_type": _clean_list(support_type),
                "target_group": _clean_list(target_group),
                "policy_focus": _clean_list(policy_focus),
            }

        return programme_filters
    if entity == "member":

        def member_filters(
            base: Annotated[dict[str, list[str]], Depends(common)],
            member_kind: Annotated[list[str], Query()] = (),
        ) -> dict[str, list[str]]:
            return base | {"member_kind": _clean_list(member_kind)}

        return member_filters
    return common


def _record_routes(router: APIRouter, rt: RegistryRuntime, plural: str, entity: str, Ident: Any, User_: Any) -> None:  # noqa: N803
    """List, read, create, patch, delete and history routes of one kind of record."""
    spec = repository.ENTITY_SCHEMAS[entity]
    In, Patch, Public = spec.create_schema, spec.patch_schema, spec.public_schema  # noqa: N806
    PageModel = {  # noqa: N806
        "organisation": schemas.OrganisationPage,
        "programme": schemas.ProgrammePage,
        "case_study": schemas.CaseStudyPage,
        "member": schemas.MemberPage,
    }[entity]
    label = entity.replace("_", " ")
    Ref = Annotated[str, Path(max_length=130, description="numeric id or slug")]  # noqa: N806

    def guard(action: str) -> Callable[..., security.Identity]:
        def check(ref: Ref, identity: Ident) -> security.Identity:
            if identity is None:
                raise AuthenticationError("log in or send a bearer token to change the registry")
            owner = None
            if security.PERMISSIONS.get((entity, action)) == security.OWNER:
                with rt.transaction() as s:
                    owner = repository.get(s, entity, ref).owner_id
            return security.authorize(identity, entity, action, owner)

        return check

    def list_records(
        filters: Annotated[dict[str, list[str]], Depends(_list_filters(entity))],
        q: Annotated[str, Query(max_length=200)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        with rt.transaction() as s:
            items, total = repository.list_records(
                s, entity, query=_clean(q), filters=filters, page=page, per_page=per_page
            )
            return {"items": items, "total": total, "page": page, "per_page": per_page}

    def read_record(ref: Ref) -> Any:
        with rt.transaction() as s:
            return repository.get(s, entity, ref)

    def create_record(body: In, identity: User_) -> Any:  # type: ignore[valid-type]
        with rt.transaction(identity) as s:
            return repository.create(s, entity, body, owner_id=identity.user_id)

    def patch_record(ref: Ref, body: Patch, identity: Annotated[security.Identity, Depends(guard("update"))]) -> Any:  # type: ignore[valid-type]
        try:
            with rt.transaction(identity) as s:
                obj = repository.get(s, entity, ref)
                security.authorize(identity, entity, "update", obj.owner_id)
                repository.update(s, entity, obj, body)
                return obj
        except ConflictError as exc:
            _complete_conflict(rt, entity, ref, exc)
            raise

    def delete_record(
        ref: Ref,
        identity: Annotated[security.Identity, Depends(guard("delete"))],
        version: Annotated[int | None, Query(ge=1, le=_MAX_ID, description="the version you read")] = None,
    ) -> Response:
        try:
            with rt.transaction(identity) as s:
                obj = repository.get(s, entity, ref)
                security.authorize(identity, entity, "delete", obj.owner_id)
                repository.delete(s, entity, obj, version=version)
        except ConflictError as exc:
            _complete_conflict(rt, entity, ref, exc)
            raise
        return Response(status_code=204)

    def history(ref: Ref, identity: User_) -> Any:
        with rt.transaction() as s:
            obj = repository.get(s, entity, ref)
            if identity.role != "admin" and obj.owner_id != identity.user_id:
                raise PermissionDeniedError(f"the history of a {label} is for its owner and administrators")
            return repository.audit_trail(s, entity, obj.id)

    for fn, doc in (
        (list_records, f"List {plural}, filtered by words and facets, in title order (or by relevance with words)."),
        (read_record, f"One {label} by id or slug."),
        (create_record, f"Create a {label} (roles: {_roles(entity, 'create')}); the caller owns it."),
        (
            patch_record,
            f"Change a {label} ({_roles(entity, 'update')}): send the fields to change and the version you read; "
            "409 when the version is stale.",
        ),
        (delete_record, f"Delete a {label} ({_roles(entity, 'delete')}); with version, 409 when it is stale."),
        (history, f"The audit log of one {label} (its owner and administrators)."),
    ):
        fn.__doc__ = doc
    name = plural.replace("-", "_")
    router.add_api_route(
        f"/{plural}",
        list_records,
        methods=["GET"],
        response_model=PageModel,
        name=f"list_{name}",
        responses=_responses(422),
    )
    router.add_api_route(
        f"/{plural}/{{ref}}",
        read_record,
        methods=["GET"],
        response_model=Public,
        name=f"read_{name}",
        responses=_responses(404, 422),
    )
    router.add_api_route(
        f"/{plural}",
        create_record,
        methods=["POST"],
        response_model=Public,
        status_code=201,
        name=f"create_{name}",
        responses=_responses(401, 403, 409, 422),
        openapi_extra=_permission(entity, "create"),
    )
    router.add_api_route(
        f"/{plural}/{{ref}}",
        patch_record,
        methods=["PATCH"],
        response_model=Public,
        name=f"patch_{name}",
        responses=_responses(401, 403, 404, 409, 422),
        openapi_extra=_permission(entity, "update"),
    )
    router.add_api_route(
        f"/{plural}/{{ref}}",
        delete_record,
        methods=["DELETE"],
        status_code=204,
        name=f"delete_{name}",
        responses=_responses(401, 403, 404, 409, 422),
        openapi_extra=_permission(entity, "delete"),
    )
    router.add_api_route(
        f"/{plural}/{{ref}}/history",
        history,
        methods=["GET"],
        response_model=list[AuditOut],
        name=f"history_{name}",
        responses=_responses(401, 403, 404, 422),
    )


def _roles(entity: str, action: str) -> str:
    rule = security.PERMISSIONS.get((entity, action))
    return "its owner or an administrator" if rule == security.OWNER else ", ".join(sorted(rule or {"admin"}))


def _complete_conflict(rt: RegistryRuntime, entity: str, ref: str, exc: ConflictError) -> None:
    """Add the current version and record to a conflict found by the database (a concurrent writer)."""
    if exc.extra.get("reason") != "stale_version" or "current_version" in exc.extra:
        return
    try:
        with rt.transaction() as s:
            obj = repository.get(s, entity, ref)
            exc.extra["current_version"] = obj.version
            exc.extra["current"] = repository.public(entity, obj)
    except RegistryError:
        pass


# -------------------------------------------------------------------------------------------- shared logic


def _owners_of_target(session: Any, interest: Interest) -> set[int]:
    owners: set[int] = set()
    if interest.to_member_id is not None:
        member = session.get(Member, interest.to_member_id)
        if member is not None and member.owner_id is not None:
            owners.add(member.owner_id)
    if interest.to_organisation_id is not None:
        org = session.get(Organisation, interest.to_organisation_id)
        if org is not None and org.owner_id is not None:
            owners.add(org.owner_id)
    return owners


def _notify(session: Any, user_ids: set[int], kind: str, text: str, link: str | None) -> None:
    for user_id in sorted(user_ids):
        session.add(Notification(user_id=user_id, kind=kind, text=text[:2000], link=link))


def express_interest(session: Any, identity: security.Identity, body: schemas.InterestIn) -> Interest:
    """Create an expression of interest from one of the caller's members and notify the target's owner."""
    sender = session.get(Member, body.from_member_id)
    if sender is None:
        raise NotFoundError(f"no member {body.from_member_id}")
    if sender.owner_id != identity.user_id and identity.role != "admin":
        raise PermissionDeniedError("you can express interest only from one of your own member profiles")
    if body.to_member_id is not None:
        target: Any = session.get(Member, body.to_member_id)
        if body.to_member_id == body.from_member_id:
            raise RegistryValidationError("a member cannot express interest in itself", field="to_member_id")
    else:
        target = session.get(Organisation, body.to_organisation_id)
    if target is None:
        raise NotFoundError("no such member or organisation")
    interest = Interest(
        from_member_id=sender.id,
        to_member_id=body.to_member_id,
        to_organisation_id=body.to_organisation_id,
        message=body.message,
        status="open",
        created_by=identity.user_id,
    )
    session.add(interest)
    session.flush()
    owners = _owners_of_target(session, interest) - {identity.user_id}
    _notify(
        session,
        owners,
        "interest",
        f"{sender.name} is interested in cooperating with {target.name}"
        + (f": “{body.message[:300]}”" if body.message else ""),
        "/registry/notifications",
    )
    return interest


def interests_of(session: Any, identity: security.Identity) -> list[Interest]:
    """Interests the caller sent or received (administrators: all)."""
    query = select(Interest).order_by(Interest.id.desc())
    if identity.role != "admin":
        mine = select(Member.id).where(Member.owner_id == identity.user_id)
        orgs = select(Organisation.id).where(Organisation.owner_id == identity.user_id)
        query = query.where(
            or_(
                Interest.from_member_id.in_(mine),
                Interest.to_member_id.in_(mine),
                Interest.to_organisation_id.in_(orgs),
            )
        )
    return list(session.scalars(query.limit(500)))


def answer(session: Any, identity: security.Identity, interest_id: int, body: schemas.InterestPatch) -> Interest:
    """Accept / decline (the recipient) or withdraw (the sender) an interest, with optimistic locking."""
    interest = session.get(Interest, interest_id)
    if interest is None:
        raise NotFoundError(f"no interest {interest_id}")
    sender = session.get(Member, interest.from_member_id)
    sender_owner = sender.owner_id if sender else None
    recipients = _owners_of_target(session, interest)
    admin = identity.role == "admin"
    if body.status == "withdrawn" and not (admin or identity.user_id == sender_owner):
        raise PermissionDeniedError("only the sender can withdraw an expression of interest")
    if body.status in ("accepted", "declined") and not (admin or identity.user_id in recipients):
        raise PermissionDeniedError("only the recipient can accept or decline an expression of interest")
    if interest.version != body.version:
        raise ConflictError(
            f"the interest is at version {interest.version}, not {body.version}",
            entity="interest",
            id=interest.id,
            expected_version=body.version,
            current_version=interest.version,
            reason="stale_version",
        )
    interest.status = body.status
    _flush_or_conflict(session, "interest", interest.id, body.version)
    others = ({sender_owner} if sender_owner else set()) | recipients
    _notify(
        session,
        others - {identity.user_id},
        "interest-" + body.status,
        f"An expression of interest was {body.status}",
        "/registry/notifications",
    )
    return interest


def record_assessment(
    session: Any, identity: security.Identity, organisation_id: int, answers: dict[str, Any], is_public: bool
) -> Assessment:
    """Score and store a self-assessment of an organisation the caller manages (administrators: any)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation {organisation_id}")
    security.authorize(identity, "assessment", "create")
    if identity.role != "admin" and org.owner_id != identity.user_id:
        raise PermissionDeniedError("you can assess only organisations you manage")
    return assess.record(session, org, answers, user_id=identity.user_id, is_public=is_public)


def visible_assessment(session: Any, identity: security.Identity | None, assessment_id: int) -> Assessment:
    """An assessment the caller may see: public, of an organisation they manage, or any for administrators."""
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    if row.is_public or (identity is not None and identity.role == "admin"):
        return row
    org = session.get(Organisation, row.organisation_id)
    if identity is not None and org is not None and org.owner_id == identity.user_id:
        return row
    raise NotFoundError(f"no assessment {assessment_id}")


# -------------------------------------------------------------------------------------------- install


def _install_handlers(app: FastAPI) -> None:
    if getattr(app.state, "_registry_handlers", False):
        return
    app.state._registry_handlers = True

    async def registry_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RegistryError)
        return error_response(exc)

    app.add_exception_handler(RegistryError, registry_error)
    previous = app.exception_handlers.get(RequestValidationError)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not request.url.path.startswith(PREFIX):
            if previous is not None:
                return await previous(request, exc)
            from fastapi.exception_handlers import request_validation_exception_handler

            return await request_validation_exception_handler(request, exc)
        detail = jsonable_encoder(exc.errors())
        errors = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ())]
            errors.append(
                {"field": ".".join(loc[1:]) or (loc[0] if loc else None), "location": loc, "message": e.get("msg")}
            )
        first = errors[0] if errors else {"field": None, "message": "invalid input"}
        message = f"{len(errors)} invalid field(s); {first['field']}: {first['message']}"
        return JSONResponse(
            {"error": "validation_error", "message": message, "errors": errors, "detail": detail}, status_code=422
        )

    app.add_exception_handler(RequestValidationError, validation_error)


def install(
    app: FastAPI,
    *,
    database_url: str | None = None,
    mapping: "matchmaking.MappingData | str | FilePath | None" = None,
    settings: RegistrySettings | None = None,
    pages: bool = True,
    content: bool | None = None,
) -> RegistryRuntime:
    """Put the registry into ``app``: migrate the database to head, mount the API under ``/api/registry`` and
    the web pages under ``/registry``.

    Parameters
    ----------
    app : fastapi.FastAPI
        The web application (``clustermap.api.app.create_app``, or any FastAPI app).
    database_url : str, optional
        SQLite or PostgreSQL URL (default: setting ``CLUSTERMAP_REGISTRY_DATABASE_URL``, else
        ``sqlite:///warehouse/registry.sqlite3``).
    mapping : MappingData or path, optional
        Mapping results for matchmaking: given cells, or a DuckDB warehouse file whose latest run is read
        (default: setting ``CLUSTERMAP_REGISTRY_WAREHOUSE``, else the clustermap warehouse).
    settings : RegistrySettings, optional
        Default: from the environment.
    pages : bool
        Mount the HTML pages too.
    content : bool, optional
        Load the shipped content into an empty registry (default: setting ``load_content``, on).

    Returns
    -------
    RegistryRuntime
        Also kept as ``app.state.registry``.
    """
    settings = settings or get_registry_settings()
    url = database_url or settings.database_url
    upgrade(url)
    rt = RegistryRuntime(url, settings=settings, mapping=mapping)
    if content if content is not None else settings.load_content:
        with rt.transaction() as s:
            empty = not s.scalar(select(func.count()).select_from(Programme)) and not s.scalar(
                select(func.count()).select_from(Organisation)
            )
            if empty:
                added = load_content(s)
                log.info("registry: shipped content loaded %s", added)
    _install_handlers(app)
    app.include_router(build_api_router(rt))
    if pages:
        from clustermap.organisations.pages import build_pages_router

        app.include_router(build_pages_router(rt))
    app.state.registry = rt
    return rt
