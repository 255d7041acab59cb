"""``/interests``: expressions of interest between members and organisations."""

from typing import Any

from fastapi import APIRouter

from clustermap.organisations import schemas
from clustermap.organisations.deps import PREFIX, RecordId, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.services import interests

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


@router.post(
    "/interests",
    response_model=schemas.InterestPublic,
    status_code=201,
    responses=responses(401, 403, 404, 422),
    openapi_extra=permission("interest", "create"),
)
def create_interest(body: schemas.InterestIn, identity: User_, rt: Rt) -> Any:
    """Express interest, from one of your member profiles, in a member or an organisation; its owner is
    notified in the app."""
    with rt.transaction(identity) as s:
        return interests.express_interest(s, identity, body)


@router.get("/interests", response_model=list[schemas.InterestPublic], responses=responses(401))
def list_interests(identity: User_, rt: Rt) -> Any:
    """Expressions of interest the caller sent or received (through their members and organisations)."""
    with rt.transaction() as s:
        return interests.interests_of(s, identity)


@router.patch(
    "/interests/{interest_id}",
    response_model=schemas.InterestPublic,
    responses=responses(401, 403, 404, 409, 422),
    openapi_extra=permission("interest", "update"),
)
def answer_interest(interest_id: RecordId, body: schemas.InterestPatch, identity: User_, rt: Rt) -> Any:
    """Accept or decline (the recipient) or withdraw (the sender) an expression of interest; the other side
    is notified."""
    with rt.transaction(identity) as s:
        return interests.answer(s, identity, interest_id, body)
