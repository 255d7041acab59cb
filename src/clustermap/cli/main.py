"""``clustermap`` — statistical cluster mapping from the command line.

Every command is a thin wrapper over a library function. Errors in the input are printed as one line naming
the file, line, column and value, with a non-zero exit status (2 for bad input or options, 1 otherwise).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from clustermap.cli._common import MirrorOpt, WarehouseOpt, console, err, table
from clustermap.cli._common import fail as _fail
from clustermap.cli.analyse.options import mirror_of as _mirror
from clustermap.cli.failures import SafeGroup, check_warehouse_path, finite_option
from clustermap.cli.failures import parse_years as _years
from clustermap.errors import ClustermapError, ParameterError
from clustermap.settings import get_settings

METHOD_HELP = """\
Map regional clusters from employment by region x industry x year.

Method (European Cluster Observatory, eco2007): industries are summed into categories; for each year and
category every region gets up to three stars: SIZE if its employment is in the top 10 % of regions, SPECIALISATION
if its location quotient LQ = (E[r,c]/T[r]) / (E[.,c]/T) is at least 2, FOCUS if the category's share of the
region's employment is in the top 10 % of all region x category cells of the year (focus_scope=all; within one
category that share ranks like the LQ). Cells under 1,000 employees get no star. The panorama methodology adds
PRODUCTIVITY and DYNAMISM stars; `clustermap methodology show NAME` lists every parameter (--param KEY=VALUE).
A cell with LQ > 2 is
a strong cluster. The US Cluster Mapping rule (uscmp) flags strong clusters by percentiles of LQ, employment and
establishments. Suppressed cells are never read as zero: a named policy drops or fills them.
"""

app = typer.Typer(
    help=METHOD_HELP, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, cls=SafeGroup
)
from clustermap.cli import analyse as _analyse  # noqa: E402
from clustermap.cli import definitions as _definitions  # noqa: E402
from clustermap.cli import methodology as _methodology  # noqa: E402
from clustermap.cli import regions as _regions  # noqa: E402
from clustermap.cli import registry as _registry  # noqa: E402
from clustermap.cli.complexity import complexity as _complexity  # noqa: E402
from clustermap.cli.impute import impute as _impute  # noqa: E402
from clustermap.cli.publish import publish as _publish  # noqa: E402
from clustermap.cli.report import report as _report  # noqa: E402
from clustermap.cli.serve import serve as _serve  # noqa: E402

app.add_typer(_regions.app, name="regions", help="Regions: NUTS versions, US geographies, conversion, levels.")
app.add_typer(_analyse.app, name="analyse", help="The analyses of chapter 2: portfolios, shares, concentration …")
app.add_typer(_definitions.app, name="definitions", help=_definitions.HELP)
app.add_typer(_registry.app, name="registry", help="Registry of cluster organisations, programmes, case studies.")
app.add_typer(_methodology.app, name="methodology", help="Methodologies and every parameter they declare.")
app.command("report")(_report)
app.command("impute")(_impute)
app.command("publish")(_publish)
app.command("complexity")(_complexity)
app.command("serve")(_serve)


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what is read and dropped.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False, show_time=False)],
        force=True,
    )


def _warehouse(path: Path | None):
    from clustermap.warehouse import Warehouse

    return Warehouse(check_warehouse_path(path or get_settings().warehouse))


ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        help="Set any methodology parameter, KEY=VALUE (repeatable), e.g. --param focus_scope=category; "
        "see `clustermap methodology show NAME`.",
    ),
]


def _params(items: list[str] | None, methodology: str, **sugar: object) -> dict[str, object]:
    """The options that are sugar for a parameter, then every ``--param KEY=VALUE``, checked against the
    methodology's declaration here so that a bad key or value fails before any data is read."""
    from clustermap.methodology import get_methodology, parse_assignments

    params = {k: v for k, v in sugar.items() if v is not None}
    params.update(parse_assignments(items))
    get_methodology(methodology).with_params(**params)
    return params


@app.command()
def run(
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the exports.")] = Path("out"),
    methodology: Annotated[str, typer.Option(help="eco2007, eco2008, uscmp or a TOML file.")] = "eco2007",
    categories: Annotated[str, typer.Option(help="Category set: eco-nace2 or a CSV file.")] = "eco-nace2",
    years: Annotated[str | None, typer.Option(help="Years, e.g. 2008-2015 or 2012,2014.")] = None,
    category: Annotated[str, typer.Option(help="Category for the stars-vs-employment table.")] = "automotive",
    backend: Annotated[str, typer.Option(help="duckdb or pyspark.")] = "duckdb",
    param: ParamOpt = None,
) -> None:
    """The main job: load Eurostat regional SBS employment (NUTS-2), map clusters, store them in the warehouse,
    print a summary per year and write exports."""
    from clustermap.jobs import run_main_job

    params = _params(param, methodology)
    year_list = _years(years)
    _check_category(categories, category, _mirror(data_dir))
    with (
        _warehouse(warehouse) as wh,
        wh.atomic("the run"),
        Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True
        ) as bar,
    ):
        task = bar.add_task("starting", total=None)
        out_job = run_main_job(
            wh,
            mirror=_mirror(data_dir),
            methodology=methodology,
            categories=categories,
            years=year_list,
            category=category,
            out_dir=out,
            backend=backend,
            progress=lambda msg: bar.update(task, description=msg),
            params=params,
        )
        wh.publish(out_job.run_id)  # the site and the API open on the main job's run
    _print_main(out_job, category)


#: the star distribution the reference publishes (SEC(2008) 2637, section 1.4): clusters with 1 / 2 / 3 stars
REFERENCE_STARS = {1: 1338, 2: 524, 3: 155, "clusters": 2017, "potential": 9804}


def _print_main(job, category: str) -> None:
    r = job.result
    prov = job.load_provenance[0]
    console.print(
        f"[bold]Read[/] {prov['file']} (sha256 {prov['sha256'][:12]}…): {prov['rows_read']:,} cells, "
        f"kept {prov['rows_kept']:,}; dropped " + ", ".join(f"{v:,} {k}" for k, v in prov["rows_dropped"].items())
    )
    m = r.methodology
    console.print(f"[bold]Methodology[/] {m.id}: " + ", ".join(f"{k}={v}" for k, v in m.parameters.items()))
    console.print(f"[bold]Categories[/] {r.categories.name} {r.categories.version}; run {job.run_id}")
    levels = tuple(range(1, 6 if r.kind == "panorama" else 4))  # star counts: 1-3, panorama 1-5
    if r.kind != "strong":
        slash = "/".join(map(str, levels))
        cols = ("year", "regions", "categories", "potential", *(f"{k}★" for k in levels), "clusters")
        cols += (f"share {slash}★", "of potential", "on imputed")
    else:
        cols = ("year", "regions", "categories", "potential", "strong", "strong (p90)", "on imputed")
    t = table(f"Regional clusters per year ({m.name})", cols)
    for row in r.summary.to_dict("records"):
        head = [str(row["year"]), str(row["regions"]), str(row["categories"]), f"{row['potential_areas']:,}"]
        if r.kind != "strong":
            t.add_row(
                *head,
                *(f"{row[f'clusters_{k}_star']:,}" for k in levels),
                f"{row['clusters']:,}",
                "/".join(f"{row[f'share_{k}_star']:.0%}" for k in levels),
                f"{row['clusters_share_of_potential']:.1%}",
                str(row["clusters_on_imputed_cells"]),
            )
        else:
            t.add_row(
                *head,
                str(row["strong_clusters"]),
                str(row["strong_strict_clusters"]),
                str(row["strong_on_imputed_cells"]),
            )
    if r.kind == "stars":
        ref = REFERENCE_STARS
        t.add_row(
            "reference",
            "",
            "",
            f"{ref['potential']:,}",
            *(f"{ref[k]:,}" for k in levels),
            f"{ref['clusters']:,}",
            "/".join(f"{ref[k] / ref['clusters']:.0%}" for k in levels),
            f"{ref['clusters'] / ref['potential']:.1%}",
            "",
        )
        t.caption = (
            f"reference: SEC(2008) 2637 — {ref[1]:,} / {ref[2]:,} / {ref[3]:,} one / two / three-star clusters of "
            f"{ref['clusters']:,} in {ref['potential']:,} potential areas; "
            f"focus_scope={m.parameters.get('focus_scope')}"
        )
    console.print(t)
    policy = m.parameters.get("suppression", "drop")
    rows = []
    for row in r.summary.to_dict("records"):
        on_imputed = row.get("clusters_on_imputed_cells", row.get("strong_on_imputed_cells", 0))
        figures = (row.get("cells_suppressed", 0), row.get("cells_imputed", 0), row.get("cells_dropped", 0), on_imputed)
        rows.append((str(row["year"]), *(f"{int(v):,}" for v in figures)))
    cols = ("year", "not published", "imputed", "left out (unbounded, or code not in use)")
    title = f"Confidential and missing NUTS-2 x NACE cells under the run's policy ({policy}); never zero"
    console.print(table(title, (*cols, "clusters resting on imputed cells"), rows))
    year = job.figure3_year
    console.print(f"[bold]Default year[/] {year} (latest year with >= 90 % of the regions of the best year)")
    console.print(
        table(
            "Suppressed cells touched by each policy (NUTS-2 x NACE cells with no published value)",
            ("year", "policy", "suppressed", "imputed", "dropped"),
            (
                (str(row["year"]), row["policy"], *(f"{row[k]:,}" for k in ("suppressed", "imputed", "dropped")))
                for row in job.suppression.to_dict("records")
            ),
        )
    )
    mix = job.mixture
    console.print(
        table(
            "NUTS codes as published (mixed NUTS 2010/2013): regions per year",
            (col.replace("_", " ") for col in mix.columns),
            (map(str, row) for row in mix.itertuples(index=False)),
        )
    )
    if not job.figure3.empty:
        console.print(
            table(
                f"{category}, {year}: top regions by stars vs by employment (cf. Figure 3 of SEC(2008) 2637)",
                ("by stars", "stars", "employment", "by employment", "stars ", "employment "),
                (
                    (a, str(sa), f"{ea:,.0f}", b, str(sb), f"{eb:,.0f}")
                    for a, sa, ea, b, sb, eb in job.figure3.itertuples(index=False)
                ),
            )
        )
    for path in job.exports:
        console.print(f"wrote {path}")


@app.command("map")
def map_(
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="Tidy CSV/Parquet: region, industry, year, employment [, establishments, wages, flag, size_class].",
        ),
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="A dataset loaded in the warehouse, instead of --input.")] = None,
    categories: Annotated[
        str,
        typer.Option(
            help="none (each industry its own category), eco-nace2, uscmp, "
            "or a CSV file (industry, category, category_name, traded, share)."
        ),
    ] = "none",
    methodology: Annotated[str, typer.Option(help="eco2007, eco2008, uscmp or a TOML file.")] = "eco2007",
    total_base: Annotated[str | None, typer.Option(help="LQ denominator: input, traded or external.")] = None,
    totals: Annotated[Path | None, typer.Option(help="region, year, total CSV for --total-base external.")] = None,
    suppression: Annotated[str | None, typer.Option(help="drop, parent-residual, size-class or two-way.")] = None,
    min_employment: Annotated[float | None, typer.Option(help="No star below this employment.")] = None,
    year: Annotated[str | None, typer.Option("--year", help="Year(s): 2012, 2008-2015, 2010,2012.")] = None,
    backend: Annotated[str, typer.Option(help="duckdb or pyspark.")] = "duckdb",
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet, .json or .xlsx.")] = Path(
        "clusters.csv"
    ),
    store: Annotated[bool, typer.Option(help="Also store the run in the warehouse.")] = False,
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
    param: ParamOpt = None,
    sort: Annotated[
        bool,
        typer.Option(
            "--sort/--no-sort",
            help="Order the cells by year, region, category. Default: no sort; the rows come in the engine's "
            "order, which may change from run to run (a sort of every cell costs time on large inputs).",
        ),
    ] = False,
) -> None:
    """Map clusters in one table and write the cells (region, category, year, employment, region_total, lq,
    size_star, specialisation_star, focus_star, stars … or, for uscmp, establishments and strong)."""
    from clustermap.api import resolve_categories
    from clustermap.engines.backends import connect, engine, to_backend
    from clustermap.exports import format_of
    from clustermap.mapping import input_counts, map_observations

    try:
        format_of(out)
        min_employment = finite_option(min_employment, "--min-employment")
        year_list = _years(year, "--year")
        params = _params(
            param, methodology, total_base=total_base, suppression=suppression, min_employment=min_employment
        )
        if (input is None) == (dataset is None):
            raise _usage("give exactly one of --input FILE or --dataset NAME")
        wh = None
        if input is not None:
            from clustermap.loaders.tidy import scan_tidy
            from clustermap.sources.guard import check_file

            # the file is read, validated and mapped in the engine; no row of it passes through pandas
            scanned = scan_tidy(check_file(input), con=engine(backend))
            inputs = [scanned.provenance.as_dict()]
            obs = scanned.table
            # one pass (on PySpark: DuckDB over the file it validated, not a Spark job over every row): the
            # industry codes, and what the summary reports of the input
            counts = input_counts(scanned.scannable)
            industries = sorted(counts["industry"].unique())
        else:
            wh = _warehouse(warehouse)
            obs = wh.observations(dataset)
            inputs = wh.input_provenance(dataset)
            counts = input_counts(obs)  # in the warehouse, before the rows go to another backend
            if backend != "duckdb":
                obs = to_backend(connect(backend), obs.to_pyarrow())
            industries = sorted(counts["industry"].unique())
        totals_frame = None
        if totals is not None:
            from clustermap.loaders.totals import read_totals
            from clustermap.sources.guard import check_file

            totals_frame = read_totals(check_file(totals))
        elif params.get("total_base") == "external":
            raise _usage("--total-base external needs --totals FILE (region, year, total)")
        cats = resolve_categories(categories, industries, mirror=_mirror(data_dir))
        result = map_observations(
            obs,
            categories=cats,
            methodology=methodology,
            totals=totals_frame,
            years=year_list,
            inputs=inputs,
            lazy=True,
            per_industry=counts,
            ranks=store,  # a stored run carries size_rank / focus_rank, as the main job's runs do (the site shows them)
            sort=sort,
            **params,
        )
        try:
            result.write(out)  # by the engine (COPY … TO / df.write); the summary is read from the file written
            n_cells = result.rows_written()
            if n_cells == 0:
                from clustermap.errors import EmptyInputError

                out.unlink(missing_ok=True)
                raise EmptyInputError(
                    "nothing to map: no region has a total employment above 0 in the years asked for",
                    file=str(input) if input is not None else f"dataset {dataset}",
                )
            summary = result.summary
            if store:
                wh = wh or _warehouse(warehouse)
                run_id = wh.save_run(result, dataset=dataset or str(input))
                err.print(f"stored run {run_id}")
        finally:
            result.release()
    except ClustermapError as exc:
        _fail(exc)
        return
    s = summary
    err.print(
        f"{n_cells:,} cells, {s['regions'].max() if len(s) else 0} regions, "
        f"{s['categories'].max() if len(s) else 0} categories, years {', '.join(map(str, s['year']))}; wrote {out}"
    )


#: a bad combination of options (``map`` raises it)
_usage = ParameterError


def _check_category(categories: str, category: str, mirror: Path | None) -> None:
    """``--category`` must name a category of the set (checked before anything is loaded)."""
    from clustermap.definitions.categories import load_category_set

    cats = load_category_set(categories, mirror=mirror)
    names = set(cats.categories["category"].astype(str))
    if category not in names:
        from clustermap.errors import UnknownNameError

        near = sorted(n for n in names if n[:3] == category[:3])[:5] or sorted(names)[:8]
        raise UnknownNameError(f"--category: no category {category!r} in {cats.name}; e.g. {', '.join(near)}")


@app.command()
def fetch(
    datasets: Annotated[
        list[str] | None, typer.Argument(help="Dataset ids (see `clustermap info`); default all.")
    ] = None,
    data_dir: MirrorOpt = None,
    download: Annotated[bool, typer.Option(help="Download from the publisher when not in the mirror.")] = True,
) -> None:
    """Find each source file in the mirror, or download it from its publisher; print path and sha256."""
    from clustermap.provenance import sha256_file
    from clustermap.sources import catalog
    from clustermap.sources.fetch import resolve

    for ds in datasets or catalog.ids():
        path = resolve(ds, mirror=_mirror(data_dir), download=download)
        console.print(f"{ds}\t{path}\t{sha256_file(path)}")


LOAD_KINDS = ("sbs", "lfs-totals", "cbp-state", "cbp-cbsa", "tidy", "totals")


@app.command()
def load(
    kind: Annotated[str, typer.Argument(help=f"What to load: {', '.join(LOAD_KINDS)}.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Read this file instead of the mirror / publisher.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Name to store it under (default: from the source).")] = None,
    warehouse: WarehouseOpt = None,
    data_dir: MirrorOpt = None,
) -> None:
    """Load a source into the warehouse, in one transaction (a failure leaves the warehouse unchanged)."""
    with _warehouse(warehouse) as wh:
        name, res, is_totals = _load(kind, file, _mirror(data_dir))
        name = dataset or name
        load_id = (wh.load_totals if is_totals else wh.load_observations)(name, res)
    p = res.provenance
    dropped = ", ".join(f"{v:,} {k}" for k, v in p.rows_dropped.items()) or "none"
    console.print(
        f"loaded {name} (load {load_id}) from {p.file}: read {p.rows_read:,}, kept {p.rows_kept:,}, dropped {dropped}"
    )


def _load(kind: str, file: Path | None, mirror: Path | None):
    from clustermap.loaders import cbp, eurostat, tidy, totals
    from clustermap.provenance import LoadResult

    if kind == "sbs":
        return "sbs_r_nuts06_r2", eurostat.load_sbs(file, mirror=mirror, nuts_level=2), False
    if kind == "lfs-totals":
        lfs = eurostat.load_lfs_totals(file, mirror=mirror)
        return "lfst_r_lfe2en2_total", LoadResult(lfs, lfs.attrs["provenance"]), True
    if kind == "cbp-state":
        return "cbp_state", cbp.load_cbp_state(file, mirror=mirror), False
    if kind == "cbp-cbsa":
        return "cbp_cbsa", cbp.load_cbp_cbsa(file, mirror=mirror), False
    if file is not None:
        from clustermap.sources.guard import check_file

        check_file(file)
    if kind in ("tidy", "totals"):
        if file is None:
            raise _usage(f"load {kind} needs --file")
        if kind == "totals":
            return file.stem, totals.load_totals_file(file), True
        return file.stem, tidy.load_tidy(file), False
    raise _usage(f"unknown kind {kind!r}; use one of {', '.join(LOAD_KINDS)}")


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet, .json or .xlsx.")],
    run_id: Annotated[str, typer.Option("--run", help="Run id, or latest.")] = "latest",
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, parquet, json or xlsx (default: extension).")
    ] = None,
    summary: Annotated[bool, typer.Option(help="Export the per-year summary instead of the cells.")] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Export a stored mapping run."""
    import pandas as pd

    from clustermap.exports import write_table

    with _warehouse(warehouse) as wh:
        record, cells = wh.run(run_id)
    table = pd.DataFrame(json.loads(record["summary"])) if summary else cells
    write_table(table, out, fmt)
    err.print(f"run {record['run_id']} ({record['methodology']}): wrote {len(table):,} rows to {out}")


@app.command()
def info(
    warehouse: WarehouseOpt = None,
) -> None:
    """Methodologies, category sets, known sources, and what the warehouse holds."""
    from clustermap.definitions.categories import available_category_sets
    from clustermap.methodology import available_methodologies, get_methodology
    from clustermap.sources import catalog

    methods = [get_methodology(name) for name in available_methodologies()]
    params = [", ".join(f"{k}={v}" for k, v in m.parameters.items()) for m in methods]
    rows = ((m.name, m.version, m.kind, p) for m, p in zip(methods, params, strict=True))
    console.print(table("Methodologies", ("name", "version", "kind", "parameters"), rows, justify="left"))
    console.print("Category sets: " + ", ".join(available_category_sets()) + ", none, or a CSV file")
    rows = ((d.id, d.title, d.publisher) for d in catalog.datasets())
    console.print(table("Sources", ("id", "title", "publisher"), rows, justify="left"))
    path = check_warehouse_path(warehouse or get_settings().warehouse)
    if not Path(path).exists():
        console.print(f"no warehouse at {path} yet (run `clustermap run`)")
        return
    with _warehouse(path) as wh:
        loads = wh.loads()
        runs = wh.runs()
    cols = ("dataset", "kind", "file", "sha256", "rows kept", "loaded")
    rows = (
        (r["dataset"], r["kind"], str(r["file"]), str(r["sha256"])[:12], f"{r['rows_kept']:,}", str(r["loaded_at"]))
        for r in loads.to_dict("records")
    )
    console.print(table(f"Warehouse {path}", cols, rows, justify="left"))
    rows = (
        (
            r["run_id"],
            str(r["dataset"]),
            f"{r['methodology']}@{r['methodology_version']}",
            r["categories"],
            str(r["created"]),
        )
        for r in runs.to_dict("records")
    )
    console.print(table("Runs", ("run", "dataset", "methodology", "categories", "created"), rows, justify="left"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
