"""Related clusters of a region: its star clusters and the categories with the highest relatedness density
where it has no star yet (:func:`clustermap.complexity.related.related_categories`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from clustermap.web.api.deps import (
    ERRORS,
    NOT_MODIFIED,
    CodePath,
    ObservatoryDep,
    RunDep,
    SnapshotDep,
    YearQuery,
    answer_key,
    cached,
    check_region,
)
from clustermap.web.api.routes.profiles import resolve_region_year

router = APIRouter(tags=["profiles"], responses={**ERRORS, **NOT_MODIFIED})


class RelatedClusterPublic(BaseModel):
    category: str
    category_name: str
    stars: float | None = None
    rca: float | None = None
    density: float | None = None
    pci: float | None = None


class OpportunityPublic(BaseModel):
    category: str
    category_name: str
    density: float | None = None
    rca: float | None = None
    pci: float | None = None
    cog: float | None = None
    related_to: str | None = None
    related_to_name: str | None = None
    proximity: float | None = None


class RelatedPublic(BaseModel):
    region: str
    year: int
    run_id: str
    eci: float | None = None
    clusters: list[RelatedClusterPublic]
    opportunities: list[OpportunityPublic]


@router.get("/api/regions/{code}/related", response_model=RelatedPublic, summary="Related clusters of a region")
def region_related(
    request: Request,
    obs: ObservatoryDep,
    snap: SnapshotDep,
    run: RunDep,
    code: CodePath,
    year: YearQuery = None,
    top: Annotated[int, Query(ge=1, le=100, description="how many opportunities")] = 10,
) -> Response:
    """The region's categories with a star (its clusters) and the `top` categories where it has no star yet,
    highest relatedness density first. Density (0–1) is the proximity-weighted share of the categories related
    to a category in which the region has a revealed comparative advantage (RCA ≥ 1), computed over all regions
    of the year (py-ecomplexity's definitions on region × category employment); each opportunity names the
    region's star cluster closest to it (`related_to`, `proximity`)."""
    from clustermap.complexity.related import related_categories

    code = check_region(run, code, parameter="code", status=404)
    y = resolve_region_year(run, code, year)

    def build() -> RelatedPublic:
        raw = related_categories(run.cells, code, y, top=top)
        names = run.category_names
        return RelatedPublic(
            region=code,
            year=y,
            run_id=run.run_id,
            eci=raw["eci"],
            clusters=[
                RelatedClusterPublic(**r, category_name=names.get(r["category"], r["category"]))
                for r in raw["clusters"]
            ],
            opportunities=[
                OpportunityPublic(
                    **r,
                    category_name=names.get(r["category"], r["category"]),
                    related_to_name=names.get(r["related_to"], r["related_to"]) if r["related_to"] else None,
                )
                for r in raw["opportunities"]
            ],
        )

    return cached(request, obs, answer_key(snap, "region-related", run.run_id, code, y, top), build)
