"""Saved matchmaking requests: keeping, reading and deleting them (the ranking itself is :mod:`..matchmaking`)."""

from collections.abc import Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.errors import NotFoundError, RegistryValidationError
from clustermap.organisations.models import MatchRequest, Member

__all__ = ["delete", "save", "saved", "saved_one"]


def save(
    session: Session,
    identity: security.Identity,
    body: schemas.Profile,
    rank: Callable[[Session, schemas.Profile], dict[str, Any]],
) -> dict[str, Any]:
    """Rank partners for a profile with ``rank`` and keep the request and its result; the profile may name only
    one of the caller's member profiles (administrators: any)."""
    if body.member_id is not None:
        member = repository.by_id(session, Member, body.member_id)
        if member is None or (member.owner_id != identity.user_id and identity.role != "admin"):
            raise RegistryValidationError("member_id must be one of your member profiles", field="member_id")
    result = rank(session, body)
    row = MatchRequest(
        owner_id=identity.user_id,
        member_id=body.member_id,
        profile=jsonable_encoder(body),
        results=jsonable_encoder(result),
    )
    session.add(row)
    session.flush()
    return {**result, "id": row.id}


def saved(session: Session, identity: security.Identity) -> list[dict[str, Any]]:
    """The caller's saved requests with their results, newest first."""
    return [{**r.results, "id": r.id} for r in repository.saved_matches(session, identity.user_id)]


def saved_one(session: Session, identity: security.Identity, match_id: int) -> dict[str, Any]:
    """One saved request (its owner or an administrator; to anyone else it does not exist)."""
    row = repository.by_id(session, MatchRequest, match_id)
    if row is None or (row.owner_id != identity.user_id and identity.role != "admin"):
        raise NotFoundError(f"no saved match {match_id}")
    return {**row.results, "id": row.id}


def delete(session: Session, identity: security.Identity, match_id: int) -> None:
    """Delete a saved request (its owner or an administrator)."""
    row = repository.by_id(session, MatchRequest, match_id)
    if row is None:
        raise NotFoundError(f"no saved match {match_id}")
    security.authorize(identity, "match", "delete", row.owner_id)
    session.delete(row)
