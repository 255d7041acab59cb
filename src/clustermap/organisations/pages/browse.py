"""``/registry/``: search with facets, and the overview of cluster programmes with the survey figures."""

import math
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from clustermap.organisations import repository, search
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.content import survey
from clustermap.organisations.deps import runtime
from clustermap.organisations.pages.render import BASE, FACET_ORDER, SINGULAR_TO_PLURAL, render

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- search


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    """Search with facets: a value toggles on click, pages of 20."""
    rt = runtime(request)
    params = request.query_params
    q = (params.get("q") or "").replace("\x00", "")[:200]
    filters = {f: [v.replace("\x00", "")[:120] for v in params.getlist(f) if v][:20] for f in voc.FACETS}
    try:
        page = max(1, min(10_000, int(params.get("page") or 1)))
    except ValueError:
        page = 1
    with rt.transaction() as s:
        result = search.search(s, q, filters=filters, page=page, per_page=20)

    def toggle(facet: str, value: str) -> str:
        items = [(k, v) for k, v in params.multi_items() if k != "page"]
        pair = (facet, value)
        items = [i for i in items if i != pair] if pair in items else [*items, pair]
        return f"{BASE}/?{urlencode(items)}"

    def page_link(n: int) -> str:
        items = [(k, v) for k, v in params.multi_items() if k != "page"] + [("page", str(n))]
        return f"{BASE}/?{urlencode(items)}"

    pages = max(1, math.ceil(result.total / result.per_page))
    return render(
        request,
        "search.html",
        title="Search the registry",
        q=q,
        result=result,
        facet_order=[f for f in FACET_ORDER if result.facets.get(f)],
        toggle=toggle,
        page_link=page_link,
        pages=pages,
        plural=SINGULAR_TO_PLURAL,
    )


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(request: Request) -> Response:
    """Every cluster programme by level, beside the survey figures of the reference document."""
    rt = runtime(request)
    with rt.transaction() as s:
        rows = repository.programmes_by_level(s)
    return render(request, "programmes.html", title="Cluster programmes and policies", programmes=rows, survey=survey())
