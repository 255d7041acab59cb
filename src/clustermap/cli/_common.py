"""What every ``clustermap`` sub-command shares: the output consoles, the ``--warehouse`` / ``--data-dir`` options
and the tables it prints.

A command fails by raising a :class:`clustermap.errors.ClustermapError`: the command group
(:class:`clustermap.cli.failures.SafeGroup`) prints it as one line on standard error, ``error: <message>``, and
exits with its status (2 for bad input or options, :attr:`clustermap.errors.ClustermapError.exit_code`).
:func:`fail` does the same from inside a command.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table

from clustermap.errors import ClustermapError

__all__ = ["MirrorOpt", "WarehouseOpt", "console", "err", "fail", "table"]

#: standard output (150 columns when not a terminal, so that piped tables do not wrap)
console = Console(width=None if sys.stdout.isatty() else 150)
#: standard error, same width rule
err = Console(stderr=True, width=None if sys.stderr.isatty() else 150)

WarehouseOpt = Annotated[
    Path | None, typer.Option("--warehouse", help="DuckDB warehouse file [env CLUSTERMAP_WAREHOUSE].")
]
MirrorOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Local mirror of the publishers' files [env CLUSTERMAP_DATA_DIR]; "
        "default: shared/data next to the working directory.",
    ),
]


def fail(exc: ClustermapError) -> NoReturn:
    """Print a clustermap error as one line on standard error and exit with its status."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=getattr(exc, "exit_code", 1))


def table(
    title: str, columns: Iterable[str], rows: Iterable[Iterable[str]] = (), justify: JustifyMethod = "right"
) -> Table:
    """A rich table: a header per column (figures right-aligned unless ``justify`` says otherwise), then ``rows``."""
    out = Table(title=title)
    for col in columns:
        out.add_column(col, justify=justify)
    for row in rows:
        out.add_row(*row)
    return out
