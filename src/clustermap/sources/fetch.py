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

import logging
import sys
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

        return f"clustermap/{version('clustermap')} (pooch)"
    except Exception:  # not installed (running from a source tree)
        return "clustermap (pooch)"


class _RichBar:
    """The tqdm-like progress bar :class:`pooch.HTTPDownloader` drives (``total``, ``reset``, ``update``,
    ``close``), drawn with rich on stderr: bytes, speed, time left."""

    def __init__(self, label: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self.total: int | None = None
        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._bar.add_task(label, total=None)
        self._bar.start()

    def reset(self) -> None:
        """Start again at 0 of :attr:`total` bytes."""
        self._bar.reset(self._task, total=self.total)

    def update(self, n: int) -> None:
        """``n`` more bytes arrived."""
        self._bar.advance(self._task, n)

    def close(self) -> None:
        """Take the bar off the terminal."""
        self._bar.stop()


def fetch_url(
    url: str,
    dest: str | Path,
    *,
    timeout: float = 60.0,
    progress: bool | None = None,
    known_hash: str | None = None,
    retries: int = 2,
) -> Path:
    """Download ``url`` to ``dest`` with :mod:`pooch` and return ``dest``.

    pooch streams the body to a temporary file and moves it onto ``dest`` (so ``dest`` is either absent or
    complete), checks ``known_hash`` when given (``sha256:<hex>``), retries a failed download ``retries`` times
    (waiting 1, 2 … s) and leaves an existing ``dest`` with the right hash alone. A rich progress bar is shown
    on stderr when it is a terminal (``progress=None``), always (``True``) or never (``False``). What was
    fetched — URL, path, size and SHA-256 — is logged at INFO level.

    Parameters
    ----------
    url : str
        ``http(s)://`` or ``ftp://`` address.
    dest : path
        Where to store the file; parent directories are created.
    timeout : float
        Seconds to wait for the connection and for each read.
    progress : bool or None
        Show a progress bar; ``None`` = only when stderr is a TTY.
    known_hash : str, optional
        Expected checksum (``sha256:…``); a mismatch is a :class:`SourceError` and nothing is kept.
    retries : int
        Further attempts after a failed one.

    Raises
    ------
    SourceError
        HTTP error status (e.g. 404), unreachable host, timeout, an incomplete body or a wrong checksum.
    """
    import pooch
    import requests

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _RichBar(dest.name) if show else False
    downloader = pooch.HTTPDownloader(
        progressbar=bar, chunk_size=_CHUNK, timeout=timeout, headers={"User-Agent": _user_agent()}
    )
    store = pooch.create(
        path=dest.parent,
        base_url="",
        registry={dest.name: known_hash},
        urls={dest.name: url},
        retry_if_failed=retries,
    )
    pooch_log = pooch.get_logger()
    level = pooch_log.level
    pooch_log.setLevel(logging.WARNING)  # pooch announces every download at INFO; the line below says it once
    try:
        store.fetch(dest.name, downloader=downloader)
    except requests.HTTPError as exc:
        response = exc.response
        status = f"HTTP {response.status_code} {response.reason}" if response is not None else str(exc)
        raise SourceError(f"download of {url} failed: {status}") from exc
    except (requests.RequestException, OSError, ValueError) as exc:
        raise SourceError(f"download of {url} failed: {exc}") from exc
    finally:
        pooch_log.setLevel(level)
        if bar:
            bar.close()
    size = dest.stat().st_size
    logger.info("fetched %s -> %s (%d bytes, sha256 %s)", url, dest, size, pooch.file_hash(str(dest)))
    return dest


def look_in_mirror(relative: str, mirror: str | Path | None, tried: list[str]) -> Path | None:
    """``<mirror>/<relative>`` when that file exists (``mirror`` default :meth:`Settings.mirror`); else ``None``,
    with the place looked at appended to ``tried`` (for the error message)."""
    root = Path(mirror) if mirror is not None else get_settings().mirror()
    if root is None:
        tried.append("(no data mirror: CLUSTERMAP_DATA_DIR unset and no shared/data folder found)")
        return None
    if (root / relative).is_file():
        return root / relative
    tried.append(str(root / relative))
    return None


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
    candidate = look_in_mirror(ds.mirror_path, mirror, tried)
    if candidate is not None:
        logger.debug("%s: using mirror file %s", ds.id, candidate)
        return candidate
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
        not a regular file, larger than the limits, or unreadable (:mod:`clustermap.sources.guard`).
    CorruptFileError
        truncated or corrupt gzip (the message names the line reached) or zip archive.
    """
    from clustermap.sources.guard import read_input_bytes

    # regular files (or - for stdin) only, within the size and decompressed-size limits (sources/guard.py)
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
