"""The registry's REST API under ``/api/registry``: one module per resource (each router carries the prefix),
joined into :data:`router`.

The order of inclusion is the order of the routes (``/matches/saved`` before ``/matches/{id}``, …).
"""

from fastapi import APIRouter

from clustermap.organisations.routes import (
    assessments,
    auth,
    catalogue,
    interests,
    matches,
    notifications,
    records,
    transfer,
    users,
)

__all__ = ["router"]

router = APIRouter()
for _module in (auth, users, records, catalogue, matches, interests, notifications, assessments, transfer):
    router.include_router(_module.router)
