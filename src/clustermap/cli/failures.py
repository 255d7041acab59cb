"""Every failure of a command as one line on standard error and an exit status — never a traceback.

* :class:`~clustermap.errors.ClustermapError`: its message and its ``exit_code`` (2 for bad input or options).
* ``OSError`` (a file or directory that cannot be created or written, a parent that is a file …): the path and
  the reason, exit status 2 — the command was given a path it cannot use.
* A DuckDB error (e.g. the warehouse is locked by another process): exit status 1, named as such.
* Anything else is an internal error: its type and message, exit status 1; ``-v`` prints the traceback too.

Options are checked here too: :func:`parse_years` and :func:`finite_option` raise
:class:`~clustermap.errors.ParameterError` naming the option.
"""

from __future__ import annotations

import logging
import math
import sys
import traceback
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from clustermap.errors import ClustermapError, ParameterError

#: file suffixes a DuckDB warehouse may have
WAREHOUSE_SUFFIXES = (".duckdb", ".db", ".ddb", "")


def _say(message: str) -> None:
    text = " ".join(str(message).split())  # one line, whatever the message held
    typer.echo(f"error: {text}", err=True)


def describe_os_error(exc: OSError) -> str:
    """``path: reason`` for an ``OSError`` (both paths for a rename), without the ``[Errno n]`` prefix."""
    where = " → ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError) and where:
        reason += " (a part of this path is a file, not a directory)"
    return f"{where}: {reason}" if where else reason


class SafeGroup(TyperGroup):
    """The ``clustermap`` command group: turns every exception of a sub-command into one line and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:
            if _is_cli_control(exc):  # --help, usage errors, typer.Exit: the option parser's own answers
                raise
            self._fail(exc)

    @staticmethod
    def _fail(exc: Exception) -> None:
        """Print ``exc`` as one line and exit with its status."""
        if isinstance(exc, ClustermapError):
            _say(str(exc))
            raise typer.Exit(exc.exit_code) from None
        if isinstance(exc, OSError):
            _say(describe_os_error(exc))
            raise typer.Exit(2) from None
        if type(exc).__module__.lstrip("_").startswith("duckdb"):
            text = str(exc)
            what = "is in use by another process" if "lock" in text.lower() else "failed (DuckDB)"
            _say(f"the warehouse {what}: {text}")
            raise typer.Exit(1) from None
        _say(f"internal error ({type(exc).__name__}): {exc} — run with -v for the traceback")
        if logging.getLogger().isEnabledFor(logging.INFO):
            traceback.print_exception(exc, file=sys.stderr)
        raise typer.Exit(1) from None


def _is_cli_control(exc: BaseException) -> bool:
    """Exceptions of the option parser (typer's vendored click): exits, usage errors, aborts."""
    return any(c.__module__.split(".")[0] in ("click", "typer") for c in type(exc).__mro__[:-2])


def parse_years(text: str | None, option: str = "--years") -> list[int] | None:
    """``2012``, ``2008-2015`` or ``2010,2012`` as a list of years; a :class:`ParameterError` naming ``option``
    for anything else (a non-number, a range from a later to an earlier year, a year outside 1900–2100)."""
    if text is None or not text.strip():
        return None
    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        bounds = part.split("-", 1) if "-" in part[1:] else [part]
        try:
            numbers = [int(b.strip()) for b in bounds]
        except ValueError:
            raise ParameterError(
                f"{option}: {part!r} is not a year or a range of years (e.g. 2012, 2008-2015, 2010,2012)"
            ) from None
        for y in numbers:
            if not 1900 <= y <= 2100:
                raise ParameterError(f"{option}: {y} is not a year between 1900 and 2100")
        if len(numbers) == 2:
            a, b = numbers
            if a > b:
                raise ParameterError(f"{option}: the range {part} runs backwards; write {b}-{a}")
            years.extend(range(a, b + 1))
        else:
            years.append(numbers[0])
    return years


def finite_option(value: float | None, option: str, *, minimum: float | None = 0.0) -> float | None:
    """``value`` if it is a finite number not below ``minimum``; else a :class:`ParameterError` naming
    ``option`` (``nan`` and ``inf`` are accepted by the option parser but mean nothing as a threshold)."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise ParameterError(f"{option}: {value} is not a finite number")
    if minimum is not None and value < minimum:
        raise ParameterError(f"{option}: {value:g} is below {minimum:g}")
    return value


def check_warehouse_path(path: Path) -> Path:
    """``path`` if it can be a DuckDB warehouse file: a ``.duckdb`` (``.db``, ``.ddb``) name whose existing
    parents are directories, and not a directory itself."""
    p = Path(path)
    if str(p) == ":memory:":
        return p
    if p.suffix.lower() not in WAREHOUSE_SUFFIXES:
        raise ParameterError(
            f"--warehouse: {p} does not look like a DuckDB file (use a name ending in .duckdb); "
            f"it would be written as a database, not as {p.suffix}"
        )
    if p.is_dir():
        raise ParameterError(f"--warehouse: {p} is a directory; give a file name such as {p / 'clustermap.duckdb'}")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ParameterError(f"--warehouse: {parent} is a file, not a directory")
            break
    return p
