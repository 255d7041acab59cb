"""``clustermap publish RUN_ID`` — choose the run the web site and the REST API open on.

Registered in the main app as ``app.command("publish")(publish)``. Each region family (``EU``: NUTS regions,
``US``: states, counties, CBSAs) has one published run; ``clustermap run`` publishes its run, while ``report``,
``analyse`` and ``map --store`` store runs without changing it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from clustermap.cli._common import console, table
from clustermap.cli.analyse.options import WarehouseOpt, warehouse_of


def publish(
    run_id: Annotated[
        str | None, typer.Argument(help="Run id (see --list); the run becomes the default of its region family.")
    ] = None,
    warehouse: WarehouseOpt = None,
    list_: Annotated[bool, typer.Option("--list", help="List the runs and which are published.")] = False,
) -> None:
    """Publish a stored mapping run: the web site and `/api/...` answers without a `run` parameter show it for its
    region family (EU or US). Without RUN_ID (or with --list) prints the runs and the published ones."""
    from clustermap.warehouse import Warehouse

    path = warehouse_of(warehouse)
    with Warehouse(path) as wh:
        if run_id is not None and not list_:
            family = wh.publish(run_id)
            console.print(f"published run {run_id} as the default {family} run of {path}")
            return
        runs = wh.runs()
        published = wh.published()
        families = [wh.run_family(str(run)) for run in runs["run_id"]]
    rows = (
        (
            str(r.run_id),
            f,
            str(r.created)[:19],
            *map(str, (r.dataset, r.methodology, r.categories)),
            "yes" if published.get(f) == r.run_id else "",
        )
        for r, f in zip(runs.itertuples(), families, strict=True)
    )
    cols = ("run", "family", "created", "dataset", "methodology", "categories", "published")
    console.print(table(f"Runs in {path}", cols, rows, justify="left"))
