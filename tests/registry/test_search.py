"""Full-text search and facets, checked by hand on a small registry, on SQLite FTS5 and PostgreSQL tsvector."""

from __future__ import annotations

import pytest

from clustermap.organisations import repository
from clustermap.organisations.search import fold, search

RECORDS = [
    (
        "programme",
        {
            "name": "Alpha Finance Programme",
            "level": "national",
            "country": "DE",
            "support_type": "finance",
            "target_groups": ["smes", "businesses"],
            "policy_focus": ["industry-enterprise"],
        },
    ),
    (
        "programme",
        {
            "name": "Beta Network Programme",
            "level": "regional",
            "regions": ["ES21"],
            "support_type": "knowledge-network",
            "target_groups": ["research-institutions"],
            "policy_focus": ["science-technology"],
        },
    ),
    (
        "programme",
        {
            "name": "Gamma Both Programme",
            "level": "european",
            "support_type": "both",
            "target_groups": ["smes"],
            "description": "Joint calls for transnational projects.",
        },
    ),
    (
        "organisation",
        {
            "name": "Vasco Automotive Cluster",
            "regions": ["ES21"],
            "categories": ["automotive"],
            "description": "Car components makers of the region.",
        },
    ),
    ("organisation", {"name": "Stuttgart Motor Network", "regions": ["DE11"], "categories": ["automotive", "metal"]}),
    ("organisation", {"name": "Oulu Mobile Forum", "regions": ["FI1D9"], "categories": ["communications"]}),
    ("case_study", {"title": "Clusters in Catalonia", "regions": ["ES51"], "categories": ["textiles"]}),
    ("member", {"name": "Tornillos SA", "region": "ES21", "nace_codes": ["C25"], "offers": ["suppliers"]}),
]


@pytest.fixture
def seeded(reg):
    with reg.session("admin") as s:
        for kind, data in RECORDS:
            repository.create(s, kind, data, owner_id=reg.users["admin"])
    return reg


def titles(result) -> set[str]:
    return {h.title for h in result.hits}


def test_fold() -> None:
    assert fold("País-Vasco  (ES21)") == "pais vasco es21"
    assert fold("Île-de-France") == "ile de france"


def test_words_accents_prefixes_and(seeded) -> None:
    with seeded.session() as s:
        vasco = search(s, "vasco")
        # the title hit, and the two records in ES21 whose body carries the region's name "País Vasco"
        assert titles(vasco) == {"Vasco Automotive Cluster", "Beta Network Programme", "Tornillos SA"}
        assert vasco.hits[0].title == "Vasco Automotive Cluster"  # title weighs more than body, on both backends
        assert titles(search(s, "PAÍS vasco")) == titles(vasco)
        assert titles(search(s, "automot")) == {"Vasco Automotive Cluster", "Stuttgart Motor Network"}
        assert titles(search(s, "automotive stuttgart")) == {"Stuttgart Motor Network"}
        assert titles(search(s, "transnational")) == {"Gamma Both Programme"}
        assert search(s, "nothing-like-this").total == 0


@pytest.mark.parametrize(
    "query", ['" OR 1=1 --', "NEAR(a b)", "*", "a AND", "'; DROP TABLE users; --", "\u00e9\u00e8", "-"]
)
def test_query_syntax_cannot_break_the_search(seeded, query: str) -> None:
    with seeded.session() as s:
        search(s, query)  # no error


def test_facet_filters_and_counts(seeded) -> None:
    with seeded.session() as s:
        everything = search(s, "")
        assert everything.total == 8
        counts = {f: {v["value"]: v["count"] for v in values} for f, values in everything.facets.items()}
        assert counts["type"] == {"organisation": 3, "programme": 3, "case_study": 1, "member": 1}
        assert counts["category"] == {"automotive": 2, "metal": 2, "communications": 1, "textiles": 1}
        assert counts["country"] == {"ES": 4, "DE": 2, "FI": 1}
        assert counts["support_type"] == {"finance": 1, "knowledge-network": 1, "both": 1}
        assert counts["target_group"] == {"smes": 2, "businesses": 1, "research-institutions": 1}

        finance_or_both = search(s, "", filters={"support_type": ["finance", "both"]})
        assert titles(finance_or_both) == {"Alpha Finance Programme", "Gamma Both Programme"}
        assert {v["value"]: v["count"] for v in finance_or_both.facets["support_type"]} == {"finance": 1, "both": 1}

        smes = search(s, "", filters={"type": ["programme"], "target_group": ["smes"]})
        assert titles(smes) == {"Alpha Finance Programme", "Gamma Both Programme"}
        assert titles(search(s, "", filters={"target_group": ["smes"], "country": ["DE"]})) == {
            "Alpha Finance Programme"
        }
        assert titles(search(s, "", filters={"programme_type": ["regional"]})) == {"Beta Network Programme"}

        assert titles(search(s, "", filters={"region": ["ES2"]})) == {
            "Beta Network Programme",
            "Vasco Automotive Cluster",
            "Tornillos SA",
        }
        assert search(s, "", filters={"region": ["ES"]}).total == 4
        assert titles(search(s, "programme", filters={"region": ["ES21"]})) == {"Beta Network Programme"}
        members = search(s, "", filters={"member_kind": ["sme"], "category": ["metal"]})
        assert titles(members) == {"Tornillos SA"}  # its category comes from NACE C25


def test_paging_and_title_order(seeded) -> None:
    with seeded.session() as s:
        first = search(s, "", per_page=3, page=1)
        second = search(s, "", per_page=3, page=2)
        third = search(s, "", per_page=3, page=3)
    assert [h.title for h in first.hits] == [
        "Alpha Finance Programme",
        "Beta Network Programme",
        "Clusters in Catalonia",
    ]
    assert len(second.hits) == 3 and len(third.hits) == 2
    assert not ({h.title for h in first.hits} & {h.title for h in second.hits})


def test_index_follows_updates_and_deletes(seeded) -> None:
    with seeded.session("admin") as s:
        obj = repository.get(s, "organisation", "oulu-mobile-forum")
        repository.update(s, "organisation", obj, {"version": obj.version, "name": "Northern Mobile Forum"})
    with seeded.session() as s:
        assert search(s, "northern").total == 1
        assert search(s, "oulu mobile").total == 0
    with seeded.session("admin") as s:
        repository.delete(s, "organisation", repository.get(s, "organisation", "oulu-mobile-forum"))
    with seeded.session() as s:
        assert search(s, "northern").total == 0
        assert search(s, "").total == 7


def test_search_api(seeded) -> None:
    r = seeded.client.get("/api/registry/search", params={"q": "vasco", "type": "organisation"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    assert body["hits"][0]["url"] == "/api/registry/organisations/vasco-automotive-cluster"
    r = seeded.client.get("/api/registry/search", params=[("support_type", "finance"), ("support_type", "both")])
    assert r.json()["total"] == 2
    r = seeded.client.get("/api/registry/programmes", params={"target_group": "smes", "country": "DE"})
    assert [i["slug"] for i in r.json()["items"]] == ["alpha-finance-programme"]
    r = seeded.client.get("/api/registry/search", params={"q": "a\x00b", "region": "E\x00S"})
    assert r.status_code == 200
    assert seeded.client.get("/api/registry/search", params={"type": "nonsense"}).status_code == 422
