"""Response models of the REST API beyond the records of :mod:`.schemas`: search pages, audit entries, import
reports, the caller."""

from typing import Any

from pydantic import BaseModel

from clustermap.organisations import schemas

__all__ = ["AuditOut", "FacetValueOut", "ImportOut", "MeOut", "SearchHitOut", "SearchOut"]


class SearchHitOut(BaseModel):
    """One record found."""

    type: str
    id: int
    slug: str
    title: str
    summary: str
    score: float
    url: str


class FacetValueOut(BaseModel):
    """One value of a facet and how many matching records have it."""

    value: str
    label: str
    count: int


class SearchOut(BaseModel):
    """A page of search results with facet counts."""

    query: str
    total: int
    page: int
    per_page: int
    filters: dict[str, list[str]]
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]


class AuditOut(BaseModel):
    """One audit entry."""

    id: int
    at: Any
    actor_id: int | None
    action: str
    entity_type: str
    entity_id: int
    version: int | None
    changes: dict[str, Any]


class ImportOut(BaseModel):
    """What an import found and did: every bad row with its line and field."""

    kind: str
    format: str
    rows: int
    valid: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    partial: bool
    applied: bool
    bad_lines: list[int]
    errors: list[dict[str, Any]]


class MeOut(BaseModel):
    """The caller."""

    user: schemas.UserPublic
    via: str
    csrf_token: str | None = None
