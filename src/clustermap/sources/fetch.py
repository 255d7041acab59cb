"""Find a source file: in the local mirror, in the download cache, or at the publisher.

:func:`resolve` is what loaders call when they are not given a path. It looks in the data mirror first
(``--mirror`` / ``CLUSTERMAP_DATA_DIR`` / a ``shared/data`` folder found next to the working directory), then
in the download cache (``CLUSTERMAP_CACHE_DIR``), and only then — if downloads are allowed
(``CLUSTERMAP_DOWNLOAD``) — fetches the publisher's file with :func:`fetch_url`.

:func:`read_bytes` and :func:`read_text` are the one place where loaders open files: they decompress gzip and
single-member zip files transparently and turn truncated or corrupt archives and bad encodings into
:class:`~clustermap.errors.CorruptFileError` naming the file and the line reached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from clustermap.errors import CorruptFileError, SourceError
from clustermap.settings import get_settings
from clustermap.sources.catalog import Dataset
from clustermap.sources.catalog import get as get_dataset

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 16


def _user_agent() -> str:
    try:
        from importlib.metadata import version

        return f"clustermap/{version('clustermap')} (python-urllib)"
    except Exception:  # not installed (running from a source tree)
        return "clustermap (python-urllib)"


@contextmanager
def _progress(label: str, total: int | None, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar (bytes, speed) when ``enabled``; else a no-op advance function."""
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def fetch_url(
    url: str,
    dest: str | Path,
    *,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> Path:
    """Download ``url`` to ``dest`` atomically and return ``dest``.

    The body is streamed to a temporary file in ``dest``'s directory while its SHA-256 is computed, then renamed
    onto ``dest`` (so ``dest`` is either absent or complete). A rich progress bar is shown on stderr when it is a
    terminal (``progress=None``), always (``True``) or never (``False``). What was fetched — URL, path, size and
    SHA-256 — is logged at INFO level.

    Parameters
    ----------
    url : str
        ``http(s)://`` (or ``file://``) address.
    dest : path
        Where to store the file; parent directories are created.
    timeout : float
        Seconds to wait for the connection and for each read.
    progress : bool or None
        Show a progress bar; ``None`` = only when stderr is a TTY.

    Raises
    ------
    SourceError
        HTTP error status (e.g. 404), unreachable host, timeout, or a body shorter than its Content-Length.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent()})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"download of {url} failed: {reason}") from exc
    show = sys.stderr.isatty() if progress is None else progress
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    try:
        with response, os.fdopen(fd, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            with _progress(dest.name, total, show) as advance:
                while block := response.read(_CHUNK):
                    out.write(block)
                    digest.update(block)
                    size += len(block)
                    advance(len(block))
        if total is not None and size != total:
            raise SourceError(f"download of {url} is incomplete: got {size} of {total} bytes")
        os.replace(tmp, dest)
    except SourceError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:  # socket timeout, connection reset, disk full …
        tmp.unlink(missing_ok=True)
        raise SourceError(f"download of {url} failed after {size} bytes: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    logger.info("fetched %s -> %s (%d bytes, sha256 %s)", url, dest, size, digest.hexdigest())
    return dest


def resolve(
    dataset: str | Dataset,
    *,
    mirror: str | Path | None = None,
    download: bool | None = None,
    url: str | None = None,
    cache_dir: str | Path | None = None,
) -> Path:
    """The local path of a catalog dataset's file, downloading it from the publisher if need be.

    Looks, in order, at ``<mirror>/<dataset.mirror_path>``, at the download cache
    ``<cache_dir>/<dataset id, sanitised>/<file name>``, and finally downloads ``url`` (default: the
    dataset's publisher URL) into that cache path.

    Parameters
    ----------
    dataset : str or Dataset
        Catalog id (``"eurostat:sbs_r_nuts06_r2"``) or entry.
    mirror : path, optional
        Root of the data mirror; default :meth:`Settings.mirror` (``CLUSTERMAP_DATA_DIR`` or a ``shared/data``
        folder found next to the working directory).
    download : bool, optional
        Allow a download; default ``CLUSTERMAP_DOWNLOAD`` (true).
    url : str, optional
        Download this address instead of the catalog's (e.g. :meth:`Dataset.url_for` another year).
    cache_dir : path, optional
        Download cache; default ``CLUSTERMAP_CACHE_DIR``.

    Raises
    ------
    UnknownNameError
        ``dataset`` is not in the catalog.
    SourceError
        not in the mirror nor the cache, and downloads are disabled or failed; the message names every path
        tried and the URL.
    """
    ds = get_dataset(dataset)
    settings = get_settings()
    tried: list[str] = []
    root = Path(mirror) if mirror is not None else settings.mirror()
    if root is not None:
        candidate = root / ds.mirror_path
        if candidate.is_file():
            logger.debug("%s: using mirror file %s", ds.id, candidate)
            return candidate
        tried.append(str(candidate))
    else:
        tried.append("(no data mirror: CLUSTERMAP_DATA_DIR unset and no shared/data folder found)")
    source_url = url or ds.url
    cache_root = Path(cache_dir) if cache_dir is not None else settings.cache_dir
    cached = cache_root / ds.safe_id / ds.file_name(source_url)
    if cached.is_file():
        logger.debug("%s: using cached download %s", ds.id, cached)
        return cached
    tried.append(str(cached))
    allowed = settings.download if download is None else download
    where = "; ".join(tried)
    if not allowed:
        raise SourceError(
            f"dataset {ds.id} not found (tried {where}) and downloads are disabled "
            f"(CLUSTERMAP_DOWNLOAD=false); publisher URL: {source_url}"
        )
    logger.info("%s: not in the mirror (tried %s); downloading %s", ds.id, where, source_url)
    try:
        return fetch_url(source_url, cached)
    except SourceError as exc:
        raise SourceError(f"dataset {ds.id} not found (tried {where}) and {exc}") from exc


# ------------------------------------------------------------------------------------------ reading files


def read_bytes(path: str | Path) -> bytes:
    """The content of ``path``, gunzipped or unzipped when it is a gzip or single-file zip archive.

    The archive type is recognised by its magic bytes, not its name.

    Raises
    ------
    SourceError
        the file does not exist (:class:`~clustermap.errors.MissingFileError`).
    InputError
        not a regular file, larger than the limits, or unreadable (:mod:`clustermap.loaders.guard`).
    CorruptFileError
        truncated or corrupt gzip (the message names the line reached) or zip archive.
    """
    from clustermap.loaders.guard import read_input_bytes

    # regular files (or - for stdin) only, within the size and decompressed-size limits (loaders/guard.py)
    return read_input_bytes(path)


def read_text(path: str | Path, *, encoding: str = "utf-8") -> str:
    """:func:`read_bytes` decoded (a UTF-8 byte-order mark is dropped); bad bytes are a CorruptFileError
    naming the line."""
    data = read_bytes(path)
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CorruptFileError(
            f"not valid {encoding} text (byte {exc.object[exc.start : exc.start + 1]!r} at offset {exc.start})",
            file=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc
