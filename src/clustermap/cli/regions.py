"""``clustermap regions`` — the region registry, NUTS harmonisation and region aggregation from the command line.

Mounted by :mod:`clustermap.cli.main` as ``clustermap regions``; usable alone as ``typer`` app ``app``.
Errors print as one line (``error: …``) with exit status 2 for bad input or options, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from clustermap.cli._common import MirrorOpt, table
from clustermap.cli.failures import SafeGroup
from clustermap.errors import ParameterError

HELP = """\
Regions as data: NUTS 2006, 2010, 2013, 2016, 2021 and 2024 (codes, names, levels, parents, the versions each code
is valid in) and US states, counties, CBSAs and BEA economic areas.

convert harmonises a tidy panel (region, industry, year, employment[, flag]) to one NUTS version: recoded regions
map one to one; split and merged regions are allocated with the JRC NUTS-converter weights (population by
default, or area); a change report (source, target, weight, share, employment moved) is written beside the
output. aggregate sums NUTS regions up a level (by code prefix, within one version), US counties to states,
economic areas or CBSAs, or regions into groups read from a region,group CSV. A sum with a suppressed input is
suppressed.
"""

app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, cls=SafeGroup)
console = Console()


def _registry(data_dir: Path | None):
    from clustermap.regions import get_registry

    return get_registry(mirror=data_dir)


def _version(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    from clustermap.regions.registry import RegionRegistry

    return RegionRegistry._check_version(text)


@app.command("list")
def list_(
    level: Annotated[
        str | None,
        typer.Option("--level", help="NUTS level 0-3, or a US kind: state, county, cbsa, economic-area."),
    ] = None,
    version: Annotated[str | None, typer.Option("--version", help="NUTS version: 2006 … 2024.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Country code, e.g. DE (US for US regions).")] = None,
    search: Annotated[str | None, typer.Option("--search", help="Text in the code or name (accents ignored).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many rows (0 = all).")] = 0,
    data_dir: MirrorOpt = None,
) -> None:
    """List regions: code, name, level, parent, country and the versions each code is valid in."""
    reg = _registry(data_dir)
    v = _version(version)
    frame = reg.list(level=level, version=v, country=country)
    if search:
        hits = reg.search(search, version=v, limit=None)
        order = {r.code: i for i, r in enumerate(hits)}
        frame = frame[frame["code"].isin(order)].copy()
        frame["_rank"] = frame["code"].map(order)
        frame = frame.sort_values("_rank", kind="stable").drop(columns="_rank")
    total = len(frame)
    if limit:
        frame = frame.head(limit)
    title = "Regions" + (f", NUTS {v}" if v else "") + (f", {country.upper()}" if country else "")
    nuts = "NUTS " + frame["level"].astype(str)
    level = nuts.where(frame["kind"] == "nuts", frame["kind"].str.replace("_", " "))
    shown = frame.assign(level=level, parent=frame["parent"].fillna(""))
    shown = shown[["code", "name", "level", "parent", "country", "versions"]]
    console.print(table(title, shown.columns, shown.itertuples(index=False), justify="left"))
    console.print(f"{total:,} region(s)" + (f", {len(frame):,} shown" if len(frame) < total else ""))


@app.command()
def show(
    code: Annotated[str, typer.Argument(help="NUTS code (DE11), state FIPS (06), county FIPS, CBSA or BEA area.")],
    version: Annotated[str | None, typer.Option("--version", help="NUTS version: 2006 … 2024.")] = None,
    data_dir: MirrorOpt = None,
) -> None:
    """Print a region's code, name, level and parent (and country, versions, children)."""
    reg = _registry(data_dir)
    region = reg.get(code, _version(version))
    parent = reg.parent(region.code, region.version if region.kind == "nuts" else None)
    children = reg.children(region.code, region.version if region.kind == "nuts" else None)
    t = Table(show_header=False, box=None, pad_edge=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    t.add_row("code", region.code)
    t.add_row("name", region.name)
    if region.name_national and region.name_national != region.name:
        t.add_row("national name" if region.kind == "nuts" else "also", region.name_national)
    t.add_row("level", region.level_name)
    t.add_row("parent", f"{parent.code} {parent.name}" if parent else "-")
    country = region.country + (f" ({region.country_name})" if region.country_name else "")
    t.add_row("country", country)
    label = "NUTS version" if region.kind == "nuts" else "vintage"
    t.add_row(label, str(region.version))
    t.add_row("valid in", ", ".join(map(str, region.versions)))
    if children:
        names = ", ".join(c.code for c in children[:12]) + (" …" if len(children) > 12 else "")
        t.add_row("children", f"{len(children)}: {names}")
    console.print(t)


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".parquet", ".pq", ".tsv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _write_like(frame, out: Path, input_format: str) -> Path:
    from clustermap.exports import write_table

    suffix = out.suffix.lower().lstrip(".")
    fmt = suffix if suffix in ("csv", "parquet") else ("parquet" if input_format == "parquet" else "csv")
    return write_table(frame, out, fmt)


def _load(input: Path):
    from clustermap.loaders.tidy import load_tidy

    loaded = load_tidy(input)
    return loaded.frame, str(loaded.provenance.notes.get("format", "csv"))


@app.command()
def convert(
    input: Annotated[Path, typer.Option("--input", help="Tidy CSV/Parquet: region, industry, year, employment, flag.")],
    to: Annotated[str, typer.Option("--to", help="Target NUTS version: 2006, 2010, 2013, 2016, 2021, 2024.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet; default: the input's format).")],
    from_: Annotated[
        str, typer.Option("--from", help="NUTS version of the input, or auto (detected per country and year).")
    ] = "auto",
    weight: Annotated[
        str, typer.Option("--weight", help="Split weight: population (default), area, built_up, pop11, pop21.")
    ] = "population",
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            help="Suppressed cells: keep (stay null; a merge with one is null), drop or parent-residual (run first).",
        ),
    ] = "keep",
    min_share: Annotated[
        float, typer.Option("--min-share", help="Drop intersections below this share of their source (slivers).")
    ] = 0.01,
    data_dir: MirrorOpt = None,
) -> None:
    """Convert a tidy panel to one NUTS version and write the change report beside it as <out>.changes.csv."""
    from clustermap.exports import write_table
    from clustermap.regions import harmonise

    frame, fmt = _load(input)
    result = harmonise(
        frame,
        to_version=_version(to),
        from_version=from_,
        weight=weight,
        policy=None if policy == "keep" else policy,
        min_share=min_share,
        mirror=data_dir,
    )
    written = _write_like(result.frame, out, fmt)
    changes = write_table(result.changes, out.parent / f"{_stem(out)}.changes.csv", "csv")
    title = (
        f"Converted to NUTS {result.notes['to_version']} ({result.notes['weight']} weights); "
        "employment summed over every cell (all industry codes), million persons"
    )
    rows = (
        (
            *(str(v) for v in (r.year, r.regions_in, r.regions_out, r.regions_out_rows)),
            *(f"{v / 1e6:,.2f}" for v in (r.employment_in, r.employment_out)),
            *(f"{v / 1e6:,.3f}" for v in (r.employment_hidden, r.employment_dropped)),
            str(r.cells_nulled),
        )
        for r in result.summary.itertuples(index=False)
    )
    cols = ("year", "regions in", "out", "rows", "empl. in", "out", "hidden", "dropped", "nulled")
    console.print(table(title, cols, rows))
    counts = result.changes["change"].value_counts()
    console.print("changes: " + (", ".join(f"{n} {k}" for k, n in counts.items()) or "none"))
    console.print(f"wrote {written}")
    console.print(f"wrote {changes}")


@app.command()
def aggregate(
    input: Annotated[Path, typer.Option("--input", help="Tidy CSV/Parquet: region, industry, year, employment.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.csv or .parquet; default: the input's format).")],
    to_level: Annotated[int | None, typer.Option("--to-level", help="NUTS level to sum up to (0, 1 or 2).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="For US county input: state, economic-area or cbsa.")] = None,
    groups: Annotated[Path | None, typer.Option("--groups", help="CSV region,group: a custom region set.")] = None,
    allow_overlap: Annotated[
        bool, typer.Option("--allow-overlap", help="Let a region count in several groups of --groups.")
    ] = False,
    version: Annotated[str | None, typer.Option("--version", help="NUTS version of the input codes.")] = None,
    delineation: Annotated[
        Path | None, typer.Option("--delineation", help="Census county->CBSA delineation file, for --to cbsa.")
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="Suppressed cells: keep (a sum with one is null), drop, parent-residual.")
    ] = "keep",
    missing: Annotated[
        str, typer.Option("--missing", help="A member without a row: ignore (sum the others) or null.")
    ] = "ignore",
    data_dir: MirrorOpt = None,
) -> None:
    """Sum regions into NUTS levels, US states / economic areas / CBSAs, or custom groups; writes the per-group
    report beside the output as <out>.report.csv."""
    from clustermap.exports import write_table
    from clustermap.regions import aggregate_groups, aggregate_nuts, aggregate_us, get_registry

    chosen = [x is not None for x in (to_level, to, groups)]
    if sum(chosen) != 1:
        raise ParameterError("give exactly one of --to-level, --to or --groups")
    frame, fmt = _load(input)
    pol = None if policy == "keep" else policy
    if to_level is not None:
        result = aggregate_nuts(
            frame, to_level, version=_version(version), policy=pol, missing=missing, mirror=data_dir
        )
    elif to is not None:
        result = aggregate_us(frame, to, delineation=delineation, policy=pol, missing=missing, mirror=data_dir)
    else:
        result = aggregate_groups(
            frame,
            groups,
            allow_overlap=allow_overlap,
            policy=pol,
            missing=missing,
            registry=get_registry(mirror=data_dir),
        )
    written = _write_like(result.frame, out, fmt)
    report = write_table(result.report, out.parent / f"{_stem(out)}.report.csv", "csv")
    rep = result.report
    counts = ("cells", "cells_null", "cells_null_input", "cells_incomplete")
    rows = (
        (str(year), str(g["group"].nunique()), *(f"{int(g[c].sum()):,}" for c in counts), f"{g.employment.sum():,.0f}")
        for year, g in rep.groupby("year")
    )
    cols = ("year", "groups", "cells", "null cells", "null: suppressed input", "incomplete", "employment")
    console.print(table("Aggregated regions per year", cols, rows))
    unassigned = result.notes.get("unassigned") or []
    if unassigned:
        shown = ", ".join(unassigned[:10]) + (" …" if len(unassigned) > 10 else "")
        console.print(f"{len(unassigned)} input region(s) in no group (dropped): {shown}")
    console.print(f"wrote {written}")
    console.print(f"wrote {report}")
