"""``/registry/login`` and ``/registry/logout``: the web session (a cookie; the forms carry CSRF tokens)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clustermap.organisations import security
from clustermap.organisations.deps import runtime
from clustermap.organisations.errors import PermissionDeniedError, RateLimitError, RegistryError
from clustermap.organisations.pages.render import BASE, error_page, form_of, identity_of, render, safe_next

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- login, logout


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """The login form."""
    return render(
        request, "login.html", title="Log in", next=safe_next(request.query_params.get("next")), identity=None
    )


@router.post("/login", response_class=HTMLResponse)
async def login_submit(request: Request) -> Response:
    """Log in: a session cookie and back to ``next``; the form again on failure."""
    rt = runtime(request)
    try:
        form = await form_of(request, None)
    except PermissionDeniedError as exc:
        return error_page(request, exc)
    email = str(form.get("email") or "")[:320]
    password = str(form.get("password") or "")[:1024]
    ip = request.client.host if request.client else ""
    target = safe_next(str(form.get("next") or ""))

    def work() -> tuple[str | None, RegistryError | None]:
        with rt.transaction() as s:
            try:
                user = security.authenticate(s, email, password, ip=ip, settings=rt.settings)
            except RegistryError as exc:
                s.commit()
                return None, exc
            _, raw = security.create_session(s, user, settings=rt.settings)
            return raw, None

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
    """End the web session."""
    rt = runtime(request)
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
