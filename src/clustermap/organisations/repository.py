"""Reading and writing registry records: optimistic locking, ownership, search index and audit log.

Every write goes through this module (the API, the pages, the importers and the shipped content all use it):

* **optimistic locking** — an update or delete names the ``version`` it read; when the record has moved on,
  :class:`~.errors.ConflictError` (HTTP 409) says so with the current version and the current record, and
  nothing is written. The check is made twice: against the version loaded, and by the database itself
  (``UPDATE … WHERE version = :read``, SQLAlchemy's ``version_id_col``), so that two transactions that read the
  same version cannot both write.
* **audit log** — a session event (:func:`install_audit`) writes one :class:`~.models.AuditEntry` per created,
  changed or deleted record in the same transaction: who (``session.info["actor_id"]``), when, which fields
  changed from what to what (password hashes are never copied).
* **search** — the record's search document is rewritten in the same transaction (:mod:`.search`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import event, func, insert, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.orm.exc import StaleDataError

from clustermap.organisations import schemas, search
from clustermap.organisations.errors import ConflictError, NotFoundError, RegistryValidationError
from clustermap.organisations.models import (
    AUDITED,
    ApiToken,
    Assessment,
    AuditEntry,
    Base,
    CaseStudy,
    Interest,
    MatchRequest,
    Member,
    Notification,
    Organisation,
    Programme,
    User,
)

__all__ = [
    "ENTITY_SCHEMAS",
    "EntitySpec",
    "audit_trail",
    "create",
    "delete",
    "get",
    "install_audit",
    "list_records",
    "public",
    "update",
]

_MAX_ID = 2_147_483_647
_REDACTED = {"password_hash"}
_NOT_AUDITED_FIELDS = {"updated_at", "created_at", "version"}
_AUDIT_NAMES = {
    Organisation: "organisation",
    Programme: "programme",
    CaseStudy: "case_study",
    Member: "member",
    User: "user",
    Interest: "interest",
}


@dataclass(frozen=True)
class EntitySpec:
    """What the repository needs to know about one kind of record."""

    name: str
    model: type[Base]
    create_schema: type[BaseModel]
    patch_schema: type[BaseModel]
    public_schema: type[BaseModel]
    title_field: str


ENTITY_SCHEMAS: dict[str, EntitySpec] = {
    "organisation": EntitySpec(
        "organisation",
        Organisation,
        schemas.OrganisationIn,
        schemas.OrganisationPatch,
        schemas.OrganisationPublic,
        "name",
    ),
    "programme": EntitySpec(
        "programme", Programme, schemas.ProgrammeIn, schemas.ProgrammePatch, schemas.ProgrammePublic, "name"
    ),
    "case_study": EntitySpec(
        "case_study", CaseStudy, schemas.CaseStudyIn, schemas.CaseStudyPatch, schemas.CaseStudyPublic, "title"
    ),
    "member": EntitySpec("member", Member, schemas.MemberIn, schemas.MemberPatch, schemas.MemberPublic, "name"),
}


# -------------------------------------------------------------------------------------------- audit


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _audit_name(obj: Any) -> str:
    for model, name in _AUDIT_NAMES.items():
        if isinstance(obj, model):
            return name
    return type(obj).__tablename__


def _column_values(obj: Any) -> dict[str, Any]:
    out = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in _NOT_AUDITED_FIELDS:
            continue
        value = getattr(obj, attr.key)
        out[attr.key] = "***" if attr.key in _REDACTED else _jsonable(value)
    return out


def _changes(obj: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key in _NOT_AUDITED_FIELDS:
            continue
        history = get_history(obj, attr.key)
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        out[attr.key] = ["***", "***"] if attr.key in _REDACTED else [_jsonable(old), _jsonable(new)]
    return out


def _after_flush(session: Session, flush_context: Any) -> None:
    actor = session.info.get("actor_id")
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, AUDITED):
            changes = {k: [None, v] for k, v in _column_values(obj).items()}
            rows.append(_row(actor, "create", obj, changes))
    for obj in session.dirty:
        if isinstance(obj, AUDITED) and session.is_modified(obj, include_collections=False):
            changes = _changes(obj)
            if changes:
                rows.append(_row(actor, "update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, AUDITED):
            changes = {k: [v, None] for k, v in _column_values(obj).items()}
            rows.append(_row(actor, "delete", obj, changes))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def _row(actor: int | None, action: str, obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    from clustermap.organisations.models import utcnow

    return {
        "at": utcnow(),
        "actor_id": actor,
        "action": action,
        "entity_type": _audit_name(obj),
        "entity_id": obj.id,
        "version": getattr(obj, "version", None),
        "changes": changes,
    }


def install_audit(factory: sessionmaker[Session]) -> None:
    """Make every session of ``factory`` write the audit log of its changes (idempotent)."""
    if not event.contains(factory, "after_flush", _after_flush):
        event.listen(factory, "after_flush", _after_flush)


def audit_trail(session: Session, entity_type: str | None = None, entity_id: int | None = None) -> list[AuditEntry]:
    """The audit entries, newest first, of one record or of everything."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity_type is not None:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(query.limit(1000)))


# -------------------------------------------------------------------------------------------- reading


def _spec(entity_type: str) -> EntitySpec:
    try:
        return ENTITY_SCHEMAS[entity_type]
    except KeyError:
        raise NotFoundError(f"no kind of record {entity_type!r}") from None


def get(session: Session, entity_type: str, ref: int | str, *, for_update: bool = False) -> Any:
    """One record by id (``12`` or ``"12"``) or slug; :class:`NotFoundError` when there is none."""
    spec = _spec(entity_type)
    model: Any = spec.model
    text = str(ref).strip()
    if text.isdigit():
        if int(text) > _MAX_ID:
            raise NotFoundError(f"no {entity_type.replace('_', ' ')} {text}")
        query = select(model).where(model.id == int(text))
    elif re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", text) and len(text) <= 120:
        query = select(model).where(model.slug == text)
    else:
        raise NotFoundError(f"no {entity_type.replace('_', ' ')} {text!r}")
    if for_update:
        query = query.with_for_update()
    obj = session.scalars(query).one_or_none()
    if obj is None:
        raise NotFoundError(f"no {entity_type.replace('_', ' ')} {text!r}", entity=entity_type, ref=text)
    return obj


def public(entity_type: str, obj: Any) -> dict[str, Any]:
    """The public form of a record (a JSON-ready dict)."""
    return _spec(entity_type).public_schema.model_validate(obj).model_dump(mode="json")


def list_records(
    session: Session,
    entity_type: str,
    *,
    query: str = "",
    filters: Mapping[str, list[str]] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Any], int]:
    """A page of records of one kind, optionally filtered by words and facets (see :func:`.search.search`);
    without words they come in title order."""
    filters = dict(filters or {})
    filters["type"] = [entity_type]
    result = search.search(session, query, filters=filters, page=page, per_page=per_page)
    model: Any = _spec(entity_type).model
    ids = [h.entity_id for h in result.hits]
    by_id = {o.id: o for o in session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    return [by_id[i] for i in ids if i in by_id], result.total


# -------------------------------------------------------------------------------------------- writing


def _slugify(text: str) -> str:
    return search.fold(text).replace(" ", "-")[:100].strip("-") or "record"


def _unique_slug(session: Session, model: Any, wanted: str, *, exclude_id: int | None = None) -> str:
    slug = wanted
    n = 2
    while True:
        query = select(func.count()).select_from(model).where(model.slug == slug)
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if session.execute(query).scalar_one() == 0:
            return slug
        slug = f"{wanted[:110]}-{n}"
        n += 1


def _check_references(session: Session, data: Mapping[str, Any]) -> None:
    """Slugs that must name existing records: programmes of an organisation, the organisation of a member."""
    for slug in data.get("programmes") or []:
        if session.scalar(select(Programme.id).where(Programme.slug == slug)) is None:
            raise RegistryValidationError(f"no programme {slug!r}", field="programmes", value=slug)
    slug = data.get("organisation_slug")
    if slug and session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is None:
        raise RegistryValidationError(f"no organisation {slug!r}", field="organisation_slug", value=slug)


def flush(session: Session, entity_type: str, obj: Any, expected: int | None) -> None:
    """Write pending changes of ``obj``; :class:`ConflictError` (409) when another transaction changed it since
    version ``expected`` (reason ``stale_version``) or when it clashes with an existing record (``duplicate``)."""
    obj_id = obj.__dict__.get("id")  # read before the flush: a failed flush leaves the session unusable
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            f"the {entity_type.replace('_', ' ')} was changed by someone else since version {expected}; "
            "reload it and apply your change again",
            entity=entity_type,
            id=obj_id,
            expected_version=expected,
            reason="stale_version",
        ) from exc
    except IntegrityError as exc:
        raise ConflictError(
            f"the {entity_type.replace('_', ' ')} clashes with an existing record (duplicate slug?)",
            entity=entity_type,
            reason="duplicate",
        ) from exc


def create(session: Session, entity_type: str, data: BaseModel | Mapping[str, Any], *, owner_id: int | None) -> Any:
    """Create a record from validated input (the ``*In`` schema of its kind); the slug is made unique.

    Raises
    ------
    RegistryValidationError
        a referenced programme or organisation does not exist (also: the input does not validate).
    ConflictError
        the slug given is taken.
    """
    spec = _spec(entity_type)
    model: Any = spec.model
    values = _validated(spec.create_schema, data)
    _check_references(session, values)
    wanted = values.pop("slug", None)
    if wanted:
        if session.scalar(select(model.id).where(model.slug == wanted)) is not None:
            raise ConflictError(f"slug {wanted!r} is taken", entity=entity_type, reason="duplicate", slug=wanted)
        slug = wanted
    else:
        slug = _unique_slug(session, model, _slugify(values[spec.title_field]))
    obj = model(slug=slug, owner_id=owner_id, **values)
    session.add(obj)
    flush(session, entity_type, obj, None)
    search.index_record(session, entity_type, obj)
    return obj


def _validated(schema: type[BaseModel], data: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(data, schema):
        return data.model_dump()
    payload = data.model_dump(exclude_unset=True) if isinstance(data, BaseModel) else dict(data)
    try:
        return schema.model_validate(payload).model_dump()
    except ValidationError as exc:
        raise validation_error(exc) from exc


def validation_error(exc: ValidationError, prefix: tuple[str, ...] = ("body",)) -> RegistryValidationError:
    """A :class:`RegistryValidationError` listing every problem of a pydantic error, field by field."""
    errors = [
        {
            "field": ".".join(str(p) for p in error["loc"]) or None,
            "location": [*prefix, *error["loc"]],
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors(include_url=False, include_input=False)
    ]
    first = errors[0] if errors else {"field": None, "message": "invalid input"}
    where = f"{first['field']}: " if first["field"] else ""
    err = RegistryValidationError(f"{len(errors)} invalid field(s); {where}{first['message']}")
    err.extra["errors"] = errors
    return err


def check_version(entity_type: str, obj: Any, expected: int | None) -> None:
    """Optimistic locking: :class:`ConflictError` (reason ``stale_version``, both versions and, for a public
    entity, its current state) when the record ``obj`` is no longer at the ``expected`` version (None: no check)."""
    if expected is not None and obj.version != expected:
        current = {"current": public(entity_type, obj)} if entity_type in ENTITY_SCHEMAS else {}
        raise ConflictError(
            f"the {entity_type.replace('_', ' ')} is at version {obj.version}, not {expected}: someone else changed "
            "it; reload it and apply your change again",
            entity=entity_type,
            id=obj.id,
            expected_version=expected,
            current_version=obj.version,
            reason="stale_version",
            **current,
        )


def update(session: Session, entity_type: str, obj: Any, changes: BaseModel | Mapping[str, Any]) -> Any:
    """Apply a partial update (the ``*Patch`` schema: changed fields and the ``version`` read).

    The merged record is validated as a whole (so that, e.g., ``end_year ≥ start_year`` still holds).

    Raises
    ------
    ConflictError
        ``version`` is not the record's version, or another transaction wrote it first.
    RegistryValidationError
        the merged record is invalid.
    """
    spec = _spec(entity_type)
    patch = changes.model_dump(exclude_unset=True) if isinstance(changes, BaseModel) else dict(changes)
    expected = patch.pop("version", None)
    if expected is None:
        raise RegistryValidationError("version is required (the version you read)", field="version")
    check_version(entity_type, obj, expected)
    current = spec.create_schema.model_validate(
        {k: getattr(obj, k) for k in spec.create_schema.model_fields if k != "slug"} | {"slug": obj.slug}
    ).model_dump()
    merged = _validated(spec.create_schema, current | patch)
    _check_references(session, merged)
    slug = merged.pop("slug", None) or obj.slug
    if slug != obj.slug:
        model: Any = spec.model
        if session.scalar(select(model.id).where(model.slug == slug, model.id != obj.id)) is not None:
            raise ConflictError(f"slug {slug!r} is taken", entity=entity_type, reason="duplicate", slug=slug)
        obj.slug = slug
    for key, value in merged.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
    flush(session, entity_type, obj, expected)
    search.index_record(session, entity_type, obj)
    return obj


def delete(session: Session, entity_type: str, obj: Any, *, version: int | None = None) -> None:
    """Delete a record (checking ``version`` when given); its search document goes with it."""
    check_version(entity_type, obj, version)
    entity_id = obj.id
    session.delete(obj)
    flush(session, entity_type, obj, version)
    search.remove_record(session, entity_type, entity_id)


# -------------------------------------------------------------------------------------------- other reads
# The queries the services and pages need beyond the four kinds of record: accounts, matches, interests,
# notifications, assessments and counts. Routes and pages reach the database only through this module.


def by_id(session: Session, model: type[Base], row_id: int) -> Any:
    """The row of ``model`` with primary key ``row_id``, or ``None`` (ids outside 1 … 2³¹ − 1 never exist)."""
    return session.get(model, row_id) if 0 < row_id <= _MAX_ID else None


def users(session: Session) -> list[User]:
    """Every account, in id order."""
    return list(session.scalars(select(User).order_by(User.id)))


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    """The API tokens of one account, in id order."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def members_of(session: Session, user_id: int) -> list[Member]:
    """The member profiles one account owns."""
    return list(session.scalars(select(Member).where(Member.owner_id == user_id)))


def organisations_of(session: Session, user_id: int | None) -> list[Organisation]:
    """The organisations one account owns, by name (``None``: all of them)."""
    query = select(Organisation).order_by(Organisation.name)
    if user_id is not None:
        query = query.where(Organisation.owner_id == user_id)
    return list(session.scalars(query))


def names(session: Session, model: type[Base]) -> dict[int, str]:
    """Id → name of every member or organisation."""
    return {row.id: row.name for row in session.scalars(select(model))}  # type: ignore[attr-defined]


def programmes_by_level(session: Session) -> list[Programme]:
    """Every programme, by level then name."""
    return list(session.scalars(select(Programme).order_by(Programme.level, Programme.name)))


def case_studies_of(session: Session, organisation_slug: str) -> list[CaseStudy]:
    """The case studies that name one organisation."""
    return list(session.scalars(select(CaseStudy).where(CaseStudy.organisation_slug == organisation_slug)))


def counts(session: Session) -> dict[str, Any]:
    """How many organisations, programmes, members, case studies and assessments the registry holds, and the
    programmes by level."""
    levels = dict(session.execute(select(Programme.level, func.count()).group_by(Programme.level)).all())
    out: dict[str, Any] = {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("organisations", Organisation),
            ("programmes", Programme),
            ("members", Member),
            ("case_studies", CaseStudy),
            ("assessments", Assessment),
        )
    }
    return {**out, "programmes_by_level": levels}


def is_empty(session: Session) -> bool:
    """True when the registry holds neither programmes nor organisations (the shipped content may be loaded)."""
    return not session.scalar(select(func.count()).select_from(Programme)) and not session.scalar(
        select(func.count()).select_from(Organisation)
    )


def saved_matches(session: Session, owner_id: int) -> list[MatchRequest]:
    """The saved matchmaking requests of one account, newest first."""
    query = select(MatchRequest).where(MatchRequest.owner_id == owner_id).order_by(MatchRequest.id.desc())
    return list(session.scalars(query))


def notifications_of(session: Session, user_id: int, *, unread: bool = False, limit: int = 200) -> list[Notification]:
    """The notifications of one account, newest first (``unread``: only those not read yet)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user_id: int) -> int:
    """How many notifications of one account are not read yet."""
    query = select(func.count()).select_from(Notification)
    return session.scalar(query.where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def interests_involving(session: Session, user_id: int | None, *, limit: int = 500) -> list[Interest]:
    """Interests sent or received through the members and organisations one account owns, newest first
    (``None``: all)."""
    query = select(Interest).order_by(Interest.id.desc())
    if user_id is not None:
        mine = select(Member.id).where(Member.owner_id == user_id)
        orgs = select(Organisation.id).where(Organisation.owner_id == user_id)
        query = query.where(
            or_(
                Interest.from_member_id.in_(mine),
                Interest.to_member_id.in_(mine),
                Interest.to_organisation_id.in_(orgs),
            )
        )
    return list(session.scalars(query.limit(limit)))


def assessments(
    session: Session,
    *,
    organisation_id: int | None = None,
    public_or_owned_by: int | None = None,
    only_public: bool = False,
    newest_first: bool = True,
    limit: int | None = 500,
) -> list[Assessment]:
    """Assessments, newest (or oldest) first: of one organisation, only the public ones, or the public ones and
    those of the organisations account ``public_or_owned_by`` owns."""
    order = (
        (Assessment.created_at.desc(), Assessment.id.desc()) if newest_first else (Assessment.created_at, Assessment.id)
    )
    query = select(Assessment).order_by(*order)
    if organisation_id is not None:
        query = query.where(Assessment.organisation_id == organisation_id)
    if only_public:
        query = query.where(Assessment.is_public)
    elif public_or_owned_by is not None:
        own = select(Organisation.id).where(Organisation.owner_id == public_or_owned_by)
        query = query.where(or_(Assessment.is_public, Assessment.organisation_id.in_(own)))
    return list(session.scalars(query.limit(limit) if limit else query))
