"""``/auth``: log in and out, the caller, API tokens."""

from typing import Any

from fastapi import APIRouter, Request, Response

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.deps import PREFIX, RecordId, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.outputs import MeOut
from clustermap.organisations.services import accounts

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


@router.post(
    "/auth/login",
    response_model=schemas.TokenOut,
    responses={**responses(401, 422), 429: {"model": schemas.ErrorBody, "description": "Too many failures"}},
    summary="Log in: a bearer token for the API",
)
def login(body: schemas.LoginIn, request: Request, rt: Rt) -> Any:
    """Exchange e-mail and password for a bearer token (valid ``login_token_hours``). Failed attempts are
    rate-limited per address and per client (429 with ``Retry-After``)."""
    ip = request.client.host if request.client else ""
    with rt.transaction() as s:
        return accounts.log_in(s, body.email, body.password, ip=ip, settings=rt.settings)


@router.post(
    "/auth/logout",
    status_code=204,
    responses=responses(401, 403),
    openapi_extra=permission("session", "delete"),
    summary="Log out: revoke this token or end this session",
)
def logout(identity: User_, rt: Rt) -> Response:
    """Revoke the bearer token used, or end the web session."""
    with rt.transaction(identity) as s:
        accounts.log_out(s, identity)
    return Response(status_code=204)


@router.get("/auth/me", response_model=MeOut, responses=responses(401))
def me(identity: User_, rt: Rt) -> Any:
    """The caller's account (and, for a web session, its CSRF token for API writes)."""
    with rt.transaction() as s:
        return accounts.me(s, identity)


@router.get("/auth/tokens", response_model=list[schemas.TokenPublic], responses=responses(401))
def list_tokens(identity: User_, rt: Rt) -> Any:
    """The caller's API tokens (never the tokens themselves)."""
    with rt.transaction() as s:
        return repository.tokens_of(s, identity.user_id)


@router.post(
    "/auth/tokens",
    response_model=schemas.TokenOut,
    status_code=201,
    responses=responses(401, 403, 422),
    openapi_extra=permission("token", "create"),
)
def create_token(body: schemas.TokenIn, identity: User_, rt: Rt) -> Any:
    """A new named API token for the caller; the token text is shown only in this answer."""
    with rt.transaction(identity) as s:
        return accounts.create_token(s, identity, body)


@router.delete(
    "/auth/tokens/{token_id}",
    status_code=204,
    responses=responses(401, 403, 404),
    openapi_extra=permission("token", "delete"),
)
def revoke_token(token_id: RecordId, identity: User_, rt: Rt) -> Response:
    """Revoke one of the caller's tokens (administrators: anyone's)."""
    with rt.transaction(identity) as s:
        security.revoke_token(s, identity, token_id)
    return Response(status_code=204)
