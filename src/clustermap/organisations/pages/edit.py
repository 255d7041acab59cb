"""``/registry/organisations/{ref}/edit``: the edit form of an organisation (optimistic locking: a stale form
gets a 409 page with the current values beside the caller's)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clustermap.organisations import fields, repository, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.deps import runtime
from clustermap.organisations.errors import ConflictError, RegistryError
from clustermap.organisations.pages.render import (
    BASE,
    as_list,
    error_page,
    identity_of,
    login_redirect,
    render,
    signed_in_form,
)

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- edit an organisation


@router.get("/organisations/{ref}/edit", response_class=HTMLResponse)
def edit_form(request: Request, ref: str) -> Response:
    """The edit form, filled with the current values (its owner or an administrator)."""
    rt = runtime(request)
    identity = identity_of(request)
    if identity is None:
        return login_redirect(request)
    try:
        with rt.transaction() as s:
            obj = repository.get(s, "organisation", ref)
            security.authorize(identity, "organisation", "update", obj.owner_id)
            values = repository.public("organisation", obj)
    except RegistryError as exc:
        return error_page(request, exc)
    return render(
        request,
        "edit.html",
        title=f"Edit {values['name']}",
        values=values,
        errors=[],
        categories=fields.registry_categories(),
        tags=voc.EXCHANGE_TAGS,
        kinds=voc.ORGANISATION_KINDS,
        identity=identity,
    )


@router.post("/organisations/{ref}/edit", response_class=HTMLResponse)
async def edit_submit(request: Request, ref: str) -> Response:
    """Save the edit; 409 with both versions when someone else saved first, 422 with the errors."""
    rt = runtime(request)
    signed_in = await signed_in_form(request)
    if isinstance(signed_in, Response):
        return signed_in
    identity, form = signed_in
    version_raw = str(form.get("version") or "")
    changes: dict[str, Any] = {
        "version": int(version_raw) if version_raw.isdigit() and len(version_raw) < 10 else 0,
        "name": str(form.get("name") or ""),
        "kind": str(form.get("kind") or ""),
        "description": str(form.get("description") or ""),
        "regions": [r.strip() for r in str(form.get("regions") or "").replace(";", ",").split(",") if r.strip()],
        "categories": as_list(form.get("categories")),
        "services": as_list(form.get("services")),
        "seeking": as_list(form.get("seeking")),
        "website": str(form.get("website") or "").strip() or None,
    }
    for key in ("members_total", "members_smes", "founded"):
        raw = str(form.get(key) or "").strip()
        changes[key] = int(raw) if raw.isdigit() and len(raw) < 10 else None
    try:
        with rt.transaction(identity) as s:
            obj = repository.get(s, "organisation", ref)
            security.authorize(identity, "organisation", "update", obj.owner_id)
            repository.update(s, "organisation", obj, changes)
            slug = obj.slug
    except ConflictError as exc:
        with rt.transaction() as s:
            current = repository.public("organisation", repository.get(s, "organisation", ref))
        return render(
            request,
            "edit.html",
            status=409,
            title="Someone else changed this organisation",
            values=current,
            conflict=exc.message,
            errors=[],
            mine=changes,
            categories=fields.registry_categories(),
            tags=voc.EXCHANGE_TAGS,
            kinds=voc.ORGANISATION_KINDS,
            identity=identity,
        )
    except RegistryError as exc:
        if exc.status_code == 422:
            values = {**changes, "slug": ref, "version": changes["version"]}
            errs = [f"{e.get('field')}: {e.get('message')}" for e in exc.extra.get("errors", [])] or [exc.message]
            return render(
                request,
                "edit.html",
                status=422,
                title="Please correct",
                values=values,
                errors=errs,
                categories=fields.registry_categories(),
                tags=voc.EXCHANGE_TAGS,
                kinds=voc.ORGANISATION_KINDS,
                identity=identity,
            )
        return error_page(request, exc)
    return RedirectResponse(f"{BASE}/organisations/{slug}", status_code=303)
