"""Where classification files are read from: the local data mirror (``CLUSTERMAP_DATA_DIR`` or a ``shared/data``
folder found next to the working directory), laid out as the publishers' files. Nothing here is shipped with
clustermap: every table is read at run time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.errors import CorruptFileError, SchemaError, SourceError
from clustermap.settings import get_settings


def mirror_root(mirror: str | Path | None = None) -> Path:
    """The data mirror to read from: ``mirror`` if given, else the configured one.

    Raises
    ------
    SourceError
        no mirror is given nor configured.
    """
    root = Path(mirror) if mirror is not None else get_settings().mirror()
    if root is None:
        raise SourceError(
            "no data mirror: pass mirror= or set CLUSTERMAP_DATA_DIR to a folder laid out like ../shared/data"
        )
    return root


def mirror_file(relative: str, mirror: str | Path | None = None) -> Path:
    """The path of ``relative`` inside the data mirror.

    Raises
    ------
    SourceError
        the file is not in the mirror (the message names the path tried).
    """
    path = mirror_root(mirror) / relative
    if not path.is_file():
        raise SourceError(f"{relative} is not in the data mirror (tried {path})")
    return path


@lru_cache(maxsize=32)
def _read_cached(path: str, stamp: float, columns: tuple[str, ...], sep: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CorruptFileError(f"not a readable CSV file ({exc})", file=path) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError.missing_columns(missing, frame.columns, file=path)
    return frame.apply(lambda s: s.str.strip())


def read_table(
    relative: str, columns: tuple[str, ...], mirror: str | Path | None = None, *, sep: str = ","
) -> pd.DataFrame:
    """A mirror CSV as strings (blank = ``""``), checked for ``columns``; cached per file and modification time.

    The returned frame is a copy: callers may change it.

    Raises
    ------
    SourceError, CorruptFileError, SchemaError
        the file is missing, unreadable, or lacks a column.
    """
    path = mirror_file(relative, mirror)
    frame = _read_cached(str(path), path.stat().st_mtime, tuple(columns), sep)
    out = frame.copy()
    out.attrs["file"] = str(path)
    return out
