"""``/search``, ``/vocabulary``, ``/statistics``: finding records and what the registry holds."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from clustermap.organisations import fields, repository, search
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.content import survey
from clustermap.organisations.deps import PLURALS, PREFIX, RegistryRoute, Rt, clean, clean_list, responses
from clustermap.organisations.outputs import SearchOut

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)
_PLURAL_OF = {v: k for k, v in PLURALS.items()}


def search_out(result: search.SearchResult) -> dict[str, Any]:
    """The JSON answer of a search: hits with their API URL, facet counts, the filters applied."""
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "filters": result.filters,
        "hits": [
            {
                "type": h.entity_type,
                "id": h.entity_id,
                "slug": h.slug,
                "title": h.title,
                "summary": h.summary,
                "score": h.score,
                "url": f"{PREFIX}/{_PLURAL_OF[h.entity_type]}/{h.slug}",
            }
            for h in result.hits
        ],
        "facets": result.facets,
    }


@router.get("/search", response_model=SearchOut, responses=responses(422))
def search_registry(
    rt: Rt,
    q: Annotated[str, Query(max_length=200, description="words to find (all must occur; prefixes match)")] = "",
    type: Annotated[list[Literal["organisation", "programme", "case_study", "member"]], Query()] = (),
    country: Annotated[list[str], Query()] = (),
    region: Annotated[list[str], Query(description="NUTS code or prefix")] = (),
    category: Annotated[list[str], Query()] = (),
    programme_type: Annotated[list[str], Query()] = (),
    support_type: Annotated[list[str], Query()] = (),
    target_group: Annotated[list[str], Query()] = (),
    policy_focus: Annotated[list[str], Query()] = (),
    member_kind: Annotated[list[str], Query()] = (),
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """Full-text search with facets over organisations, programmes, case studies and members. Values of one
    facet are alternatives; facets combine with AND; facet counts are over everything that matched."""
    filters = {
        "type": list(type),
        "country": clean_list(country),
        "region": clean_list(region),
        "category": clean_list(category),
        "programme_type": clean_list(programme_type),
        "support_type": clean_list(support_type),
        "target_group": clean_list(target_group),
        "policy_focus": clean_list(policy_focus),
        "member_kind": clean_list(member_kind),
    }
    with rt.transaction() as s:
        result = search.search(s, clean(q), filters=filters, page=page, per_page=per_page)
    return search_out(result)


@router.get("/vocabulary")
def vocabulary() -> dict[str, dict[str, str]]:
    """The controlled vocabularies (value → label) and the cluster categories records may use."""
    return {
        "roles": dict(voc.ROLES),
        "programme_levels": dict(voc.PROGRAMME_LEVELS),
        "policy_focus": dict(voc.POLICY_FOCUS),
        "target_groups": dict(voc.TARGET_GROUPS),
        "support_types": dict(voc.SUPPORT_TYPES),
        "lifecycle": dict(voc.LIFECYCLE),
        "funding_sources": dict(voc.FUNDING_SOURCES),
        "organisation_kinds": dict(voc.ORGANISATION_KINDS),
        "member_kinds": dict(voc.MEMBER_KINDS),
        "exchange_tags": dict(voc.EXCHANGE_TAGS),
        "facets": dict(voc.FACETS),
        "categories": fields.registry_categories(),
    }


@router.get("/statistics")
def statistics(rt: Rt) -> dict[str, Any]:
    """What the registry holds, beside the European Cluster Observatory survey figures the reference document
    reports (69 national and 88 regional cluster programmes)."""
    with rt.transaction() as s:
        counts = repository.counts(s)
    return {"registry": counts, "survey": survey()}
