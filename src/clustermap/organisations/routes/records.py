"""``/organisations``, ``/programmes``, ``/case-studies``, ``/members``: list, read, create, patch, delete and
history of each kind of record, made by :func:`add_record_routes` from the kind's schemas."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.deps import (
    MAX_ID,
    PLURALS,
    PREFIX,
    Ident,
    RegistryRoute,
    Rt,
    User_,
    clean,
    clean_list,
    permission,
    responses,
    roles,
)
from clustermap.organisations.errors import AuthenticationError, ConflictError, PermissionDeniedError, RegistryError
from clustermap.organisations.outputs import AuditOut
from clustermap.organisations.runtime import RegistryRuntime

__all__ = ["add_record_routes", "router"]

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)

_PAGES = {
    "organisation": schemas.OrganisationPage,
    "programme": schemas.ProgrammePage,
    "case_study": schemas.CaseStudyPage,
    "member": schemas.MemberPage,
}
Ref = Annotated[str, Path(max_length=130, description="numeric id or slug")]


def _list_filters(entity: str) -> Callable[..., dict[str, list[str]]]:
    """A dependency reading the facet filters a list of ``entity`` offers."""

    def common(
        country: Annotated[list[str], Query()] = (),
        region: Annotated[list[str], Query(description="NUTS code or prefix")] = (),
        category: Annotated[list[str], Query()] = (),
    ) -> dict[str, list[str]]:
        return {"country": clean_list(country), "region": clean_list(region), "category": clean_list(category)}

    if entity == "programme":

        def programme_filters(
            base: Annotated[dict[str, list[str]], Depends(common)],
            programme_type: Annotated[list[str], Query()] = (),
            support_type: Annotated[list[str], Query()] = (),
            target_group: Annotated[list[str], Query()] = (),
            policy_focus: Annotated[list[str], Query()] = (),
        ) -> dict[str, list[str]]:
            return base | {
                "programme_type": clean_list(programme_type),
                "support_type": clean_list(support_type),
                "target_group": clean_list(target_group),
                "policy_focus": clean_list(policy_focus),
            }

        return programme_filters
    if entity == "member":

        def member_filters(
            base: Annotated[dict[str, list[str]], Depends(common)],
            member_kind: Annotated[list[str], Query()] = (),
        ) -> dict[str, list[str]]:
            return base | {"member_kind": clean_list(member_kind)}

        return member_filters
    return common


def _complete_conflict(rt: RegistryRuntime, entity: str, ref: str, exc: ConflictError) -> None:
    """Add the current version and record to a conflict found by the database (a concurrent writer)."""
    if exc.extra.get("reason") != "stale_version" or "current_version" in exc.extra:
        return
    try:
        with rt.transaction() as s:
            obj = repository.get(s, entity, ref)
            exc.extra["current_version"] = obj.version
            exc.extra["current"] = repository.public(entity, obj)
    except RegistryError:
        pass


def add_record_routes(router: APIRouter, plural: str, entity: str) -> None:
    """Add the list, read, create, patch, delete and history routes of one kind of record to ``router``."""
    spec = repository.ENTITY_SCHEMAS[entity]
    In, Patch, Public = spec.create_schema, spec.patch_schema, spec.public_schema  # noqa: N806
    label = entity.replace("_", " ")

    def guard(action: str) -> Callable[..., security.Identity]:
        def check(ref: Ref, identity: Ident, rt: Rt) -> security.Identity:
            if identity is None:
                raise AuthenticationError("log in or send a bearer token to change the registry")
            owner = None
            if security.PERMISSIONS.get((entity, action)) == security.OWNER:
                with rt.transaction() as s:
                    owner = repository.get(s, entity, ref).owner_id
            return security.authorize(identity, entity, action, owner)

        return check

    def list_records(
        filters: Annotated[dict[str, list[str]], Depends(_list_filters(entity))],
        rt: Rt,
        q: Annotated[str, Query(max_length=200)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> Any:
        with rt.transaction() as s:
            items, total = repository.list_records(
                s, entity, query=clean(q), filters=filters, page=page, per_page=per_page
            )
            return {"items": items, "total": total, "page": page, "per_page": per_page}

    def read_record(ref: Ref, rt: Rt) -> Any:
        with rt.transaction() as s:
            return repository.get(s, entity, ref)

    def create_record(body: In, identity: User_, rt: Rt) -> Any:  # type: ignore[valid-type]
        with rt.transaction(identity) as s:
            return repository.create(s, entity, body, owner_id=identity.user_id)

    def patch_record(
        ref: Ref,
        body: Patch,  # type: ignore[valid-type]
        identity: Annotated[security.Identity, Depends(guard("update"))],
        rt: Rt,
    ) -> Any:
        try:
            with rt.transaction(identity) as s:
                obj = repository.get(s, entity, ref)
                security.authorize(identity, entity, "update", obj.owner_id)
                repository.update(s, entity, obj, body)
                return obj
        except ConflictError as exc:
            _complete_conflict(rt, entity, ref, exc)
            raise

    def delete_record(
        ref: Ref,
        identity: Annotated[security.Identity, Depends(guard("delete"))],
        rt: Rt,
        version: Annotated[int | None, Query(ge=1, le=MAX_ID, description="the version you read")] = None,
    ) -> Response:
        try:
            with rt.transaction(identity) as s:
                obj = repository.get(s, entity, ref)
                security.authorize(identity, entity, "delete", obj.owner_id)
                repository.delete(s, entity, obj, version=version)
        except ConflictError as exc:
            _complete_conflict(rt, entity, ref, exc)
            raise
        return Response(status_code=204)

    def history(ref: Ref, identity: User_, rt: Rt) -> Any:
        with rt.transaction() as s:
            obj = repository.get(s, entity, ref)
            if identity.role != "admin" and obj.owner_id != identity.user_id:
                raise PermissionDeniedError(f"the history of a {label} is for its owner and administrators")
            return repository.audit_trail(s, entity, obj.id)

    for fn, doc in (
        (list_records, f"List {plural}, filtered by words and facets, in title order (or by relevance with words)."),
        (read_record, f"One {label} by id or slug."),
        (create_record, f"Create a {label} (roles: {roles(entity, 'create')}); the caller owns it."),
        (
            patch_record,
            f"Change a {label} ({roles(entity, 'update')}): send the fields to change and the version you read; "
            "409 when the version is stale.",
        ),
        (delete_record, f"Delete a {label} ({roles(entity, 'delete')}); with version, 409 when it is stale."),
        (history, f"The audit log of one {label} (its owner and administrators)."),
    ):
        fn.__doc__ = doc
    name = plural.replace("-", "_")
    path, one = f"/{plural}", f"/{plural}/{{ref}}"
    router.add_api_route(
        path,
        list_records,
        methods=["GET"],
        response_model=_PAGES[entity],
        name=f"list_{name}",
        responses=responses(422),
    )
    router.add_api_route(
        one, read_record, methods=["GET"], response_model=Public, name=f"read_{name}", responses=responses(404, 422)
    )
    router.add_api_route(
        path,
        create_record,
        methods=["POST"],
        response_model=Public,
        status_code=201,
        name=f"create_{name}",
        responses=responses(401, 403, 409, 422),
        openapi_extra=permission(entity, "create"),
    )
    router.add_api_route(
        one,
        patch_record,
        methods=["PATCH"],
        response_model=Public,
        name=f"patch_{name}",
        responses=responses(401, 403, 404, 409, 422),
        openapi_extra=permission(entity, "update"),
    )
    router.add_api_route(
        one,
        delete_record,
        methods=["DELETE"],
        status_code=204,
        name=f"delete_{name}",
        responses=responses(401, 403, 404, 409, 422),
        openapi_extra=permission(entity, "delete"),
    )
    router.add_api_route(
        f"{one}/history",
        history,
        methods=["GET"],
        response_model=list[AuditOut],
        name=f"history_{name}",
        responses=responses(401, 403, 404, 422),
    )


for _plural, _entity in PLURALS.items():
    add_record_routes(router, _plural, _entity)
