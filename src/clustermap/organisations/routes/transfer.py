"""``/import``, ``/export``, ``/audit``: records in and out in bulk, and the audit log (administrators)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from clustermap.organisations import importers, repository, security
from clustermap.organisations.deps import MAX_ID, PLURALS, PREFIX, RegistryRoute, Rt, User_, permission, responses
from clustermap.organisations.outputs import AuditOut, ImportOut

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)
Kind = Annotated[Literal["organisations", "programmes", "case-studies", "members"], Path()]


@router.post(
    "/import/{kind}",
    response_model=ImportOut,
    responses={**responses(401, 403, 422), 400: {"model": ImportOut, "description": "Bad rows; see errors"}},
    openapi_extra={
        **permission("import", "create"),
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        },
    },
)
async def import_records(
    kind: Kind,
    request: Request,
    rt: Rt,
    format: Annotated[Literal["csv", "json"] | None, Query()] = None,
    dry_run: bool = False,
    partial: bool = False,
) -> Any:
    """Import CSV or JSON records (administrators). Every bad row is reported with its line and field; by
    default nothing is written when any row is bad (``partial=true``: the good rows are). ``dry_run=true``
    writes nothing. The answer is 200 when the import was applied (or would be), 400 otherwise."""
    identity = request.state.registry_identity
    raw = await request.body()
    if format is None:
        ctype = request.headers.get("content-type", "")
        format = "json" if "json" in ctype else "csv" if "csv" in ctype else None

    def work() -> importers.ImportReport:
        with rt.transaction(identity) as s:
            return importers.import_records(
                s, PLURALS[kind], raw, fmt=format, dry_run=dry_run, partial=partial, owner_id=identity.user_id
            )

    report = await run_in_threadpool(work)
    body = report.as_dict()
    return JSONResponse(jsonable_encoder(body), status_code=200 if report.applied or not report.errors else 400)


@router.get(
    "/export/{kind}",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
    response_class=PlainTextResponse,
)
def export_records(kind: Kind, rt: Rt, format: Annotated[Literal["csv", "json"], Query()] = "csv") -> Response:
    """Every record of a kind as CSV or JSON, in the import format."""
    with rt.transaction() as s:
        text = importers.export_records(s, PLURALS[kind], format)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{kind}.{format}"'})


@router.get("/audit", response_model=list[AuditOut], responses=responses(401, 403, 422))
def audit(
    identity: User_,
    rt: Rt,
    entity_type: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Any:
    """The audit log, newest first (administrators)."""
    security.authorize(identity, "audit", "read")
    with rt.transaction() as s:
        return repository.audit_trail(s, entity_type, entity_id)
