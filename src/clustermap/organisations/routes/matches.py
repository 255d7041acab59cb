"""``/matches``: rank partners for a profile, keep and read saved requests."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import StringConstraints, ValidationError

from clustermap.organisations import fields, repository, schemas
from clustermap.organisations.deps import MAX_ID, PREFIX, RecordId, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.services import matches

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


def profile_from_query(
    region: Annotated[str | None, Query(max_length=5, pattern=fields.REGION_PATTERN)] = None,
    category: Annotated[list[schemas.Category], Query()] = (),
    nace: Annotated[
        list[Annotated[str, StringConstraints(pattern=fields.NACE_PATTERN)]],
        Query(description="NACE Rev. 2 codes as Eurostat SBS writes them: C29, G471"),
    ] = (),
    offers: Annotated[list[schemas.ExchangeTag], Query()] = (),
    needs: Annotated[list[schemas.ExchangeTag], Query()] = (),
    seeker: Annotated[Literal["sme", "cluster-manager"], Query()] = "sme",
    member_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    max_distance_km: Annotated[float | None, Query(gt=0, le=50_000)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> schemas.Profile:
    """The matchmaking profile given in the query string (422 with the field when it is invalid)."""
    try:
        return schemas.Profile(
            region=region or None,
            categories=list(category),
            nace_codes=list(nace),
            offers=list(offers),
            needs=list(needs),
            seeker=seeker,
            member_id=member_id,
            max_distance_km=max_distance_km,
            limit=limit,
        )
    except ValidationError as exc:
        raise repository.validation_error(exc, ("query",)) from exc


@router.get("/matches", response_model=schemas.MatchResults, responses=responses(422))
def rank_matches(profile: Annotated[schemas.Profile, Depends(profile_from_query)], rt: Rt) -> Any:
    """Rank partner organisations, members and regions for a profile given in the query (nothing is
    stored). Each match has a score, its components and its reasons in words and numbers."""
    with rt.transaction() as s:
        return rt.match(s, profile)


@router.post(
    "/matches",
    response_model=schemas.MatchResults,
    status_code=201,
    responses=responses(401, 403, 422),
    openapi_extra=permission("match", "create"),
)
def save_match(body: schemas.Profile, identity: User_, rt: Rt) -> Any:
    """Rank partners for a profile and keep the request and its result (members, managers, admins)."""
    with rt.transaction(identity) as s:
        return matches.save(s, identity, body, rt.match)


@router.get("/matches/saved", response_model=list[schemas.MatchResults], responses=responses(401))
def saved_matches(identity: User_, rt: Rt) -> Any:
    """The caller's saved matchmaking requests, newest first."""
    with rt.transaction() as s:
        return matches.saved(s, identity)


@router.get("/matches/{match_id}", response_model=schemas.MatchResults, responses=responses(401, 404))
def saved_match(match_id: RecordId, identity: User_, rt: Rt) -> Any:
    """One saved matchmaking request (its owner or an administrator)."""
    with rt.transaction() as s:
        return matches.saved_one(s, identity, match_id)


@router.delete(
    "/matches/{match_id}",
    status_code=204,
    responses=responses(401, 403, 404),
    openapi_extra=permission("match", "delete"),
)
def delete_match(match_id: RecordId, identity: User_, rt: Rt) -> Response:
    """Delete a saved matchmaking request (its owner or an administrator)."""
    with rt.transaction(identity) as s:
        matches.delete(s, identity, match_id)
    return Response(status_code=204)
