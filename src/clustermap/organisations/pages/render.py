"""What every registry page shares: the template environment, field labels, who is asking, rendering with
the CSRF token and the unread count, reading a form (with its CSRF check), the error and login answers."""

import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from clustermap.organisations import fields, repository, security
from clustermap.organisations import vocabulary as voc
from clustermap.organisations.deps import PLURALS, runtime
from clustermap.organisations.errors import PermissionDeniedError, RateLimitError, RegistryError
from clustermap.organisations.runtime import RegistryRuntime

BASE = "/registry"
SINGULAR_TO_PLURAL = {v: k for k, v in PLURALS.items()}
FACET_ORDER = (
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
    name = fields.region_name(code)
    return f"{code} {name}" if name else code


def display_fields(entity: str, obj: Any) -> list[tuple[str, Any, str | None]]:
    """(label, value text, link) of the fields of a record worth showing, in schema order."""
    spec = repository.ENTITY_SCHEMAS[entity]
    rows: list[tuple[str, Any, str | None]] = []
    cats = fields.registry_categories()
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


_ENV = _env()


def identity_of(request: Request) -> security.Identity | None:
    """The caller by the session cookie, or ``None``."""
    cookie = request.cookies.get(security.SESSION_COOKIE)
    if not cookie:
        return None
    with runtime(request).transaction() as s:
        return security.identity_for_session(s, cookie)


def secret(rt: RegistryRuntime) -> str:
    """The registry's secret for anonymous CSRF tokens."""
    with rt.transaction() as s:
        return security.registry_secret(s, rt.settings)


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from ``templates/registry/<template>`` with the caller, the CSRF token and the unread count (an
    anonymous visitor gets a nonce cookie for the login form's token)."""
    rt = runtime(request)
    identity = context.pop("identity", None) if "identity" in context else identity_of(request)
    nonce = request.cookies.get(security.ANON_COOKIE)
    new_nonce = None
    if identity is not None:
        csrf = identity.csrf_token
    else:
        if not nonce:
            nonce = new_nonce = secrets.token_urlsafe(24)
        csrf = security.anonymous_csrf(secret(rt), nonce)
    unread = 0
    if identity is not None:
        with rt.transaction() as s:
            unread = repository.unread_count(s, identity.user_id)
    html = _ENV.get_template(f"registry/{template}").render(
        request=request, identity=identity, csrf_token=csrf, unread=unread, **context
    )
    response = HTMLResponse(html, status_code=status)
    if new_nonce:
        response.set_cookie(
            security.ANON_COOKIE, new_nonce, httponly=True, samesite="lax", secure=rt.settings.cookie_secure
        )
    return response


async def form_of(request: Request, identity: security.Identity | None) -> dict[str, Any]:
    """The posted form (NUL characters removed; one value, or a list when a field repeats) after its CSRF check."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            data.setdefault(key, []).append(value.replace("\x00", ""))
    flat = {k: (v if len(v) > 1 else v[0]) for k, v in data.items()}
    security.check_csrf(
        str(flat.get("csrf_token") or ""),
        identity=identity,
        secret=secret(runtime(request)),
        nonce=request.cookies.get(security.ANON_COOKIE),
    )
    return flat


async def signed_in_form(request: Request) -> tuple[security.Identity, dict[str, Any]] | Response:
    """The signed-in caller and the form they posted (CSRF checked, as :func:`form_of`), or the answer to give
    instead: a redirect to the login page (nobody signed in) or the error page of a failed CSRF check."""
    identity = identity_of(request)
    if identity is None:
        return login_redirect(request)
    try:
        return identity, await form_of(request, identity)
    except PermissionDeniedError as exc:
        return error_page(request, exc)


def error_page(request: Request, exc: RegistryError) -> HTMLResponse:
    """The message page of a registry error, with its status (and ``Retry-After`` on 429)."""
    response = render(request, "message.html", status=exc.status_code, title="Sorry", message=exc.message)
    if isinstance(exc, RateLimitError):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def login_redirect(request: Request) -> RedirectResponse:
    """303 to the login page, coming back here afterwards."""
    return RedirectResponse(f"{BASE}/login?{urlencode({'next': request.url.path})}", status_code=303)


def as_list(value: Any) -> list[str]:
    """A form value as a list of non-empty strings."""
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path under ``/registry``, never another site."""
    value = value or f"{BASE}/"
    return value if value.startswith(BASE) and "//" not in value and "\\" not in value else f"{BASE}/"
