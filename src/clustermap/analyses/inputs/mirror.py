"""Where the analyses' own input files are: the data mirror (``--data-dir``, ``CLUSTERMAP_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from clustermap.analyses._base import MissingInputError

__all__ = ["mirror_file", "mirror_root"]


def mirror_root(mirror: str | Path | None) -> Path | None:
    """The data mirror's root: ``mirror`` or the configured one (None when there is none)."""
    if mirror is not None:
        return Path(mirror)
    from clustermap.settings import get_settings

    return get_settings().mirror()


def mirror_file(relative: str, mirror: str | Path | None, what: str) -> Path:
    """The mirror's file ``relative``; :class:`MissingInputError` naming ``what`` when it is not there."""
    root = mirror_root(mirror)
    if root is None:
        raise MissingInputError(what, [relative], "no data mirror: pass --data-dir or set CLUSTERMAP_DATA_DIR")
    path = root / relative
    if not path.is_file():
        raise MissingInputError(what, [relative], f"not in the data mirror {root}")
    return path
