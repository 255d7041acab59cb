"""What every registry route shares: the app's runtime, who is asking, the error answer, OpenAPI fragments.

Routes declare ``rt: Rt`` for the :class:`~.runtime.RegistryRuntime` of their app, ``identity: Ident`` (maybe
anonymous) or ``identity: User_`` (401 when anonymous). :class:`RegistryRoute` establishes the caller before the
body is read, so that a write without identity is 401 and one by a role the route's ``x-permission`` excludes is
403 — whatever the body holds.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Path, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from clustermap.organisations import schemas, security
from clustermap.organisations.errors import AuthenticationError, RegistryError
from clustermap.organisations.runtime import PREFIX, SAFE_METHODS, RegistryRuntime

__all__ = [
    "MAX_ID",
    "PLURALS",
    "PREFIX",
    "SAFE_METHODS",
    "Ident",
    "RecordId",
    "RegistryRoute",
    "Rt",
    "User_",
    "clean",
    "clean_list",
    "error_response",
    "permission",
    "responses",
    "roles",
    "runtime",
]

#: URL segment → kind of record
PLURALS = {
    "organisations": "organisation",
    "programmes": "programme",
    "case-studies": "case_study",
    "members": "member",
}
#: the largest id a path accepts (a 32-bit signed integer: the database column)
MAX_ID = 2_147_483_647
#: a record id in a path: 1 to :data:`MAX_ID`
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
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


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route that may answer ``codes`` (422 brings 400, an unreadable body)."""
    out: dict[int | str, dict[str, Any]] = {code: _ERRORS[code] for code in codes}
    if 422 in codes:
        out[400] = {"model": BadRequestBody, "description": "The body could not be parsed"}
    return out


def permission(entity: str, action: str) -> dict[str, Any]:
    """The ``x-permission`` OpenAPI extra of a write route: who may do ``action`` on ``entity``."""
    rule = security.PERMISSIONS.get((entity, action))
    who = "owner" if rule == security.OWNER else sorted(rule or {"admin"})
    return {"x-permission": {"entity": entity, "action": action, "roles": who}}


def roles(entity: str, action: str) -> str:
    """Who may do ``action`` on ``entity``, in words (for route descriptions)."""
    rule = security.PERMISSIONS.get((entity, action))
    return "its owner or an administrator" if rule == security.OWNER else ", ".join(sorted(rule or {"admin"}))


def clean(text: str | None, limit: int = 200) -> str:
    """Query text without NUL characters and at most ``limit`` characters (never reaches the database raw)."""
    return (text or "").replace("\x00", "")[:limit]


def clean_list(values: list[str] | None) -> list[str]:
    """Facet values: cleaned, blanks dropped, at most 50 of at most 120 characters."""
    return [v for v in (clean(x, 120).strip() for x in values or []) if v][:50]


def error_response(exc: RegistryError) -> JSONResponse:
    """The JSON response of a registry error (with ``WWW-Authenticate`` on 401, ``Retry-After`` on 429)."""
    headers = {}
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="clustermap registry"'
    if exc.status_code == 429:
        headers["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return JSONResponse(jsonable_encoder(exc.body()), status_code=exc.status_code, headers=headers)


def runtime(request: Request) -> RegistryRuntime:
    """The registry runtime of the app serving ``request`` (``app.state.registry``)."""
    return request.app.state.registry


class RegistryRoute(APIRoute):
    """A route that establishes who is asking before the body is read: a write without identity is 401, a write
    by a role the route's ``x-permission`` excludes is 403 — whatever the body holds."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        """The handler, preceded by the identity and role check of routes with an ``x-permission``."""
        original = super().get_route_handler()
        rule_of = (self.openapi_extra or {}).get("x-permission")

        async def handler(request: Request) -> Response:
            if rule_of is not None:
                try:
                    identity = await run_in_threadpool(runtime(request).identify, request)
                except RegistryError as exc:
                    return error_response(exc)
                request.state.registry_identity = identity
                if identity is None:
                    return error_response(AuthenticationError("log in or send a bearer token to change the registry"))
                rule = security.PERMISSIONS.get((rule_of["entity"], rule_of["action"]))
                if rule != security.OWNER and not security.may(identity, rule_of["entity"], rule_of["action"]):
                    try:
                        security.authorize(identity, rule_of["entity"], rule_of["action"])
                    except RegistryError as exc:
                        return error_response(exc)
            return await original(request)

        return handler


def current_identity(request: Request) -> security.Identity | None:
    """The caller, or ``None`` when anonymous (established once per request)."""
    identity = getattr(request.state, "registry_identity", "unset")
    if identity == "unset":
        identity = runtime(request).identify(request)
        request.state.registry_identity = identity
    return identity


Rt = Annotated[RegistryRuntime, Depends(runtime)]
Ident = Annotated[security.Identity | None, Depends(current_identity)]


def required_identity(identity: Ident) -> security.Identity:
    """The caller; 401 when anonymous."""
    if identity is None:
        raise AuthenticationError("log in or send a bearer token")
    return identity


User_ = Annotated[security.Identity, Depends(required_identity)]
