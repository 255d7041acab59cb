"""The web site's pages: the map (``/``), a region (``/region/{code}``), a category (``/category/{slug}``), the
comparison of up to 10 regions (``/compare``), the list of categories and the data and method page.

Pages are rendered on the server from the same tables as the API (:mod:`clustermap.web.api.tables`), with
charts as inline SVG (:mod:`clustermap.web.charts`), so they read without JavaScript; the map and the registry
entries are drawn by the page's scripts from the API.
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from clustermap.reports.text import readable
from clustermap.web import charts
from clustermap.web.api import tables as t
from clustermap.web.api.deps import ApiError, check_category, check_year, select_run
from clustermap.web.api.routes.meta import categories_of, datasets_loaded
from clustermap.web.api.routes.profiles import region_totals, region_year
from clustermap.web.api.routes.regions import region_public
from clustermap.web.api.routes.results import default_category
from clustermap.web.api.service import Observatory, RunData
from clustermap.web.api.tables import METRIC_LABELS
from clustermap.web.stars import max_stars, star_columns

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDOR = STATIC / "vendor"
templates = Jinja2Templates(directory=str(HERE / "templates"))
# every printed string as prose: the backticks, ``|R|`` and ``<=`` of methodology descriptions are not shown raw
templates.env.finalize = readable
router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------------------------------------- filters


def _missing(value: Any) -> bool:
    """No figure to print (None, NaN, infinite): printed as a dash, never as 0."""
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt_int(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):,.0f}".replace(",", "\u202f")


def fmt_num(value: Any, digits: int = 2) -> str:
    return "–" if _missing(value) else f"{float(value):.{digits}f}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value) * 100:.{digits}f}\u202f%"


@pass_context
def stars_html(context: Any, value: Any, of: int | None = None) -> Any:
    """``n`` stars as symbols, read as "n of 3 stars" (or "n of 5 stars" on a page of a panorama run: ``of``
    defaults to the most stars the page's ``run`` gives)."""
    from markupsafe import Markup

    from clustermap.web.stars import max_stars, star_label

    if of is None:
        run = context.get("run")
        of = max_stars(getattr(run, "kind", "stars"))
    n = 0 if value is None else int(value)
    label = star_label(n, of)  # what a screen reader says instead of the symbols
    return Markup(
        f'<span class="stars" role="img" aria-label="{label}" title="{label}">'
        f'{"★" * n}<span class="off" aria-hidden="true">{"★" * max(of - n, 0)}</span></span>'
    )


def nice_name(name: Any) -> str:
    """A region name for reading: the capitals of older Eurostat NUTS 0/1 names (``CENTRE-EST``) in title case."""
    text = str(name)
    return text.title() if text.isupper() and len(text) > 3 else text


def employment_cell(row: dict[str, Any]) -> str:
    """A cell's employment as statistics offices show it (imputed: "about …", confidential: a range)."""
    from clustermap.web.api.cellnotes import cell_notes

    return cell_notes(row)["employment_text"].replace(",", "\u202f")


def flags_html(value: Any) -> Any:
    """Eurostat flags as abbreviations whose title gives the meaning (``b`` → "break in time series")."""
    from markupsafe import Markup, escape

    from clustermap.web.api.cellnotes import flag_meanings

    parts = [m.split(": ", 1) for m in flag_meanings(value)]
    return Markup(" ".join(f'<abbr title="{escape(m[-1])}">{escape(m[0])}</abbr>' for m in parts))


templates.env.filters.update(
    kind=lambda v, k: charts.format_value(None if v is None else float(v), k),
    int=fmt_int,
    num=fmt_num,
    pct=fmt_pct,
    stars=stars_html,
    nice=nice_name,
    emp=employment_cell,
    flags=flags_html,
)
templates.env.globals.update(metric_labels=METRIC_LABELS, star_columns=star_columns, max_stars=max_stars)


def with_star_counts(rows: list[dict[str, Any]], cells: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """``rows`` (one per year, or one row of a single year's ``cells``) with ``clusters_4_star`` and
    ``clusters_5_star`` for a panorama run (the API's counts stop at three stars)."""
    if max_stars(kind) <= 3 or "stars" not in cells.columns:
        return rows
    for r in rows:
        sub = cells if "year" not in r or r.get("year") is None else cells[cells["year"] == r["year"]]
        for s in range(4, max_stars(kind) + 1):
            r[f"clusters_{s}_star"] = int((sub["stars"] == s).sum())
    return rows


#: the lowest star class a category's year table counts on its own: the top class of the three-star scale
TOP_STARS_FROM = 3


def top_star_classes(kind: str, cells: pd.DataFrame) -> list[int]:
    """The star classes a category's table by year counts, highest first: the top of the run's scale
    (:func:`~clustermap.web.stars.max_stars`) down to three stars — ``[3]`` for an ECO run (0–3), ``[5, 4, 3]`` for
    a panorama run (0–5); none for a run without stars (strong clusters)."""
    if "stars" not in cells.columns:
        return []
    return list(range(max_stars(kind), TOP_STARS_FROM - 1, -1))


def with_star_columns(rows: list[dict[str, Any]], cells: pd.DataFrame, kind: str) -> list[dict[str, Any]]:
    """``rows`` (one per category of one region and year) with every star column of the run's method — the
    productivity and dynamism stars of a panorama run are not among the API's cell fields."""
    cols = [c for c, _ in star_columns(kind) if c in cells.columns]
    if not cols or not rows:
        return rows
    lookup = cells.drop_duplicates("category").set_index("category")[cols]
    for r in rows:
        if r.get("category") in lookup.index:
            for c in cols:
                v = lookup.at[r["category"], c]
                r[c] = None if pd.isna(v) else bool(v)
    return rows


# ---------------------------------------------------------------------------------------------- context


def observatory(request: Request) -> Observatory:
    return request.app.state.observatory


def vendor_ready() -> bool:
    """The npm packages were copied into ``static/vendor`` by ``scripts/build_web.sh``."""
    return (VENDOR / "maplibre-gl" / "maplibre-gl.js").is_file()


def base(request: Request, title: str, *, data: bool = True, **extra: Any) -> dict[str, Any]:
    """What every page's template reads: the observatory's snapshot (none with ``data=False``: the error page
    when the data cannot be read, without the registry and analyses links), the version, the links."""
    from clustermap import __version__

    snap = observatory(request).snapshot() if data else None
    state = request.app.state
    return {
        "request": request,
        "title": title,
        "snap": snap,
        "version": __version__,
        "registry": snap is not None and bool(getattr(state, "registry_installed", False)),
        "analyses": snap is not None and bool(getattr(state, "analyses_installed", False)),
        "vendor_ready": vendor_ready(),
        "methodologies": snap.methodologies if snap is not None else [],
        **extra,
    }


def page_run(
    request: Request,
    methodology: str | None,
    run: str | None,
    *,
    dataset: str | None = None,
    family: str | None = None,
) -> RunData | None:
    """The run a page shows (:func:`~clustermap.web.api.deps.select_run`: the published run unless the URL names
    another by ``run``, ``dataset``, ``methodology`` or ``family``)."""
    snap = observatory(request).snapshot()
    if not snap.runs:
        return None
    return select_run(snap, methodology, run, dataset=dataset, family=family)


def run_choices(request: Request, chosen: RunData) -> list[dict[str, Any]]:
    """The runs of ``chosen``'s region family for the run selector, published first, then newest first."""
    snap = observatory(request).snapshot()
    published = set(snap.published.values())
    mine = [r for r in snap.runs.values() if r.family == chosen.family]
    mine = sorted(mine, key=lambda r: r.created, reverse=True)
    mine.sort(key=lambda r: r.run_id not in published)
    return [
        {
            "run_id": r.run_id,
            "label": r.label + (" · published" if r.run_id in published else ""),
            "selected": r.run_id == chosen.run_id,
        }
        for r in mine
    ]


def families(request: Request) -> list[str]:
    """The region families the warehouse has runs for (``EU``, ``US``)."""
    snap = observatory(request).snapshot()
    return sorted({r.family for r in snap.runs.values()})


def render(name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(context["request"], name, context, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An HTML error page (for the site's paths; the API answers JSON)."""
    titles = {400: "Not found here", 404: "Not found", 422: "Invalid request"}
    try:
        ctx = base(request, titles.get(status, "Error"), status=status, message=message)
    except Exception:  # the error page must render even when the data cannot be read
        ctx = base(request, "Error", data=False, status=status, message=message)
    return render("error.html", ctx, status=status)


def no_results(request: Request) -> HTMLResponse:
    snap = observatory(request).snapshot()
    return render("empty.html", base(request, "No results yet", reason=snap.error), status=200)


def _script_json(value: Any) -> str:
    """JSON safe to put inside a ``<script>`` element."""
    return json.dumps(value).replace("</", "<\\/")


# ------------------------------------------------------------------------------------------------- pages

Methodology = Annotated[str | None, Query(max_length=64)]
RunId = Annotated[str | None, Query(max_length=64)]
Dataset = Annotated[str | None, Query(max_length=200)]
Family = Annotated[str | None, Query(pattern="^(EU|US|eu|us)$")]
#: where each region family's map is
FAMILY_PLACE = {"EU": "Europe", "US": "the United States"}
Year = Annotated[int | None, Query(ge=1900, le=2100)]


def _map_config(chosen: RunData, year: int, category: str, metric: str, mode: str) -> dict[str, Any]:
    """What ``static/map.js`` draws: the run, year, category and metric, on the full map or embedded in a page."""
    keys = {"run": chosen.run_id, "methodology": chosen.methodology, "kind": chosen.kind, "year": year}
    return keys | {"category": category, "metric": metric, "mode": mode}


@router.get("/", response_class=HTMLResponse)
def map_page(
    request: Request,
    methodology: Methodology = None,
    run: RunId = None,
    year: Year = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    metric: Annotated[str, Query(pattern="^(stars|lq|employment|share|strong)$")] = "stars",
    dataset: Dataset = None,
    family: Family = None,
) -> HTMLResponse:
    """The map of stars for a category, year and methodology; the published run of the region family (EU by
    default) unless the URL names a run, dataset or methodology."""
    chosen = page_run(request, methodology, run, dataset=dataset, family=family)
    if chosen is None:
        return no_results(request)
    y = check_year(chosen, year)
    c = check_category(chosen, category) if category else default_category(chosen)
    if metric == "stars" and "stars" not in chosen.cells.columns:
        metric = "strong"
    config = _map_config(chosen, y, c, metric, "full") | {
        "family": chosen.family,
        "dataset": chosen.dataset,
        "pinned": run is not None,
    }
    cbsas = undrawn_cbsas(observatory(request), observatory(request).geometry(chosen)) if chosen.family == "US" else []
    if cbsas:
        config["cbsa_undrawn"] = cbsas
    ctx = base(
        request,
        f"Map of {chosen.category_names.get(c, c)} clusters, {y}",
        cbsa_notice=CBSA_NOTICE if cbsas else None,
        cbsa_count=len(cbsas),
        run=chosen,
        year=y,
        category=c,
        metric=metric,
        categories=sorted(chosen.category_names.items(), key=lambda kv: kv[1]),
        metrics=[m for m in METRIC_LABELS if m in chosen.cells.columns],
        config=_script_json(config),
        run_choices=run_choices(request, chosen),
        families=families(request),
        place=FAMILY_PLACE.get(chosen.family, "Europe"),
    )
    return render("map.html", ctx)


#: why the site draws no US CBSA (metropolitan / micropolitan area): said once, not as "cannot be drawn" per code
CBSA_NOTICE = (
    "US metropolitan and micropolitan areas (CBSAs) are not drawn on the map. Their shapes would be the unions of "
    "their counties, but the list of the counties of each CBSA (the OMB delineation) is not available here: the "
    "data mirror has none, and no maintained package on PyPI or npm ships it (us-atlas, which draws the states, "
    "has state and county shapes only). Their values are in the table under the map and in the downloads."
)


def undrawn_cbsas(obs: Any, layer: dict[str, Any]) -> list[str]:
    """The codes among a layer's regions without a shape that are US CBSAs (by the region registry)."""
    reg = obs.registry
    missing = [m["region"] for m in layer.get("missing", [])]
    if reg is None or not missing:
        return []
    us = reg.us_table
    cbsa = set(us.loc[us["kind"] == "cbsa", "code"])
    return [c for c in missing if c in cbsa]


def _same_territory(obs: Any, run: Any, code: str) -> list[dict[str, Any]]:
    """The run's regions that hold ``code``'s territory under another NUTS version's code (``FR24`` for today's
    ``FRB0``, ``FRB0`` for the old ``FR24``), with how they relate."""
    from clustermap.regions.successors import same_territory, successor_note

    both = same_territory(code, mirror=obs.mirror)
    out = []
    for r in both["earlier"].itertuples(index=False):
        if r.code in run.by_region:
            note = successor_note(r.code, r.versions, r.change, r.share)
            out.append({"code": r.code, "name": obs.name(r.code), "note": f"{code} {note}"})
    for r in both["later"].itertuples(index=False):
        if r.successor in run.by_region:
            note = successor_note(code, r.versions, r.change, r.share)
            out.append({"code": r.successor, "name": obs.name(r.successor), "note": f"{r.successor} {note}"})
    return out


@router.get("/region/{code}", response_class=HTMLResponse)
def region_page(
    request: Request, code: str, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> HTMLResponse:
    """A region: portfolio, stars table, LQ chart, change over time, registry entries."""
    obs = observatory(request)
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    if code not in chosen.by_region and code.upper() in chosen.by_region:
        code = code.upper()
    info = region_public(obs, code)
    if code not in chosen.by_region:
        known = obs.region(code)
        if known is None:
            raise ApiError(404, "unknown_region", f"There is no region with the code {code!r}.")
        reg = obs.registry
        children = []
        if reg is not None:
            children = [region_public(obs, ch.code, region=ch) for ch in reg.children(known.code, known.version)]
        same = _same_territory(obs, chosen, known.code)
        ctx = base(request, f"{info['name']} ({code})", region=info, run=chosen, children=children, same=same)
        return render("region_missing.html", ctx, status=200 if same else 404)
    cells, y, years = region_year(chosen, code, year)
    this_year = cells[cells["year"] == y]
    stars = with_star_columns(t.records(t.region_stars_table(this_year)), this_year, chosen.kind)
    change = with_star_counts(t.records(t.region_change(cells)), cells, chosen.kind)
    category_years = t.records(t.region_category_years(cells))
    ancestors = []
    reg = obs.registry
    known = obs.region(code)
    if reg is not None and known is not None:
        p = reg.parent(known.code, known.version if known.kind == "nuts" else None)
        while p is not None:
            ancestors.insert(0, region_public(obs, p.code, region=p))
            p = reg.parent(p.code, p.version if p.kind == "nuts" else None)
    layer = obs.geometry(chosen)
    shape = next((f["properties"] for f in layer["features"] if f["id"] == code), None)
    lq_rows = sorted(stars, key=lambda r: -(r.get("lq") or 0))
    ctx = base(
        request,
        f"{info['name']} ({code}) — cluster portfolio {y}",
        run=chosen,
        region=info,
        ancestors=ancestors,
        year=y,
        years=years,
        totals=with_star_counts([region_totals(this_year)], this_year, chosen.kind)[0],
        portfolio=t.records(t.portfolio(this_year)),
        stars_table=stars,
        change=change,
        category_years=category_years,
        year_columns=[str(x) for x in years],
        lq_svg=charts.lq_chart(
            lq_rows, title=f"Location quotient by category, {info['name']}, {y}", of=max_stars(chosen.kind)
        ),
        change_svg=charts.change_chart(change, title=f"Clusters by stars per year, {info['name']}"),
        shape=shape,
        dl=f"run={chosen.run_id}&region={code}",
        config=_script_json({"region": code}),
    )
    return render("region.html", ctx)


@router.get("/category/{slug}", response_class=HTMLResponse)
def category_page(
    request: Request,
    slug: str,
    methodology: Methodology = None,
    run: RunId = None,
    year: Year = None,
    top: Annotated[int, Query(ge=5, le=100)] = 20,
) -> HTMLResponse:
    """A category: top regions by stars beside top regions by employment, concentration, map, change."""
    obs = observatory(request)
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    if slug not in chosen.category_names:
        raise ApiError(404, "unknown_category", f"There is no category {slug!r} in {chosen.categories}.")
    y = check_year(chosen, year)
    cells = chosen.rows(chosen.by_year_category.get((y, slug)))
    by_stars, by_emp = t.figure3(cells, top=top)
    all_years = chosen.rows(chosen.by_category.get(slug))
    change = t.records(t.category_change(all_years, chosen.kind))
    name = chosen.category_names[slug]
    definition = next((c for c in categories_of(chosen, obs.mirror) if c["slug"] == slug), {})
    in_both = set(by_stars["region"]) & set(by_emp["region"])
    config = _map_config(chosen, y, slug, "stars" if "stars" in chosen.cells.columns else "strong", "embedded")
    ctx = base(
        request,
        f"{name} — ranking by stars and by employment, {y}",
        run=chosen,
        slug=slug,
        name=name,
        year=y,
        top=top,
        by_stars=t.records(by_stars),
        by_employment=t.records(by_emp),
        in_both=in_both,
        concentration=t.concentration(cells),
        change=change,
        top_classes=top_star_classes(chosen.kind, all_years),
        strong_svg=charts.line_chart(
            change,
            "share_in_strong_clusters",
            title=f"{name}: share of employment in strong clusters by year",
            label="Share of employment in strong clusters",
            ident="strong-share-chart",
            percent=True,
        ),
        definition=definition,
        categories=sorted(chosen.category_names.items(), key=lambda kv: kv[1]),
        metrics=[m for m in METRIC_LABELS if m in chosen.cells.columns],
        metric=config["metric"],
        category=slug,
        config=_script_json(config),
        dl=f"run={chosen.run_id}&category={slug}",
    )
    return render("category.html", ctx)


@router.get("/categories", response_class=HTMLResponse)
def categories_page(
    request: Request, methodology: Methodology = None, run: RunId = None, year: Year = None
) -> HTMLResponse:
    """Every category with its clusters in one year."""
    obs = observatory(request)
    chosen = page_run(request, methodology, run)
    if chosen is None:
        return no_results(request)
    y = check_year(chosen, year)
    rows = []
    defs = {c["slug"]: c for c in categories_of(chosen, obs.mirror)}
    for slug, name in sorted(chosen.category_names.items(), key=lambda kv: kv[1]):
        cells = chosen.rows(chosen.by_year_category.get((y, slug)))
        conc = t.concentration(cells)
        rows.append({"slug": slug, "name": name, **conc, "merged_from": defs.get(slug, {}).get("merged_from", "")})
    ctx = base(request, f"Cluster categories, {y}", run=chosen, year=y, rows=rows, dl=f"run={chosen.run_id}")
    return render("categories.html", ctx)


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request, methodology: Methodology = None, run: RunId = None) -> HTMLResponse:
    """Methodology, parameters, datasets with provenance, runs and the regions the map cannot draw."""
    obs = observatory(request)
    snap = obs.snapshot()
    chosen = page_run(request, methodology, run)
    from clustermap.methodology import get_methodology

    method = None
    if chosen is not None:
        with contextlib.suppress(Exception):  # a methodology from a user's file has none
            method = get_methodology(chosen.methodology)
    layer = obs.geometry(chosen) if chosen is not None else {"missing": [], "credit": ""}
    cbsas = set(undrawn_cbsas(obs, layer))
    ctx = base(
        request,
        "Data and method",
        cbsa_notice=CBSA_NOTICE if cbsas else None,
        cbsa_count=len(cbsas),
        run=chosen,
        method=method,
        datasets=datasets_loaded(snap),
        runs=sorted(snap.runs.values(), key=lambda r: r.created, reverse=True),
        missing=[m for m in layer["missing"] if m["region"] not in cbsas],
        geometry_credit=layer.get("credit", ""),
        drawn=len(layer.get("features", [])),
    )
    return render("about.html", ctx)


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> HTMLResponse:
    """Regions whose name or code contains ``q`` (the search box without JavaScript)."""
    obs = observatory(request)
    code = q.strip()
    snap = obs.snapshot()
    latest = snap.latest
    if latest is not None and (code in latest.by_region or code.upper() in latest.by_region):
        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/region/{code if code in latest.by_region else code.upper()}", status_code=303)
    items = []
    if obs.registry is not None and code:
        for hit in obs.find_places(code, limit=50):
            r = obs.region(hit.code)
            if r is not None:
                items.append({**region_public(obs, r.code, region=r), "match": hit.match})
        us = [r for r in obs.registry.search(code, limit=None) if r.kind != "nuts"][:20]
        items += [region_public(obs, r.code, region=r) for r in us]
    return render("regions.html", base(request, f"Regions matching {q}", q=q, items=items))


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


def install(app: FastAPI) -> None:
    """Mount the static files and the pages on ``app`` (the dashboards and the comparison page,
    :mod:`clustermap.web.dashboard_pages`, are mounted beside them by the app)."""
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(router)
