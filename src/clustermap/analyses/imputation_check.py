"""Accuracy of the suppression policies, measured by masking published cells.

Experiment
----------
1. **Mask.** Among the *published* cells of the map level — regions that have no child region in that year
   (NUTS 2 in the SBS panel, states in CBP), every industry level except an all-industries total — with a
   positive value, draw ``mask_share`` of the cells of each year, stratified by size: the cells of a year are cut
   into ``strata`` classes at the quantiles of their employment and the same share is drawn from each class
   (seeded with ``numpy.random.default_rng([seed, year])`` over the cells in key order, so that a year's draw
   depends only on the seed and that year's cells). A masked cell loses its value and is flagged ``c``; when the
   input has CBP size classes, it gets the size class its true value falls in, as the Census would publish it.
2. **Impute** the masked table with every policy: ``drop`` (nothing filled), ``parent-residual`` and
   ``size-class`` (the engine's own ibis implementations, run on DuckDB; ``size-class`` only when the input has
   size classes; ``parent-residual`` on the hierarchy of :func:`~clustermap.imputation.problem.industry_parents`)
   and ``two-way`` (:func:`~clustermap.imputation.two_way.impute_two_way`).
3. **Score**, per dataset, year and policy, over the masked cells (true value ``y > 0``, imputed ``ŷ``; a cell the
   policy leaves empty counts as ``ŷ = 0``, i.e. an error of 100 %):

   * ``pinned`` — share of the masked cells that the published totals pin down: their two-way bounds
     (:func:`~clustermap.imputation.two_way.propagate_bounds`) leave at most one person of room, so any method
     that uses both hierarchies recovers them; ``unpinned`` is the MdAPE over the other masked cells, where the
     prior and the reconciliation matter;
   * ``filled`` — share of the masked cells the policy gives a value;
   * ``MdAPE`` — median of ``|ŷ − y| / y`` (%), the median absolute percentage error;
   * ``wAPE`` — ``Σ |ŷ − y| / Σ y`` (%), the employment-weighted absolute error;
   * ``Spearman`` — rank correlation of ``ŷ`` and ``y`` (undefined when ``ŷ`` is constant, as for ``drop``);
   * ``stars changed`` — the map-level cells are mapped twice with ``eco2007`` (on ``eco-nace2`` when the
     industries are NACE SBS codes, else each leaf industry its own category): once with the true values of the
     masked cells, once with the policy's values (a masked cell without a value is left out). Cells the publisher
     suppressed are left out of both maps, so only the masked cells differ. The count is the number of
     region × category cells whose number of stars (0–3) differs; ``of`` gives the region × category cells of
     the maps.

Masked cells are not the cells the publisher suppresses: those are more often small and sit in small
industries, so the errors measured here describe cells like the published ones (stratification by size keeps
large cells in the sample).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import ParameterError
from clustermap.imputation.policies import POLICIES, engine_policy
from clustermap.imputation.problem import TOTAL_CODES, industry_parents, region_parents
from clustermap.imputation.two_way import impute_two_way

log = logging.getLogger(__name__)

_KEY = ["region", "industry", "year"]


@dataclass
class ValidationResult:
    """Scores of one masking experiment.

    Attributes
    ----------
    table : pandas.DataFrame
        one row per dataset × year × policy: ``masked`` (cells), ``pinned``, ``filled`` (shares 0–1), ``mdape``,
        ``mdape_free`` (over unpinned cells), ``wape`` (percent), ``spearman``, ``stars_changed`` (cells),
        ``map_cells`` (region × category cells of the maps), ``clusters`` (cells with ≥ 1 star in the true map).
    overall : pandas.DataFrame
        the same per dataset × policy over all years (medians and sums over the pooled masked cells), with
        ``seconds`` (time the policy took).
    cells : pandas.DataFrame
        the masked cells: ``region, industry, year, true``, ``pinned`` and one column per policy (persons; NaN =
        not filled).
    settings : dict
        mask share, seed, strata, categories, counts.
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    cells: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


def map_level_cells(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the cells at the map level: regions without a child region existing in that year, and
    every industry except an all-industries total."""
    emp = frame["employment"]
    flag = frame["flag"].astype(str) if "flag" in frame.columns else pd.Series("", index=frame.index)
    sc = frame["size_class"].astype(str) if "size_class" in frame.columns else pd.Series("", index=frame.index)
    live = emp.notna() | flag.str.contains("c", regex=False) | sc.ne("")
    ry = pd.DataFrame({"region": frame["region"], "year": frame["year"], "live": live})
    ry = ry[ry.groupby(["region", "year"])["live"].transform("any")][["region", "year"]].drop_duplicates()
    leaf_rows = []
    for year, g in ry.groupby("year"):
        par = region_parents(g["region"])
        parents = {p for p in par.values() if p is not None}
        leaf_rows.append(pd.DataFrame({"region": [c for c in par if c not in parents], "year": year}))
    leaves = pd.concat(leaf_rows, ignore_index=True) if leaf_rows else pd.DataFrame(columns=["region", "year"])
    key = pd.MultiIndex.from_frame(frame[["region", "year"]])
    ok = key.isin(pd.MultiIndex.from_frame(leaves))
    return np.asarray(ok) & ~frame["industry"].isin(TOTAL_CODES).to_numpy()


def mask_cells(frame: pd.DataFrame, *, mask_share: float, seed: int, strata: int = 5) -> np.ndarray:
    """Which cells to mask: a ``mask_share`` of the published, positive map-level cells of each year, drawn
    in equal shares from ``strata`` size classes (quantiles of employment), in key order (region, industry), so
    that the draw depends on the seed and the data, not on the row order. Returns a boolean array."""
    if not 0 < mask_share < 1:
        raise ParameterError(f"--mask-share must be in (0, 1), got {mask_share}")
    emp = frame["employment"].to_numpy()
    eligible = map_level_cells(frame) & ~np.isnan(emp) & (np.nan_to_num(emp) > 0)
    chosen = np.zeros(len(frame), dtype=bool)
    idx = np.flatnonzero(eligible)
    sub = pd.DataFrame(
        {
            "i": idx,
            "year": frame["year"].to_numpy()[idx],
            "region": frame["region"].to_numpy()[idx],
            "industry": frame["industry"].to_numpy()[idx],
            "v": emp[idx],
        }
    )
    # drawn in key order, so that the same cells are masked whatever the row order of the input
    for year, g in sub.sort_values(["year", "region", "industry"]).groupby("year", sort=True):
        rng = np.random.default_rng([seed, int(year)])  # a year's draw does not depend on the other years
        k = min(strata, len(g))
        classes = pd.qcut(g["v"].rank(method="first"), q=k, labels=False) if k > 1 else pd.Series(0, index=g.index)
        for _, h in g.groupby(classes, sort=True):
            n = round(mask_share * len(h))
            if n:
                chosen[rng.choice(h["i"].to_numpy(), size=n, replace=False)] = True
    return chosen


def _size_class_of(values: np.ndarray, classes: pd.DataFrame) -> np.ndarray:
    low = classes["low"].to_numpy(dtype="float64")
    order = np.argsort(low)
    pos = np.searchsorted(low[order], values, side="right") - 1
    return classes["size_class"].to_numpy()[order][np.clip(pos, 0, len(low) - 1)]


def impute_policy(masked: pd.DataFrame, policy: str, *, size_classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Values a policy gives the unknown cells of ``masked``: ``region, industry, year, employment`` (persons)."""
    if policy == "drop":
        return pd.DataFrame(
            {
                "region": pd.Series(dtype=object),
                "industry": pd.Series(dtype=object),
                "year": pd.Series(dtype="int64"),
                "employment": pd.Series(dtype="float64"),
            }
        )
    if policy == "two-way":
        f = impute_two_way(masked, size_classes=size_classes).frame
        return f.loc[f["imputed"] == "two-way", [*_KEY, "employment"]]
    if policy in ("parent-residual", "size-class"):
        return engine_policy(masked, policy, size_classes=size_classes)
    raise ParameterError(f"unknown policy {policy!r}; use one of {', '.join(POLICIES)}")


def _categories(frame: pd.DataFrame, leaf_industries: Sequence[str], categories: Any) -> Any:
    from clustermap.definitions.categories import identity_category_set, load_category_set, resolve_categories

    if categories not in (None, "auto"):
        return resolve_categories(categories, leaf_industries)
    eco = load_category_set("eco-nace2")
    mapped = set(eco.crosswalk["industry"])
    if np.mean([c in mapped for c in leaf_industries]) >= 0.5:
        return eco
    return identity_category_set(leaf_industries)


def _stars(frame: pd.DataFrame, cats: Any) -> pd.DataFrame:
    from clustermap.engines.backends import connect, to_backend
    from clustermap.mapping import map_observations

    con = connect("duckdb")
    obs = to_backend(con, frame[[*_KEY, "employment"]].astype({"employment": "float64"}))
    res = map_observations(obs, categories=cats, methodology="eco2007", suppression="drop")
    return res.cells[["region", "category", "year", "stars"]]


def _scores(true: np.ndarray, est: np.ndarray, pinned: np.ndarray) -> dict[str, float]:
    from scipy.stats import spearmanr

    filled = ~np.isnan(est)
    e0 = np.where(filled, est, 0.0)
    ape = np.abs(e0 - true) / true * 100.0
    free = ~pinned
    rho = np.nan
    if len(true) > 2 and np.ptp(e0) > 0 and np.ptp(true) > 0:
        rho = float(spearmanr(e0, true).statistic)
    return {
        "masked": len(true),
        "filled": float(filled.mean()) if len(true) else np.nan,
        "pinned": float(pinned.mean()) if len(true) else np.nan,
        "mdape": float(np.median(ape)) if len(true) else np.nan,
        "mdape_free": float(np.median(ape[free])) if free.any() else np.nan,
        "wape": float(np.abs(e0 - true).sum() / true.sum() * 100.0) if len(true) else np.nan,
        "spearman": rho,
    }


def validate(
    frame: pd.DataFrame,
    *,
    mask_share: float = 0.1,
    seed: int = 0,
    policies: Sequence[str] = POLICIES,
    categories: Any = "auto",
    dataset: str = "input",
    strata: int = 5,
    size_classes: pd.DataFrame | None = None,
) -> ValidationResult:
    """Mask published cells, impute them with every policy and score the result (see the module docstring).

    Parameters
    ----------
    frame
        tidy rows for every level of both hierarchies (``region, industry, year, employment`` in persons, ``flag``,
        optionally ``size_class``).
    mask_share
        share (0–1) of the published map-level cells of each year to mask.
    seed
        seed of the random draw.
    policies
        the policies to score (``size-class`` is skipped when the input has no size classes).
    categories
        category set for the star maps: ``"auto"`` (``eco-nace2`` for NACE SBS codes, else identity on the leaf
        industries), a name, a path or a :class:`~clustermap.definitions.categories.CategorySet`.
    dataset
        name printed with the results.
    strata
        number of size classes the draw is stratified by.

    Returns
    -------
    ValidationResult
    """
    from clustermap.classifications.size_classes import load_size_classes

    f = frame.reset_index(drop=True).copy()
    for col in ("flag", "size_class"):
        f[col] = f[col].fillna("").astype(str) if col in f.columns else ""
    if "establishments" not in f.columns:
        f["establishments"] = np.nan
    f["employment"] = f["employment"].astype("float64")
    sc = size_classes if size_classes is not None else load_size_classes()
    has_sizes = bool(f["size_class"].ne("").any())
    mask = mask_cells(f, mask_share=mask_share, seed=seed, strata=strata)
    if not mask.any():
        raise ParameterError("nothing to mask: no published map-level cell with a positive value")
    truth = f.loc[mask, [*_KEY, "employment"]].rename(columns={"employment": "true"}).reset_index(drop=True)
    masked = f.copy()
    masked.loc[mask, "employment"] = np.nan
    masked.loc[mask, "flag"] = masked.loc[mask, "flag"].map(lambda s: s if "c" in s else s + "c")
    if has_sizes:
        masked.loc[mask, "size_class"] = _size_class_of(truth["true"].to_numpy(), sc)

    run = [p for p in policies if p != "size-class" or has_sizes]
    seconds: dict[str, float] = {}
    # the two-way run also gives every masked cell its bounds: a cell is pinned when the published totals leave
    # it less than one person of room (high − low ≤ 1)
    t0 = time.perf_counter()
    two = impute_two_way(masked, size_classes=sc).frame
    seconds["two-way"] = time.perf_counter() - t0
    pinned = (two.loc[mask, "high"] - two.loc[mask, "low"]).to_numpy() <= 1.0
    truth["pinned"] = pinned
    for policy in run:
        if policy == "two-way":
            got = two.loc[two["imputed"] == "two-way", [*_KEY, "employment"]]
        else:
            t0 = time.perf_counter()
            got = impute_policy(masked, policy, size_classes=sc)
            seconds[policy] = time.perf_counter() - t0
        got = got.rename(columns={"employment": policy})
        truth = truth.merge(got, on=_KEY, how="left")
        log.info("validation: %s in %.1f s", policy, seconds[policy])

    # star maps: map-level rows with a published value, masked rows at their true / imputed value
    level = map_level_cells(f)
    par = industry_parents(f["industry"].unique())
    parents = {p for p in par.values() if p is not None}
    leaf_ind = sorted(c for c in par if c not in parents and c not in TOTAL_CODES)
    base = f[level & f["industry"].isin(leaf_ind) & f["employment"].notna() & ~mask][[*_KEY, "employment"]]
    cats = _categories(f, leaf_ind, categories)
    on_map = truth[truth["industry"].isin(leaf_ind)]
    true_map = _stars(pd.concat([base, on_map[[*_KEY, "true"]].rename(columns={"true": "employment"})]), cats)
    rows = []
    for policy in run:
        est = on_map[[*_KEY, policy]].rename(columns={policy: "employment"}).dropna(subset=["employment"])
        pol_map = _stars(pd.concat([base, est]), cats)
        cmp = true_map.merge(pol_map, on=["region", "category", "year"], how="outer", suffixes=("_t", "_p"))
        cmp = cmp.fillna({"stars_t": 0, "stars_p": 0})
        cmp["changed"] = cmp["stars_t"] != cmp["stars_p"]
        cmp["clustered"] = cmp["stars_t"] > 0
        per_year = cmp.groupby("year").agg(
            stars_changed=("changed", "sum"), map_cells=("changed", "size"), clusters=("clustered", "sum")
        )
        for year, g in truth.groupby("year", sort=True):
            s = _scores(
                g["true"].to_numpy(dtype="float64"), g[policy].to_numpy(dtype="float64"), g["pinned"].to_numpy()
            )
            sy = per_year.loc[year] if year in per_year.index else pd.Series(0, index=per_year.columns)
            rows.append(
                {
                    "dataset": dataset,
                    "year": int(year),
                    "policy": policy,
                    **s,
                    "stars_changed": int(sy["stars_changed"]),
                    "map_cells": int(sy["map_cells"]),
                    "clusters": int(sy["clusters"]),
                }
            )
        s = _scores(
            truth["true"].to_numpy(dtype="float64"),
            truth[policy].to_numpy(dtype="float64"),
            truth["pinned"].to_numpy(),
        )
        rows.append(
            {
                "dataset": dataset,
                "year": "all",
                "policy": policy,
                **s,
                "stars_changed": int(per_year["stars_changed"].sum()),
                "map_cells": int(per_year["map_cells"].sum()),
                "clusters": int(per_year["clusters"].sum()),
                "seconds": round(seconds[policy], 2),
            }
        )
    table = pd.DataFrame(rows)
    overall = table[table["year"] == "all"].drop(columns=["year"]).reset_index(drop=True)
    table = table[table["year"] != "all"].drop(columns=["seconds"])
    order = {p: k for k, p in enumerate(run)}
    table = table.assign(_o=table["policy"].map(order)).sort_values(["dataset", "year", "_o"], kind="stable")
    table = table.drop(columns=["_o"]).reset_index(drop=True)
    settings = {
        "dataset": dataset,
        "mask_share": mask_share,
        "seed": seed,
        "strata": strata,
        "categories": getattr(cats, "name", str(cats)),
        "masked": int(mask.sum()),
        "eligible": int((level & f["employment"].notna().to_numpy() & (f["employment"].fillna(0) > 0)).sum()),
        "size_classes": has_sizes,
        "skipped": [p for p in policies if p not in run],
    }
    return ValidationResult(table=table, overall=overall, cells=truth, settings=settings)


def _num(x: float, fmt: str = "6.1f") -> str:
    return "—" if x is None or not np.isfinite(x) else format(x, fmt)


def format_validation(result: ValidationResult) -> str:
    """The printed report: a header, one line per dataset × year × policy, then one line per policy over all
    years, each starting with the policy name and giving its ``MdAPE <x> %``."""
    s = result.settings
    lines = [
        f"Imputation accuracy on {s['dataset']}: masked {s['masked']:,} of {s['eligible']:,} published map-level "
        f"cells ({s['mask_share']:.0%} per year, seed {s['seed']}, stratified by size in {s['strata']} classes); "
        f"stars: eco2007 on {s['categories']}; pinned = the published totals leave the cell ≤ 1 person of room",
        f"{'dataset':<12} {'year':>4}  {'policy':<16} {'masked':>7} {'pinned':>7} {'filled':>7} {'MdAPE %':>8} "
        f"{'unpinned':>8} {'wAPE %':>7} {'Spearman':>8}  stars changed (of map cells)",
    ]
    for r in result.table.itertuples(index=False):
        lines.append(
            f"{r.dataset:<12} {r.year:>4}  {r.policy:<16} {r.masked:>7,} {r.pinned:>7.1%} {r.filled:>7.1%} "
            f"{_num(r.mdape):>8} {_num(r.mdape_free):>8} {_num(r.wape):>7} {_num(r.spearman, '.3f'):>8}  "
            f"{r.stars_changed:,} of {r.map_cells:,}"
        )
    if s["skipped"]:
        lines.append(f"not applicable: {', '.join(s['skipped'])} (the input has no size classes)")
    lines.append(f"All years, {s['dataset']} (MdAPE over all masked cells; in brackets over the unpinned ones):")
    for r in result.overall.itertuples(index=False):
        lines.append(
            f"{r.policy:<16} MdAPE {_num(r.mdape)} % ({_num(r.mdape_free)} %)  wAPE {_num(r.wape)} %  "
            f"Spearman {_num(r.spearman, '.3f'):>5}  filled {r.filled:6.1%}  stars changed in {r.stars_changed:,} of "
            f"{r.map_cells:,} map cells  ({r.seconds:.1f} s)"
        )
    return "\n".join(lines)
