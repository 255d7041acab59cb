"""``clustermap report`` — self-contained HTML reports with a PDF and every table as CSV and XLSX.

Registered in the main app as ``app.command("report")(report)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clustermap.cli.analyse.options import MirrorOpt, YearOpt


def report(
    out: Annotated[Path, typer.Option("--out", help="Directory the report files are written to.")],
    overview: Annotated[
        bool, typer.Option("--overview", help="The overview report: every analysis next to SEC(2008) 2637.")
    ] = False,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="A region report: NUTS code of the results (e.g. DE11) or US state FIPS (e.g. 06)."
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="A category report: eco-nace2 slug (e.g. automotive).")
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            "--warehouse",
            help="DuckDB warehouse file [env "
            "CLUSTERMAP_WAREHOUSE]; its latest matching "
            "runs are used, or made and stored.",
        ),
    ] = None,
    data_dir: MirrorOpt = None,
    year: YearOpt = None,
    us_year: Annotated[int, typer.Option("--us-year", help="US CBP state year (0 = no US states).")] = 2011,
    us_cbsa_year: Annotated[int, typer.Option("--us-cbsa-year", help="US CBP CBSA year (0 = no CBSAs).")] = 2019,
    nuts_version: Annotated[
        int,
        typer.Option("--nuts-version", help="NUTS version the SBS panel is harmonised to (0 = codes as published)."),
    ] = 2016,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF.")] = True,
) -> None:
    """Write a report: DIR/overview.html, DIR/overview.pdf and every table under DIR/tables/ (CSV and XLSX);
    --region CODE and --category SLUG write DIR/<code or slug>.html|.pdf the same way.

    The EU results are Eurostat regional SBS harmonised to one NUTS version and mapped with the European Cluster
    Observatory's star method (eco2007) on the eco-nace2 categories; the US results are CBP states and CBSAs on
    the same categories. The warehouse's latest matching runs are used; on a fresh warehouse the data are loaded,
    mapped and stored first. The PDF is the HTML printed by headless Chromium, or drawn with matplotlib when no
    browser is installed (the command says which).
    """
    from clustermap.cli._common import err
    from clustermap.cli.analyse.options import mirror_of, warehouse_of

    if not (overview or region or category):
        err.print("[bold red]error:[/] give --overview, --region CODE or --category SLUG", markup=True)
        raise typer.Exit(code=2)
    from clustermap.reports import load_study, make_category_report, make_overview, make_region_report

    with err.status("reading mapping results (mapping what the warehouse lacks)"):
        study = load_study(
            warehouse_of(warehouse),
            mirror=mirror_of(data_dir),
            year=year,
            us_year=us_year or None,
            us_cbsa_year=us_cbsa_year or None,
            nuts_version=nuts_version or None,
        )
    jobs = []
    if overview:
        jobs.append(("overview", lambda: make_overview(out, study=study, pdf=pdf)))
    if region:
        jobs.append((f"region {region}", lambda: make_region_report(region, out, study=study, pdf=pdf)))
    if category:
        jobs.append((f"category {category}", lambda: make_category_report(category, out, study=study, pdf=pdf)))
    for what, job in jobs:
        with err.status(f"writing the {what} report"):
            files = job()
        _print_files(files)
    for note in study.missing:
        err.print(f"[yellow]note:[/] {note}", markup=True, highlight=False)


def _print_files(files) -> None:
    from clustermap.cli._common import console

    console.print(f"[bold]{files.report.title}[/]", highlight=False)
    console.print(f"  {files.html}")
    if files.pdf is not None:
        how = (
            "printed by headless Chromium"
            if files.pdf_method == "chromium"
            else ("drawn with matplotlib: no Chromium found to print the HTML")
        )
        console.print(f"  {files.pdf} ({how})")
    tables = [p for p in files.tables if p.suffix == ".csv"]
    if tables:
        console.print(f"  {len(tables)} tables as CSV and XLSX in {Path(tables[0]).parent}/")
