"""What every ``clustermap`` sub-command shares: the output consoles and the one way to fail.

A failure is one line on standard error, ``error: <message>``, and the error's exit status (2 for bad input or
options, :attr:`clustermap.errors.ClustermapError.exit_code`); the command group
(:class:`clustermap.cli.failures.SafeGroup`) does the same for exceptions a command does not catch.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from clustermap.errors import ClustermapError

__all__ = ["console", "err", "fail"]

#: standard output (150 columns when not a terminal, so that piped tables do not wrap)
console = Console(width=None if sys.stdout.isatty() else 150)
#: standard error, same width rule
err = Console(stderr=True, width=None if sys.stderr.isatty() else 150)


def fail(exc: ClustermapError) -> NoReturn:
    """Print a clustermap error as one line on standard error and exit with its status."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code=getattr(exc, "exit_code", 1))
