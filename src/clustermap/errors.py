"""The one exception tree of clustermap.

Every error that clustermap raises on purpose derives from :class:`ClustermapError`. Leaves also subclass the
matching builtin (``ValueError``, ``LookupError`` …) so that callers who do not know clustermap can still catch
them. Input errors carry *where* the problem is — file, line, column and the offending value — and render it in
one readable sentence, which the CLI prints without a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


class ClustermapError(Exception):
    """Root of every error clustermap raises on purpose.

    Each class says once how every interface reports it: :attr:`exit_code` for the CLI, :attr:`status_code`
    and :attr:`code` for the REST API (``{"error": code, "message": …}``).
    """

    #: exit status the CLI uses for this error (2: bad input or options)
    exit_code: int = 1
    #: HTTP status the REST API answers with
    status_code: int = 400
    #: machine-readable error code of the REST API's answer
    code: str = "invalid_parameter"


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits. ``line`` is 1-based and counts the header line of a CSV as line 1."""

    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: object = None

    def describe(self) -> str:
        """Where, in words: file, line, column and value, those known."""
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
    """Mixin: an error that knows where in an input it happened and says so first in its message.

    ``more`` counts further problems of the same kind (said after the message)."""

    location: Location
    reason: str
    more: int

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
        self.location = Location(str(file) if file is not None else None, line, column, value)
        self.reason = message
        self.more = more
        where = self.location.describe()
        text = f"{where}: {message}" if where else message
        if more:
            text += f" (and {more} more problem{'s' if more != 1 else ''} of this kind)"
        super().__init__(text)


class InputError(_Located, ClustermapError, ValueError):
    """Bad input data: the message names file, line, column and value where they are known."""

    exit_code = 2

    @classmethod
    def raise_first(
        cls,
        bad: Sequence[bool] | np.ndarray,
        message: str,
        *,
        file: str | Path | None,
        lines: Sequence[int] | np.ndarray,
        column: str,
        values: Sequence[object] | np.ndarray,
    ) -> None:
        """Raise this error for the first true entry of the boolean mask ``bad``, naming its line (from ``lines``)
        and value (from ``values``, aligned with ``bad``) and counting the others; return when none is true."""
        hits = np.flatnonzero(np.asarray(bad, dtype=bool))
        if len(hits):
            i = int(hits[0])
            raise cls(message, file=file, line=int(lines[i]), column=column, value=values[i], more=len(hits) - 1)


class SchemaError(InputError):
    """A required column is missing, unexpected, or of the wrong type."""

    @classmethod
    def missing_columns(
        cls, missing: Sequence[str], found: Iterable[str], *, file: str | Path | None, what: str = ""
    ) -> SchemaError:
        """The error for a header (line 1) that lacks the columns ``missing``: names them, the first as the column,
        and the columns ``found``; ``what`` (e.g. ``"an SDMX-CSV file"``) starts the message as "not <what>: "."""
        prefix = f"not {what}: " if what else ""
        return cls(
            f"{prefix}missing required column(s) {', '.join(missing)}; found {', '.join(found) or 'none'}",
            file=file,
            line=1,
            column=missing[0],
        )

    @classmethod
    def from_parser(cls, exc: Exception, *, file: str | Path | None, fields: str = "fields") -> SchemaError:
        """The error for a CSV parser's complaint about a row's field count (pandas' "Expected A fields in line L,
        saw B"): names the line and both counts; any other complaint is passed on as its text."""
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found is None:
            return cls(str(exc), file=file)
        return cls(f"a row has {found[3]} {fields}, the header has {found[1]}", file=file, line=int(found[2]))


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
    status_code = 404
    code = "unknown_name"


class UnknownRegionError(_Located, UnknownNameError):
    """A region code the registry does not know, with where it was read (file, line, column) and near matches."""


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
