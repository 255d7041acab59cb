"""Accounts and sessions: argon2, bearer tokens, rate-limited login, CSRF on forms and on cookie-authenticated API
writes, clear 422 bodies."""

from __future__ import annotations

import re
from datetime import timedelta

from clustermap.organisations import security
from clustermap.organisations.models import ApiToken, User, utcnow

from .conftest import PASSWORD


def test_argon2_hashes() -> None:
    from argon2 import PasswordHasher

    digest = security.hash_password("a long password")
    assert digest.startswith("$argon2id$")
    production = PasswordHasher().hash("a long password")  # argon2-cffi defaults: RFC 9106 low-memory profile
    assert production.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert security.verify_password(production, "a long password")
    assert security.verify_password(digest, "a long password")
    assert not security.verify_password(digest, "a long passwore")
    assert not security.verify_password("not a hash", "x")


def test_login_token_me_logout(reg) -> None:
    r = reg.client.post("/api/registry/auth/login", json={"email": "Manager@Example.org ", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["token"]
    assert token.startswith("cmr_")
    me = reg.client.get("/api/registry/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["user"]["role"] == "manager" and me["via"] == "token"
    with reg.rt.transaction() as s:
        stored = s.query(ApiToken).filter_by(prefix=token[:12]).one()
        assert stored.token_hash != token and len(stored.token_hash) == 64  # only the hash is kept
    assert reg.client.post("/api/registry/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    assert reg.client.get("/api/registry/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert reg.client.get("/api/registry/auth/me").status_code == 401


def test_expired_and_revoked_tokens(reg) -> None:
    with reg.rt.transaction() as s:
        user = s.get(User, reg.users["member"])
        _, expired = security.issue_token(s, user, expires=timedelta(seconds=-1))
        old, revoked = security.issue_token(s, user)
        old.revoked = True
    for raw in (expired, revoked):
        r = reg.client.post("/api/registry/members", json={"name": "x"}, headers={"Authorization": f"Bearer {raw}"})
        assert r.status_code == 401
    r = reg.client.post("/api/registry/auth/tokens", json={"name": "ci", "expires_days": 1}, headers=reg.h("member"))
    assert r.status_code == 201
    listed = reg.client.get("/api/registry/auth/tokens", headers=reg.h("member")).json()
    assert "ci" in [t["name"] for t in listed] and all("token" not in t for t in listed)


def test_login_rate_limit(reg) -> None:
    # 5 failures for one address within the window: the 6th attempt is refused, even with the right password
    for _ in range(5):
        r = reg.client.post("/api/registry/auth/login", json={"email": "admin@example.org", "password": "wrong"})
        assert r.status_code == 401
    r = reg.client.post("/api/registry/auth/login", json={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 429
    assert r.json()["error"] == "rate_limited" and int(r.headers["Retry-After"]) == 15 * 60
    # other addresses are not affected; unknown ones fail like wrong passwords
    assert (
        reg.client.post(
            "/api/registry/auth/login", json={"email": "visitor@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )
    assert (
        reg.client.post("/api/registry/auth/login", json={"email": "nobody@example.org", "password": "x"}).status_code
        == 401
    )
    # once the failures are older than the window, the address may log in again
    with reg.rt.transaction() as s:
        from clustermap.organisations.models import LoginAttempt

        for attempt in s.query(LoginAttempt).all():
            attempt.at = utcnow() - timedelta(minutes=16)
    assert (
        reg.client.post(
            "/api/registry/auth/login", json={"email": "admin@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_web_login_session_and_csrf(reg) -> None:
    c = reg.client
    page = c.get("/registry/login")
    assert page.status_code == 200
    token = _csrf(page.text)
    # without the token, or with a wrong one: 403, no session
    r = c.post("/registry/login", data={"email": "member@example.org", "password": PASSWORD})
    assert r.status_code == 403
    r = c.post("/registry/login", data={"email": "member@example.org", "password": PASSWORD, "csrf_token": "x" + token})
    assert r.status_code == 403
    assert security.SESSION_COOKIE not in c.cookies
    r = c.post("/registry/login", data={"email": "member@example.org", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401 and "wrong e-mail address or password" in r.text
    r = c.post(
        "/registry/login",
        data={"email": "member@example.org", "password": PASSWORD, "csrf_token": token, "next": "https://evil.example"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/registry/"  # no open redirect
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert security.SESSION_COOKIE in c.cookies

    # the session works for the API too: reads freely, writes only with the session's CSRF token in a header
    me = c.get("/api/registry/auth/me").json()
    assert me["via"] == "session" and me["csrf_token"]
    r = c.post("/api/registry/members", json={"name": "Session SME"})
    assert r.status_code == 403 and r.json()["reason"] == "csrf"
    r = c.post("/api/registry/members", json={"name": "Session SME"}, headers={"X-CSRF-Token": me["csrf_token"]})
    assert r.status_code == 201

    # logging out needs the form's token; afterwards the cookie is worthless
    page = c.get("/registry/")
    assert "Log out member@example.org" in page.text
    assert c.post("/registry/logout", data={}).status_code == 403
    r = c.post("/registry/logout", data={"csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/api/registry/auth/me").status_code == 401


def test_validation_errors_are_clear(reg) -> None:
    r = reg.client.post(
        "/api/registry/programmes",
        json={"name": "", "level": "galactic", "start_year": 2010, "end_year": 2001, "extra": 1},
        headers=reg.h("admin"),
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "validation_error"
    fields = {e["field"] for e in body["errors"]}
    assert {"name", "level", "extra"} <= fields
    assert all(e["message"] and e["location"][0] == "body" for e in body["errors"])
    assert isinstance(body["detail"], list)  # FastAPI's own list is kept
    r = reg.client.post(
        "/api/registry/programmes",
        json={"name": "x", "level": "national", "start_year": 2010, "end_year": 2001},
        headers=reg.h("admin"),
    )
    assert r.status_code == 422 and "end_year is before start_year" in r.json()["message"]
    r = reg.client.post("/api/registry/members", json={"name": "x\x00y"}, headers=reg.h("member"))
    assert r.status_code == 422 and "NUL" in r.text
    r = reg.client.get("/api/registry/organisations/%00bad")
    assert r.status_code == 404
    r = reg.client.get("/api/registry/organisations/99999999999999999999")
    assert r.status_code == 404
