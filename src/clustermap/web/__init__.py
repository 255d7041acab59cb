"""The web site and REST API of ``clustermap serve``.

:func:`clustermap.web.api.app.create_app` builds the FastAPI application: the REST API under ``/api/`` (package
:mod:`clustermap.web.api`), its OpenAPI schema at ``/openapi.json`` and the pages (:mod:`clustermap.web.pages`).
Front-end packages (MapLibre GL) come from npm (``frontend/package.json``) and are copied into
``static/vendor/`` by ``scripts/build_web.sh``; nothing is loaded from a CDN.
"""
