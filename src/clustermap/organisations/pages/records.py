"""``/registry/{kind}/{ref}``: one page per organisation, programme, case study and member (and ``/{kind}``,
which redirects to the search filtered by kind). Included last: its paths catch what no other page matched."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clustermap.organisations import repository, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.deps import PLURALS, runtime
from clustermap.organisations.errors import NotFoundError, RegistryError
from clustermap.organisations.pages.render import BASE, display_fields, error_page, identity_of, render
from clustermap.organisations.services import assessments

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- record pages


@router.get("/{plural}/{ref}", response_class=HTMLResponse)
def record_page(request: Request, plural: str, ref: str) -> Response:
    """One record with its fields in words, and what relates to it (case studies, assessments, …)."""
    rt = runtime(request)
    entity = PLURALS.get(plural)
    if entity is None:
        return error_page(request, NotFoundError("no such page"))
    identity = identity_of(request)
    extra: dict[str, Any] = {}
    try:
        with rt.transaction() as s:
            obj = repository.get(s, entity, ref)
            values = repository.public(entity, obj)
            fields = display_fields(entity, obj)
            if entity == "organisation":
                extra["case_studies"] = repository.case_studies_of(s, obj.slug)
                extra["assessments"] = assessments.of_organisation(s, identity, obj)
                extra["can_edit"] = security.may(identity, "organisation", "update", obj.owner_id)
                extra["can_assess"] = bool(identity) and (
                    identity.role == "admin" or (identity.role == "manager" and obj.owner_id == identity.user_id)
                )
            if entity == "programme":
                extra["organisations"] = [o for o in repository.organisations_of(s, None) if obj.slug in o.programmes]
            if identity is not None and entity in ("organisation", "member"):
                extra["my_members"] = [
                    m for m in repository.members_of(s, identity.user_id) if not (entity == "member" and m.id == obj.id)
                ]
    except RegistryError as exc:
        return error_page(request, exc)
    title = values.get("name") or values.get("title")
    return render(
        request,
        "record.html",
        title=title,
        entity=entity,
        values=values,
        fields=fields,
        label=voc.ENTITY_TYPES[entity],
        identity=identity,
        **extra,
    )


@router.get("/{plural}", response_class=HTMLResponse)
def record_list(request: Request, plural: str) -> Response:
    """Redirect to the search, filtered by this kind of record."""
    entity = PLURALS.get(plural)
    if entity is None:
        return error_page(request, NotFoundError("no such page"))
    return RedirectResponse(f"{BASE}/?{urlencode({'type': entity})}", status_code=303)
