"""Full-text search with facets over organisations, programmes, case studies and members.

Each record has one :class:`~.models.SearchDocument` (title and body, accent- and case-folded by :func:`fold`)
and its :class:`~.models.SearchFacet` values (country, region, category, programme type, support type, target
group, policy focus, kind of member). The full-text index is SQLite FTS5 (an external-content table kept in step
by triggers) or a PostgreSQL ``tsvector`` column with a GIN index, both made by migration ``0002_search``; both
use the same folding and prefix matching, so that the two backends answer the same query alike.

Query semantics
---------------
* words: every word must occur (AND), as a word or a word prefix (``clust`` finds *cluster*); accents and case
  do not matter (``pais vasco`` finds *País Vasco*). Ranking: SQLite ``bm25`` / PostgreSQL ``ts_rank_cd``, with
  the title weighted above the body; without words, by title.
* facets: values of one facet are alternatives (OR); different facets must all hold (AND). ``region`` matches
  by code prefix, so ``ES2`` (a NUTS 1 region) finds records in ``ES21``.
* facet counts: for the records that match the whole query, how many have each value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, delete, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from clustermap.organisations import vocabulary as voc
from clustermap.organisations.models import (
    CaseStudy,
    Member,
    Organisation,
    Programme,
    SearchDocument,
    SearchFacet,
)

__all__ = ["Hit", "SearchResult", "document_for", "fold", "index_record", "remove_record", "search"]

_NON_WORD = re.compile(r"[^0-9a-z]+")
_MAX_TERMS = 12


def fold(text: str) -> str:
    """Lower-case, accents removed, every run of non-alphanumerics one space: ``"País-Vasco"`` → ``"pais vasco"``."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NON_WORD.sub(" ", plain).strip()


def _terms(query: str) -> list[str]:
    return [t for t in fold(query).split() if t][:_MAX_TERMS]


def _region_names(codes: Iterable[str]) -> list[str]:
    from clustermap.organisations.fields import region_name

    return [name for name in (region_name(c) for c in codes) if name]


def _category_names(slugs: Iterable[str]) -> list[str]:
    from clustermap.organisations.fields import registry_categories

    names = registry_categories()
    return [names.get(s, s) for s in slugs]


def document_for(entity_type: str, obj: Any) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Title, summary, body text and facet values ``(facet, value)`` of one record."""
    facets: list[tuple[str, str]] = [("type", entity_type)]
    if isinstance(obj, Programme):
        title, summary = obj.name, obj.description
        regions, countries, categories = obj.regions, [obj.country] if obj.country else [], []
        facets += [("programme_type", obj.level)]
        if obj.support_type:
            facets.append(("support_type", obj.support_type))
        facets += [("target_group", t) for t in obj.target_groups]
        facets += [("policy_focus", p) for p in obj.policy_focus]
        extra = [
            voc.label(voc.PROGRAMME_LEVELS, obj.level),
            *(voc.label(voc.POLICY_FOCUS, p) for p in obj.policy_focus),
            *(voc.label(voc.TARGET_GROUPS, t) for t in obj.target_groups),
            voc.label(voc.SUPPORT_TYPES, obj.support_type or ""),
            *(voc.label(voc.FUNDING_SOURCES, f) for f in obj.funding_sources),
        ]
    elif isinstance(obj, Organisation):
        title, summary = obj.name, obj.description
        regions, countries, categories = obj.regions, obj.countries, obj.categories
        extra = [voc.label(voc.ORGANISATION_KINDS, obj.kind), *(voc.label(voc.EXCHANGE_TAGS, s) for s in obj.services)]
    elif isinstance(obj, CaseStudy):
        title, summary = obj.title, obj.summary
        regions, countries, categories = obj.regions, obj.countries, obj.categories
        extra = list(obj.success_factors)
    elif isinstance(obj, Member):
        title, summary = obj.name, obj.description
        regions = [obj.region] if obj.region else []
        countries = [obj.country] if obj.country else []
        categories = obj.categories
        facets.append(("member_kind", obj.kind))
        extra = [
            voc.label(voc.MEMBER_KINDS, obj.kind),
            *(voc.label(voc.EXCHANGE_TAGS, s) for s in [*obj.offers, *obj.needs]),
            *obj.nace_codes,
        ]
    else:
        raise TypeError(f"not a searchable record: {obj!r}")
    countries = sorted({*countries, *(r[:2] for r in regions if r[:1].isalpha())})
    facets += [("country", c) for c in countries]
    facets += [("region", r) for r in regions]
    facets += [("category", c) for c in categories]
    body = " ".join(
        [
            summary or "",
            " ".join(regions),
            " ".join(_region_names(regions)),
            " ".join(countries),
            " ".join(_category_names(categories)),
            " ".join(x for x in extra if x),
            getattr(obj, "source_section", None) or "",
        ]
    )
    return title, (summary or "")[:500], body, sorted(set(facets))


def index_record(session: Session, entity_type: str, obj: Any) -> None:
    """Write (or rewrite) the search document and facet values of ``obj``; call after a flush (``obj.id`` set)."""
    title, summary, body, facets = document_for(entity_type, obj)
    doc = session.scalars(
        select(SearchDocument).where(SearchDocument.entity_type == entity_type, SearchDocument.entity_id == obj.id)
    ).one_or_none()
    if doc is None:
        doc = SearchDocument(entity_type=entity_type, entity_id=obj.id)
        session.add(doc)
    doc.slug = obj.slug
    doc.title = title[:300]
    doc.summary = summary
    doc.title_folded = fold(title)
    doc.body_folded = fold(body)
    session.flush()
    session.execute(delete(SearchFacet).where(SearchFacet.document_id == doc.id))
    session.add_all(SearchFacet(document_id=doc.id, facet=f, value=v[:120]) for f, v in facets)
    session.flush()


def remove_record(session: Session, entity_type: str, entity_id: int) -> None:
    """Remove the search document of a deleted record."""
    doc_ids = select(SearchDocument.id).where(
        SearchDocument.entity_type == entity_type, SearchDocument.entity_id == entity_id
    )
    session.execute(delete(SearchFacet).where(SearchFacet.document_id.in_(doc_ids)))
    session.execute(
        delete(SearchDocument).where(SearchDocument.entity_type == entity_type, SearchDocument.entity_id == entity_id)
    )


# -------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Hit:
    """One record found: its kind, id, slug, title, a summary and the rank score (higher is better)."""

    entity_type: str
    entity_id: int
    slug: str
    title: str
    summary: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the total, and the facet counts of everything that matched."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    filters: dict[str, list[str]] = field(default_factory=dict)


def _facet_label(facet: str, value: str) -> str:
    from clustermap.organisations.fields import region_name, registry_categories

    if facet == "type":
        return voc.label(voc.ENTITY_TYPES, value)
    if facet == "category":
        return registry_categories().get(value, value)
    if facet == "region":
        name = region_name(value)
        return f"{value} {name}" if name else value
    if facet == "country":
        name = region_name(value)
        return name or value
    vocabulary = {
        "programme_type": voc.PROGRAMME_LEVELS,
        "support_type": voc.SUPPORT_TYPES,
        "target_group": voc.TARGET_GROUPS,
        "policy_focus": voc.POLICY_FOCUS,
        "member_kind": voc.MEMBER_KINDS,
    }.get(facet)
    return voc.label(vocabulary, value) if vocabulary else value


def _filtered(
    session: Session, terms: list[str], filters: Mapping[str, Iterable[str]]
) -> tuple[Select[Any], Any, bool]:
    """The select of matching documents (id, rank) and the rank column; ``ascending`` for SQLite's bm25."""
    docs = SearchDocument.__table__
    facets = SearchFacet.__table__
    conditions = []
    for facet, values in filters.items():
        values = [v for v in values if v]
        if not values:
            continue
        if facet == "region":
            match = or_(*(facets.c.value.like(v.replace("%", "").replace("_", "") + "%") for v in values))
        else:
            match = facets.c.value.in_(values)
        conditions.append(docs.c.id.in_(select(facets.c.document_id).where(facets.c.facet == facet, match)))
    dialect = session.get_bind().dialect.name
    if terms and dialect == "sqlite":
        expression = " ".join(f'"{t}"*' for t in terms)
        fts = (
            text("SELECT rowid AS id, bm25(search_fts, 5.0, 1.0) AS rank FROM search_fts WHERE search_fts MATCH :m")
            .bindparams(m=expression)
            .columns(id=Integer, rank=Float)
            .subquery("fts")
        )
        query = select(docs.c.id, fts.c.rank.label("rank")).join(fts, fts.c.id == docs.c.id)
        rank, ascending = fts.c.rank, True
    elif terms and dialect == "postgresql":
        tsquery = func.to_tsquery(literal_column("'simple'"), " & ".join(f"{t}:*" for t in terms))
        rank = func.ts_rank_cd(literal_column("search_documents.tsv"), tsquery)
        query = select(docs.c.id, rank.label("rank")).where(literal_column("search_documents.tsv").op("@@")(tsquery))
        ascending = False
    elif terms:  # any other backend: substring search on the folded text
        conds = [or_(docs.c.title_folded.contains(t), docs.c.body_folded.contains(t)) for t in terms]
        rank = literal_column("0.0")
        query = select(docs.c.id, rank.label("rank")).where(and_(*conds))
        ascending = True
    else:
        rank = literal_column("0.0")
        query = select(docs.c.id, rank.label("rank"))
        ascending = True
    if conditions:
        query = query.where(and_(*conditions))
    return query, rank, ascending


def search(
    session: Session,
    query: str = "",
    *,
    filters: Mapping[str, Iterable[str]] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Search the registry.

    Parameters
    ----------
    session : Session
        An open session.
    query : str
        Words to find (see the module notes); empty: every record that passes the filters.
    filters : mapping of str to list of str, optional
        Facet → accepted values, e.g. ``{"type": ["programme"], "support_type": ["finance", "both"]}``; facets
        are those of :data:`~clustermap.organisations.vocabulary.FACETS`.
    page, per_page : int
        1-based page and page size (at most 100).

    Returns
    -------
    SearchResult
        ``hits`` of the page, ``total`` matches, ``facets`` = facet → ``[{"value", "label", "count"}]`` sorted
        by count (then value).
    """
    filters = {k: [str(v) for v in vs] for k, vs in (filters or {}).items() if k in voc.FACETS}
    page = max(1, int(page))
    per_page = max(1, min(100, int(per_page)))
    terms = _terms(query)
    matching, _rank, ascending = _filtered(session, terms, filters)
    matching = matching.subquery("matching")
    docs = SearchDocument.__table__
    total = session.execute(select(func.count()).select_from(matching)).scalar_one()
    order = [matching.c.rank.asc() if ascending else matching.c.rank.desc(), docs.c.title_folded, docs.c.id]
    rows = session.execute(
        select(docs, matching.c.rank)
        .join(matching, matching.c.id == docs.c.id)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    hits = [
        Hit(
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            slug=r.slug,
            title=r.title,
            summary=r.summary,
            score=float(-r.rank if ascending else r.rank),
        )
        for r in rows
    ]
    f = SearchFacet.__table__
    counts = session.execute(
        select(f.c.facet, f.c.value, func.count(func.distinct(f.c.document_id)))
        .where(f.c.document_id.in_(select(matching.c.id)))
        .group_by(f.c.facet, f.c.value)
    ).all()
    facets: dict[str, list[dict[str, Any]]] = {name: [] for name in voc.FACETS}
    for facet, value, count in counts:
        facets.setdefault(facet, []).append({"value": value, "label": _facet_label(facet, value), "count": int(count)})
    for values in facets.values():
        values.sort(key=lambda x: (-x["count"], x["value"]))
    return SearchResult(query, int(total), page, per_page, hits, facets, filters)
