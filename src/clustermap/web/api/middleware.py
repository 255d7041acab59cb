"""ASGI middleware of the web application: request limits, ``HEAD`` wherever ``GET``, ``Secure`` cookies.

* **Body size** — a request body larger than ``max_body_bytes`` (setting ``CLUSTERMAP_MAX_BODY_BYTES``, default
  1 MiB) is answered ``413`` without being read further (``Content-Length`` is checked first, then the bytes as
  they arrive); the answer never repeats the body.
* **JSON depth** — a JSON body nested deeper than ``max_json_depth`` (default 32) is answered ``413`` before any
  parser sees it (a 100,000-deep array would otherwise end in ``RecursionError``).
* **HEAD** — a ``HEAD`` request is answered as the ``GET`` of the same URL, headers only.
* **Secure cookies** — every ``Set-Cookie`` gets ``Secure`` unless the setting ``cookie_secure`` is ``never``,
  or it is ``auto`` (the default) and the request is plain HTTP to ``localhost`` / ``127.0.0.1`` / ``::1``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from clustermap.sources.guard import json_depth_exceeds

Scope = dict[str, Any]
Receive = Any
Send = Any

_HAS_SECURE = re.compile(rb";\s*secure\s*(;|$)", re.IGNORECASE)
_LOCAL = {"localhost", "127.0.0.1", "::1", "[::1]"}


class LimitsMiddleware:
    """Body size and JSON depth limits, ``HEAD`` as ``GET``, ``Secure`` cookies (see the module docstring)."""

    def __init__(self, app: Any, *, max_body_bytes: int, max_json_depth: int, cookie_secure: str = "auto") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        send = self._wrap_send(scope, send, head)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > self.max_body_bytes:
                await self._reject(
                    send, f"the request body has {declared:,} bytes; the limit is {self.max_body_bytes:,}"
                )
                return
        if scope["method"] in ("GET", "DELETE", "OPTIONS") and length is None:
            await self.app(scope, receive, send)
            return
        # read the body (bounded), check it, and hand it on
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._reject(send, f"the request body is larger than the limit of {self.max_body_bytes:,} bytes")
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        ctype = headers.get(b"content-type", b"").lower()
        if (b"json" in ctype or body[:1] in (b"[", b"{")) and json_depth_exceeds(body, self.max_json_depth):
            await self._reject(send, f"the JSON body nests deeper than {self.max_json_depth} levels")
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send, message: str) -> None:
        """Answer ``413`` with the site's error body (code ``too_large``)."""
        error = {"code": "too_large", "message": message, "parameter": None, "value": None, "allowed": None}
        body = json.dumps({"error": error}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _secure(self, scope: Scope) -> bool:
        if self.cookie_secure == "always":
            return True
        if self.cookie_secure == "never":
            return False
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1").lower()
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        server = (scope.get("server") or ("", 0))[0]
        local = hostname in _LOCAL or (not hostname and server in _LOCAL)
        return not (scope.get("scheme") == "http" and local)

    def _wrap_send(self, scope: Scope, send: Send, head: bool) -> Send:
        secure = self._secure(scope)

        async def wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and secure:
                headers = []
                for k, v in message.get("headers", []):
                    if k.lower() == b"set-cookie" and not _HAS_SECURE.search(v):
                        v = v + b"; Secure"
                    headers.append((k, v))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        return wrapped
