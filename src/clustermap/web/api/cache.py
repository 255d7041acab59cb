"""The response cache: answers kept as bytes (with their gzip form and ETag), bounded by the bytes they hold.

The site's answers are cached by what they depend on (:class:`ResponseCache`, used by
:mod:`clustermap.web.api.deps`) and by their exact URL (:mod:`clustermap.web.api.urlcache`); both keep
:class:`CachedBody` entries.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from typing import Any

#: gzip level of the answers: 1 makes a map answer's gzip form ~4× faster than 6 (1.2 against 4.6 ms for
#: 85 kB of JSON on the shared 2-core machine) for an 18 % larger body (20.5 against 17.3 kB)
GZIP_LEVEL = 1


def gzip_body(body: bytes) -> bytes:
    """``body`` gzipped at :data:`GZIP_LEVEL`, reproducibly (no timestamp)."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


@dataclass(frozen=True)
class CachedBody:
    """A response body, its gzip form (``None`` until a client asks for it, or when not worth it), its ETag and
    media type."""

    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str

    @property
    def compressible(self) -> bool:
        """Worth compressing: more than a packet of JSON or text."""
        return len(self.body) > 1400 and ("json" in self.media_type or self.media_type.startswith("text/"))


class ByteBoundedLRU:
    """A thread-safe LRU bounded by **bytes** (cachetools' ``LRUCache`` with ``getsizeof``), not by the number of
    entries: what the response cache and the URL cache share. A value larger than ``max_entry_bytes`` (default:
    ``max_bytes``) is not kept."""

    def __init__(self, max_bytes: int, getsizeof: Any, max_entry_bytes: int | None = None) -> None:
        from cachetools import LRUCache

        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes if max_entry_bytes is None else max_entry_bytes
        self._sizeof = getsizeof
        self._data: LRUCache[Any, Any] = LRUCache(maxsize=max(max_bytes, 1), getsizeof=getsizeof)
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            return self._data.get(key)

    def _keep(self, key: Any, value: Any) -> None:
        if self._sizeof(value) <= min(self.max_entry_bytes, self.max_bytes):
            with self._lock:
                self._data[key] = value

    @property
    def bytes(self) -> int:
        """Bytes held now (the sum of the entries' sizes)."""
        with self._lock:
            return int(self._data.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class ResponseCache(ByteBoundedLRU):
    """A thread-safe LRU of response bodies keyed by request, bounded by **bytes** (body + gzip form + key), not
    by the number of entries; each entry carries its ETag. The gzip form is made the first time a client
    accepts it (:meth:`gzipped`), not when the answer is computed.

    Parameters
    ----------
    max_bytes : int, optional
        Memory the cache may hold (default: setting ``CLUSTERMAP_RESPONSE_CACHE_BYTES``, 256 MiB).
    max_entry_bytes : int, optional
        Bodies larger than this are answered but not kept (default: ``CLUSTERMAP_CACHE_MAX_BODY_BYTES``, 2 MiB),
        so that one large download cannot push out every other answer.
    """

    def __init__(self, max_bytes: int | None = None, max_entry_bytes: int | None = None) -> None:
        from clustermap.settings import get_settings

        settings = get_settings()
        super().__init__(
            settings.response_cache_bytes if max_bytes is None else max_bytes,
            _entry_bytes,
            settings.cache_max_body_bytes if max_entry_bytes is None else max_entry_bytes,
        )

    def get(self, key: Any) -> CachedBody | None:
        return super().get(key)

    def put(self, key: Any, body: bytes, media_type: str, *, compress: bool = False) -> CachedBody:
        """Keep ``body`` under ``key``; ``compress``: make its gzip form now (the client asked for it)."""
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = CachedBody(body, None, etag, media_type)
        if compress and entry.compressible:
            entry = CachedBody(body, gzip_body(body), etag, media_type)
        self._keep(key, entry)
        return entry

    def gzipped(self, key: Any, entry: CachedBody) -> bytes | None:
        """The gzip form of ``entry`` (cached under ``key``), made now if it is not yet; ``None`` when the body
        is not worth compressing."""
        if entry.gzipped is not None or not entry.compressible:
            return entry.gzipped
        gz = gzip_body(entry.body)
        self._keep(key, CachedBody(entry.body, gz, entry.etag, entry.media_type))
        return gz


def _entry_bytes(entry: CachedBody) -> int:
    """What one cache entry costs: its body, its gzip form and ~200 bytes of bookkeeping."""
    return len(entry.body) + (len(entry.gzipped) if entry.gzipped is not None else 0) + 200
