"""Matchmaking, checked by hand: cluster strength, relatedness, complementarity, distance, the weighted score,
the ranking, and the explanations in words and numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from clustermap.organisations import repository
from clustermap.organisations.match_inputs import Centroids, MappingData, Relatedness, strength
from clustermap.organisations.matchmaking import match
from clustermap.organisations.schemas import Profile

from .conftest import POINTS, small_mapping

# distances from ES21 (-2.6, 43.0), by hand with the haversine formula (R = 6371 km)
D_DE11, D_FI1D, D_PL41 = 1115.9, 2992.0, 1791.7


def prox(d: float) -> float:
    return 1 / (1 + d / 500)


def test_strength_by_hand() -> None:
    assert strength({"stars": 3, "lq": 2.4}) == pytest.approx(0.75 + 0.25 * 0.6)
    assert strength({"stars": 2, "lq": 2.2}) == pytest.approx(0.5 + 0.25 * 0.55)
    assert strength({"stars": 0, "lq": 9.0}) == pytest.approx(0.25)  # LQ capped at 4
    assert strength({"strong": True, "strong_strict": False, "lq": 3.0}) == pytest.approx(0.375 + 0.1875)
    assert strength(None) == 0.0


def test_distance_by_hand() -> None:
    c = Centroids(dict(POINTS))
    assert c.distance_km("ES21", "DE11") == pytest.approx(D_DE11, abs=0.1)
    assert c.distance_km("ES21", "ES21") == 0
    assert c.distance_km("ES213", "FI1D9") == pytest.approx(D_FI1D, abs=0.1)  # codes fall back to their ancestor
    assert c.point("ES") == pytest.approx(((-2.6 + 1.5) / 2, (43.0 + 41.8) / 2))  # the mean of ES21 and ES51
    assert c.distance_km("ES21", "XX00") is None


def test_co_location_relatedness_by_hand() -> None:
    cells = pd.DataFrame(
        {
            "region": [f"R{i}" for i in range(6)] * 3,
            "category": ["x"] * 6 + ["y"] * 6 + ["z"] * 6,
            "lq": [*[1, 2, 3, 4, 5, 6], *[2, 4, 6, 8, 10, 12], *[6, 5, 4, 3, 2, 1]],
        }
    )
    pairs = Relatedness.co_location(cells)
    assert pairs == {("x", "y"): 1.0, ("y", "x"): 1.0}  # z is anti-located: dropped
    rel = Relatedness()
    rel.add("co-location", pairs, "test")
    assert rel.between("x", "y") == (1.0, "co-location")
    assert rel.between("x", "z") == (0.0, None)
    assert rel.between("z", "z") == (1.0, "same")


PARTNERS = [
    (
        "organisation",
        {
            "name": "Stuttgart Testing Centre",
            "regions": ["DE11"],
            "categories": ["automotive"],
            "services": ["testing-facilities"],
            "seeking": ["suppliers"],
        },
    ),
    ("organisation", {"name": "Basque Metal Cluster", "regions": ["ES21"], "categories": ["metal"]}),
    (
        "organisation",
        {
            "name": "Oulu Software",
            "regions": ["FI1D9"],
            "categories": ["it-and-instruments"],
            "services": ["testing-facilities"],
        },
    ),
    ("member", {"name": "Tornillos SA", "region": "ES21", "nace_codes": ["C25"], "offers": ["suppliers"]}),
    (
        "member",
        {
            "name": "Polish Press Shop",
            "region": "PL41",
            "nace_codes": ["C29"],
            "offers": ["subcontracting"],
            "needs": ["suppliers"],
        },
    ),
]


@pytest.fixture
def partners(reg):
    ids = {}
    with reg.session("member") as s:
        for kind, data in PARTNERS:
            ids[data["name"]] = repository.create(s, kind, data, owner_id=reg.users["member"]).id
    return reg, ids


def profile(**kw) -> Profile:
    base = {"region": "ES21", "categories": ["metal"], "needs": ["testing-facilities"], "offers": ["suppliers"]}
    return Profile(**(base | kw))


def test_ranking_and_scores_by_hand(partners) -> None:
    reg, ids = partners
    with reg.session() as s:
        result = match(s, profile(member_id=ids["Tornillos SA"]), small_mapping())

    orgs = {m["name"]: m for m in result["organisations"]}
    assert [m["name"] for m in result["organisations"]] == [
        "Stuttgart Testing Centre",
        "Basque Metal Cluster",
        "Oulu Software",
    ]
    a = orgs["Stuttgart Testing Centre"]
    # automotive is related to metal (0.6); DE11 automotive: 3 stars, LQ 3.2 -> 0.75 + 0.25 * 0.8 = 0.95;
    # it offers what we need (1/1) and needs what we offer (1/1); 1,116 km
    assert a["components"] == pytest.approx(
        {"industry": 0.6, "cluster": 0.95, "complementary": 1.0, "proximity": prox(D_DE11)}, abs=1e-4
    )
    assert a["score"] == pytest.approx(0.3 * 0.6 + 0.25 * 0.95 + 0.3 * 1.0 + 0.15 * prox(D_DE11), abs=1e-4)
    b = orgs["Basque Metal Cluster"]
    assert b["components"] == pytest.approx(
        {"industry": 1.0, "cluster": 0.6375, "complementary": 0.0, "proximity": 1.0}
    )
    assert b["score"] == pytest.approx(0.3 + 0.25 * 0.6375 + 0.15, abs=1e-4)
    c = orgs["Oulu Software"]
    # IT is unrelated to metal: no industry and no cluster credit; it offers testing (1/1) but needs nothing (0/1)
    assert c["components"] == pytest.approx(
        {"industry": 0.0, "cluster": 0.0, "complementary": 0.5, "proximity": prox(D_FI1D)}, abs=1e-4
    )

    # our own member profile is left out; the Polish press shop needs what we offer
    assert [m["name"] for m in result["members"]] == ["Polish Press Shop"]
    pl = result["members"][0]
    assert pl["score"] == pytest.approx(0.3 * 0.6 + 0.25 * 0.375 + 0.3 * 0.5 + 0.15 * prox(D_PL41), abs=1e-4)

    regions = [(m["region"], m["score"]) for m in result["regions"]]
    expected = [
        ("ES21", (0.3 * 1 + 0.25 * 0.6375 + 0.15 * 1) / 0.7),
        ("DE11", (0.3 * 0.6 + 0.25 * 0.95 + 0.15 * prox(D_DE11)) / 0.7),
        ("FI1D", (0.3 * 1 + 0.25 * 0.05 + 0.15 * prox(D_FI1D)) / 0.7),
        ("PL41", (0.3 * 0.6 + 0.25 * 0.375 + 0.15 * prox(D_PL41)) / 0.7),
    ]
    assert [r for r, _ in regions] == [r for r, _ in expected]
    for (_, got), (_, want) in zip(regions, expected, strict=True):
        assert got == pytest.approx(want, abs=1e-4)
    assert [m["rank"] for m in result["regions"]] == [1, 2, 3, 4]


def test_explanations_in_words_and_numbers(partners) -> None:
    reg, _ = partners
    with reg.session() as s:
        result = match(s, profile(), small_mapping())
    a = result["organisations"][0]
    texts = [r["text"] for r in a["reasons"]]
    assert "Automotive is related to your Metal (relatedness 0.60, hand-made relatedness)" in texts
    cluster = next(r for r in a["reasons"] if r["kind"] == "cluster")
    assert cluster["text"].startswith(
        "DE11 Stuttgart: Automotive cluster (a strong cluster) — 3 stars, LQ 3.20, 150,000"
    )
    assert cluster["numbers"] == {
        "region": "DE11",
        "category": "automotive",
        "year": 2015,
        "stars": 3,
        "strong": True,
        "lq": 3.2,
        "employment": 150000,
        "strength": 0.95,
    }
    assert "offers 1 of the 1 things you need: Testing and laboratory facilities" in texts
    assert "needs 1 of the 1 things you offer: Supplier of components or materials" in texts
    assert "1,116 km from your region (between the regions' label points)" in texts
    assert texts[-1].startswith("score 0.76 = weighted mean of industry 0.60×0.30, cluster 0.95×0.25")
    region = result["regions"][0]
    assert region["reasons"][0]["text"] == "same category: Metal"
    assert "in your region" in [r["text"] for r in region["reasons"]]
    assert result["method"]["mapping"]["year"] == 2015


def test_distance_limit_and_no_mapping(partners) -> None:
    reg, _ = partners
    with reg.session() as s:
        near = match(s, profile(max_distance_km=1000), small_mapping())
        assert [m["name"] for m in near["organisations"]] == ["Basque Metal Cluster"]
        assert [m["region"] for m in near["regions"]] == ["ES21"]
        bare = match(s, profile(), None, centroids=Centroids(dict(POINTS)))
    assert bare["regions"] == []
    first = bare["organisations"][0]
    assert first["components"]["cluster"] is None
    # without mapping results: industry (same category only: no relatedness), complementarity and distance
    # (weights 0.30, 0.30, 0.15)
    assert first["name"] == "Basque Metal Cluster"
    assert first["score"] == pytest.approx((0.3 * 1.0 + 0.3 * 0.0 + 0.15 * 1.0) / 0.75, abs=1e-4)
    second = bare["organisations"][1]
    assert second["name"] == "Stuttgart Testing Centre"
    assert second["score"] == pytest.approx((0.3 * 0.0 + 0.3 * 1.0 + 0.15 * prox(D_DE11)) / 0.75, abs=1e-4)
    assert "no mapping results" in bare["method"]["note"]


def test_matches_api(partners) -> None:
    reg, ids = partners
    r = reg.client.get(
        "/api/registry/matches",
        params={"region": "ES21", "category": "metal", "needs": "testing-facilities", "offers": "suppliers"},
    )
    assert r.status_code == 200
    assert r.json()["organisations"][0]["name"] == "Stuttgart Testing Centre"
    r = reg.client.get("/api/registry/matches", params={"region": "XX99"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "region"
    r = reg.client.get("/api/registry/matches", params={"nace": "C29", "limit": 1})
    assert r.json()["profile"]["categories"] == ["automotive"]
    assert len(r.json()["organisations"]) == 1

    body = {"region": "ES21", "categories": ["metal"], "member_id": ids["Tornillos SA"]}
    saved = reg.client.post("/api/registry/matches", json=body, headers=reg.h("member"))
    assert saved.status_code == 201
    match_id = saved.json()["id"]
    assert reg.client.get(f"/api/registry/matches/{match_id}", headers=reg.h("member")).status_code == 200
    assert reg.client.get(f"/api/registry/matches/{match_id}", headers=reg.h("member2")).status_code == 404
    assert [m["id"] for m in reg.client.get("/api/registry/matches/saved", headers=reg.h("member")).json()] == [
        match_id
    ]
    # a member profile of someone else cannot be used
    r = reg.client.post("/api/registry/matches", json=body, headers=reg.h("member2"))
    assert r.status_code == 422


def test_interests_and_notifications(partners) -> None:
    reg, ids = partners
    with reg.session("member2") as s:
        other = repository.create(s, "member", {"name": "Other SME", "region": "PL41"}, owner_id=reg.users["member2"])
        other_id = other.id
    body = {"from_member_id": ids["Tornillos SA"], "to_member_id": other_id, "message": "Let us talk"}
    r = reg.client.post("/api/registry/interests", json=body, headers=reg.h("member"))
    assert r.status_code == 201, r.text
    interest = r.json()
    notes = reg.client.get("/api/registry/notifications", headers=reg.h("member2")).json()
    assert len(notes) == 1 and "Tornillos SA is interested in cooperating with Other SME" in notes[0]["text"]
    # from someone else's member profile: 403
    r = reg.client.post("/api/registry/interests", json=body, headers=reg.h("member2"))
    assert r.status_code == 403
    # the sender cannot accept; the recipient can, with the version read
    patch = {"version": interest["version"], "status": "accepted"}
    assert (
        reg.client.patch(f"/api/registry/interests/{interest['id']}", json=patch, headers=reg.h("member")).status_code
        == 403
    )
    r = reg.client.patch(f"/api/registry/interests/{interest['id']}", json=patch, headers=reg.h("member2"))
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = reg.client.patch(f"/api/registry/interests/{interest['id']}", json=patch, headers=reg.h("member2"))
    assert r.status_code == 409 and r.json()["current_version"] == interest["version"] + 1
    sender_notes = reg.client.get("/api/registry/notifications?unread=true", headers=reg.h("member")).json()
    assert [n["kind"] for n in sender_notes] == ["interest-accepted"]
    note_id = sender_notes[0]["id"]
    assert reg.client.post(f"/api/registry/notifications/{note_id}/read", headers=reg.h("member2")).status_code == 403
    assert reg.client.post(f"/api/registry/notifications/{note_id}/read", headers=reg.h("member")).status_code == 200
    assert reg.client.get("/api/registry/notifications?unread=true", headers=reg.h("member")).json() == []
    listed = reg.client.get("/api/registry/interests", headers=reg.h("member2")).json()
    assert [i["id"] for i in listed] == [interest["id"]]


@pytest.mark.realdata
def test_uscmp_relatedness_on_eco_categories(mirror) -> None:
    pairs = Relatedness.uscmp_on_eco(mirror)
    assert len(pairs) > 100
    for (a, b), value in pairs.items():
        assert 0 < value <= 1
        assert pairs[(b, a)] == value
    assert pairs[("it-and-instruments", "communications")] > 0.5
    data = MappingData.from_cells(
        pd.DataFrame({"region": ["ES21"], "category": ["metal"], "year": [2015], "lq": [1.0], "stars": [0]}),
        mirror=mirror,
    )
    assert "uscmp-on-eco" in data.relatedness.sources
    assert math.isclose(
        data.relatedness.between("communications", "it-and-instruments")[0],
        pairs[("communications", "it-and-instruments")],
    )
