"""File-level checks every loader makes before it parses an input.

* Only **regular files** are read, or ``-`` for standard input. A directory, a named pipe (FIFO), a device, a
  socket or a process substitution (``<(…)``, which is a pipe under ``/dev/fd``) is refused with
  :class:`~clustermap.errors.NotRegularFileError`: a pipe can be read only once and may never end.
* A file larger than ``max_input_bytes`` (setting ``CLUSTERMAP_MAX_INPUT_BYTES``, default 1 GiB) is refused
  before it is read; standard input is read up to that limit.
* gzip and zip content is decompressed **in bounded steps**: beyond ``max_decompressed_bytes``
  (``CLUSTERMAP_MAX_DECOMPRESSED_BYTES``, default 512 MiB) decompression stops with
  :class:`~clustermap.errors.InputLimitError` — a gzip bomb costs at most that much memory.

Every refusal is an :class:`~clustermap.errors.InputError` (CLI exit status 2) naming the file.
"""

from __future__ import annotations

import os
import stat
import sys
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from clustermap.errors import (
    CorruptFileError,
    EmptyInputError,
    InputError,
    InputLimitError,
    MissingFileError,
    NotRegularFileError,
)

__all__ = [
    "STDIN",
    "check_file",
    "gunzip_bounded",
    "json_depth_exceeds",
    "read_input_bytes",
    "unzip_bounded",
]

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
#: the path that means "standard input"
STDIN = "-"
_STEP = 1 << 20  # decompress 1 MiB at a time


def _limits() -> tuple[int, int]:
    from clustermap.settings import get_settings

    s = get_settings()
    return s.max_input_bytes, s.max_decompressed_bytes


def _check_decompressed(out: bytearray, limit: int, path: str | Path) -> None:
    """:class:`InputLimitError` once ``out`` holds more than ``limit`` decompressed bytes."""
    if len(out) > limit:
        raise InputLimitError(
            f"decompressed content exceeds the limit of {_size(limit)} (setting CLUSTERMAP_MAX_DECOMPRESSED_BYTES)",
            file=path,
        )


def _size(n: int) -> str:
    """Bytes as a plain number with a binary unit (``1 GiB``, ``12.5 MiB``)."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            v = n / factor
            return f"{v:g} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} bytes"


def check_file(path: str | Path, *, max_bytes: int | None = None, allow_empty: bool = False) -> Path:
    """``path`` if it is a readable regular file no larger than ``max_bytes`` (default: the setting), or ``-``.

    Raises
    ------
    MissingFileError
        the file does not exist (a :class:`~clustermap.errors.SourceError` with exit status 2).
    NotRegularFileError
        a directory, named pipe, process substitution, device or socket.
    InputLimitError
        larger than the limit.
    EmptyInputError
        a file of 0 bytes (unless ``allow_empty``).
    """
    file = Path(path)
    if str(path) == STDIN:
        return file
    limit = max_bytes if max_bytes is not None else _limits()[0]
    try:
        st = os.stat(file)
    except FileNotFoundError:
        raise MissingFileError(f"{file}: no such file") from None
    except NotADirectoryError:
        raise MissingFileError(f"{file}: no such file (a parent of this path is a file, not a directory)") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=file) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise NotRegularFileError("is a directory, not a file", file=file)
    if stat.S_ISFIFO(mode):
        raise NotRegularFileError(
            "is a named pipe or a process substitution <(…), which can be read only once: save it to a file "
            "first, or pass it as standard input with -",
            file=file,
        )
    if not stat.S_ISREG(mode):
        raise NotRegularFileError("is not a regular file (a device or a socket)", file=file)
    if st.st_size > limit:
        raise InputLimitError(
            f"the file has {st.st_size:,} bytes, more than the limit of {_size(limit)} "
            "(setting CLUSTERMAP_MAX_INPUT_BYTES)",
            file=file,
        )
    if st.st_size == 0 and not allow_empty:
        raise EmptyInputError("empty file (0 bytes)", file=file)
    if not os.access(file, os.R_OK):
        raise InputError("cannot read: permission denied", file=file)
    return file


def _read_raw(file: Path, limit: int) -> bytes:
    if str(file) == STDIN:
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InputLimitError(
                f"standard input holds more than the limit of {_size(limit)} (setting CLUSTERMAP_MAX_INPUT_BYTES)",
                file=STDIN,
            )
        return data
    with open(file, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # the file grew since it was checked
        raise InputLimitError(f"the file is larger than the limit of {_size(limit)}", file=file)
    return data


def gunzip_bounded(data: bytes, path: str | Path, limit: int | None = None) -> bytes:
    """Every member of a gzip stream, decompressed in 1 MiB steps; :class:`InputLimitError` as soon as the
    output passes ``limit`` (default: the setting), :class:`CorruptFileError` for a corrupt or truncated stream
    (naming the line reached)."""
    limit = limit if limit is not None else _limits()[1]
    out = bytearray()
    rest = data
    while rest:
        inflater = zlib.decompressobj(wbits=31)
        chunk = rest
        while True:
            try:
                piece = inflater.decompress(chunk, _STEP)
            except zlib.error as exc:
                raise CorruptFileError(
                    f"corrupt gzip data ({exc}) after {len(out)} decompressed bytes",
                    file=path,
                    line=out.count(b"\n") + 1,
                ) from exc
            out += piece
            _check_decompressed(out, limit, path)
            chunk = inflater.unconsumed_tail
            if inflater.eof or (not chunk and not piece):
                break
        if not inflater.eof:
            raise CorruptFileError(
                f"truncated gzip file: the compressed stream ends early, after {len(out)} decompressed bytes",
                file=path,
                line=out.count(b"\n") + 1,
            )
        rest = inflater.unused_data
    return bytes(out)


def unzip_bounded(data: bytes, path: str | Path, limit: int | None = None) -> bytes:
    """The one data file of a zip archive (a single ``.txt``/``.csv``/``.tsv`` among several is taken), read
    in bounded steps: :class:`InputLimitError` beyond ``limit`` bytes whatever the archive claims."""
    limit = limit if limit is not None else _limits()[1]
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > 1:
                tables = [m for m in members if m.filename.lower().endswith((".txt", ".csv", ".tsv"))]
                members = tables if len(tables) == 1 else members
            if len(members) != 1:
                raise CorruptFileError(
                    f"zip archive holds {len(members)} files ({', '.join(m.filename for m in members)}); "
                    "expected exactly one data file",
                    file=path,
                )
            out = bytearray()
            with archive.open(members[0]) as handle:
                while piece := handle.read(_STEP):
                    out += piece
                    _check_decompressed(out, limit, path)
            return bytes(out)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise CorruptFileError(f"corrupt zip archive: {exc}", file=path) from exc


def read_input_bytes(path: str | Path, *, allow_empty: bool = True) -> bytes:
    """The content of ``path`` (or standard input for ``-``) after :func:`check_file`, gunzipped or unzipped
    (recognised by magic bytes) within the decompressed-size limit."""
    max_in, max_out = _limits()
    file = check_file(path, max_bytes=max_in, allow_empty=allow_empty)
    try:
        data = _read_raw(file, max_in)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=file) from None
    if data.startswith(GZIP_MAGIC):
        return gunzip_bounded(data, file, max_out)
    if data.startswith(ZIP_MAGIC):
        return unzip_bounded(data, file, max_out)
    return data


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays / objects deeper than ``limit`` (strings are skipped; the
    text need not be valid JSON)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # "
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False
