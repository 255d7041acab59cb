"""The shipped content: every record the reference document names loads, validates and says where it comes from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clustermap.organisations import repository
from clustermap.organisations.content import content_records, load_content, survey
from clustermap.organisations.models import AuditEntry, CaseStudy, Organisation, Programme

REFERENCE = (
    Path(__file__).resolve().parents[3] / "shared" / "reference" / "clusters-staff-working-document-SEC-2008-2637.txt"
)


def test_every_shipped_record_names_its_section() -> None:
    records = content_records()
    assert set(records) == {"programme", "organisation", "case_study"}
    for kind, rows in records.items():
        assert rows, kind
        slugs = [r["slug"] for r in rows]
        assert len(slugs) == len(set(slugs)), kind
        for row in rows:
            assert re.match(r"^[1-5]\.\d( \(box\))?$", row["source_section"]), (kind, row["slug"])
            assert "SEC(2008) 2637" in row["source"], (kind, row["slug"])
            repository.ENTITY_SCHEMAS[kind].create_schema.model_validate(row)


def test_the_boxed_examples_and_the_survey_figures_are_there() -> None:
    records = {kind: {r["slug"]: r for r in rows} for kind, rows in content_records().items()}
    basque = records["programme"]["basque-country-competitiveness-programme"]
    assert basque["regions"] == ["ES21"] and basque["source_section"] == "3.1 (box)"
    assert "12 cluster initiatives" in basque["description"]
    assert records["organisation"]["oulu-ict-cluster"]["regions"] == ["FI1D9"]
    assert records["organisation"]["omnipack-cluster"]["members_total"] == 21
    assert "cambridge-high-tech-cluster" in records["case_study"]
    facts = survey()
    assert facts["national"]["programmes"] == 69 and facts["national"]["countries"] == 26
    assert facts["regional"]["programmes"] == 88 and facts["regional"]["countries"] == 17
    assert facts["regional"]["support_type"] == {"finance": 29, "knowledge-network": 31, "both": 25}
    assert facts["national"]["sme_focus"] == 31


@pytest.mark.skipif(not REFERENCE.is_file(), reason="the reference document is not in ../shared/reference")
def test_named_entities_occur_in_the_reference_document() -> None:
    text = " ".join(REFERENCE.read_text("utf-8").split())
    names = [
        "Basque Country Competitiveness",
        "Oulu Growth Agreement",
        "OMNIPACK",
        "St John",
        "Clusterland Upper Austria",
        "CEE-ClusterNetwork",
        "CLUNET",
        "INNET",
        "NetBioCluE",
        "BeLCAR",
        "TCAS",
        "CENCE",
        "INNOTEX",
        "AFIBIO",
        "CASTLE",
        "ENOC",
        "mClusters",
        "REGINS",
        "ERRIN",
        "Spitzencluster",
        "Regions of Knowledge",
        "Humber seafood",
        "Marche Music Cluster",
        "BioValley",
        "Medicon Valley",
        "69 national cluster programmes",
        "88 regional cluster programmes",
    ]
    missing = [n for n in names if n not in text]
    assert not missing


def test_content_loads_on_both_databases_and_is_idempotent(reg) -> None:
    with reg.session() as s:
        added = load_content(s)
    expected = {kind: len(rows) for kind, rows in content_records().items()}
    assert added == expected
    with reg.session() as s:
        assert load_content(s) == {kind: 0 for kind in expected}
        assert s.scalar(select(func.count()).select_from(Programme)) == expected["programme"]
        assert s.scalar(select(func.count()).select_from(Organisation)) == expected["organisation"]
        assert s.scalar(select(func.count()).select_from(CaseStudy)) == expected["case_study"]
        creates = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create"))
        assert creates == sum(expected.values())
    page = reg.client.get("/api/registry/programmes/basque-country-competitiveness-programme").json()
    assert page["level"] == "regional" and page["source_section"] == "3.1 (box)"
    hits = reg.client.get("/api/registry/search", params={"q": "Oulu"}).json()
    assert {h["slug"] for h in hits["hits"]} >= {
        "oulu-ict-cluster",
        "oulu-growth-agreement",
        "oulu-ict-cluster-networking",
    }
    stats = reg.client.get("/api/registry/statistics").json()
    assert stats["survey"]["national"]["programmes"] == 69
    assert stats["registry"]["programmes"] == expected["programme"]
