"""Expressions of interest between members and organisations, and the in-app notifications they send."""

from typing import Any

from sqlalchemy.orm import Session

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.errors import (
    NotFoundError,
    PermissionDeniedError,
    RegistryValidationError,
)
from clustermap.organisations.models import Interest, Member, Notification, Organisation

__all__ = ["answer", "express_interest", "interests_of"]


def _owners_of_target(session: Session, interest: Interest) -> set[int]:
    owners: set[int] = set()
    if interest.to_member_id is not None:
        member = session.get(Member, interest.to_member_id)
        if member is not None and member.owner_id is not None:
            owners.add(member.owner_id)
    if interest.to_organisation_id is not None:
        org = session.get(Organisation, interest.to_organisation_id)
        if org is not None and org.owner_id is not None:
            owners.add(org.owner_id)
    return owners


def _notify(session: Session, user_ids: set[int], kind: str, text: str, link: str | None) -> None:
    for user_id in sorted(user_ids):
        session.add(Notification(user_id=user_id, kind=kind, text=text[:2000], link=link))


def express_interest(session: Session, identity: security.Identity, body: schemas.InterestIn) -> Interest:
    """Create an expression of interest from one of the caller's members and notify the target's owner."""
    sender = session.get(Member, body.from_member_id)
    if sender is None:
        raise NotFoundError(f"no member {body.from_member_id}")
    if sender.owner_id != identity.user_id and identity.role != "admin":
        raise PermissionDeniedError("you can express interest only from one of your own member profiles")
    if body.to_member_id is not None:
        target: Any = session.get(Member, body.to_member_id)
        if body.to_member_id == body.from_member_id:
            raise RegistryValidationError("a member cannot express interest in itself", field="to_member_id")
    else:
        target = session.get(Organisation, body.to_organisation_id)
    if target is None:
        raise NotFoundError("no such member or organisation")
    interest = Interest(
        from_member_id=sender.id,
        to_member_id=body.to_member_id,
        to_organisation_id=body.to_organisation_id,
        message=body.message,
        status="open",
        created_by=identity.user_id,
    )
    session.add(interest)
    session.flush()
    owners = _owners_of_target(session, interest) - {identity.user_id}
    _notify(
        session,
        owners,
        "interest",
        f"{sender.name} is interested in cooperating with {target.name}"
        + (f": “{body.message[:300]}”" if body.message else ""),
        "/registry/notifications",
    )
    return interest


def interests_of(session: Session, identity: security.Identity) -> list[Interest]:
    """Interests the caller sent or received (administrators: all)."""
    return repository.interests_involving(session, None if identity.role == "admin" else identity.user_id)


def answer(session: Session, identity: security.Identity, interest_id: int, body: schemas.InterestPatch) -> Interest:
    """Accept / decline (the recipient) or withdraw (the sender) an interest, with optimistic locking."""
    interest = repository.by_id(session, Interest, interest_id)
    if interest is None:
        raise NotFoundError(f"no interest {interest_id}")
    sender = session.get(Member, interest.from_member_id)
    sender_owner = sender.owner_id if sender else None
    recipients = _owners_of_target(session, interest)
    admin = identity.role == "admin"
    if body.status == "withdrawn" and not (admin or identity.user_id == sender_owner):
        raise PermissionDeniedError("only the sender can withdraw an expression of interest")
    if body.status in ("accepted", "declined") and not (admin or identity.user_id in recipients):
        raise PermissionDeniedError("only the recipient can accept or decline an expression of interest")
    repository.check_version("interest", interest, body.version)
    interest.status = body.status
    repository.flush(session, "interest", interest, body.version)
    others = ({sender_owner} if sender_owner else set()) | recipients
    _notify(
        session,
        others - {identity.user_id},
        "interest-" + body.status,
        f"An expression of interest was {body.status}",
        "/registry/notifications",
    )
    return interest
