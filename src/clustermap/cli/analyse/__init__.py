"""``clustermap analyse`` — the analyses of chapter 2 of SEC(2008) 2637 from the command line.

Every subcommand reads the EU mapping results from the warehouse (its latest matching run) or maps the Eurostat
SBS panel now and stores it there, prints rich tables and, with ``--out FILE``, writes its main table (CSV,
XLSX, Parquet or JSON by extension). Missing inputs stop with a message naming them (exit status 2).

Each sub-command is a function in a module of this package (:mod:`.regions`, :mod:`.categories`,
:mod:`.relations`, :mod:`.change`); they share their options and inputs (:mod:`.options`) and their output
(:mod:`.output`).
"""

from __future__ import annotations

import typer

from clustermap.cli.analyse.categories import concentration, eu_us
from clustermap.cli.analyse.change import change
from clustermap.cli.analyse.regions import employment, portfolio
from clustermap.cli.analyse.relations import innovation, prosperity
from clustermap.cli.failures import SafeGroup

__all__ = ["app"]

app = typer.Typer(
    help="Analyses of mapping results (SEC(2008) 2637 chapter 2): portfolios, employment in clusters, "
    "concentration, EU vs US, innovation, prosperity, change over time.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=SafeGroup,
)

for name, command in (
    ("portfolio", portfolio),
    ("employment", employment),
    ("concentration", concentration),
    ("eu-us", eu_us),
    ("innovation", innovation),
    ("prosperity", prosperity),
    ("change", change),
):
    app.command(name)(command)
