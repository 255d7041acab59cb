"""Cluster mapping: one entry point that runs a methodology on an observations table on any ibis backend.

Flow, per year (one year = one analysis): suppression policy → crosswalk to categories → regional totals →
location quotients → stars (``kind = stars``) or the US strong-cluster rule (``kind = strong``). The steps are
the pure expressions of :mod:`clustermap.indicators`; this module only wires them, registers the small lookup
tables on the backend, executes, and collects counts and provenance.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from clustermap import indicators as ind
from clustermap.definitions.categories import CategorySet
from clustermap.engines.backends import to_backend
from clustermap.engines.ctes import to_arrow
from clustermap.errors import EmptyInputError, ParameterError
from clustermap.methodology import Methodology, get_methodology
from clustermap.provenance import code_version
from clustermap.years import latest_complete_year

log = logging.getLogger(__name__)
_aliases = itertools.count()

#: the competition ranks of the size and focus stars: window sorts, in the cells only when asked (``ranks=True``)
RANK_COLUMNS = ("size_rank", "focus_rank")
#: what every cell says about how far to trust it (see :class:`MappingResult`)
PROVENANCE_COLUMNS = ["employment_low", "employment_high", "imputation_policy", "flags"]
STARS_COLUMNS = [
    "region",
    "category",
    "year",
    "employment",
    "region_total",
    "lq",
    "size_star",
    "specialisation_star",
    "focus_star",
    "stars",
    "strong",
    "share",
    "size_rank",
    "focus_rank",
    "category_total",
    "grand_total",
    "n_regions",
    "establishments",
    "imputed",
    "imputed_employment",
    "category_name",
    *PROVENANCE_COLUMNS,
]
#: the panorama methodology's cells: the star columns plus productivity and dynamism (stars = 0-5)
PANORAMA_COLUMNS = [
    *STARS_COLUMNS,
    "productivity_star",
    "dynamism_star",
    "wages",
    "imputed_wages",
    "wages_per_person",
    "relative_productivity",
    "employment_growth",
    "relative_growth",
]
STRONG_COLUMNS = [
    "region",
    "category",
    "year",
    "employment",
    "establishments",
    "lq",
    "strong",
    "strong_strict",
    "region_total",
    "share",
    "lq_p",
    "lq_p_strict",
    "employment_p",
    "establishments_p",
    "category_total",
    "grand_total",
    "n_regions",
    "imputed",
    "imputed_employment",
    "category_name",
    *PROVENANCE_COLUMNS,
]


class MappingResult:
    """Cells, per-year summary and provenance of one mapping run.

    ``cells`` has one row per region × traded category × year of the region set (columns
    :data:`STARS_COLUMNS` or :data:`STRONG_COLUMNS`); ``summary`` one row per year; ``provenance`` names the
    methodology and its parameters, the category set, the inputs, the code version and ``default_year`` (the
    latest year with ≥ 90 % of the regions of the best year, :func:`clustermap.years.latest_complete_year`).

    How far to trust a cell: ``imputed`` (bool) — part of its employment rests on cells the suppression policy
    filled (``imputed_employment`` persons of it); ``employment_low`` / ``employment_high`` (persons) — its
    employment with every imputed input at its published lower / upper bound (equal to ``employment`` for a
    fully published cell; null when the policy gives no bounds); ``imputation_policy`` — the run's suppression
    policy (``two-way``, ``drop`` …); ``flags`` — the Eurostat flags of its input cells, comma-separated
    (``"b,i"``; ``""`` if none): ``b`` break in series, ``c`` confidential, ``e`` estimated, ``i`` see metadata
    (partial coverage), ``u`` low reliability …

    A lazy result (``map_observations(..., lazy=True)``) holds the cells as the ibis expression ``expr``, still
    on the backend: :meth:`write` has the engine write them to a file, and ``cells`` / ``summary`` are computed
    on first access.
    """

    def __init__(
        self,
        cells: pd.DataFrame | None,
        summary: pd.DataFrame | None,
        methodology: Methodology,
        categories: CategorySet,
        provenance: dict[str, Any] | None = None,
        *,
        expr: ir.Table | None = None,
        counts: pd.DataFrame | None = None,
        unmapped: pd.DataFrame | None = None,
        release: Any = None,
    ) -> None:
        self._cells = cells
        self._summary = summary
        self.methodology = methodology
        self.categories = categories
        self.provenance = provenance if provenance is not None else {}
        self.expr = expr
        self._counts = counts
        self._unmapped = unmapped
        self._release = release
        self._written: ir.Table | None = None
        self._written_path: Path | None = None

    @property
    def kind(self) -> str:
        """``stars`` or ``strong``: the kind of methodology that produced the cells."""
        return self.methodology.kind

    @property
    def cells(self) -> pd.DataFrame:
        """The cells as a pandas frame (a lazy result is executed once, through Arrow)."""
        if self._cells is None:
            if self.expr is None:
                raise ValueError("a mapping result without cells")
            # through Arrow: ibis' own pandas conversion costs twice as long on a million rows
            self._cells = _tidy_types(to_arrow(self.expr).to_pandas())
        return self._cells

    @cells.setter
    def cells(self, frame: pd.DataFrame) -> None:
        self._cells = frame

    @property
    def summary(self) -> pd.DataFrame:
        """One row per year (regions, categories, clusters by stars … and the suppression counts)."""
        if self._summary is None:
            source = self.expr if self._cells is None else self._cells
            self.summary = _summary(source, self.kind, self._counts, self._unmapped)
        return self._summary

    @summary.setter
    def summary(self, frame: pd.DataFrame) -> None:
        self._summary = frame
        self.provenance["default_year"] = latest_complete_year(frame) if not frame.empty else None

    def write(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the cells to ``path`` (csv, parquet, json, xlsx): a lazy result is written by the engine
        (DuckDB ``COPY``, Spark ``df.write``); the summary is then computed from the file written."""
        from clustermap.exports import write_expr, write_table

        if self.expr is None or self._cells is not None:
            return write_table(self.cells, path, fmt)
        written, reread = write_expr(self.expr, path, fmt)
        self._written = reread
        if reread is not None and self.expr._find_backend().name == "duckdb":
            self._written_path = Path(written).resolve()
        # an empty file reads back with untyped (string) columns: its summary comes from the expression instead
        if self._summary is None and reread is not None and self.rows_written() > 0:
            self.summary = _summary(reread, self.kind, self._counts, self._unmapped)
        return written

    def parquet_written(self) -> Path | None:
        """The Parquet file :meth:`write` had the DuckDB engine write, if any (the warehouse stores from it)."""
        path = self._written_path
        return path if path is not None and path.suffix.lower() in (".parquet", ".pq") else None

    def rows_written(self) -> int:
        """Rows of the cells table (counted in the file :meth:`write` wrote, when there is one)."""
        if self._written is not None:
            return int(self._written.count().to_pyarrow().as_py())
        if self._cells is None and self.expr is not None:
            return int(self.expr.count().to_pyarrow().as_py())
        return len(self.cells)

    def release(self) -> None:
        """Drop the intermediate tables a lazy result keeps on the backend (the cells expression with them)."""
        if self._release is not None:
            self._release()
            self._release = None


def input_counts(obs: ir.Table) -> pd.DataFrame:
    """One scan of the input: rows (``n``), suppressed rows and rows with a flag (``flagged``) per year and
    industry — what :func:`map_observations` reports of its input, and the input's industry codes."""
    obs = _with_optional_columns(obs)
    aggs = {
        "n": obs.count(),
        "suppressed": obs.employment.isnull().sum(),
        "flagged": (obs.flag.fill_null("") != "").cast("int64").sum(),
    }
    if "imputed" in obs.columns:  # an input imputed beforehand (clustermap impute, the main job's two-way)
        before = obs.imputed.fill_null(False)
        aggs["imputed_before"] = before.cast("int64").sum()
        aggs["suppressed"] = (obs.employment.isnull() | before).sum()
    frame = obs.group_by(["year", "industry"]).agg(**aggs).to_pandas()
    return frame.astype({k: "int64" for k in aggs})


def _suppression_counts(per_ind: pd.DataFrame, filled: ir.Table, policy: str) -> pd.DataFrame:
    """Per year: input cells, suppressed cells, how many the policy filled and how many it dropped."""
    sums = {"cells": ("n", "sum"), "suppressed": ("suppressed", "sum")}
    if "imputed_before" in per_ind.columns:
        sums["imputed_before"] = ("imputed_before", "sum")
    out = per_ind.groupby("year", as_index=False).agg(**sums)
    if policy == "drop" and "imputed_before" not in per_ind.columns:
        out["imputed"] = 0
    else:
        imputed = filled.group_by("year").agg(imputed=filled.imputed.sum()).to_pandas()
        out = out.merge(imputed, on="year", how="left").fillna({"imputed": 0})
    out["imputed"] = out["imputed"].astype("int64")
    out["dropped"] = out["suppressed"] - out["imputed"]
    return out


def _star_levels(kind: str) -> range:
    """The star counts a cell can have beyond 0: 1-3 (eco2007, eco2008), 1-5 (panorama)."""
    return range(1, 6 if kind == "panorama" else 4)


def _per_year(cells: ir.Table, kind: str) -> pd.DataFrame:
    """Per year: regions, categories, employment and the cluster counts of the cells (on their engine)."""
    imp = cells.imputed.fill_null(False)
    exprs: dict[str, Any] = {
        "regions": cells.n_regions.max(),
        "categories": cells.category.nunique(),
        "employment": cells.employment.sum(),
    }
    if kind in ("stars", "panorama"):
        for k in _star_levels(kind):
            exprs[f"clusters_{k}_star"] = (cells.stars == k).sum()
        exprs["clusters"] = (cells.stars >= 1).sum()
        exprs["clusters_on_imputed_cells"] = ((cells.stars >= 1) & imp).sum()
    else:
        strong = cells.strong.fill_null(False)
        exprs["strong_clusters"] = strong.sum()
        exprs["strong_strict_clusters"] = cells.strong_strict.fill_null(False).sum()
        exprs["strong_on_imputed_cells"] = (strong & imp).sum()
    return cells.group_by("year").agg(**exprs).order_by("year").to_pandas()


def _summary(cells: pd.DataFrame | ir.Table, kind: str, counts: pd.DataFrame, unmapped: pd.DataFrame) -> pd.DataFrame:
    rows = []
    table = ibis.memtable(cells) if isinstance(cells, pd.DataFrame) else cells
    for g in _per_year(table, kind).to_dict("records"):
        n_regions = int(g["regions"])
        n_categories = int(g["categories"])
        row: dict[str, Any] = {
            "year": int(g["year"]),
            "regions": n_regions,
            "categories": n_categories,
            "potential_areas": n_regions * n_categories,
            "employment": float(g["employment"] or 0.0),
        }
        if kind in ("stars", "panorama"):
            levels = _star_levels(kind)
            n = {s: int(g[f"clusters_{s}_star"] or 0) for s in levels}
            clusters = int(g["clusters"] or 0)
            for s in levels:
                row[f"clusters_{s}_star"] = n[s]
                row[f"share_{s}_star"] = n[s] / clusters if clusters else 0.0
            row["clusters"] = clusters
            row["clusters_share_of_potential"] = clusters / row["potential_areas"] if n_regions else 0.0
            row["clusters_on_imputed_cells"] = int(g["clusters_on_imputed_cells"] or 0)
        else:
            row["strong_clusters"] = int(g["strong_clusters"] or 0)
            row["strong_strict_clusters"] = int(g["strong_strict_clusters"] or 0)
            row["strong_on_imputed_cells"] = int(g["strong_on_imputed_cells"] or 0)
        rows.append(row)
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    c = counts.rename(
        columns={
            "cells": "input_cells",
            "suppressed": "cells_suppressed",
            "imputed": "cells_imputed",
            "dropped": "cells_dropped",
            "imputed_before": "cells_imputed_before",
        }
    )
    summary = summary.merge(c, on="year", how="left").merge(unmapped, on="year", how="left")
    return summary


def map_observations(
    obs: ir.Table,
    *,
    categories: CategorySet,
    methodology: str | Methodology = "eco2007",
    totals: pd.DataFrame | ir.Table | None = None,
    years: Iterable[int] | None = None,
    size_classes: pd.DataFrame | None = None,
    inputs: list[dict[str, Any]] | None = None,
    ranks: bool = False,
    lazy: bool = False,
    sort: bool = True,
    per_industry: pd.DataFrame | None = None,
    **params: Any,
) -> MappingResult:
    """Map clusters in ``obs`` (canonical columns, on any ibis backend) with a methodology.

    Parameters
    ----------
    obs
        ibis table with ``region, industry, year, employment`` and optionally ``establishments``, ``flag``,
        ``size_class`` (employment null = suppressed).
    categories
        the category set; its crosswalk maps industries to categories and marks them traded or local.
    methodology
        a :class:`~clustermap.methodology.Methodology` or a shipped name (``eco2007``, ``eco2008``, ``uscmp``).
    totals
        ``region, year, total`` (persons) for ``total_base = external``.
    years
        restrict to these years (default: every year of the input).
    size_classes
        ``size_class, low, high, cmp_value`` for the ``size-class`` policy (default: the shipped CBP classes).
    inputs
        provenance records of the inputs (source, dataset, file, sha256 …), stored with the result.
    ranks
        also compute the competition ranks ``size_rank`` and ``focus_rank`` (window sorts; the stars themselves
        use the threshold form and do not need them). Without it the two columns are left out.
    lazy
        leave the cells on the backend as an ibis expression (``result.expr``) to be written by the engine
        (:meth:`MappingResult.write`); call :meth:`MappingResult.release` when done.
    per_industry
        :func:`input_counts` of ``obs``, when the caller has them already (the CLI reads the industry codes from
        them); computed here otherwise.
    sort
        order the cells by ``year, region, category`` (default). ``sort=False`` leaves them in the order the
        engine produces them (not deterministic on several threads) and saves a sort of every cell.
    **params
        methodology parameters to override (``total_base="traded"``, ``min_employment=500`` …).
    """
    m = get_methodology(methodology).with_params(**params)
    p = m.parameters
    con = obs._find_backend()
    obs = _with_optional_columns(obs)
    if years is not None:
        years = sorted({int(y) for y in years})
        obs = obs.filter(obs.year.isin(years))
    if p["total_base"] == "external" and totals is None:
        raise ParameterError("total_base=external needs a totals table (region, year, total): pass --totals FILE")

    # category codes and names as labels of the engine (an ENUM on DuckDB: written as dictionary indices)
    category_codes = set(categories.crosswalk["category"].astype(str)) | set(
        categories.categories["category"].astype(str)
    )
    crosswalk = to_backend(
        con, categories.crosswalk[["industry", "category", "traded", "share"]], labels={"category": category_codes}
    )
    policy = p["suppression"]
    kwargs: dict[str, Any] = {"size_class_value": p.get("size_class_value", "midpoint")}
    if policy == "parent-residual":
        codes = obs.select("industry").distinct().to_pandas()["industry"]
        h = ind.industry_hierarchy(codes)
        kwargs.update(hierarchy=to_backend(con, h), max_depth=int(h["depth"].max()))
    elif policy == "size-class":
        from clustermap.definitions.categories import load_size_classes

        sc = size_classes if size_classes is not None else load_size_classes()
        kwargs["size_classes"] = to_backend(
            con,
            sc[["size_class", "low", "high", "cmp_value"]].astype(
                {"low": "float64", "high": "float64", "cmp_value": "float64"}
            ),
        )
    per_ind = input_counts(obs) if per_industry is None else per_industry.copy()
    if years is not None:
        per_ind = per_ind[per_ind["year"].isin(years)].reset_index(drop=True)
    if per_ind.empty:
        raise EmptyInputError("no observations" + (f" for the years {years}" if years else ""))
    if int(per_ind.pop("flagged").sum()) == 0 and policy != "two-way":
        obs = obs.drop("flag")  # no input row has a flag: every cell's flags is "", and no flag is aggregated
    if policy == "two-way":  # clustermap.imputation: solved in Python per country and year, back on this backend
        from clustermap.imputation.engine import two_way_filled

        filled = two_way_filled(obs, size_classes=size_classes)
    else:
        filled = ind.apply_suppression(obs, policy, **kwargs)
    counts = _suppression_counts(per_ind, filled, policy)

    mapped_codes = set(categories.crosswalk["industry"])
    per_ind["mapped"] = per_ind["industry"].isin(mapped_codes)
    unmapped = per_ind[~per_ind["mapped"]].groupby("year").agg(rows_not_in_category_set=("n", "sum")).reset_index()
    unmapped_codes = sorted(set(per_ind.loc[~per_ind["mapped"], "industry"]))
    if unmapped_codes:
        log.info(
            "%d industry codes are not in category set %s (left out): %s",
            len(unmapped_codes),
            categories.name,
            ", ".join(unmapped_codes[:20]) + (" …" if len(unmapped_codes) > 20 else ""),
        )

    # DuckDB runs the mapping as one query, compiled by clustermap.engines.ctes: every aggregate (the category
    # aggregate, region and category totals, the thresholds) is computed once, so a float sum cannot differ between
    # its readers, and the row-wise tables (the location quotients) are recomputed by each reader instead of being
    # written to memory or disk. Elsewhere (Spark) the category aggregate and the location quotients are cached:
    # the stars compare each value with a threshold taken from the same column; computed twice, a float sum
    # (region totals of imputed, non-integer cells) may differ in the last bit and flip a star
    materialise = con.name != "duckdb"
    cw = categories.crosswalk
    one_to_one = bool(cw["industry"].is_unique and cw["category"].is_unique and (cw["share"] == 1).all())
    cells = ind.aggregate_to_categories(filled, crosswalk, wages=m.kind == "panorama", one_to_one=one_to_one)
    # (an aliased relation is always a common table expression: the category aggregate, read by the region totals
    # and the location quotients, is computed once instead of once per reader)
    cells = cells.cache() if materialise else cells.alias(f"cm_cells_{next(_aliases)}")
    external = None
    if p["total_base"] == "external":
        external = totals if isinstance(totals, ir.Table) else to_backend(con, _check_totals(totals))
    tot = ind.region_totals(cells, p["total_base"], external=external)
    # the size star's threshold comes out of the category aggregate of the location quotients
    stars = m.kind in ("stars", "panorama")
    lq = ind.location_quotients(cells, tot, size_share=float(p["size_share"]) if stars else None)
    lq = lq.cache() if materialise else lq
    cached = [cells, lq] if materialise else []
    if stars:
        out = ind.eco_stars(
            lq,
            size_share=float(p["size_share"]),
            focus_share=float(p["focus_share"]),
            focus_scope=p["focus_scope"],
            lq_threshold=float(p["lq_threshold"]),
            min_employment=float(p["min_employment"]),
            strong_lq=float(p["strong_lq"]),
            ranks=ranks,
        )
        columns = STARS_COLUMNS
        if m.kind == "panorama":
            values = ind.relative_growth(ind.relative_productivity(out), int(p["dynamism_window"])).cache()
            cached.append(values)
            out = _panorama(values, p)
            columns = PANORAMA_COLUMNS
        columns = [c for c in columns if ranks or c not in RANK_COLUMNS]
    else:
        out = ind.uscmp_strong(
            lq,
            lq_percentile=float(p["lq_percentile"]),
            strict_lq_percentile=float(p["strict_lq_percentile"]),
            min_lq=float(p["min_lq"]),
            employment_percentile=float(p["employment_percentile"]),
            establishments_percentile=float(p["establishments_percentile"]),
        )
        columns = STRONG_COLUMNS
    names = to_backend(
        con,
        categories.categories[["category", "category_name"]].rename(columns={"category": "n_cat"}),
        labels={"n_cat": category_codes, "category_name": categories.categories["category_name"].dropna()},
    )
    out = out.mutate(imputed=out.imputed_inputs > 0, imputation_policy=ibis.literal(str(policy)))
    out = out.left_join(names, out.category == names.n_cat).drop("n_cat")
    out = out.select(*columns)
    if sort:  # a sort of every cell with all its columns: on ten million cells the slowest step of the query
        out = out.order_by(["year", "region", "category"])
    provenance = {
        "methodology": m.as_dict(),
        "categories": {"name": categories.name, "version": categories.version, "source": categories.source},
        "inputs": inputs or [],
        "backend": con.name,
        "code_version": code_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "unmapped_industries": unmapped_codes,
    }
    result = MappingResult(
        None,
        None,
        m,
        categories,
        provenance,
        expr=out,
        counts=counts,
        unmapped=unmapped,
        release=lambda: _release(cached),
    )
    if not lazy:
        try:
            result.cells  # noqa: B018 - executes the expression once
        finally:
            result.release()
        result.summary  # noqa: B018
    return result


def _release(tables: list[ir.Table]) -> None:
    """Drop the intermediate tables materialised for one mapping (cells, location quotients …)."""
    for table in tables:
        table.release()


def _panorama(t: ir.Table, p: dict[str, Any]) -> ir.Table:
    """Add the productivity and dynamism stars of the ``panorama`` family to cells that carry
    ``relative_productivity`` and ``relative_growth``; ``stars`` becomes 0-5."""
    big = float(p["min_employment"])
    t = ind.productivity_stars(
        t,
        rule=p["productivity_rule"],
        share=float(p["productivity_share"]),
        ratio=float(p["productivity_ratio"]),
        min_employment=big,
    )
    t = ind.dynamism_stars(
        t,
        window=int(p["dynamism_window"]),
        rule=p["dynamism_rule"],
        share=float(p["dynamism_share"]),
        ratio=float(p["dynamism_ratio"]),
        min_employment=big,
    )
    total = t.size_star + t.specialisation_star + t.focus_star + t.productivity_star + t.dynamism_star
    return t.mutate(stars=total.cast("int8"))


def _with_optional_columns(obs: ir.Table) -> ir.Table:
    add: dict[str, Any] = {}
    if "establishments" not in obs.columns:
        add["establishments"] = ibis.null("float64")
    if "size_class" not in obs.columns:
        add["size_class"] = ibis.literal("")
    if "flag" not in obs.columns:
        add["flag"] = ibis.literal("")
    if "wages" not in obs.columns:
        add["wages"] = ibis.null("float64")
    obs = obs.mutate(**add) if add else obs
    return obs.mutate(employment=obs.employment.cast("float64"), year=obs.year.cast("int64"))


def _check_totals(totals: pd.DataFrame) -> pd.DataFrame:
    missing = {"region", "year", "total"} - set(totals.columns)
    if missing:
        raise ParameterError(f"the totals table lacks column(s) {', '.join(sorted(missing))}")
    t = totals[["region", "year", "total"]].copy()
    t["region"] = t["region"].astype(str)
    t["year"] = t["year"].astype("int64")
    t["total"] = t["total"].astype("float64")
    return t


def _tidy_types(frame: pd.DataFrame) -> pd.DataFrame:
    ints = [
        c
        for c in (
            "year",
            "size_star",
            "specialisation_star",
            "focus_star",
            "productivity_star",
            "dynamism_star",
            "stars",
            "size_rank",
            "focus_rank",
            "n_regions",
        )
        if c in frame.columns
    ]
    for c in ints:
        frame[c] = frame[c].astype("int64")
    for c in ("strong", "strong_strict", "imputed"):
        if c in frame.columns:
            frame[c] = frame[c].fillna(False).astype(bool)
    return frame
