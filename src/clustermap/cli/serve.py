"""``clustermap serve``: the web site and the REST API (registered as ``app.command("serve")(serve)``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (127.0.0.1 = this machine only).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", help="DuckDB warehouse of the main job [env CLUSTERMAP_WAREHOUSE]; read only."),
    ] = None,
    registry_url: Annotated[
        str | None,
        typer.Option(
            "--registry-url",
            envvar="CLUSTERMAP_REGISTRY_URL",
            help="Database URL of the registry (default: its SQLite file; postgresql://… for deployments).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data mirror for region names and shapes [env CLUSTERMAP_DATA_DIR]."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (e.g. one per core); each reads the same warehouse read-only into its own "
            "in-memory index and response cache, so memory grows with N.",
        ),
    ] = 1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the web site (map of stars, region and category pages, comparisons, downloads) at / and the REST API
    under /api/ (OpenAPI schema at /openapi.json, interactive docs at /api/docs).

    Reads the warehouse written by `clustermap run`; results stored later are picked up without a restart.

    With --workers N, N processes answer on the same port; each opens the warehouse with a read-only DuckDB
    connection (several readers at once), keeps the runs as a read-only columnar index and answers from it and
    from its own response cache (bounded by CLUSTERMAP_RESPONSE_CACHE_BYTES).
    """
    import os

    import uvicorn

    from clustermap.web.api.app import create_app

    if workers > 1:
        # each worker process builds its own application from the environment
        if warehouse is not None:
            os.environ["CLUSTERMAP_WAREHOUSE"] = str(warehouse)
        if data_dir is not None:
            os.environ["CLUSTERMAP_DATA_DIR"] = str(data_dir)
        if registry_url is not None:
            os.environ["CLUSTERMAP_REGISTRY_URL"] = registry_url
        uvicorn.run(
            "clustermap.cli.serve:app_from_env",
            host=host,
            port=port,
            workers=workers,
            factory=True,
            log_level=log_level,
            **proxy_options(),
        )
        return
    app = create_app(warehouse=warehouse, registry_url=registry_url, data_dir=data_dir)
    typer.echo(f"clustermap: serving http://{host}:{port}/ (API: /api/, schema: /openapi.json)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug", **proxy_options())


def proxy_options(trusted: str | None = None) -> dict[str, object]:
    """uvicorn's proxy options from the setting ``trusted_proxies`` (``CLUSTERMAP_TRUSTED_PROXIES``): with no
    trusted proxy (the default) ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are ignored from every peer — the
    client address the login rate limiter counts is the TCP peer; with a list, only those peers are believed."""
    from clustermap.settings import get_settings

    trusted = get_settings().trusted_proxies if trusted is None else trusted
    addresses = [a.strip() for a in trusted.split(",") if a.strip()]
    if not addresses:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(addresses)}


def app_from_env():
    """The application built from the environment (for ``--workers`` > 1)."""
    from clustermap.settings import Settings
    from clustermap.web.api.app import create_app

    return create_app(registry_url=Settings().registry_url)
