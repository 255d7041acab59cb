"""The registry inside a FastAPI app: :func:`install` migrates, mounts the REST API under ``/api/registry/``
(:mod:`.routes`, one module per resource) and the pages under ``/registry`` (:mod:`.pages`).

Layers, after the FastAPI full-stack template: routes (:mod:`.routes`) and pages (:mod:`.pages`) read the
request and shape the answer; :mod:`.deps` says who is asking; the rules live in :mod:`.services`,
:mod:`.matchmaking`, :mod:`.assessment` and :mod:`.security`; :mod:`.repository` is the only road to the
database. Resources: ``organisations``,
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
from pathlib import Path as FilePath

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from clustermap.organisations import match_inputs, repository, routes
from clustermap.organisations import pages as web_pages
from clustermap.organisations.content import load_content
from clustermap.organisations.db import RegistrySettings, get_registry_settings, upgrade
from clustermap.organisations.deps import PREFIX, error_response
from clustermap.organisations.errors import RegistryError
from clustermap.organisations.runtime import RegistryRuntime

__all__ = ["PREFIX", "RegistryRuntime", "install"]

log = logging.getLogger(__name__)


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
    mapping: "match_inputs.MappingData | str | FilePath | None" = None,
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
            if repository.is_empty(s):
                added = load_content(s)
                log.info("registry: shipped content loaded %s", added)
    _install_handlers(app)
    app.state.registry = rt
    app.include_router(routes.router)
    if pages:
        app.include_router(web_pages.router)
    return rt
