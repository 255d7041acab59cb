"""The main job: real Eurostat regional SBS employment → eco2007 stars → warehouse → summary and exports.

Kept apart from the CLI so that notebooks and tests run the same steps.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from clustermap import indicators as ind
from clustermap.engines.backends import to_backend
from clustermap.loaders.eurostat import SBS_DATASET
from clustermap.mapping import MappingResult, map_observations
from clustermap.methodology import DEFAULT_SUPPRESSION, SUPPRESSION_POLICIES
from clustermap.provenance import LoadResult
from clustermap.warehouse import Warehouse
from clustermap.years import latest_complete_year

__all__ = [
    "DEFAULT_SUPPRESSION",
    "LFS_TOTALS",
    "SBS_DATASET",
    "MainJobOutput",
    "figure3",
    "latest_complete_year",
    "region_code_mixture",
    "run_main_job",
    "sbs_two_way",
    "suppression_report",
]

log = logging.getLogger(__name__)

LFS_TOTALS = "lfst_r_lfe2en2_total"


def suppression_report(obs: ir.Table) -> pd.DataFrame:
    """Per year and policy: how many cells each suppression policy would touch on ``obs``.

    Columns ``year, policy, suppressed`` (cells with no published employment), ``imputed`` (filled by the
    policy) and ``dropped`` (left out).
    """
    from clustermap.classifications.size_classes import engine_size_classes

    con = obs._find_backend()
    h = ind.industry_hierarchy(obs.select("industry").distinct().to_pandas()["industry"])
    extra = {
        "drop": {},
        "parent-residual": {"hierarchy": to_backend(con, h), "max_depth": int(h["depth"].max())},
        "size-class": {"size_classes": to_backend(con, engine_size_classes())},
    }
    counts = obs.group_by("year").agg(suppressed=obs.employment.isnull().sum()).to_pandas()
    frames = []
    for policy in SUPPRESSION_POLICIES:
        filled = ind.apply_suppression(obs, policy, **extra[policy])
        imp = filled.group_by("year").agg(imputed=filled.imputed.sum()).to_pandas()
        f = counts.merge(imp, on="year", how="left").fillna({"imputed": 0})
        f["policy"] = policy
        frames.append(f)
    out = pd.concat(frames, ignore_index=True).astype({"suppressed": "int64", "imputed": "int64"})
    out["dropped"] = out["suppressed"] - out["imputed"]
    return out[["year", "policy", "suppressed", "imputed", "dropped"]].sort_values(["year", "policy"])


def region_code_mixture(obs: ir.Table) -> pd.DataFrame:
    """Per year: regions published, and how many of them appear in only some years of the series — the sign of
    the NUTS 2010/2013 mixture inside SBS (codes recoded or split between versions)."""
    present = obs.filter(obs.employment.notnull()).select("region", "year").distinct().to_pandas()
    years = present["year"].nunique()
    n_years = present.groupby("region")["year"].nunique()
    partial = set(n_years[n_years < years].index)
    out = present.groupby("year").agg(regions=("region", "nunique")).reset_index()
    out["regions_not_in_every_year"] = (
        present.assign(p=present["region"].isin(partial)).groupby("year")["p"].sum().values
    )
    return out


def figure3(cells: pd.DataFrame, category: str, year: int, top: int = 13) -> pd.DataFrame:
    """Top regions of one category by stars (then employment) beside the top regions by employment — the
    comparison of Figure 3 of SEC(2008) 2637."""
    g = cells[(cells["category"] == category) & (cells["year"] == year)]
    by_stars = g.sort_values(["stars", "employment"], ascending=[False, False]).head(top)
    by_emp = g.sort_values("employment", ascending=False).head(top)
    left = by_stars[["region", "stars", "employment"]].reset_index(drop=True)
    right = by_emp[["region", "stars", "employment"]].reset_index(drop=True)
    left.columns = ["by_stars_region", "by_stars_stars", "by_stars_employment"]
    right.columns = ["by_employment_region", "by_employment_stars", "by_employment_employment"]
    return pd.concat([left, right], axis=1)


@dataclass
class MainJobOutput:
    """What :func:`run_main_job` did: the stored run (``result``, ``run_id``), the suppressed cells per policy,
    the NUTS code mixture, the Figure 3 table of ``figure3_year`` (the default year: the latest year with ≥ 90 % of
    the regions of the best year, :mod:`clustermap.years`) and the files written."""

    result: MappingResult
    run_id: str
    suppression: pd.DataFrame
    mixture: pd.DataFrame
    figure3: pd.DataFrame
    figure3_year: int
    exports: list[Path] = field(default_factory=list)
    load_provenance: list[dict[str, Any]] = field(default_factory=list)


def sbs_two_way(
    *, mirror: Path | None, years: list[int] | None = None, wages: bool = False
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The SBS NUTS-2 cells (persons employed) with their confidential cells filled by ``two-way`` imputation
    from every published total (NUTS 0-2 × NACE sections, divisions and groups).

    Returns the canonical columns plus ``imputed`` (bool), ``employment_low`` / ``employment_high`` (persons:
    published bounds of an imputed cell; the value of a published one) — the input the engine takes as imputed
    beforehand (:mod:`clustermap.imputation.engine`) — and the provenance of the file read. Cells the published
    totals do not bound keep a null employment (the engine leaves them out and counts them). ``wages`` also
    reads V13320 wages and salaries for the panorama methodology and fills the wage bills the published wage
    totals bound (:func:`clustermap.imputation.wages.impute_wages`; ``wages_imputed`` marks them, the counts go
    to the provenance as ``wage_imputation``); the others stay null.
    """
    from clustermap.imputation.engine import two_way_frame
    from clustermap.loaders.eurostat import load_sbs
    from clustermap.schema import COLUMNS

    every_level = load_sbs(mirror=mirror, nuts_level=None, years=years, wages=wages, establishments=True)
    filled = two_way_frame(every_level.frame)
    provenance = every_level.provenance.as_dict()
    extra = []
    if wages:  # the wage bills of imputed cells, from the published wage totals (clustermap.imputation.wages)
        from clustermap.imputation.wages import impute_wages

        paid = impute_wages(filled)
        filled, extra = paid.frame, ["wages_imputed"]
        provenance["wage_imputation"] = paid.stats
    nuts2 = filled[(filled["region"].str.len() == 4) & ~filled["region"].str.endswith("Z")]
    nuts2 = nuts2[[*COLUMNS, "imputed", "employment_low", "employment_high", *extra]].reset_index(drop=True)
    return nuts2, provenance


def run_main_job(
    warehouse: Warehouse,
    *,
    mirror: Path | None = None,
    methodology: str = "eco2007",
    categories: str = "eco-nace2",
    years: list[int] | None = None,
    category: str = "automotive",
    out_dir: Path | None = None,
    backend: str = "duckdb",
    progress: Any = None,
    params: dict[str, Any] | None = None,
) -> MainJobOutput:
    """Load SBS (NUTS-2, persons employed) and the LFS totals into the warehouse, map, store and export.

    Confidential cells are never zero: unless ``params`` name another ``suppression`` policy, the cells are
    filled by ``two-way`` imputation from every published total (:func:`sbs_two_way`) for every year, and the
    run records ``suppression = two-way``; each result cell says whether it rests on imputed cells
    (``imputed``), its published bounds and the Eurostat flags of its inputs. ``params`` overrides any other
    methodology parameter (``{"suppression": "drop"}`` maps the published cells only).
    """
    from clustermap.definitions.categories import load_category_set
    from clustermap.engines.backends import connect
    from clustermap.exports import write_table
    from clustermap.loaders.eurostat import load_lfs_totals, load_sbs
    from clustermap.xlsx import write_xlsx

    params = dict(params or {})
    policy = str(params.pop("suppression", None) or DEFAULT_SUPPRESSION)
    step = progress or log.info
    step("reading Eurostat SBS sbs_r_nuts06_r2 (V16110 persons employed, NUTS-2)")
    from clustermap.methodology import get_methodology

    # the panorama methodology's productivity star needs V13320 wages and salaries too
    wages = get_methodology(methodology).kind == "panorama"
    sbs = load_sbs(mirror=mirror, nuts_level=2, wages=wages, establishments=True)  # V11210: the dashboards
    warehouse.load_observations(SBS_DATASET, sbs)
    step("reading Eurostat LFS lfst_r_lfe2en2 TOTAL (external totals)")
    lfs = load_lfs_totals(mirror=mirror)
    warehouse.load_totals(LFS_TOTALS, LoadResult(lfs, lfs.attrs["provenance"]))
    published = warehouse.observations(SBS_DATASET)
    con = warehouse.ibis if backend == "duckdb" else connect(backend)
    inputs = warehouse.input_provenance(SBS_DATASET) + warehouse.input_provenance(LFS_TOTALS)
    if policy == "two-way":
        step("imputing confidential cells (two-way, NUTS 0-2 x NACE sections, divisions, groups)")
        frame, every_level = sbs_two_way(mirror=mirror, years=years, wages=wages)
        obs = to_backend(con, frame)
        inputs.append(every_level)
    else:
        obs = published if backend == "duckdb" else to_backend(con, published.to_pyarrow())
    step(f"mapping clusters (suppression {policy})")
    cats = load_category_set(categories, mirror=mirror)
    result = map_observations(
        obs,
        categories=cats,
        methodology=methodology,
        totals=warehouse.totals(LFS_TOTALS),
        years=years,
        inputs=inputs,
        suppression=policy,
        ranks=True,  # the site and the region profiles show size_rank / focus_rank
        **params,
    )
    run_id = warehouse.save_run(result, dataset=SBS_DATASET)
    step("counting suppressed cells per policy")
    supp = suppression_report(published if years is None else published.filter(published.year.isin(years)))
    mixture = region_code_mixture(published)
    last_year = latest_complete_year(result.summary)
    fig3 = figure3(result.cells, category, last_year) if category in set(result.cells["category"]) else pd.DataFrame()
    out = MainJobOutput(
        result,
        run_id,
        supp,
        mixture,
        fig3,
        figure3_year=last_year,
        load_provenance=[sbs.provenance.as_dict()],
    )
    if out_dir is not None:
        stem = f"{SBS_DATASET}_{result.methodology.name}"
        for ext in ("csv", "parquet"):
            out.exports.append(write_table(result.cells, out_dir / f"{stem}_cells.{ext}"))
        # column-wise from Arrow: openpyxl's cell-by-cell writer took 20 s of CPU for these 1.5 M cells
        out.exports.append(write_xlsx(result.cells, out_dir / f"{stem}_cells.xlsx"))
        out.exports.append(write_table(result.summary, out_dir / f"{stem}_summary.csv"))
        out.exports.append(write_table(supp, out_dir / f"{stem}_suppression.csv"))
        if not fig3.empty:
            out.exports.append(write_table(fig3, out_dir / f"{stem}_figure3_{category}_{last_year}.csv"))
    return out
