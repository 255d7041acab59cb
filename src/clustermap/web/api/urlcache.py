"""Answers already computed, served by URL before the framework routes the request.

The response cache (:class:`~clustermap.web.api.cache.ResponseCache`) is keyed by what an answer depends on, so
a request must be routed, validated and resolved to a run before it can be looked up — about a millisecond of
FastAPI per request. This module keeps, next to it, the exact URL (path and query string, for the current
warehouse snapshot) of every ``200`` answer of the read-only ``GET`` routes, and an ASGI middleware that answers
a URL seen before straight from there: same body, ``ETag``, ``Cache-Control``, ``304`` on a current
``If-None-Match`` and gzip when accepted — as :func:`clustermap.web.api.deps.cached` would.

Only URLs whose query parameters the route declares are kept (``?junk=1`` does not add entries), and the store
is bounded by bytes (half the response cache's budget, ``CLUSTERMAP_RESPONSE_CACHE_BYTES``). A URL is answered
here only while the snapshot is known to be current (:meth:`Observatory.fresh_snapshot`); otherwise the request
goes the normal way, which checks the warehouse file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clustermap.web.api.cache import ByteBoundedLRU, CachedBody, gzip_body

__all__ = ["UrlAnswers", "UrlCacheMiddleware"]


@dataclass(frozen=True)
class UrlAnswer:
    """One stored answer: the cached body and the headers it is sent with (besides the encoding)."""

    body: CachedBody
    headers: tuple[tuple[str, str], ...]


def _size(answer: UrlAnswer) -> int:
    gz = answer.body.gzipped
    return len(answer.body.body) + (len(gz) if gz is not None else 0) + 300


class UrlAnswers(ByteBoundedLRU):
    """A thread-safe LRU of :class:`UrlAnswer` keyed by ``(snapshot token, path, query string)``, bounded by
    bytes."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, _size)

    def get(self, key: Any) -> UrlAnswer | None:
        return super().get(key)

    def put(self, key: Any, answer: UrlAnswer) -> None:
        self._keep(key, answer)


class UrlCacheMiddleware:
    """Answer ``GET /api/…`` requests whose URL is in ``observatory.urls`` (see the module docstring)."""

    def __init__(self, app: Any, *, observatory: Any) -> None:
        self.app = app
        self.obs = observatory

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        snap = self.obs.fresh_snapshot()
        found = None if snap is None else self.obs.urls.get((snap.token, scope["path"], scope["query_string"]))
        if found is None:
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or ())
        body = found.body
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in found.headers]
        match = request_headers.get(b"if-none-match")
        if match is not None:
            m = match.decode("latin-1")
            if m.strip() == "*" or body.etag in [x.strip() for x in m.split(",")]:
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        content = body.body
        if body.compressible and b"gzip" in request_headers.get(b"accept-encoding", b""):
            gz = body.gzipped
            if gz is None:
                gz = gzip_body(body.body)
                key = (snap.token, scope["path"], scope["query_string"])  # type: ignore[union-attr]
                self.obs.urls.put(
                    key,
                    UrlAnswer(CachedBody(body.body, gz, body.etag, body.media_type), found.headers),
                )
            content = gz
            headers.append((b"content-encoding", b"gzip"))
        media = body.media_type
        if media.startswith("text/") and "charset=" not in media.lower():
            media += "; charset=utf-8"
        headers.append((b"content-type", media.encode("latin-1")))
        headers.insert(0, (b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})
