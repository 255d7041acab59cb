"""Optimistic locking (409 with a machine-readable body) and the audit log of every change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clustermap.organisations import repository
from clustermap.organisations.errors import ConflictError, RegistryValidationError
from clustermap.organisations.models import AuditEntry, User


def test_stale_update_is_a_409_with_the_current_record(reg) -> None:
    h = reg.h("manager")
    created = reg.client.post("/api/registry/organisations", json={"name": "Lock Test", "regions": ["ES21"]}, headers=h)
    assert created.status_code == 201
    slug = created.json()["slug"]
    first = reg.client.patch(f"/api/registry/organisations/{slug}", json={"version": 1, "members_total": 10}, headers=h)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = reg.client.patch(f"/api/registry/organisations/{slug}", json={"version": 1, "members_total": 99}, headers=h)
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "conflict" and body["reason"] == "stale_version"
    assert body["expected_version"] == 1 and body["current_version"] == 2
    assert body["current"]["members_total"] == 10 and body["current"]["version"] == 2
    assert reg.client.get(f"/api/registry/organisations/{slug}").json()["members_total"] == 10
    # delete with a stale version is refused too; with the right one it goes
    assert reg.client.delete(f"/api/registry/organisations/{slug}?version=1", headers=h).status_code == 409
    assert reg.client.delete(f"/api/registry/organisations/{slug}?version=2", headers=h).status_code == 204
    assert reg.client.get(f"/api/registry/organisations/{slug}").status_code == 404


def test_patch_needs_a_version_and_validates_the_merged_record(reg) -> None:
    h = reg.h("admin")
    p = reg.client.post(
        "/api/registry/programmes", json={"name": "P", "level": "national", "start_year": 2000}, headers=h
    ).json()
    r = reg.client.patch(f"/api/registry/programmes/{p['id']}", json={"end_year": 2001}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "version"
    r = reg.client.patch(f"/api/registry/programmes/{p['id']}", json={"version": 1, "end_year": 1990}, headers=h)
    assert r.status_code == 422 and "end_year is before start_year" in r.json()["detail"]
    r = reg.client.patch(f"/api/registry/programmes/{p['id']}", json={"version": 1, "slug": "taken-slug"}, headers=h)
    assert r.status_code == 200 and r.json()["slug"] == "taken-slug"
    other = reg.client.post("/api/registry/programmes", json={"name": "Q", "level": "national"}, headers=h).json()
    r = reg.client.patch(
        f"/api/registry/programmes/{other['slug']}", json={"version": 1, "slug": "taken-slug"}, headers=h
    )
    assert r.status_code == 409 and r.json()["reason"] == "duplicate"
    r = reg.client.post(
        "/api/registry/programmes", json={"name": "R", "level": "national", "slug": "taken-slug"}, headers=h
    )
    assert r.status_code == 409
    r = reg.client.post("/api/registry/organisations", json={"name": "O", "programmes": ["no-such"]}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "programmes"


def test_two_sessions_that_read_the_same_version(reg) -> None:
    with reg.session("admin") as s:
        obj = repository.create(s, "member", {"name": "Shared"}, owner_id=reg.users["member"])
        member_id = obj.id
    a = reg.rt.sessions()
    b = reg.rt.sessions()
    try:
        theirs = repository.get(b, "member", member_id)
        b.commit()  # b keeps the record it read (version 1) in memory; SQLite serialises open transactions
        mine = repository.get(a, "member", member_id)
        repository.update(a, "member", mine, {"version": 1, "employees": 5})
        a.commit()
        # b still holds version 1: the version check passes in memory, but its UPDATE … WHERE version = 1
        # matches no row in the database
        with pytest.raises(ConflictError) as info:
            repository.update(b, "member", theirs, {"version": 1, "employees": 7})
        assert info.value.extra["reason"] == "stale_version"
        b.rollback()
    finally:
        a.close()
        b.close()
    assert reg.client.get(f"/api/registry/members/{member_id}").json()["employees"] == 5


def test_every_change_is_audited(reg) -> None:
    h = reg.h("member")
    m = reg.client.post("/api/registry/members", json={"name": "Audited SME", "region": "ES21"}, headers=h).json()
    reg.client.patch(f"/api/registry/members/{m['id']}", json={"version": 1, "needs": ["finance"]}, headers=h)
    reg.client.delete(f"/api/registry/members/{m['id']}", headers=h)
    with reg.rt.transaction() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.entity_type == "member").order_by(AuditEntry.id)))
    assert [(e.action, e.version, e.actor_id) for e in entries] == [
        ("create", 1, reg.users["member"]),
        ("update", 2, reg.users["member"]),
        ("delete", 2, reg.users["member"]),
    ]
    assert entries[0].changes["name"] == [None, "Audited SME"]
    assert entries[1].changes == {"needs": [[], ["finance"]]}
    assert entries[2].changes["name"] == ["Audited SME", None]
    # the owner and administrators read the history through the API
    hist = reg.client.get(
        "/api/registry/audit", params={"entity_type": "member", "entity_id": m["id"]}, headers=reg.h("admin")
    )
    assert [e["action"] for e in hist.json()] == ["delete", "update", "create"]
    assert reg.client.get("/api/registry/audit", headers=reg.h("member")).status_code == 403


def test_user_changes_are_audited_without_password_hashes(reg) -> None:
    with reg.rt.transaction() as s:
        target = s.scalars(select(User).where(User.email == "visitor@example.org")).one()
        version = target.version
    r = reg.client.patch(
        f"/api/registry/users/{reg.users['visitor']}",
        json={"version": version, "name": "Visiting", "password": "another long password"},
        headers=reg.h("admin"),
    )
    assert r.status_code == 200 and r.json()["name"] == "Visiting"
    stale = reg.client.patch(
        f"/api/registry/users/{reg.users['visitor']}", json={"version": version, "name": "x"}, headers=reg.h("admin")
    )
    assert stale.status_code == 409
    with reg.rt.transaction() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "user").order_by(AuditEntry.id.desc())
        ).first()
        assert entry.changes["password_hash"] == ["***", "***"]
        assert entry.actor_id == reg.users["admin"]
    # put the password back for the other tests of this module
    from clustermap.organisations.security import hash_password

    from .conftest import PASSWORD

    with reg.rt.transaction() as s:
        s.get(User, reg.users["visitor"]).password_hash = hash_password(PASSWORD)


def test_history_endpoint(reg) -> None:
    o = reg.client.post("/api/registry/organisations", json={"name": "Hist"}, headers=reg.h("manager")).json()
    assert reg.client.get(f"/api/registry/organisations/{o['id']}/history", headers=reg.h("manager")).status_code == 200
    assert (
        reg.client.get(f"/api/registry/organisations/{o['id']}/history", headers=reg.h("manager2")).status_code == 403
    )
    assert reg.client.get(f"/api/registry/organisations/{o['id']}/history").status_code == 401
    with pytest.raises(RegistryValidationError), reg.session("admin") as s:
        repository.update(s, "organisation", repository.get(s, "organisation", o["id"]), {"name": "no version"})
