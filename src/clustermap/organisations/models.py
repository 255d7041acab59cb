"""The registry's data model (SQLAlchemy 2, typed ORM). The schema itself is made by the Alembic migrations in
``registry/migrations`` (the tests check that the two agree).

Records people edit — organisations, programmes, case studies, members, users, expressions of interest — carry
a ``version`` column that SQLAlchemy uses for optimistic locking (``version_id_col``): every UPDATE says
``WHERE id = :id AND version = :version_read`` and raises :class:`sqlalchemy.orm.exc.StaleDataError` when another
transaction changed the row in the meantime, so that concurrent edits never overwrite each other silently.
Every change to them is written to :class:`AuditEntry` in the same transaction (:mod:`.repository`).

Multi-valued attributes (regions, categories, target groups …) are JSON lists on the row; search and its facets
read the denormalised :class:`SearchDocument` / :class:`SearchFacet` tables that :mod:`.search` keeps in step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware now in UTC (stored as UTC on every backend)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store as UTC (a naive datetime is taken to be UTC)."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the registry tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON, datetime: UTCDateTime}


class Versioned:
    """Mixin: an optimistic-locking ``version`` and creation / update timestamps."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class Sourced:
    """Mixin of a record taken from a document: ``source`` (the document), ``source_section`` (where in it) and
    ``owner_id`` (the account that may edit it; null when the owner is deleted)."""

    source: Mapped[str] = mapped_column(Text, default="")
    source_section: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


# -------------------------------------------------------------------------------------------- accounts


class User(Versioned, Base):
    """An account: e-mail, argon2 password hash, one role (visitor, member, manager, admin)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="visitor")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WebSession(Base):
    """A web session: the cookie holds a random token, the table its SHA-256 and the CSRF token of the forms."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A bearer token for the API: only its SHA-256 is stored; ``prefix`` lets a person recognise it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One login attempt, for rate limiting (by e-mail and by client address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"), Index("ix_login_attempts_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class RegistryMeta(Base):
    """Key–value settings the registry keeps for itself (the secret that signs anonymous CSRF tokens)."""

    __tablename__ = "registry_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# -------------------------------------------------------------------------------------------- registry records


class Programme(Versioned, Base):
    """A cluster programme or policy: national, regional or European (Community) level."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    regions: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    policy_focus: Mapped[list[str]] = mapped_column(default=list)
    target_groups: Mapped[list[str]] = mapped_column(default=list)
    support_type: Mapped[str | None] = mapped_column(String(30))
    lifecycle_focus: Mapped[list[str]] = mapped_column(default=list)
    sme_focus: Mapped[bool | None] = mapped_column(Boolean)
    funding_sources: Mapped[list[str]] = mapped_column(default=list)
    budget_eur_per_year: Mapped[float | None] = mapped_column(Float)
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text, default="")
    source_section: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Organisation(Sourced, Versioned, Base):
    """A cluster organisation or cluster initiative (or a network of them)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default="cluster-organisation")
    description: Mapped[str] = mapped_column(Text, default="")
    countries: Mapped[list[str]] = mapped_column(default=list)
    regions: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    members_total: Mapped[int | None]
    members_firms: Mapped[int | None]
    members_smes: Mapped[int | None]
    members_research: Mapped[int | None]
    members_education: Mapped[int | None]
    members_public: Mapped[int | None]
    management_staff: Mapped[float | None] = mapped_column(Float)
    founded: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(500))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    services: Mapped[list[str]] = mapped_column(default=list)
    seeking: Mapped[list[str]] = mapped_column(default=list)
    programmes: Mapped[list[str]] = mapped_column(default=list)


class CaseStudy(Sourced, Versioned, Base):
    """A case study of a cluster or cluster initiative: where, which category, what made it succeed."""

    __tablename__ = "case_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    countries: Mapped[list[str]] = mapped_column(default=list)
    regions: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    success_factors: Mapped[list[str]] = mapped_column(default=list)
    organisation_slug: Mapped[str | None] = mapped_column(String(120))


class Member(Versioned, Base):
    """An SME or other member (research institution, university, public body …) with what it offers and needs."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30), default="sme")
    description: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    nace_codes: Mapped[list[str]] = mapped_column(default=list)
    naics_codes: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    offers: Mapped[list[str]] = mapped_column(default=list)
    needs: Mapped[list[str]] = mapped_column(default=list)
    employees: Mapped[int | None]
    website: Mapped[str | None] = mapped_column(String(500))
    organisation_slug: Mapped[str | None] = mapped_column(String(120))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


# -------------------------------------------------------------------------------------------- matchmaking


class MatchRequest(Base):
    """A saved matchmaking request: the profile and the ranked result with its explanations."""

    __tablename__ = "match_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Interest(Versioned, Base):
    """An expression of interest from a member to another member or to an organisation."""

    __tablename__ = "interests"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    to_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    to_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Notification(Base):
    """An in-app notification for one user."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


# -------------------------------------------------------------------------------------------- self-assessment


class Assessment(Base):
    """One excellence self-assessment of an organisation: answers, and the result the scoring rules gave."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    indicators_version: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    met: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str | None] = mapped_column(String(20))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)


# -------------------------------------------------------------------------------------------- audit, search


class AuditEntry(Base):
    """One change: who, when, what (create / update / delete), which record, old → new values per field."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SearchDocument(Base):
    """The searchable text of one record (accent- and case-folded), kept in step by :mod:`.search`."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", name="uq_search_documents_entity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    title_folded: Mapped[str] = mapped_column(Text, default="")
    body_folded: Mapped[str] = mapped_column(Text, default="")


class SearchFacet(Base):
    """One facet value of a search document (a document has many: its countries, regions, categories …)."""

    __tablename__ = "search_facets"
    __table_args__ = (Index("ix_search_facets_facet_value", "facet", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("search_documents.id", ondelete="CASCADE"), index=True)
    facet: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(120))


#: tables whose changes the audit log records
AUDITED: tuple[type[Base], ...] = (Organisation, Programme, CaseStudy, Member, User, Interest, Assessment)
