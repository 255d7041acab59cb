"""``/registry/assessment`` and ``/registry/assessments/{id}``: the self-assessment questionnaire, its scoring
and the printable result with benchmark and history."""

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clustermap.organisations import assessment as assess
from clustermap.organisations import repository, security
from clustermap.organisations.deps import runtime
from clustermap.organisations.errors import NotFoundError, RegistryError
from clustermap.organisations.models import Organisation
from clustermap.organisations.pages.render import (
    BASE,
    error_page,
    identity_of,
    login_redirect,
    render,
    signed_in_form,
)
from clustermap.organisations.services import assessments

router = APIRouter(prefix=BASE, include_in_schema=False)

# ---------------------------------------------------------------------------------------- self-assessment


def _manageable(request: Request, identity: security.Identity) -> list[Organisation]:
    with runtime(request).transaction() as s:
        return assessments.manageable(s, identity)


@router.get("/assessment", response_class=HTMLResponse)
def assessment_form(request: Request) -> Response:
    """The questionnaire, for an organisation the caller manages."""
    identity = identity_of(request)
    if identity is None:
        return login_redirect(request)
    q = assess.load_questionnaire()
    orgs = _manageable(request, identity) if security.may(identity, "assessment", "create") else []
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
    """Score and keep a self-assessment; the form again, with the errors, when answers are invalid."""
    rt = runtime(request)
    signed_in = await signed_in_form(request)
    if isinstance(signed_in, Response):
        return signed_in
    identity, form = signed_in
    q = assess.load_questionnaire()
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
                row = assessments.record(s, identity, org_id, answers, form.get("is_public") == "yes")
                row_id = row.id
        except RegistryError as exc:
            if exc.status_code in (401, 403, 404):
                return error_page(request, exc)
            errors.append(exc.message)
    if errors:
        orgs = _manageable(request, identity)
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
    """One assessment: levels by area, benchmark against peers, the history of its organisation."""
    rt = runtime(request)
    identity = identity_of(request)
    try:
        with rt.transaction() as s:
            if not 0 < assessment_id < 2**31:
                raise NotFoundError(f"no assessment {assessment_id}")
            row = assessments.visible(s, identity, assessment_id)
            org = repository.by_id(s, Organisation, row.organisation_id)
            bench = assess.benchmark(s, row)
            history = repository.assessments(s, organisation_id=row.organisation_id, newest_first=False, limit=None)
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
