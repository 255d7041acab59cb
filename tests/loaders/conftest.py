"""Fixtures of the loader tests: the real data mirror, a local HTTP server, isolated settings and file writers.

No loader test touches the internet: downloads go to an ``http.server`` bound to 127.0.0.1.
"""

from __future__ import annotations

import gzip
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from clustermap.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def _find_mirror() -> Path | None:
    env = os.environ.get("CLUSTERMAP_DATA_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO_ROOT.parent / "shared" / "data")
    for candidate in candidates:
        if (candidate / "eu").is_dir() or (candidate / "us").is_dir():
            return candidate.resolve()
    return None


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real data mirror ``<repo>/../shared/data`` (or ``CLUSTERMAP_DATA_DIR``); skips when absent."""
    path = _find_mirror()
    if path is None:
        pytest.skip(f"real data mirror not found at {REPO_ROOT.parent / 'shared' / 'data'} (set CLUSTERMAP_DATA_DIR)")
    return path


@pytest.fixture
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at an empty mirror and cache under tmp_path; proxies bypassed for 127.0.0.1.

    Yields the cache directory.
    """
    cache = tmp_path / "cache"
    empty_mirror = tmp_path / "empty-mirror"
    empty_mirror.mkdir()
    monkeypatch.setenv("CLUSTERMAP_CACHE_DIR", str(cache))
    monkeypatch.setenv("CLUSTERMAP_DATA_DIR", str(empty_mirror))
    monkeypatch.delenv("CLUSTERMAP_DOWNLOAD", raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    get_settings.cache_clear()
    yield cache
    get_settings.cache_clear()


@dataclass
class LocalServer:
    """A running local HTTP server: ``root`` is served at ``url``; ``requests`` lists the paths asked for."""

    root: Path
    url: str
    requests: list[str] = field(default_factory=list)

    def add(self, name: str, data: bytes) -> str:
        """Serve ``data`` as ``name``; returns its URL."""
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return f"{self.url}/{name}"


def _serve(root: Path) -> Iterator[LocalServer]:
    server_state = LocalServer(root=root, url="")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            server_state.requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def http_server(tmp_path: Path, isolated_settings: Path) -> Iterator[LocalServer]:
    """An ``http.server`` on 127.0.0.1 (random port) serving a temporary directory of files the test adds."""
    root = tmp_path / "served"
    root.mkdir()
    yield from _serve(root)


@pytest.fixture
def mirror_server(mirror: Path, isolated_settings: Path) -> Iterator[LocalServer]:
    """An ``http.server`` on 127.0.0.1 serving the real data mirror read-only."""
    yield from _serve(mirror)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(name, text, gz=False)`` → a file under tmp_path (gzip-compressed when ``gz``)."""

    def _write(name: str, text: str | bytes, *, gz: bool = False) -> Path:
        path = tmp_path / name
        data = text.encode("utf-8") if isinstance(text, str) else text
        path.write_bytes(gzip.compress(data) if gz else data)
        return path

    return _write
