"""``/assessments``: the self-assessment questionnaire, scored assessments and their benchmark."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from clustermap.organisations import assessment as assess
from clustermap.organisations import schemas
from clustermap.organisations.deps import (
    MAX_ID,
    PREFIX,
    Ident,
    RecordId,
    RegistryRoute,
    Rt,
    User_,
    permission,
    responses,
)
from clustermap.organisations.services import assessments

router = APIRouter(prefix=PREFIX, tags=["registry"], route_class=RegistryRoute)


@router.get("/assessments/questionnaire")
def questionnaire() -> dict[str, Any]:
    """The self-assessment questionnaire: 31 indicators in 6 areas, thresholds, level rules, disclaimer."""
    return assess.load_questionnaire().as_dict()


@router.get("/assessments", response_model=list[schemas.AssessmentPublic], responses=responses(422))
def list_assessments(
    identity: Ident,
    rt: Rt,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Any:
    """Assessments, newest first: the public ones, and the caller's own organisations' (administrators:
    all). With ``organisation_id``, that organisation's history."""
    with rt.transaction() as s:
        return assessments.listed(s, identity, organisation_id)


@router.post(
    "/assessments",
    response_model=schemas.AssessmentPublic,
    status_code=201,
    responses=responses(401, 403, 404, 422),
    openapi_extra=permission("assessment", "create"),
)
def create_assessment(body: schemas.AssessmentIn, identity: User_, rt: Rt) -> Any:
    """Score a self-assessment of one of the caller's organisations and keep it in its history."""
    with rt.transaction(identity) as s:
        row = assessments.record(s, identity, body.organisation_id, body.answers, body.is_public)
        return assessments.with_benchmark(s, row)


@router.get("/assessments/{assessment_id}", response_model=schemas.AssessmentPublic, responses=responses(404))
def get_assessment(
    assessment_id: RecordId,
    identity: Ident,
    rt: Rt,
    peer_group: Literal["all", "country", "category"] = "all",
) -> Any:
    """One assessment with its result and the benchmark against peers."""
    with rt.transaction() as s:
        return assessments.with_benchmark(s, assessments.visible(s, identity, assessment_id), peer_group)


@router.delete(
    "/assessments/{assessment_id}",
    status_code=204,
    responses=responses(401, 403, 404),
    openapi_extra=permission("assessment", "delete"),
)
def delete_assessment(assessment_id: RecordId, identity: User_, rt: Rt) -> Response:
    """Delete an assessment (administrators)."""
    with rt.transaction(identity) as s:
        assessments.delete(s, assessment_id)
    return Response(status_code=204)
