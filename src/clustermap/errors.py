"""The one exception tree of clustermap.

Every error that clustermap raises on purpose derives from :class:`ClustermapError`. Leaves also subclass the
matching builtin (``ValueError``, ``LookupError`` …) so that callers who do not know clustermap can still catch
them. Input errors carry *where* the problem is — file, line, column and the offending value — and render it in
one readable sentence, which the CLI prints without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ClustermapError(Exception):
    """Root of every error clustermap raises on purpose."""

    #: exit status the CLI uses for this error
    exit_code: int = 1


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits. ``line`` is 1-based and counts the header line of a CSV as line 1."""

    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: object = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value {plain(self.value)!r}")
        return ", ".join(parts)


def plain(value: object) -> object:
    """``value`` as a plain Python object: numpy scalars become ``int`` / ``float`` (printed ``3.0``, never
    ``np.float64(3.0)``)."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            value = item()
        except (TypeError, ValueError):  # pragma: no cover - arrays of more than one element
            return value
    return value


class _Located:
    """Mixin: an error that knows where in an input it happened and says so first in its message."""

    location: Location
    reason: str
    more: int

    def _locate(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        more: int = 0,
    ) -> str:
        self.location = Location(str(file) if file is not None else None, line, column, value)
        self.reason = message
        self.more = more
        where = self.location.describe()
        text = f"{where}: {message}" if where else message
        if more:
            text += f" (and {more} more problem{'s' if more != 1 else ''} of this kind)"
        return text


class InputError(_Located, ClustermapError, ValueError):
    """Bad input data: the message names file, line, column and value where they are known."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        more: int = 0,
    ) -> None:
        super().__init__(self._locate(message, file=file, line=line, column=column, value=value, more=more))


class SchemaError(InputError):
    """A required column is missing, unexpected, or of the wrong type."""


class ValueValidationError(InputError):
    """A value is out of its domain: negative or non-numeric employment, an unknown flag, a bad year …"""


class DuplicateKeyError(InputError):
    """Two rows share the same key (region, industry, year …)."""


class EmptyInputError(InputError):
    """The input holds no data rows."""


class CorruptFileError(InputError):
    """The file cannot be read at all: truncated gzip, not a spreadsheet, bad encoding …"""


class SourceError(ClustermapError, OSError):
    """A source could not be found in the mirror nor downloaded from its publisher."""


class MissingFileError(SourceError):
    """An input file named on the command line or in a call does not exist (bad input: exit status 2)."""

    exit_code = 2


class UnknownNameError(ClustermapError, LookupError):
    """An unknown methodology, category set, dataset, backend, policy or region code."""

    exit_code = 2


class UnknownRegionError(_Located, UnknownNameError):
    """A region code the registry does not know, with where it was read (file, line, column) and near matches."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        super().__init__(self._locate(message, file=file, line=line, column=column, value=value))


class InputLimitError(InputError):
    """An input exceeds a configured limit (file size, decompressed size, JSON depth, request body size)."""


class NotRegularFileError(InputError):
    """An input path is a directory, a named pipe, a device or a process substitution instead of a file."""


class OverlappingRegionsError(InputError):
    """A region belongs to two groups of a custom region set while overlaps are not allowed."""


class ParameterError(ClustermapError, ValueError):
    """A methodology parameter or option is out of range or inconsistent with the others."""

    exit_code = 2


class BackendError(ClustermapError, RuntimeError):
    """A compute backend (DuckDB, PySpark) is unavailable or failed."""


class WarehouseError(ClustermapError, RuntimeError):
    """The warehouse could not store or read a table; nothing was changed."""
