"""``/notifications``: the caller's in-app notifications."""

from typing import Any

from fastapi import APIRouter

from clustermap.organisations import repository, schemas
from clustermap.organisations.deps import PREFIX, RecordId, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.services import accounts

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


@router.get("/notifications", response_model=list[schemas.NotificationPublic], responses=responses(401))
def notifications(identity: User_, rt: Rt, unread: bool = False) -> Any:
    """The caller's notifications, newest first."""
    with rt.transaction() as s:
        return repository.notifications_of(s, identity.user_id, unread=unread)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=schemas.NotificationPublic,
    responses=responses(401, 403, 404),
    openapi_extra=permission("notification", "update"),
)
def read_notification(notification_id: RecordId, identity: User_, rt: Rt) -> Any:
    """Mark one of the caller's notifications as read."""
    with rt.transaction(identity) as s:
        return accounts.mark_read(s, identity, notification_id)
