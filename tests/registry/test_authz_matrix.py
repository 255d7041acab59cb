"""Authorisation matrix: every write endpoint of the registry API, for every role — anonymous (401), each role
that may (its success status) and each that may not (403), owners and non-owners. The matrix must list every
write route the app has (checked against the app's routes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from clustermap.organisations import security
from clustermap.organisations.assessment import record
from clustermap.organisations.models import ApiToken, Interest, MatchRequest, Notification, Organisation, User

from .conftest import Harness, truncate

ROLES = ["anonymous", "visitor", "member", "member2", "manager", "manager2", "admin"]


def seed(reg: Harness) -> dict[str, Any]:
    """Records with known owners: the organisation and case study of `manager`, the member of `member` …"""
    truncate(reg.rt)
    ids: dict[str, Any] = {}
    with reg.session("admin") as s:
        from clustermap.organisations import repository

        org = repository.create(s, "organisation", {"name": "Org of manager"}, owner_id=reg.users["manager"])
        prog = repository.create(
            s, "programme", {"name": "Programme", "level": "national"}, owner_id=reg.users["admin"]
        )
        case = repository.create(s, "case_study", {"title": "Case of manager"}, owner_id=reg.users["manager"])
        mem = repository.create(s, "member", {"name": "Member of member"}, owner_id=reg.users["member"])
        mem2 = repository.create(s, "member", {"name": "Member of member2"}, owner_id=reg.users["member2"])
        match = MatchRequest(owner_id=reg.users["member"], profile={}, results={})
        interest = Interest(from_member_id=mem.id, to_member_id=mem2.id, message="hi", created_by=reg.users["member"])
        note = Notification(user_id=reg.users["member"], kind="test", text="hello")
        s.add_all([match, interest, note])
        s.flush()
        assessment = record(s, s.get(Organisation, org.id), {}, user_id=reg.users["manager"], is_public=False)
        token, _ = security.issue_token(s, s.get(User, reg.users["member"]), name="to revoke")
        target = s.query(User).filter_by(email="target@example.org").one_or_none()
        if target is None:
            target = security.create_user(s, "target@example.org", "a long password", role="visitor")
        ids.update(
            org=org.id,
            org_v=org.version,
            prog=prog.id,
            prog_v=prog.version,
            case=case.id,
            case_v=case.version,
            mem=mem.id,
            mem_v=mem.version,
            mem2=mem2.id,
            match=match.id,
            interest=interest.id,
            interest_v=interest.version,
            note=note.id,
            assessment=assessment.id,
            token=token.id,
            target=target.id,
            target_v=target.version,
        )
    return ids


@dataclass
class Case:
    method: str
    route: str  # the route template, as the app has it
    path: Callable[[dict[str, Any]], str]
    allowed: dict[str, int]  # role -> success status; every other role gets 403 (anonymous 401)
    body: Callable[[dict[str, Any]], Any] | None = None
    content_type: str | None = None
    fresh_token: bool = False


def owner_only(owner: str, status: int) -> dict[str, int]:
    return {owner: status, "admin": status}


CREATE_ORG = {"manager": 201, "manager2": 201, "admin": 201}
CREATE_MEMBER = {"member": 201, "member2": 201, "manager": 201, "manager2": 201, "admin": 201}
EVERYONE = {r: 0 for r in ROLES if r != "anonymous"}

CASES = [
    Case(
        "POST",
        "/api/registry/organisations",
        lambda i: "/api/registry/organisations",
        CREATE_ORG,
        lambda i: {"name": "New organisation"},
    ),
    Case(
        "PATCH",
        "/api/registry/organisations/{ref}",
        lambda i: f"/api/registry/organisations/{i['org']}",
        owner_only("manager", 200),
        lambda i: {"version": i["org_v"], "description": "changed"},
    ),
    Case(
        "DELETE",
        "/api/registry/organisations/{ref}",
        lambda i: f"/api/registry/organisations/{i['org']}",
        owner_only("manager", 204),
    ),
    Case(
        "POST",
        "/api/registry/programmes",
        lambda i: "/api/registry/programmes",
        {"admin": 201},
        lambda i: {"name": "New programme", "level": "regional", "regions": ["ES21"]},
    ),
    Case(
        "PATCH",
        "/api/registry/programmes/{ref}",
        lambda i: f"/api/registry/programmes/{i['prog']}",
        {"admin": 200},
        lambda i: {"version": i["prog_v"], "description": "changed"},
    ),
    Case("DELETE", "/api/registry/programmes/{ref}", lambda i: f"/api/registry/programmes/{i['prog']}", {"admin": 204}),
    Case(
        "POST",
        "/api/registry/case-studies",
        lambda i: "/api/registry/case-studies",
        CREATE_ORG,
        lambda i: {"title": "New case"},
    ),
    Case(
        "PATCH",
        "/api/registry/case-studies/{ref}",
        lambda i: f"/api/registry/case-studies/{i['case']}",
        owner_only("manager", 200),
        lambda i: {"version": i["case_v"], "summary": "changed"},
    ),
    Case(
        "DELETE",
        "/api/registry/case-studies/{ref}",
        lambda i: f"/api/registry/case-studies/{i['case']}",
        owner_only("manager", 204),
    ),
    Case(
        "POST",
        "/api/registry/members",
        lambda i: "/api/registry/members",
        CREATE_MEMBER,
        lambda i: {"name": "New member", "region": "ES21"},
    ),
    Case(
        "PATCH",
        "/api/registry/members/{ref}",
        lambda i: f"/api/registry/members/{i['mem']}",
        owner_only("member", 200),
        lambda i: {"version": i["mem_v"], "offers": ["design"]},
    ),
    Case(
        "DELETE",
        "/api/registry/members/{ref}",
        lambda i: f"/api/registry/members/{i['mem']}",
        owner_only("member", 204),
    ),
    Case(
        "POST",
        "/api/registry/matches",
        lambda i: "/api/registry/matches",
        CREATE_MEMBER,
        lambda i: {"region": "ES21", "categories": ["automotive"]},
    ),
    Case(
        "DELETE",
        "/api/registry/matches/{match_id}",
        lambda i: f"/api/registry/matches/{i['match']}",
        owner_only("member", 204),
    ),
    Case(
        "POST",
        "/api/registry/interests",
        lambda i: "/api/registry/interests",
        owner_only("member", 201),
        lambda i: {"from_member_id": i["mem"], "to_member_id": i["mem2"], "message": "hello"},
    ),
    Case(
        "PATCH",
        "/api/registry/interests/{interest_id}",
        lambda i: f"/api/registry/interests/{i['interest']}",
        owner_only("member2", 200),
        lambda i: {"version": i["interest_v"], "status": "accepted"},
    ),
    Case(
        "POST",
        "/api/registry/notifications/{notification_id}/read",
        lambda i: f"/api/registry/notifications/{i['note']}/read",
        owner_only("member", 200),
    ),
    Case(
        "POST",
        "/api/registry/assessments",
        lambda i: "/api/registry/assessments",
        owner_only("manager", 201),
        lambda i: {"organisation_id": i["org"], "answers": {"G1": True}},
    ),
    Case(
        "DELETE",
        "/api/registry/assessments/{assessment_id}",
        lambda i: f"/api/registry/assessments/{i['assessment']}",
        {"admin": 204},
    ),
    Case(
        "POST",
        "/api/registry/users",
        lambda i: "/api/registry/users",
        {"admin": 201},
        lambda i: {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "password": "a long password", "role": "member"},
    ),
    Case(
        "PATCH",
        "/api/registry/users/{user_id}",
        lambda i: f"/api/registry/users/{i['target']}",
        {"admin": 200},
        lambda i: {"version": i["target_v"], "name": f"renamed {uuid.uuid4().hex[:4]}"},
    ),
    Case(
        "POST",
        "/api/registry/import/{kind}",
        lambda i: "/api/registry/import/programmes",
        {"admin": 200},
        lambda i: "name,level\nImported programme,national\n",
        "text/csv",
    ),
    Case(
        "POST",
        "/api/registry/auth/tokens",
        lambda i: "/api/registry/auth/tokens",
        {r: 201 for r in EVERYONE},
        lambda i: {"name": "another"},
    ),
    Case(
        "DELETE",
        "/api/registry/auth/tokens/{token_id}",
        lambda i: f"/api/registry/auth/tokens/{i['token']}",
        owner_only("member", 204),
    ),
    Case(
        "POST",
        "/api/registry/auth/logout",
        lambda i: "/api/registry/auth/logout",
        {r: 204 for r in EVERYONE},
        fresh_token=True,
    ),
]
#: write routes that need no identity, on purpose
PUBLIC_WRITES = {("POST", "/api/registry/auth/login")}


def api_routes(routes: list[Any]) -> list[Any]:
    """The API routes of an app, looking inside included routers (FastAPI keeps them nested)."""
    from fastapi.routing import APIRoute

    out = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out.extend(api_routes(route.original_router.routes))
        elif hasattr(route, "routes"):
            out.extend(api_routes(route.routes))
    return out


def test_the_matrix_covers_every_write_route(registry) -> None:
    writes = {
        (method, route.path)
        for route in api_routes(registry.app.routes)
        if route.path.startswith("/api/registry")
        for method in route.methods
        if method not in {"GET", "HEAD", "OPTIONS"}
    }
    covered = {(c.method, c.route) for c in CASES}
    assert writes - PUBLIC_WRITES == covered
    # and every one of them states its rule in the OpenAPI schema
    spec = registry.client.get("/openapi.json").json()["paths"]
    for method, path in covered:
        assert "x-permission" in spec[path][method.lower()], (method, path)


def _call(reg: Harness, case: Case, ids: dict[str, Any], role: str) -> Any:
    headers = {}
    if role != "anonymous":
        if case.fresh_token:
            with reg.rt.transaction() as s:
                _, raw = security.issue_token(s, s.get(User, reg.users[role]), name="fresh")
            headers["Authorization"] = f"Bearer {raw}"
        else:
            headers.update(reg.h(role))
    kwargs: dict[str, Any] = {"headers": headers}
    if case.body is not None:
        body = case.body(ids)
        if case.content_type:
            kwargs["content"] = body.encode()
            headers["Content-Type"] = case.content_type
        else:
            kwargs["json"] = body
    return reg.client.request(case.method, case.path(ids), **kwargs)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.route}")
def test_matrix(registry, case: Case) -> None:
    reg = registry
    reg.client.cookies.clear()
    ids = seed(reg)
    outcomes = {}
    dirty = False
    for role in ROLES:
        expected = case.allowed.get(role)
        if expected is not None or dirty:
            ids = seed(reg)  # each allowed write, and each call after one, starts from the same records
        response = _call(reg, case, ids, role)
        dirty = response.status_code < 400
        if role == "anonymous":
            want = 401
        elif expected is not None:
            want = expected or (200, 201, 204)
        else:
            want = 403
        ok = response.status_code in want if isinstance(want, tuple) else response.status_code == want
        outcomes[role] = (response.status_code, ok)
        if not ok:
            pytest.fail(f"{case.method} {case.route} as {role}: {response.status_code} {response.text[:300]}")
        if response.status_code in (401, 403):
            assert response.json()["error"] in ("authentication_required", "forbidden")
    assert all(ok for _, ok in outcomes.values())


def test_denials_come_before_validation(reg) -> None:
    # an anonymous write is 401 and a visitor's 403 whatever the body holds (even unreadable JSON)
    for headers, status in (({}, 401), (reg.h("visitor"), 403)):
        r = reg.client.post("/api/registry/organisations", content=b"{not json", headers=headers)
        assert r.status_code == status
        r = reg.client.post("/api/registry/programmes", json={"name": 5}, headers=headers)
        assert r.status_code == status
    # a bad token is no identity
    r = reg.client.post("/api/registry/organisations", json={"name": "x"}, headers={"Authorization": "Bearer cmr_nope"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    # ownership is checked before the body is validated
    with reg.session("admin") as s:
        from clustermap.organisations import repository

        org = repository.create(s, "organisation", {"name": "Owned"}, owner_id=reg.users["manager"])
        org_id = org.id
    r = reg.client.patch(f"/api/registry/organisations/{org_id}", json={"version": "x"}, headers=reg.h("manager2"))
    assert r.status_code == 403
    with reg.rt.transaction() as s:
        assert s.query(ApiToken).count() >= 6
