"""Content that ships with clustermap: the programmes, cluster organisations / initiatives and case studies that
the reference document (SEC(2008) 2637) itself names, each with the section it comes from, and the figures of
the European Cluster Observatory's survey of cluster programmes that it reports (69 national and 88 regional
programmes, section 3.1).

Files: ``programmes.json``, ``organisations.json``, ``case_studies.json`` (records in the registry's import
format, with ``source`` and ``source_section``), ``survey.json`` (the survey's figures). Facts are taken from
the document; where clustermap classified a record (policy focus, categories …) its ``source`` says so.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

__all__ = ["CONTENT_FILES", "content_records", "load_content", "survey"]

#: kind of record → file, in loading order (organisations refer to programmes, case studies to organisations)
CONTENT_FILES = {
    "programme": "programmes.json",
    "organisation": "organisations.json",
    "case_study": "case_studies.json",
}


@lru_cache(maxsize=1)
def content_records() -> dict[str, list[dict[str, Any]]]:
    """The shipped records by kind (``programme``, ``organisation``, ``case_study``)."""
    root = resources.files("clustermap.organisations.content")
    return {kind: json.loads((root / name).read_text("utf-8")) for kind, name in CONTENT_FILES.items()}


@lru_cache(maxsize=1)
def survey() -> dict[str, Any]:
    """The European Cluster Observatory survey figures the document reports (section 3.1)."""
    return json.loads((resources.files("clustermap.organisations.content") / "survey.json").read_text("utf-8"))


def load_content(session: Session, *, actor_id: int | None = None) -> dict[str, int]:
    """Add the shipped records that are not in the registry yet (matched by slug); returns how many per kind.

    Records are validated like any input and written through the repository (audit log, search index).
    """
    from clustermap.organisations import repository

    added: dict[str, int] = {}
    session.info.setdefault("actor_id", actor_id)
    for kind, records in content_records().items():
        model: Any = repository.ENTITY_SCHEMAS[kind].model
        existing = set(session.scalars(select(model.slug)))
        n = 0
        for record in records:
            if record["slug"] in existing:
                continue
            repository.create(session, kind, record, owner_id=None)
            n += 1
        added[kind] = n
    return added
