"""Concurrency (on PostgreSQL, and on SQLite): many clients edit the same records at once; no update is lost,
every conflict is reported (409 with the versions), and the audit log shows one unbroken chain of versions."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from clustermap.organisations import repository
from clustermap.organisations.errors import ConflictError
from clustermap.organisations.models import AuditEntry

THREADS = 8
INCREMENTS = 4


@pytest.fixture
def pg(backend, request):
    if backend != "postgresql":
        pytest.skip("two open transactions at once: PostgreSQL only (SQLite serialises them with BEGIN IMMEDIATE)")
    return request.getfixturevalue("reg")


def test_many_clients_increment_the_same_record(reg) -> None:
    """On PostgreSQL (the point of the test) and on SQLite (where BEGIN IMMEDIATE serialises the writers)."""
    pg = reg
    from fastapi.testclient import TestClient

    h = pg.h("manager")
    org = pg.client.post(
        "/api/registry/organisations", json={"name": "Contended", "members_total": 0}, headers=h
    ).json()
    url = f"/api/registry/organisations/{org['id']}"
    barrier = threading.Barrier(THREADS)
    results: list[Counter] = [Counter() for _ in range(THREADS)]
    failures: list[str] = []

    def client_work(i: int) -> None:
        client = TestClient(pg.app)  # each thread its own client, event loop and connections
        done = 0
        first = True
        while done < INCREMENTS:
            current = client.get(url).json()
            if first:
                barrier.wait()  # every client read version 1; they now all write at once
                first = False
            r = client.patch(
                url, json={"version": current["version"], "members_total": current["members_total"] + 1}, headers=h
            )
            if r.status_code == 200:
                done += 1
                results[i]["ok"] += 1
            elif r.status_code == 409:
                body = r.json()
                if not (body["error"] == "conflict" and body["expected_version"] == current["version"]):
                    failures.append(f"bad conflict body {body}")
                if body.get("current_version") is not None and body["current_version"] <= current["version"]:
                    failures.append(f"current version not newer: {body}")
                results[i]["conflict"] += 1
            else:
                failures.append(f"{r.status_code} {r.text[:200]}")
                return

    threads = [threading.Thread(target=client_work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures[:3]
    total = sum(results, Counter())
    assert total["ok"] == THREADS * INCREMENTS
    assert total["conflict"] >= THREADS - 1  # the first simultaneous round: one wins, the others are told
    final = pg.client.get(url).json()
    assert final["members_total"] == THREADS * INCREMENTS  # no lost update
    assert final["version"] == 1 + THREADS * INCREMENTS

    with pg.rt.transaction() as s:
        updates = list(
            s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity_type == "organisation",
                    AuditEntry.entity_id == org["id"],
                    AuditEntry.action == "update",
                )
                .order_by(AuditEntry.version)
            )
        )
    assert [e.version for e in updates] == list(range(2, 2 + THREADS * INCREMENTS))
    assert [e.changes["members_total"] for e in updates] == [[n, n + 1] for n in range(THREADS * INCREMENTS)]


def test_two_transactions_that_read_the_same_version_at_once(pg) -> None:
    with pg.session("admin") as s:
        member_id = repository.create(s, "member", {"name": "Raced"}, owner_id=pg.users["member"]).id
    barrier = threading.Barrier(2)
    outcome: dict[int, str] = {}

    def write(i: int) -> None:
        session = pg.rt.sessions()
        try:
            obj = repository.get(session, "member", member_id)  # both read version 1 inside open transactions
            barrier.wait()
            repository.update(session, "member", obj, {"version": 1, "employees": 10 + i})
            session.commit()
            outcome[i] = "ok"
        except ConflictError as exc:
            session.rollback()
            outcome[i] = exc.extra["reason"]
        finally:
            session.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["ok", "stale_version"]
    winner = next(i for i, v in outcome.items() if v == "ok")
    assert pg.client.get(f"/api/registry/members/{member_id}").json()["employees"] == 10 + winner
