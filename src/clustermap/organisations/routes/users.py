"""``/users``: accounts (administrators)."""

from typing import Any

from fastapi import APIRouter

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.deps import PREFIX, RecordId, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.services import accounts

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


@router.get("/users", response_model=list[schemas.UserPublic], responses=responses(401, 403))
def list_users(identity: User_, rt: Rt) -> Any:
    """Every account (administrators)."""
    security.authorize(identity, "user", "update")
    with rt.transaction() as s:
        return repository.users(s)


@router.post(
    "/users",
    response_model=schemas.UserPublic,
    status_code=201,
    responses=responses(401, 403, 409, 422),
    openapi_extra=permission("user", "create"),
)
def create_user(body: schemas.UserIn, identity: User_, rt: Rt) -> Any:
    """Create an account (administrators)."""
    with rt.transaction(identity) as s:
        return security.create_user(s, body.email, body.password, role=body.role, name=body.name)


@router.patch(
    "/users/{user_id}",
    response_model=schemas.UserPublic,
    responses=responses(401, 403, 404, 409, 422),
    openapi_extra=permission("user", "update"),
)
def patch_user(user_id: RecordId, body: schemas.UserPatch, identity: User_, rt: Rt) -> Any:
    """Change an account's name, role, activity or password (administrators; optimistic locking)."""
    with rt.transaction(identity) as s:
        return accounts.patch_user(s, user_id, body)
