"""``clustermap impute`` — fill suppressed cells with a policy, or measure each policy's accuracy.

A plain function with typer options, registered by :mod:`clustermap.cli.main` as ``app.command("impute")``.
Errors print as one line (``error: …``) with exit status 2 for bad input or options, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clustermap.cli._common import err as _err
from clustermap.errors import ParameterError


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv", ".tsv", ".txt", ".parquet", ".pq"):
        name = name.removesuffix(suffix)
    return name


def impute(
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help="Tidy CSV/Parquet with every level of both hierarchies: region, industry, year, employment "
            "(blank = suppressed), flag [, size_class, establishments, wages].",
        ),
    ],
    policy: Annotated[str, typer.Option("--policy", help="drop, parent-residual, size-class or two-way.")] = "two-way",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Output .csv/.parquet/.json/.xlsx: the input rows with employment filled, imputed (policy or "
            "empty), low, high, relaxed. With --validate: the per-year scores.",
        ),
    ] = None,
    validate: Annotated[
        bool,
        typer.Option("--validate", help="Mask published cells, impute them with every policy and print the errors."),
    ] = False,
    mask_share: Annotated[float, typer.Option("--mask-share", help="Share of published cells to mask (0-1).")] = 0.1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the masking draw.")] = 0,
    categories: Annotated[
        str,
        typer.Option(help="Categories of the star maps in --validate: auto (eco-nace2 for NACE codes), none, a name."),
    ] = "auto",
    strict: Annotated[
        bool, typer.Option(help="two-way: stop on inconsistent published totals instead of relaxing them.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write the published totals two-way had to relax (CSV) here.")
    ] = None,
) -> None:
    """Impute suppressed cells, or measure how well each policy does (--validate).

    two-way fills every suppressed cell with all published constraints at once: the industry hierarchy inside
    each region (section = sum of divisions = sum of groups), the region hierarchy inside each industry (NUTS 0 =
    sum of NUTS 1 = sum of NUTS 2, nation = sum of states), non-negativity and CBP size classes as bounds. Among
    the values that meet them it takes the closest (chi-square) to a prior, regional size x national industry
    structure. Published totals that contradict each other are relaxed by the least relative amount and
    reported; each filled cell carries its policy and the bounds the published totals put on it.

    --validate masks a seeded, size-stratified share of the published map-level cells, imputes them with drop,
    parent-residual, size-class (when the input has size classes) and two-way, and prints per year and policy the
    median absolute percentage error (MdAPE), the employment-weighted error, the Spearman rank correlation and
    how many stars change against the unmasked map (eco2007).
    """
    from clustermap.analyses.imputation_check import format_validation
    from clustermap.analyses.imputation_check import validate as run_validate
    from clustermap.exports import format_of, write_table
    from clustermap.imputation import POLICIES
    from clustermap.imputation import impute as run_impute
    from clustermap.loaders.tidy import load_tidy

    if out is not None:
        format_of(out)
    if not validate and out is None:
        raise ParameterError("give --out FILE for the imputed table (or --validate)")
    if policy not in POLICIES:
        raise ParameterError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")
    frame = load_tidy(input).frame
    if validate:
        result = run_validate(frame, mask_share=mask_share, seed=seed, categories=categories, dataset=_stem(input))
        typer.echo(format_validation(result))
        if out is not None:
            write_table(result.table, out)
            _err.print(f"wrote {out}")
        return
    res = run_impute(frame, policy, strict=strict)
    write_table(res.frame, out)  # type: ignore[arg-type]
    if report is not None:
        write_table(res.relaxations, report, "csv")
    s = res.stats
    tw = s["two_way"]
    _err.print(
        f"{s['cells']:,} cells, {s['suppressed']:,} without a published value, of which {tw['not_existing']:,} in "
        f"region-years with no published data at all (another NUTS version, a year not published: not imputed); "
        f"{policy} filled {s['filled']:,}, {s['left_empty']:,} left empty; wrote {out}",
        highlight=False,
    )
    _err.print(
        f"published totals: {tw['constraints']:,} bind unknown cells; {tw['relaxed_constraints']:,} contradict their "
        f"parts beyond tolerance and were relaxed{' (see ' + str(report) + ')' if report else ''}, "
        f"{tw['tolerated_constraints']:,} within rounding; {tw['dropped_families']:,} families not additive "
        f"(not imposed); {tw['unbounded']:,} unknown cells bounded by no published total",
        highlight=False,
    )
