"""Dependencies of the routes (``Annotated`` types), the API's error type and the cached-response helper."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request, Response
from pydantic import BaseModel

from clustermap.web.api.schemas import ErrorPublic
from clustermap.web.api.service import Observatory, RunData, Snapshot

#: OpenAPI entries of the error answers every route may give
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "a parameter names something that does not exist here"},
    404: {"model": ErrorPublic, "description": "no such resource"},
    422: {"model": ErrorPublic, "description": "a parameter is malformed or out of range"},
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "not modified (the ETag given in If-None-Match is current)"}
}
#: ``Cache-Control`` of results: they change only when the warehouse does, and then the ETag changes
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60"

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$"
CODE_PATTERN = r"^[A-Za-z0-9]{2,10}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class ApiError(Exception):
    """A 4xx answer with a machine-readable body (:class:`~clustermap.web.api.schemas.ErrorPublic`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        value: Any = None,
        allowed: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {"code": code, "message": message, "parameter": parameter, "value": value, "allowed": allowed}
        }


def _allowed(values: list[Any], limit: int = 60) -> list[Any] | None:
    return list(values)[:limit] if values else None


# ---------------------------------------------------------------------------------------------- the data


async def get_observatory(request: Request) -> Observatory:
    """The app's :class:`Observatory` (``app.state.observatory``)."""
    return request.app.state.observatory


ObservatoryDep = Annotated[Observatory, Depends(get_observatory)]


async def get_snapshot(obs: ObservatoryDep) -> Snapshot:
    """The observatory's current snapshot of the warehouse (runs, geometry); checking the file (and re-reading
    it when it changed) happens in the thread pool, not on the event loop."""
    snap = obs.fresh_snapshot()
    if snap is not None:
        return snap
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(obs.snapshot)


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]

MethodologyQuery = Annotated[
    str | None,
    Query(
        pattern=NAME_PATTERN,
        description="methodology name (eco2007, eco2008, uscmp …): the published run if it used it, else its newest "
        "run; default: the published run",
    ),
]
RunQuery = Annotated[
    str | None, Query(pattern=NAME_PATTERN, description="a run id (see /api/runs); wins over methodology")
]
DatasetQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+:/ -]{0,199}$",
        description="dataset the run mapped (e.g. sbs_r_nuts06_r2): the published run if it mapped it, else the "
        "newest run that did",
    ),
]
FamilyQuery = Annotated[
    Literal["EU", "US", "eu", "us"] | None,
    Query(description="region family: EU (NUTS regions) or US (states, counties, CBSAs); default EU"),
]


def _no_runs(snap: Snapshot) -> ApiError:
    return ApiError(
        404,
        "no_results",
        "the warehouse holds no mapping run yet: run `clustermap run` (or `clustermap map --store`) first"
        + (f" ({snap.error})" if snap.error else ""),
    )


def select_run(
    snap: Snapshot,
    methodology: str | None,
    run: str | None,
    *,
    dataset: str | None = None,
    family: str | None = None,
) -> RunData:
    """The run a request asks for: ``run`` by id; else the published run of ``family`` (default EU) when it
    matches ``methodology`` and ``dataset``; else the newest run that matches them (in ``family`` first)."""
    if not snap.runs:
        raise _no_runs(snap)
    fam = family.upper() if family else None
    if run is not None:
        if run not in snap.runs:
            raise ApiError(
                400,
                "unknown_run",
                f"no run {run!r} in the warehouse",
                parameter="run",
                value=run,
                allowed=_allowed(sorted(snap.runs)),
            )
        chosen = snap.runs[run]
        for name, asked, has in (
            ("methodology", methodology, chosen.methodology),
            ("dataset", dataset, chosen.dataset),
            ("family", fam, chosen.family),
        ):
            if asked is not None and asked != has:
                raise ApiError(
                    400,
                    "inconsistent_parameters",
                    f"run {run} has {name} {has}, not {asked}",
                    parameter=name,
                    value=asked,
                    allowed=[has],
                )
        return chosen
    if methodology is None and dataset is None:
        found = snap.default(fam)
        if found is None:
            raise ApiError(
                400,
                "unknown_family",
                f"no run of the {fam} region family in the warehouse",
                parameter="family",
                value=fam,
                allowed=sorted({r.family for r in snap.runs.values()}),
            )
        return found
    candidates = list(snap.runs.values())
    if methodology is not None:
        candidates = [r for r in candidates if r.methodology == methodology]
        if not candidates:
            raise ApiError(
                400,
                "unknown_methodology",
                f"no run with methodology {methodology!r} in the warehouse",
                parameter="methodology",
                value=methodology,
                allowed=snap.methodologies,
            )
    if dataset is not None:
        mine = [r for r in candidates if r.dataset == dataset]
        if not mine:
            raise ApiError(
                400,
                "unknown_dataset",
                f"no run of dataset {dataset!r}" + (f" with methodology {methodology}" if methodology else ""),
                parameter="dataset",
                value=dataset,
                allowed=sorted({str(r.dataset) for r in candidates}),
            )
        candidates = mine
    if fam is not None:
        candidates = [r for r in candidates if r.family == fam]
        if not candidates:
            raise ApiError(
                400, "unknown_family", f"no such run of the {fam} region family", parameter="family", value=fam
            )
    published = {snap.published.get(fam or "EU")}
    for r in candidates:
        if r.run_id in published:
            return r
    preferred = [r for r in candidates if r.family == (fam or "EU")] or candidates
    return max(preferred, key=lambda r: r.created)


async def get_run(
    snap: SnapshotDep,
    methodology: MethodologyQuery = None,
    run: RunQuery = None,
    dataset: DatasetQuery = None,
    family: FamilyQuery = None,
) -> RunData:
    """The run a request asks for (``methodology``, ``run``, ``dataset``, ``family``), else the default run."""
    return select_run(snap, methodology, run, dataset=dataset, family=family)


RunDep = Annotated[RunData, Depends(get_run)]

YearQuery = Annotated[int | None, Query(ge=1900, le=2100, description="year; default: the run's latest complete year")]
#: a region code in the path (``DE11``, ``06``)
CodePath = Annotated[str, Path(pattern=CODE_PATTERN, description="region code, e.g. DE11")]
#: a category slug in the path
SlugPath = Annotated[str, Path(pattern=SLUG_PATTERN, description="category slug, e.g. automotive")]


def check_metric(run: RunData, metric: str, has_stars: bool) -> None:
    """A 400 when a map of ``stars`` is asked of a run without stars (a strong-cluster run: ``has_stars`` false)."""
    if metric == "stars" and not has_stars:
        raise ApiError(
            400,
            "not_applicable",
            f"run {run.run_id} ({run.methodology}) has no stars",
            parameter="metric",
            value=metric,
            allowed=["strong", "lq", "employment", "share"],
        )


def check_year(run: RunData, year: int | None, parameter: str = "year") -> int:
    """``year`` if the run has it (default: the run's latest complete year); else a 400."""
    if year is None:
        return run.default_year
    if year not in run.years:
        raise ApiError(
            400,
            "unknown_year",
            f"run {run.run_id} has no cells for {year}",
            parameter=parameter,
            value=year,
            allowed=run.years,
        )
    return year


def check_category(run: RunData, category: str, parameter: str = "category", status: int = 400) -> str:
    """``category`` when the run has it, else an :class:`ApiError` (``status``) naming ``parameter``."""
    if category not in run.category_names:
        raise ApiError(
            status,
            "unknown_category",
            f"no category {category!r} in run {run.run_id} ({run.categories})",
            parameter=parameter,
            value=category,
            allowed=sorted(run.category_names),
        )
    return category


def check_region(run: RunData, code: str, parameter: str = "region", status: int = 400) -> str:
    """The run's spelling of region ``code`` (case-insensitive), else an :class:`ApiError` (``status``)."""
    if code not in run.by_region:
        up = code.upper()
        if up in run.by_region:
            return up
        near = [c for c in run.by_region if c.startswith(code[:2].upper())][:20]
        raise ApiError(
            status,
            "unknown_region",
            f"no cells for region {code!r} in run {run.run_id}",
            parameter=parameter,
            value=code,
            allowed=near or None,
        )
    return code


# ---------------------------------------------------------------------------------------------- answers


def answer_key(snap: Snapshot, *parts: Any) -> tuple[Any, ...]:
    """A cache key from what an answer depends on (not how the query was spelled), so that answers can be
    computed ahead of the requests (:mod:`clustermap.web.api.warmup`)."""
    return (snap.token, *parts)


def cache_key(request: Request, snap: Snapshot, *extra: Any) -> tuple[Any, ...]:
    """The response-cache key of a request: path and the query parameters **the route declares** (sorted);
    parameters it does not know are left out, so that ``?x=1``, ``?x=2`` … share one entry instead of filling
    the cache."""
    known = _declared_query(request)
    items = request.query_params.multi_items()
    query = tuple(sorted((k, v) for k, v in items if known is None or k in known))
    return (snap.token, request.url.path, query, *extra)


def _declared_query(request: Request) -> frozenset[str] | None:
    """Names (aliases) of the query parameters of the matched route and its dependencies; ``None`` if unknown."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    names = _QUERY_NAMES.get(id(dependant))
    if names is None:
        found: set[str] = set()
        stack = [dependant]
        while stack:
            d = stack.pop()
            found.update(p.alias for p in d.query_params)
            stack.extend(d.dependencies)
        names = _QUERY_NAMES[id(dependant)] = frozenset(found)
    return names


_QUERY_NAMES: dict[int, frozenset[str]] = {}


def json_bytes(value: dict[str, Any] | list[Any]) -> bytes:
    """Compact JSON of an answer (orjson; the standard library for what orjson refuses, e.g. integer keys)."""
    import orjson

    try:
        options = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
        return orjson.dumps(value, default=str, option=options)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), allow_nan=False, default=str).encode()


def answer_bytes(value: bytes | BaseModel | dict[str, Any] | list[Any]) -> bytes:
    """The body of an answer: a model's JSON, bytes as they are, anything else as :func:`json_bytes`."""
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    if isinstance(value, bytes):
        return value
    return json_bytes(value)


def cached(
    request: Request,
    obs: Observatory,
    key: tuple[Any, ...],
    build: Callable[[], bytes | BaseModel | dict[str, Any] | list[Any]],
    *,
    media_type: str = "application/json",
    filename: str | None = None,
    cache_control: str = CACHE_CONTROL,
    by_url: bool = False,
) -> Response:
    """The answer for ``key`` from the response cache (built by ``build`` on a miss), with ``ETag`` and
    ``Cache-Control``; ``304 Not Modified`` when the client's ``If-None-Match`` is current. ``by_url``: also
    keep it under its exact URL (:func:`cached_async`), for answers that depend on nothing else."""
    hit = obs.cache.get(key)
    if hit is None:
        hit = obs.cache.put(key, answer_bytes(build()), media_type)
    if by_url:
        _remember_url(request, obs, key, hit, filename, cache_control, None)
    return _respond(request, obs, key, hit, filename, cache_control)


async def cached_async(
    request: Request,
    obs: Observatory,
    key: tuple[Any, ...],
    build: Callable[[], bytes | BaseModel | dict[str, Any] | list[Any]],
    *,
    media_type: str = "application/json",
    filename: str | None = None,
    cache_control: str = CACHE_CONTROL,
    headers: dict[str, str] | None = None,
) -> Response:
    """:func:`cached` for ``async`` routes: a hit is answered on the event loop, a miss is built in the thread
    pool (so that a slow answer never holds up the others). The answer is also kept under its exact URL
    (:mod:`clustermap.web.api.urlcache`) when the route declares every query parameter given; ``headers`` are
    sent with it."""
    from starlette.concurrency import run_in_threadpool

    hit = obs.cache.get(key)
    if hit is None:  # built, and gzipped if the client takes it, off the event loop
        compress = "gzip" in request.headers.get("accept-encoding", "")
        hit = await run_in_threadpool(lambda: obs.cache.put(key, answer_bytes(build()), media_type, compress=compress))
    response = _respond(request, obs, key, hit, filename, cache_control)
    if headers:
        response.headers.update(headers)
    _remember_url(request, obs, key, hit, filename, cache_control, headers)
    return response


def _remember_url(
    request: Request,
    obs: Observatory,
    key: tuple[Any, ...],
    hit: Any,
    filename: str | None,
    cache_control: str,
    headers: dict[str, str] | None,
) -> None:
    known = _declared_query(request)
    if known is None or any(k not in known for k in request.query_params):
        return
    from clustermap.web.api.urlcache import UrlAnswer

    sent = {"ETag": hit.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if filename:
        sent["Content-Disposition"] = f'attachment; filename="{filename}"'
    sent.update(headers or {})
    url = (key[0], request.url.path, request.scope.get("query_string", b""))
    obs.urls.put(url, UrlAnswer(hit, tuple(sent.items())))


def _respond(
    request: Request, obs: Observatory, key: tuple[Any, ...], hit: Any, filename: str | None, cache_control: str
) -> Response:
    headers = {"ETag": hit.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or hit.etag in [m.strip() for m in match.split(",")]):
        return Response(status_code=304, headers=headers)
    if hit.compressible and "gzip" in request.headers.get("accept-encoding", ""):
        gz = obs.cache.gzipped(key, hit)
        if gz is not None:
            headers["Content-Encoding"] = "gzip"
            return Response(content=gz, media_type=hit.media_type, headers=headers)
    return Response(content=hit.body, media_type=hit.media_type, headers=headers)
