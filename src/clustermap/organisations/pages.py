"""Server-rendered web pages of the registry under ``/registry`` (Jinja2, no JavaScript needed, no CDN).

Pages: search with facets (``/registry/``), one page per organisation, programme, case study and member,
the programme overview with the survey figures, matchmaking with explanations and expressions of interest,
the self-assessment questionnaire and its printable result, login / logout, notifications, and an edit form for
organisations (optimistic locking: a stale form gets a 409 page with the current values).

Every form that changes something carries a CSRF token (the session's, or for the login form an HMAC of an
anonymous nonce cookie); pages use labels, fieldsets and landmarks so that they work with the keyboard and a
screen reader. Route bodies only call library functions.
"""

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy import func, select

from clustermap.organisations import assessment as assess
from clustermap.organisations import repository, schemas, search, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.content import survey
from clustermap.organisations.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RegistryError,
)
from clustermap.organisations.models import Assessment, CaseStudy, Member, Notification, Organisation, Programme, utcnow

__all__ = ["build_pages_router"]

BASE = "/registry"
_PLURALS = {
    "organisations": "organisation",
    "programmes": "programme",
    "case-studies": "case_study",
    "members": "member",
}
_SINGULAR_TO_PLURAL = {v: k for k, v in _PLURALS.items()}
_FACET_ORDER = (
    "type",
    "country",
    "region",
    "category",
    "programme_type",
    "support_type",
    "target_group",
    "member_kind",
)
_VOCAB_FIELDS = {
    "level": voc.PROGRAMME_LEVELS,
    "policy_focus": voc.POLICY_FOCUS,
    "target_groups": voc.TARGET_GROUPS,
    "support_type": voc.SUPPORT_TYPES,
    "lifecycle_focus": voc.LIFECYCLE,
    "funding_sources": voc.FUNDING_SOURCES,
    "kind": {**voc.ORGANISATION_KINDS, **voc.MEMBER_KINDS},
    "services": voc.EXCHANGE_TAGS,
    "seeking": voc.EXCHANGE_TAGS,
    "offers": voc.EXCHANGE_TAGS,
    "needs": voc.EXCHANGE_TAGS,
}
_FIELD_LABELS = {
    "level": "Programme type",
    "policy_focus": "Policy focus",
    "target_groups": "Target groups",
    "support_type": "Support type",
    "lifecycle_focus": "Life-cycle focus",
    "sme_focus": "SME focus",
    "funding_sources": "Sources of funding",
    "budget_eur_per_year": "Budget (EUR per year)",
    "start_year": "Start",
    "end_year": "End",
    "countries": "Countries",
    "country": "Country",
    "regions": "Regions",
    "region": "Region",
    "categories": "Cluster categories",
    "members_total": "Members",
    "members_firms": "Member firms",
    "members_smes": "Member SMEs",
    "members_research": "Research members",
    "members_education": "Education members",
    "members_public": "Public members",
    "management_staff": "Management staff (FTE)",
    "founded": "Founded",
    "website": "Website",
    "contact_name": "Contact",
    "contact_email": "Contact e-mail",
    "services": "Services offered",
    "seeking": "Looking for",
    "programmes": "Programmes",
    "kind": "Kind",
    "nace_codes": "NACE codes",
    "naics_codes": "NAICS codes",
    "offers": "Offers",
    "needs": "Needs",
    "employees": "Employees",
    "success_factors": "Success factors",
    "organisation_slug": "Organisation",
    "source_section": "Section of SEC(2008) 2637",
    "source": "Source",
}


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("clustermap.organisations", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: f"{100 * float(v):.0f} %" if v is not None else "–"
    env.filters["num"] = lambda v: (
        (f"{v:,.0f}" if isinstance(v, int | float) and float(v).is_integer() else f"{v:,.2f}") if v is not None else "–"
    )
    env.globals["BASE"] = BASE
    env.globals["voc"] = voc
    return env


def _region_label(code: str) -> str:
    name = schemas.region_name(code)
    return f"{code} {name}" if name else code


def _display_fields(entity: str, obj: Any) -> list[tuple[str, Any, str | None]]:
    """(label, value text, link) of the fields of a record worth showing, in schema order."""
    spec = repository.ENTITY_SCHEMAS[entity]
    rows: list[tuple[str, Any, str | None]] = []
    cats = schemas.registry_categories()
    for name in spec.create_schema.model_fields:
        if name in ("name", "title", "slug", "description", "summary"):
            continue
        value = getattr(obj, name, None)
        if value in (None, "", []):
            continue
        link = None
        if name in ("regions", "region"):
            values = value if isinstance(value, list) else [value]
            text = ", ".join(_region_label(v) for v in values)
        elif name == "categories":
            text = ", ".join(cats.get(v, v) for v in value)
        elif name in _VOCAB_FIELDS:
            vocabulary = _VOCAB_FIELDS[name]
            values = value if isinstance(value, list) else [value]
            text = ", ".join(vocabulary.get(v, v) for v in values)
        elif name == "programmes":
            text = ", ".join(value)
            link = f"{BASE}/programmes/{value[0]}" if len(value) == 1 else None
        elif name == "organisation_slug":
            text, link = value, f"{BASE}/organisations/{value}"
        elif name == "success_factors":
            text = value
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, float) and value.is_integer():
            text = f"{value:,.0f}"
        elif isinstance(value, int) and name not in ("start_year", "end_year", "founded"):
            text = f"{value:,}"
        else:
            text = str(value)
        if name == "website":
            link = str(value)
        rows.append((_FIELD_LABELS.get(name, name.replace("_", " ").capitalize()), text, link))
    return rows


def build_pages_router(rt: Any) -> APIRouter:
    """The HTML pages of one registry runtime (mounted at ``/registry``)."""
    router = APIRouter(prefix=BASE, include_in_schema=False)
    env = _env()

    # ---------------------------------------------------------------------------------------- helpers

    def identity_of(request: Request) -> security.Identity | None:
        cookie = request.cookies.get(security.SESSION_COOKIE)
        if not cookie:
            return None
        with rt.transaction() as s:
            return security.identity_for_session(s, cookie)

    def secret() -> str:
        with rt.transaction() as s:
            return security.registry_secret(s, rt.settings)

    def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        identity = context.pop("identity", None) if "identity" in context else identity_of(request)
        nonce = request.cookies.get(security.ANON_COOKIE)
        new_nonce = None
        if identity is not None:
            csrf = identity.csrf_token
        else:
            if not nonce:
                import secrets as _secrets

                nonce = new_nonce = _secrets.token_urlsafe(24)
            csrf = security.anonymous_csrf(secret(), nonce)
        unread = 0
        if identity is not None:
            with rt.transaction() as s:
                unread = s.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.user_id == identity.user_id, Notification.read_at.is_(None))
                )
        html = env.get_template(f"registry/{template}").render(
            request=request, identity=identity, csrf_token=csrf, unread=unread, **context
        )
        response = HTMLResponse(html, status_code=status)
        if new_nonce:
            response.set_cookie(
                security.ANON_COOKIE, new_nonce, httponly=True, samesite="lax", secure=rt.settings.cookie_secure
            )
        return response

    async def form_of(request: Request, identity: security.Identity | None) -> dict[str, Any]:
        form = await request.form()
        data: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                data.setdefault(key, []).append(value.replace("\x00", ""))
        flat = {k: (v if len(v) > 1 else v[0]) for k, v in data.items()}
        security.check_csrf(
            str(flat.get("csrf_token") or ""),
            identity=identity,
            secret=secret(),
            nonce=request.cookies.get(security.ANON_COOKIE),
        )
        return flat

    def error_page(request: Request, exc: RegistryError) -> HTMLResponse:
        response = render(request, "message.html", status=exc.status_code, title="Sorry", message=exc.message)
        if isinstance(exc, RateLimitError):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def login_redirect(request: Request) -> RedirectResponse:
        return RedirectResponse(f"{BASE}/login?{urlencode({'next': request.url.path})}", status_code=303)

    def as_list(value: Any) -> list[str]:
        if value is None:
            return []
        return [v for v in (value if isinstance(value, list) else [value]) if v]

    # ---------------------------------------------------------------------------------------- search

    @router.get("", response_class=HTMLResponse)
    @router.get("/", response_class=HTMLResponse)
    def search_page(request: Request) -> Response:
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
            facet_order=[f for f in _FACET_ORDER if result.facets.get(f)],
            toggle=toggle,
            page_link=page_link,
            pages=pages,
            plural=_SINGULAR_TO_PLURAL,
        )

    # ---------------------------------------------------------------------------------------- programmes overview

    @router.get("/programmes", response_class=HTMLResponse)
    def programmes_page(request: Request) -> Response:
        with rt.transaction() as s:
            rows = list(s.scalars(select(Programme).order_by(Programme.level, Programme.name)))
        return render(
            request, "programmes.html", title="Cluster programmes and policies", programmes=rows, survey=survey()
        )

    # ---------------------------------------------------------------------------------------- login, logout

    def _safe_next(value: str | None) -> str:
        value = value or f"{BASE}/"
        return value if value.startswith(BASE) and "//" not in value and "\\" not in value else f"{BASE}/"

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request) -> Response:
        return render(
            request, "login.html", title="Log in", next=_safe_next(request.query_params.get("next")), identity=None
        )

    @router.post("/login", response_class=HTMLResponse)
    async def login_submit(request: Request) -> Response:
        try:
            form = await form_of(request, None)
        except PermissionDeniedError as exc:
            return error_page(request, exc)
        email = str(form.get("email") or "")[:320]
        password = str(form.get("password") or "")[:1024]
        ip = request.client.host if request.client else ""
        target = _safe_next(str(form.get("next") or ""))

        def work() -> tuple[str | None, RegistryError | None]:
            with rt.transaction() as s:
                try:
                    user = security.authenticate(s, email, password, ip=ip, settings=rt.settings)
                except RegistryError as exc:
                    s.commit()
                    return None, exc
                _, raw = security.create_session(s, user, settings=rt.settings)
                return raw, None

        from starlette.concurrency import run_in_threadpool

        raw, problem = await run_in_threadpool(work)
        if problem is not None:
            response = render(
                request,
                "login.html",
                status=problem.status_code,
                title="Log in",
                next=target,
                error=problem.message,
                email=email,
                identity=None,
            )
            if isinstance(problem, RateLimitError):
                response.headers["Retry-After"] = str(problem.retry_after)
            return response
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            security.SESSION_COOKIE,
            raw,
            httponly=True,
            samesite="lax",
            secure=rt.settings.cookie_secure,
            max_age=rt.settings.session_hours * 3600,
        )
        return response

    @router.post("/logout")
    async def logout_submit(request: Request) -> Response:
        identity = identity_of(request)
        try:
            await form_of(request, identity)
        except PermissionDeniedError as exc:
            return error_page(request, exc)
        with rt.transaction() as s:
            security.end_session(s, request.cookies.get(security.SESSION_COOKIE, ""))
        response = RedirectResponse(f"{BASE}/", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE)
        return response

    # ---------------------------------------------------------------------------------------- matchmaking

    @router.get("/matchmaking", response_class=HTMLResponse)
    def matchmaking_page(request: Request) -> Response:
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
                my_members = list(s.scalars(select(Member).where(Member.owner_id == identity.user_id)))
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
            categories=schemas.registry_categories(),
            tags=voc.EXCHANGE_TAGS,
            my_members=my_members,
            identity=identity,
        )

    @router.post("/interests")
    async def interest_submit(request: Request) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        try:
            form = await form_of(request, identity)
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
            from clustermap.organisations.api import express_interest

            with rt.transaction(identity) as s:
                express_interest(s, identity, body)
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

    # ---------------------------------------------------------------------------------------- notifications

    @router.get("/notifications", response_class=HTMLResponse)
    def notifications_page(request: Request) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        from clustermap.organisations.api import interests_of

        with rt.transaction() as s:
            notes = list(
                s.scalars(
                    select(Notification)
                    .where(Notification.user_id == identity.user_id)
                    .order_by(Notification.id.desc())
                    .limit(200)
                )
            )
            interests = interests_of(s, identity)
            names = {m.id: m.name for m in s.scalars(select(Member))}
            orgs = {o.id: o.name for o in s.scalars(select(Organisation))}
            mine = {m.id for m in s.scalars(select(Member).where(Member.owner_id == identity.user_id))}
        return render(
            request,
            "notifications.html",
            title="Notifications",
            notes=notes,
            interests=interests,
            names=names,
            orgs=orgs,
            mine=mine,
            identity=identity,
        )

    @router.post("/notifications/{notification_id}/read")
    async def notification_read(request: Request, notification_id: int) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        try:
            await form_of(request, identity)
        except PermissionDeniedError as exc:
            return error_page(request, exc)
        with rt.transaction(identity) as s:
            note = s.get(Notification, notification_id) if 0 < notification_id < 2**31 else None
            if note is not None and note.user_id == identity.user_id and note.read_at is None:
                note.read_at = utcnow()
        return RedirectResponse(f"{BASE}/notifications", status_code=303)

    @router.post("/interests/{interest_id}")
    async def interest_answer(request: Request, interest_id: int) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        try:
            form = await form_of(request, identity)
            body = schemas.InterestPatch(version=int(str(form.get("version") or "0") or 0), status=form.get("status"))
            from clustermap.organisations.api import answer

            with rt.transaction(identity) as s:
                answer(s, identity, interest_id, body)
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

    # ---------------------------------------------------------------------------------------- self-assessment

    def _manageable(identity: security.Identity) -> list[Organisation]:
        with rt.transaction() as s:
            query = select(Organisation).order_by(Organisation.name)
            if identity.role != "admin":
                query = query.where(Organisation.owner_id == identity.user_id)
            return list(s.scalars(query))

    @router.get("/assessment", response_class=HTMLResponse)
    def assessment_form(request: Request) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        q = assess.load_questionnaire()
        orgs = _manageable(identity) if security.may(identity, "assessment", "create") else []
        selected = request.query_params.get("organisation_id") or ""
        return render(
            request,
            "assessment_form.html",
            title="Cluster-management excellence self-assessment",
            questionnaire=q,
            organisations=orgs,
            answers={},
            errors=[],
            selected=selected,
            identity=identity,
        )

    @router.post("/assessment", response_class=HTMLResponse)
    async def assessment_submit(request: Request) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        q = assess.load_questionnaire()
        try:
            form = await form_of(request, identity)
        except PermissionDeniedError as exc:
            return error_page(request, exc)
        answers: dict[str, Any] = {}
        errors: list[str] = []
        for ind in q.indicators:
            raw = str(form.get(ind.id) or "").strip()
            if raw == "":
                continue
            if ind.type == "boolean":
                if raw not in ("yes", "no"):
                    errors.append(f"{ind.id}: answer yes or no")
                    continue
                answers[ind.id] = raw == "yes"
            else:
                try:
                    value = float(raw.replace(",", "."))
                except ValueError:
                    errors.append(f"{ind.id}: {raw!r} is not a number")
                    continue
                if not math.isfinite(value) or value < 0 or value > 1e12:
                    errors.append(f"{ind.id}: {raw!r} is out of range")
                    continue
                answers[ind.id] = value
        org_raw = str(form.get("organisation_id") or "")
        org_id = int(org_raw) if org_raw.isdigit() and len(org_raw) < 10 else None
        if org_id is None:
            errors.append("choose the organisation you assess")
        row_id = None
        if not errors:
            try:
                with rt.transaction(identity) as s:
                    from clustermap.organisations.api import record_assessment

                    row = record_assessment(s, identity, org_id, answers, form.get("is_public") == "yes")
                    row_id = row.id
            except RegistryError as exc:
                if exc.status_code in (401, 403, 404):
                    return error_page(request, exc)
                errors.append(exc.message)
        if errors:
            orgs = _manageable(identity)
            return render(
                request,
                "assessment_form.html",
                status=422,
                title="Self-assessment: please correct",
                questionnaire=q,
                organisations=orgs,
                answers=form,
                errors=errors,
                selected=org_raw,
                identity=identity,
            )
        return RedirectResponse(f"{BASE}/assessments/{row_id}", status_code=303)

    @router.get("/assessments/{assessment_id}", response_class=HTMLResponse)
    def assessment_result(request: Request, assessment_id: int) -> Response:
        identity = identity_of(request)
        from clustermap.organisations.api import visible_assessment

        try:
            with rt.transaction() as s:
                if not 0 < assessment_id < 2**31:
                    raise NotFoundError(f"no assessment {assessment_id}")
                row = visible_assessment(s, identity, assessment_id)
                org = s.get(Organisation, row.organisation_id)
                bench = assess.benchmark(s, row)
                history = list(
                    s.scalars(
                        select(Assessment)
                        .where(Assessment.organisation_id == row.organisation_id)
                        .order_by(Assessment.created_at, Assessment.id)
                    )
                )
                history = [h for h in history if h.is_public or h.id == row.id or identity is not None]
        except RegistryError as exc:
            return error_page(request, exc)
        q = assess.load_questionnaire()
        return render(
            request,
            "assessment_result.html",
            title=f"Self-assessment of {org.name if org else '?'}",
            row=row,
            result=row.result,
            organisation=org,
            benchmark=bench,
            history=history,
            areas={a["id"]: a for a in q.areas},
            identity=identity,
        )

    # ---------------------------------------------------------------------------------------- edit an organisation

    @router.get("/organisations/{ref}/edit", response_class=HTMLResponse)
    def edit_form(request: Request, ref: str) -> Response:
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
            categories=schemas.registry_categories(),
            tags=voc.EXCHANGE_TAGS,
            kinds=voc.ORGANISATION_KINDS,
            identity=identity,
        )

    @router.post("/organisations/{ref}/edit", response_class=HTMLResponse)
    async def edit_submit(request: Request, ref: str) -> Response:
        identity = identity_of(request)
        if identity is None:
            return login_redirect(request)
        try:
            form = await form_of(request, identity)
        except PermissionDeniedError as exc:
            return error_page(request, exc)
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
                categories=schemas.registry_categories(),
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
                    categories=schemas.registry_categories(),
                    tags=voc.EXCHANGE_TAGS,
                    kinds=voc.ORGANISATION_KINDS,
                    identity=identity,
                )
            return error_page(request, exc)
        return RedirectResponse(f"{BASE}/organisations/{slug}", status_code=303)

    # ---------------------------------------------------------------------------------------- record pages

    @router.get("/{plural}/{ref}", response_class=HTMLResponse)
    def record_page(request: Request, plural: str, ref: str) -> Response:
        entity = _PLURALS.get(plural)
        if entity is None:
            return error_page(request, NotFoundError("no such page"))
        identity = identity_of(request)
        extra: dict[str, Any] = {}
        try:
            with rt.transaction() as s:
                obj = repository.get(s, entity, ref)
                values = repository.public(entity, obj)
                fields = _display_fields(entity, obj)
                if entity == "organisation":
                    extra["case_studies"] = list(
                        s.scalars(select(CaseStudy).where(CaseStudy.organisation_slug == obj.slug))
                    )
                    query = select(Assessment).where(Assessment.organisation_id == obj.id)
                    if not (identity and (identity.role == "admin" or identity.user_id == obj.owner_id)):
                        query = query.where(Assessment.is_public)
                    extra["assessments"] = list(s.scalars(query.order_by(Assessment.created_at.desc())))
                    extra["can_edit"] = security.may(identity, "organisation", "update", obj.owner_id)
                    extra["can_assess"] = bool(identity) and (
                        identity.role == "admin" or (identity.role == "manager" and obj.owner_id == identity.user_id)
                    )
                if entity == "programme":
                    extra["organisations"] = [
                        o
                        for o in s.scalars(select(Organisation).order_by(Organisation.name))
                        if obj.slug in o.programmes
                    ]
                if identity is not None and entity in ("organisation", "member"):
                    extra["my_members"] = [
                        m
                        for m in s.scalars(select(Member).where(Member.owner_id == identity.user_id))
                        if not (entity == "member" and m.id == obj.id)
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
        entity = _PLURALS.get(plural)
        if entity is None:
            return error_page(request, NotFoundError("no such page"))
        return RedirectResponse(f"{BASE}/?{urlencode({'type': entity})}", status_code=303)

    return router
