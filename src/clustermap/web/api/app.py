"""The clustermap web application: the REST API under ``/api/``, its OpenAPI schema at ``/openapi.json``, the web
site at ``/`` and, when installed, the registry (``/api/registry/…``) and the analyses (``/api/analyses/…``)."""

from __future__ import annotations

import json
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from clustermap.errors import ClustermapError
from clustermap.organisations.api import install as install_registry
from clustermap.web.api.deps import ApiError
from clustermap.web.api.routes import analyses, downloads, meta, profiles, regions, related, results
from clustermap.web.api.service import Observatory

log = logging.getLogger(__name__)

DESCRIPTION = """\
The European Cluster Observatory's star map and the US Cluster Mapping Project's strong clusters, computed by
clustermap from official employment statistics, with provenance.

* Identifiers are stable: methodology name (`eco2007`), run id, dataset name, year, region code (NUTS `DE11`),
  category slug (`automotive`).
* Results: `/api/results` (JSON, CSV, GeoJSON; filtered, paginated, `ETag` / `If-None-Match`).
* Errors: every 4xx answer has the body `{"error": {"code", "message", "parameter", "value", "allowed"}}`.
* Data: Eurostat (© European Union, reuse authorised); boundaries © EuroGeographics (Eurostat GISCO).
"""


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "parameter": None, "value": None, "allowed": None, **extra}}
    return JSONResponse(body, status_code=status)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path != "/openapi.json"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Any:
        if _wants_html(request):
            from clustermap.web.pages import error_page

            return error_page(request, exc.status, exc.body["error"]["message"])
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        details = []
        for e in exc.errors():
            loc = [str(x) for x in e.get("loc", ())]
            details.append({"loc": loc, "message": str(e.get("msg", "")), "type": str(e.get("type", ""))})
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ())]
        parameter = loc[-1] if loc and not loc[-1].isdigit() else (loc[-2] if len(loc) > 1 else None)
        value = first.get("input")
        if not isinstance(value, (str, int, float, bool, type(None), list)):
            value = str(value)
        message = f"{parameter}: {first.get('msg', 'invalid value')}" if parameter else str(first.get("msg", "invalid"))
        if _wants_html(request):
            from clustermap.web.pages import error_page

            return error_page(request, 422, message)
        return _error(422, "invalid_parameter", message, parameter=parameter, value=value, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if _wants_html(request):
            from clustermap.web.pages import error_page

            return error_page(request, exc.status_code, str(exc.detail))
        codes = {404: "not_found", 405: "method_not_allowed", 406: "not_acceptable"}
        resp = _error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(ClustermapError)
    async def clustermap_error(request: Request, exc: ClustermapError) -> Any:
        # the error class says its status and code (clustermap.errors); 404 unknown_name, else 400
        return _error(exc.status_code, exc.code, str(exc))


def _short_input(error: dict[str, Any]) -> Any:
    """The input a validation error may repeat: nothing from a request body, nothing longer than 200 characters."""
    loc = error.get("loc") or ()
    value = error.get("input")
    if (loc and loc[0] == "body") or len(json.dumps(value, default=str)) > 200:
        return None
    return value


def _scrub_validation_inputs(app: FastAPI) -> None:
    """Whatever handler answers a 422 (the site's or the registry's), it never sees — so never repeats — a request
    body or a long value: a password sent to the login is not echoed back."""
    inner = app.exception_handlers[RequestValidationError]  # installed by _install_errors

    async def scrubbed(request: Request, exc: RequestValidationError) -> Any:
        errors = [{**e, "input": _short_input(e)} for e in exc.errors()]
        return await inner(request, RequestValidationError(errors))

    app.exception_handlers[RequestValidationError] = scrubbed


def _install_registry(app: FastAPI, registry_url: str | None, warehouse: Path) -> None:
    """Mount the registry (:func:`clustermap.organisations.api.install`: ``/api/registry/…`` and ``/registry``);
    its matchmaking reads the same warehouse as the site."""
    app.state.registry_installed = False
    kwargs: dict[str, Any] = {"database_url": registry_url}
    if warehouse.exists():
        kwargs["mapping"] = warehouse
    try:
        install_registry(app, **kwargs)
    except Exception as exc:  # the registry must not take the statistics down with it
        log.warning("the registry could not be installed: %s", exc)
        app.state.registry_error = str(exc)
        return
    app.state.registry_installed = True


def create_app(
    *,
    warehouse: Path | None = None,
    registry_url: str | None = None,
    data_dir: Path | None = None,
    warm: bool = True,
) -> FastAPI:
    """The FastAPI application of ``clustermap serve``.

    Parameters
    ----------
    warehouse : path, optional
        DuckDB warehouse of the main job (default ``CLUSTERMAP_WAREHOUSE``, ``warehouse/clustermap.duckdb``);
        read only, re-read when the file changes.
    registry_url : str, optional
        Database URL of the registry (SQLite by default, PostgreSQL for deployments), passed to
        ``clustermap.organisations.api.install`` when the registry is installed.
    data_dir : path, optional
        Data mirror for region names and geometry (default ``CLUSTERMAP_DATA_DIR`` or ``shared/data`` found
        next to the working directory).
    warm : bool, default True
        Read the warehouse, the region names and the geometry in a background thread at start-up and
        pre-compute the map data and profiles of each new snapshot (:mod:`clustermap.web.api.warmup`), so that
        visitors do not wait.
    """
    from clustermap import __version__
    from clustermap.settings import get_settings

    settings = get_settings()
    warehouse_path = Path(warehouse) if warehouse is not None else settings.warehouse
    mirror = Path(data_dir) if data_dir is not None else settings.mirror()
    observatory = Observatory(warehouse_path, mirror=mirror)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm:
            threading.Thread(target=observatory.warm, name="clustermap-warm", daemon=True).start()
        yield

    app = FastAPI(
        title="clustermap",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # served below from the local copy of swagger-ui (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.observatory = observatory
    from clustermap.web.api.middleware import LimitsMiddleware
    from clustermap.web.api.urlcache import UrlCacheMiddleware

    app.add_middleware(UrlCacheMiddleware, observatory=observatory)  # inside the limits (HEAD is a GET there)
    app.add_middleware(
        LimitsMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
        cookie_secure=settings.cookie_secure,
    )
    _install_errors(app)
    for module in (meta, regions, results, profiles, downloads, related):
        app.include_router(module.router)
    app.state.analyses_installed = True
    app.include_router(analyses.router)
    _install_registry(app, registry_url, warehouse_path)
    _scrub_validation_inputs(app)
    if warm:
        from clustermap.web.api.warmup import prefill

        observatory.on_reload = lambda snap: prefill(
            observatory, snap, registry=bool(getattr(app.state, "registry_installed", False))
        )

    from clustermap.web import dashboard_pages, pages

    pages.install(app)
    app.include_router(dashboard_pages.router)
    from clustermap.web.api.routes import dashboards  # the dashboards as JSON

    app.include_router(dashboards.router)
    _install_docs(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """Interactive API docs at ``/api/docs`` from the swagger-ui copied by ``scripts/build_web.sh``."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    from clustermap.web.pages import VENDOR

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if not (VENDOR / "swagger-ui" / "swagger-ui-bundle.js").is_file():
            return HTMLResponse(
                "<!doctype html><title>API docs</title><p>The interactive docs need the front-end packages: run "
                "<code>bash scripts/build_web.sh</code>. The schema itself is at <a href='/openapi.json'>"
                "/openapi.json</a>.</p>"
            )
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="clustermap API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/favicon.ico",
        )
