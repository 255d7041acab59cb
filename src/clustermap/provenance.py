"""Provenance records: where a table came from and what was done to it on the way in."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pandas as pd

from clustermap._version import __version__


def code_version() -> str:
    """clustermap's version, plus the git commit when run from a checkout."""
    try:
        here = Path(str(resources.files("clustermap"))).resolve()
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        sha = ""
    return f"{__version__}+g{sha}" if sha else __version__


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class LoadProvenance:
    """What one load read and kept.

    ``rows_read`` counts data rows in the source (cells, for wide Eurostat files: one per region × industry ×
    year); ``rows_kept`` the canonical rows produced; ``rows_dropped`` maps a reason (e.g. ``"other indicator"``,
    ``"aggregate geo code"``) to the number of rows dropped for it, so that read = kept + Σ dropped.
    """

    source: str
    dataset: str
    file: str
    sha256: str
    rows_read: int = 0
    rows_kept: int = 0
    rows_dropped: dict[str, int] = field(default_factory=dict)
    url: str | None = None
    retrieved: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    notes: dict[str, object] = field(default_factory=dict)

    def drop(self, reason: str, n: int) -> None:
        """Record ``n`` rows dropped for ``reason`` (ignored when 0)."""
        if n:
            self.rows_dropped[reason] = self.rows_dropped.get(reason, 0) + int(n)

    def as_dict(self) -> dict[str, object]:
        """The provenance as a plain dict."""
        return asdict(self)


@dataclass
class LoadResult:
    """A loader's output: the canonical frame (see :mod:`clustermap.schema`) and its provenance."""

    frame: pd.DataFrame
    provenance: LoadProvenance
