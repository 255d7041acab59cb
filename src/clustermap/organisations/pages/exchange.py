"""``/registry/matchmaking``, ``/registry/interests``, ``/registry/notifications``: finding partners,
expressing interest and answering it."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from clustermap.organisations import fields, repository, schemas, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.deps import runtime
from clustermap.organisations.errors import RegistryError
from clustermap.organisations.models import Member, Notification, Organisation
from clustermap.organisations.pages.render import (
    BASE,
    error_page,
    identity_of,
    login_redirect,
    render,
    signed_in_form,
)
from clustermap.organisations.services import accounts, interests

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- matchmaking


@router.get("/matchmaking", response_class=HTMLResponse)
def matchmaking_page(request: Request) -> Response:
    """The matchmaking form and, once submitted, the ranked partners with their reasons."""
    rt = runtime(request)
    params = request.query_params
    identity = identity_of(request)
    errors: list[dict[str, Any]] = []
    results = None
    form = {
        "region": (params.get("region") or "").replace("\x00", "")[:10],
        "category": [v[:120] for v in params.getlist("category") if v][:38],
        "nace": (params.get("nace") or "").replace("\x00", "")[:200],
        "offers": [v[:40] for v in params.getlist("offers") if v][:30],
        "needs": [v[:40] for v in params.getlist("needs") if v][:30],
        "seeker": params.get("seeker") or "sme",
        "max_distance_km": (params.get("max_distance_km") or "")[:10],
    }
    my_members: list[Member] = []
    if identity is not None:
        with rt.transaction() as s:
            my_members = repository.members_of(s, identity.user_id)
    if params.get("submitted"):
        try:
            profile = schemas.Profile(
                region=form["region"] or None,
                categories=form["category"],
                nace_codes=[c.strip() for c in form["nace"].replace(";", ",").split(",") if c.strip()],
                offers=form["offers"],
                needs=form["needs"],
                seeker=form["seeker"] if form["seeker"] in ("sme", "cluster-manager") else "sme",
                max_distance_km=float(form["max_distance_km"]) if form["max_distance_km"] else None,
                member_id=my_members[0].id if my_members else None,
            )
            with rt.transaction() as s:
                results = rt.match(s, profile)
        except ValidationError as exc:
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors(include_url=False)
            ]
        except ValueError as exc:
            errors = [{"field": "max_distance_km", "message": str(exc)}]
    return render(
        request,
        "matchmaking.html",
        status=422 if errors else 200,
        title="Find partners",
        form=form,
        results=results,
        errors=errors,
        categories=fields.registry_categories(),
        tags=voc.EXCHANGE_TAGS,
        my_members=my_members,
        identity=identity,
    )


@router.post("/interests")
async def interest_submit(request: Request) -> Response:
    """Send an expression of interest from one of the caller's member profiles."""
    rt = runtime(request)
    signed_in = await signed_in_form(request)
    if isinstance(signed_in, Response):
        return signed_in
    identity, form = signed_in
    try:
        security.authorize(identity, "interest", "create")

        def to_int(key: str) -> int | None:
            value = str(form.get(key) or "").strip()
            return int(value) if value.isdigit() and len(value) < 10 else None

        body = schemas.InterestIn(
            from_member_id=to_int("from_member_id") or 0,
            to_member_id=to_int("to_member_id"),
            to_organisation_id=to_int("to_organisation_id"),
            message=str(form.get("message") or "")[:4000],
        )
        with rt.transaction(identity) as s:
            interests.express_interest(s, identity, body)
    except ValidationError as exc:
        message = "; ".join(e["msg"] for e in exc.errors(include_url=False))
        return render(request, "message.html", status=422, title="Not sent", message=message)
    except RegistryError as exc:
        return error_page(request, exc)
    return render(
        request,
        "message.html",
        title="Interest sent",
        message="Your expression of interest was sent; the other side is notified in the app.",
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request) -> Response:
    """The caller's notifications and the expressions of interest they sent or received."""
    rt = runtime(request)
    identity = identity_of(request)
    if identity is None:
        return login_redirect(request)
    with rt.transaction() as s:
        notes = repository.notifications_of(s, identity.user_id)
        received = interests.interests_of(s, identity)
        names = repository.names(s, Member)
        orgs = repository.names(s, Organisation)
        mine = {m.id for m in repository.members_of(s, identity.user_id)}
    return render(
        request,
        "notifications.html",
        title="Notifications",
        notes=notes,
        interests=received,
        names=names,
        orgs=orgs,
        mine=mine,
        identity=identity,
    )


@router.post("/notifications/{notification_id}/read")
async def notification_read(request: Request, notification_id: int) -> Response:
    """Mark a notification as read."""
    rt = runtime(request)
    signed_in = await signed_in_form(request)
    if isinstance(signed_in, Response):
        return signed_in
    identity, _ = signed_in
    with rt.transaction(identity) as s:
        note = repository.by_id(s, Notification, notification_id)
        if note is not None and note.user_id == identity.user_id:
            accounts.mark_read(s, identity, notification_id)
    return RedirectResponse(f"{BASE}/notifications", status_code=303)


@router.post("/interests/{interest_id}")
async def interest_answer(request: Request, interest_id: int) -> Response:
    """Accept, decline or withdraw an expression of interest."""
    rt = runtime(request)
    signed_in = await signed_in_form(request)
    if isinstance(signed_in, Response):
        return signed_in
    identity, form = signed_in
    try:
        body = schemas.InterestPatch(version=int(str(form.get("version") or "0") or 0), status=form.get("status"))
        with rt.transaction(identity) as s:
            interests.answer(s, identity, interest_id, body)
    except ValidationError as exc:
        return render(
            request,
            "message.html",
            status=422,
            title="Not changed",
            message="; ".join(e["msg"] for e in exc.errors(include_url=False)),
        )
    except RegistryError as exc:
        return error_page(request, exc)
    return RedirectResponse(f"{BASE}/notifications", status_code=303)
