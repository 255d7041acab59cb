"""``clustermap methodology list|show NAME`` — the shipped methodologies and every parameter they declare.

Reads the one declaration of :mod:`clustermap.methodology` (type, unit, bounds, meaning); errors print as one
line with exit status 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from clustermap.cli._common import console as _console
from clustermap.cli._common import table
from clustermap.cli.failures import SafeGroup

app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, cls=SafeGroup)


@app.command("list")
def list_() -> None:
    """The shipped methodologies: name, version, kind and title."""
    from clustermap.methodology import available_methodologies, get_methodology

    rows = ((m.name, m.version, m.kind, m.title) for m in map(get_methodology, available_methodologies()))
    _console.print(table("Methodologies", ("name", "version", "kind", "title"), rows, justify="left"))


@app.command()
def show(
    name: Annotated[
        str, typer.Argument(help="A shipped methodology (eco2007, eco2008, panorama, uscmp) or a TOML file.")
    ],
) -> None:
    """One methodology: its rules, reference and every parameter (name, value, unit, bounds, meaning)."""
    from clustermap.methodology import get_methodology

    m = get_methodology(name)
    _console.print(f"[bold]{m.id}[/] ({m.kind}): {m.title}", highlight=False)
    if m.description:
        _console.print(m.description, highlight=False)
    if m.reference:
        _console.print(f"Reference: {m.reference}", highlight=False)
    t = Table(title=f"Parameters of {m.name} (set any with --param KEY=VALUE)")
    for col in ("parameter", "value", "type", "unit", "bounds", "meaning"):
        t.add_column(col, overflow="fold")
    for p in m.describe_parameters():
        t.add_row(p["name"], str(p["value"]), p["type"], p["unit"], p["bounds"], p["help"])
    _console.print(t)
