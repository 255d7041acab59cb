"""The pandas reference of the site's fast answers (:mod:`clustermap.web.api.answers`): the same maps, profiles,
comparisons and result filters written plainly over the run's cells, as the tests hold them to check the numpy
path on every key of the real data and on random runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.web.api import tables as t
from clustermap.web.api.answers import run_ref
from clustermap.web.api.cellnotes import cell_notes
from clustermap.web.api.deps import check_metric
from clustermap.web.api.routes.meta import categories_of
from clustermap.web.api.routes.profiles import region_totals, region_year
from clustermap.web.api.routes.regions import region_public
from clustermap.web.api.routes.results import cell_columns, check_filters
from clustermap.web.api.schemas import CategoryProfilePublic, ComparePublic, MapDataPublic, RegionProfilePublic
from clustermap.web.api.service import Observatory, RunData
from clustermap.web.stars import max_stars


def map_classes(values: pd.Series, metric: str, stars_of: int = 3) -> tuple[list[dict[str, Any]], pd.Series]:
    """Legend classes of a map metric and the class of each value (:func:`tables.legend_classes` on a Series)."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    classes, idx = t.legend_classes(v.to_numpy(dtype=float), metric, stars_of)
    return classes, pd.Series(idx, index=values.index, dtype="int64")


def filter_cells(run: RunData, **filters: Any) -> pd.DataFrame:
    """The run's cells that pass every filter, sorted (ties: year, region, category); the filters (keywords of
    :func:`clustermap.web.api.routes.results.check_filters`) are checked against the run there (the same 400s)
    and come back with their defaults."""
    f = check_filters(run, **filters)
    level, country, min_stars, strong, sort = f["level"], f["country"], f["min_stars"], f["strong"], f["sort"]
    cells = run.cells
    mask = np.ones(len(cells), dtype=bool)
    if f["years"]:
        mask &= cells["year"].isin(f["years"]).to_numpy()
    if f["categories"]:
        mask &= cells["category"].isin(f["categories"]).to_numpy()
    if f["regions"]:
        mask &= cells["region"].isin(f["regions"]).to_numpy()
    if country:
        cc = country.upper()
        cc = "EL" if cc == "GR" else cc
        codes = cells["region"].str
        mask &= ((codes[:2] == cc) | ((cc == "EL") & (codes[:2] == "GR"))).to_numpy()
    if level is not None:
        is_nuts = cells["region"].str[:1].str.isalpha()
        mask &= (is_nuts & (cells["region"].str.len() == level + 2)).to_numpy()
    if min_stars is not None:
        mask &= (cells["stars"] >= min_stars).to_numpy()
    if strong is not None:
        mask &= (cells["strong"].astype(bool) == strong).to_numpy()
    out = cells[mask]
    key = sort.lstrip("-")
    ties = [k for k in ("year", "region", "category") if k != key]
    out = out.sort_values([key, *ties], ascending=[not sort.startswith("-")] + [True] * len(ties), kind="stable")
    return out[cell_columns(run)]


def map_data(obs: Observatory, run: RunData, year: int, category: str, metric: str) -> MapDataPublic:
    """What the choropleth draws: one value per region, its legend class, and a sentence describing the map."""
    check_metric(run, metric, "stars" in run.cells.columns)
    cells = run.rows(run.by_year_category.get((year, category)))
    column = metric
    values = cells[column].astype(float) if column in cells else pd.Series(np.nan, index=cells.index)
    classes, klass = map_classes(values, metric, max_stars(run.kind))
    layer = obs.geometry(run)
    drawn = {f["id"] for f in layer["features"]}

    def column(name: str, kind: type) -> list[Any]:
        if name not in cells.columns:
            return [None] * len(cells)
        out: list[Any] = []
        for v in cells[name].tolist():
            out.append(None if v is None or (isinstance(v, float) and np.isnan(v)) else kind(v))
        return out

    vals = [None if np.isnan(v) else float(v) for v in values.to_numpy(dtype=float)]
    rows = [
        {
            "region": r,
            "name": n,
            "value": v,
            "klass": int(k),
            "stars": st,
            "strong": sg,
            "lq": lq,
            "employment": e,
            "share": sh,
        }
        for r, n, v, k, st, sg, lq, e, sh in zip(
            cells["region"].tolist(),
            cells["region_name"].tolist(),
            vals,
            klass.tolist(),
            column("stars", int),
            column("strong", bool),
            column("lq", float),
            column("employment", float),
            column("share", float),
            strict=True,
        )
    ]
    # how far to trust each value (columns of newer runs; older runs lack them)
    extra = {
        name: column(name, kind)
        for name, kind in (("imputed", bool), ("employment_low", float), ("employment_high", float), ("flags", str))
    }
    for i, row in enumerate(rows):
        for name, values_ in extra.items():
            row[name] = values_[i]
        row.update(cell_notes(row))
    without = sorted(r["region"] for r in rows if r["region"] not in drawn)
    by_region = {r["region"] for r in rows}
    name = run.category_names.get(category, category)
    summary = t.map_summary(
        name=name,
        year=year,
        methodology=run.methodology,
        metric=metric,
        classes=classes,
        values=values.to_numpy(dtype=float),
        n_regions=len(rows),
        imputed=sum(1 for r in rows if r.get("imputed")),
        approximate=sorted(
            f["id"] for f in layer["features"] if f["properties"].get("shape") == "approximate" and f["id"] in by_region
        ),
        version=layer.get("version"),
        without=without,
    )
    return MapDataPublic(
        run_id=run.run_id,
        methodology=run.methodology,
        kind=run.kind,
        year=year,
        category=category,
        category_name=name,
        metric=metric,
        metric_label=t.metric_label(metric, max_stars(run.kind)),
        legend=classes,
        no_data_color=t.NO_DATA,
        values=rows,
        regions_without_shape=without,
        summary=summary,
    )


def region_profile(obs: Observatory, run: RunData, code: str, year: int | None, registry: bool) -> RegionProfilePublic:
    """The pandas reference of :func:`answers.region_profile_answer`."""
    cells, year, years = region_year(run, code, year)
    this_year = cells[cells["year"] == year]
    return RegionProfilePublic(
        region=region_public(obs, code),
        run=run_ref(run),
        year=year,
        years=years,
        totals=region_totals(this_year),
        portfolio=t.records(t.portfolio(this_year)),
        stars=t.records(t.region_stars_table(this_year)),
        change=t.records(t.region_change(cells)),
        category_years=t.records(t.region_category_years(cells)),
        registry_url=f"/api/registry/organisations?region={code}" if registry else None,
    )


def category_profile(obs: Observatory, run: RunData, slug: str, year: int, top: int) -> CategoryProfilePublic:
    """The pandas reference of :func:`answers.category_profile_answer`."""
    cells = run.rows(run.by_year_category.get((year, slug)))
    by_stars, by_emp = t.figure3(cells, top=top)
    definition = next((c.get("industries", []) for c in categories_of(run, obs.mirror) if c["slug"] == slug), [])
    return CategoryProfilePublic(
        category=slug,
        category_name=run.category_names.get(slug, slug),
        run=run_ref(run),
        year=year,
        top=top,
        by_stars=t.records(by_stars),
        by_employment=t.records(by_emp),
        concentration=t.concentration(cells),
        change=t.records(t.category_change(run.rows(run.by_category.get(slug)))),
        definition=definition,
    )


def compare(obs: Observatory, run: RunData, codes: list[str], year: int, value: str) -> ComparePublic:
    """The pandas reference of :func:`answers.compare_answer`."""
    cells = run.rows(run.by_year.get(year))
    present = [c for c in codes if c in set(cells["region"])]
    column = value if value in cells.columns else "strong"
    wide = t.compare_table(cells, present, column)
    totals = []
    for code in present:
        row = region_totals(cells[cells["region"] == code])
        totals.append({"region": code, "name": obs.name(code), **row})
    return ComparePublic(
        run=run_ref(run),
        year=year,
        value=value,
        regions=[region_public(obs, c) for c in present],
        missing=[c for c in codes if c not in present],
        rows=t.records(wide),
        totals=totals,
    )
