"""``clustermap definitions`` — category sets derived from the data.

Mounted by :mod:`clustermap.cli.main` as ``clustermap definitions``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clustermap.cli._common import err as _err
from clustermap.cli.failures import SafeGroup
from clustermap.errors import ParameterError

HELP = "Cluster definitions derived from co-location: similarity, clustering, validation scores, agreement."
app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False, cls=SafeGroup)
SOURCES = ("cbp-state", "cbp-cbsa", "sbs")
DEFAULT_REFERENCE = {"cbp-state": "uscmp", "cbp-cbsa": "uscmp", "sbs": "eco-nace2"}


def _load(source: str | None, input: Path | None, mirror: Path | None):
    """The observations (all years) and a description of them."""
    if input is not None:
        from clustermap.loaders.tidy import load_tidy

        return load_tidy(input).frame, str(input)
    if source == "cbp-state":
        from clustermap.loaders.cbp import load_cbp_state

        return load_cbp_state(mirror=mirror, naics_digits=6).frame, "US CBP, states × 6-digit NAICS"
    if source == "cbp-cbsa":
        from clustermap.loaders.cbp import load_cbp_cbsa

        return load_cbp_cbsa(mirror=mirror, naics_level=6).frame, "US CBP, CBSAs × 6-digit NAICS 2017"
    if source == "sbs":
        from clustermap.loaders.eurostat import load_sbs

        frame = load_sbs(mirror=mirror, nuts_level=2).frame
        frame = frame[frame["industry"].str.fullmatch(r"[A-Z]\d\d|G\d\d\d")]
        frame = frame[~frame["industry"].isin(["G45", "G46", "G47"])]
        return frame, "Eurostat SBS sbs_r_nuts06_r2, NUTS-2 × NACE divisions (trade groups)"
    raise ParameterError(f"give --input FILE or --source ({', '.join(SOURCES)})")


@app.command()
def derive(
    out: Annotated[Path, typer.Option("--out", help="Category-set CSV to write (usable by map --categories).")],
    source: Annotated[
        str | None, typer.Option("--source", help="Mirror data through the loaders: cbp-state, cbp-cbsa or sbs.")
    ] = None,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="Tidy CSV/Parquet: region, industry, year, employment [, establishments]."),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year of the co-location (default: the latest).")] = None,
    method: Annotated[str, typer.Option("--method", help="hierarchical, kmedoids or spectral.")] = "hierarchical",
    k: Annotated[
        int | None, typer.Option("--k", help="Number of clusters (default: the reference set's traded categories).")
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Reference category set (name or CSV) to restrict to and compare with; default uscmp for CBP, "
            "eco-nace2 for SBS; 'none' for no comparison.",
        ),
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write the markdown report section here.")] = None,
    similarity_out: Annotated[
        Path | None, typer.Option("--similarity", help="Write the industry x industry similarity table here.")
    ] = None,
    min_regions: Annotated[int, typer.Option("--min-regions", help="Regions a correlation needs.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of k-medoids / spectral.")] = 0,
    mirror: Annotated[Path | None, typer.Option("--mirror", help="Data mirror root.")] = None,
) -> None:
    """Derive cluster definitions from co-location (Delgado, Porter & Stern 2016, steps 1-4).

    Similarity of two industries = correlation across regions of their shares of regional employment (and of
    establishments where the input has them, averaged); suppressed cells are left out of a pair's correlation,
    never read as zero. The distance 1 - similarity is clustered into k groups (average-linkage hierarchical,
    k-medoids or spectral). Validation scores: share of cluster pairs whose within-cluster relatedness exceeds
    their between-cluster relatedness, share of industries closest on average to their own cluster. With a
    reference set: adjusted Rand index and, per reference category, the overlap with its best-matching cluster.
    """
    from clustermap.definitions.categories import load_category_set
    from clustermap.definitions.derive import METHODS, as_category_csv
    from clustermap.definitions.derive import derive as run_derive
    from clustermap.definitions.derive_report import derivation_markdown
    from clustermap.exports import format_of, write_table

    if out.suffix.lower() != ".csv":
        raise ParameterError(f"--out must be a .csv category-set file, got {out}")
    if similarity_out is not None:
        format_of(similarity_out)
    if method not in METHODS:
        raise ParameterError(f"unknown --method {method!r}; use one of {', '.join(METHODS)}")
    if source is not None and source not in SOURCES:
        raise ParameterError(f"unknown --source {source!r}; use one of {', '.join(SOURCES)}")
    frame, described = _load(source, input, mirror)
    chosen = year if year is not None else int(frame["year"].max())
    frame = frame[frame["year"] == chosen]
    if frame.empty:
        raise ParameterError(f"no rows for year {chosen}")
    ref_name = compare if compare is not None else DEFAULT_REFERENCE.get(source or "", "none")
    reference = None
    names: dict[str, str] = {}
    if ref_name != "none":
        cats = load_category_set(ref_name, mirror=mirror)
        cw = cats.crosswalk[cats.crosswalk["traded"]].sort_values("share", ascending=False)
        cw = cw.drop_duplicates("industry")
        reference = cw.set_index("industry")["category"]
        names = dict(zip(cw["category"], cw["category_name"], strict=True))
    if k is None:
        if reference is None:
            raise ParameterError("give --k (there is no reference set to take it from)")
        k = int(reference[reference.index.isin(frame["industry"])].nunique())
    result = run_derive(frame, k=k, method=method, reference=reference, min_regions=min_regions, seed=seed)  # type: ignore[arg-type]
    out.parent.mkdir(parents=True, exist_ok=True)
    as_category_csv(result.labels, similarity=result.similarity).to_csv(out, index=False)
    regions = frame["region"].nunique()
    text = derivation_markdown(
        result,
        input_description=f"{described}, {chosen}, {regions:,} regions",
        reference_name=ref_name if reference is not None else None,
        category_names=names,
    )
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
    if similarity_out is not None:
        write_table(result.similarity.frame(), similarity_out)
    s = result.scores
    line = (
        f"{len(result.labels):,} industries in {k} clusters ({method}); vs_cluster {s['vs_cluster']:.3f}, "
        f"vs_industry {s['vs_industry']:.3f}"
    )
    if result.agreement is not None:
        r = result.reference_scores or {}
        line += (
            f"; {ref_name}: vs_cluster {r.get('vs_cluster', float('nan')):.3f}, vs_industry "
            f"{r.get('vs_industry', float('nan')):.3f}; "
            f"adjusted Rand index {result.agreement['adjusted_rand_index']:.3f}"
        )
    typer.echo(line)
    _err.print(f"wrote {out}" + (f" and {report}" if report else ""), highlight=False)
