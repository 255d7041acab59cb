"""Self-assessments: who may record, see and delete them (the scoring and benchmark are :mod:`..assessment`)."""

from typing import Any

from sqlalchemy.orm import Session

from clustermap.organisations import assessment as assess
from clustermap.organisations import repository, schemas, security
from clustermap.organisations.errors import NotFoundError, PermissionDeniedError
from clustermap.organisations.models import Assessment, Organisation

__all__ = ["delete", "listed", "manageable", "record", "visible", "with_benchmark"]


def record(
    session: Session, identity: security.Identity, organisation_id: int, answers: dict[str, Any], is_public: bool
) -> Assessment:
    """Score and store a self-assessment of an organisation the caller manages (administrators: any)."""
    org = repository.by_id(session, Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation {organisation_id}")
    security.authorize(identity, "assessment", "create")
    if identity.role != "admin" and org.owner_id != identity.user_id:
        raise PermissionDeniedError("you can assess only organisations you manage")
    return assess.record(session, org, answers, user_id=identity.user_id, is_public=is_public)


def visible(session: Session, identity: security.Identity | None, assessment_id: int) -> Assessment:
    """An assessment the caller may see: public, of an organisation they manage, or any for administrators."""
    row = repository.by_id(session, Assessment, assessment_id)
    if row is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    if row.is_public or (identity is not None and identity.role == "admin"):
        return row
    org = session.get(Organisation, row.organisation_id)
    if identity is not None and org is not None and org.owner_id == identity.user_id:
        return row
    raise NotFoundError(f"no assessment {assessment_id}")


def with_benchmark(session: Session, row: Assessment, peer_group: str = "all") -> dict[str, Any]:
    """The public form of an assessment with its benchmark against ``peer_group`` (all, country, category)."""
    out = schemas.AssessmentPublic.model_validate(row).model_dump()
    out["benchmark"] = assess.benchmark(session, row, peer_group=peer_group)
    return out


def listed(session: Session, identity: security.Identity | None, organisation_id: int | None) -> list[Assessment]:
    """Assessments the caller may see, newest first: public ones and their own organisations' (admin: all)."""
    if identity is None:
        return repository.assessments(session, organisation_id=organisation_id, only_public=True)
    owner = None if identity.role == "admin" else identity.user_id
    return repository.assessments(session, organisation_id=organisation_id, public_or_owned_by=owner)


def of_organisation(session: Session, identity: security.Identity | None, org: Organisation) -> list[Assessment]:
    """The assessments shown on an organisation's page: all for its owner and administrators, else the public."""
    insider = identity is not None and (identity.role == "admin" or identity.user_id == org.owner_id)
    return repository.assessments(session, organisation_id=org.id, only_public=not insider, limit=None)


def manageable(session: Session, identity: security.Identity) -> list[Organisation]:
    """The organisations the caller may assess, by name (administrators: all)."""
    return repository.organisations_of(session, None if identity.role == "admin" else identity.user_id)


def delete(session: Session, assessment_id: int) -> None:
    """Delete an assessment (the route checks the role: administrators)."""
    row = repository.by_id(session, Assessment, assessment_id)
    if row is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    session.delete(row)
