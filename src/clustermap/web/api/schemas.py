"""Public schemas of the REST API (what the OpenAPI document promises).

Identifiers are stable: a methodology by its name (``eco2007``), a run by its id, a dataset by its name
(``sbs_r_nuts06_r2``), a region by its code (NUTS ``DE11``, US FIPS ``06``), a category by its slug
(``automotive``), a year as an integer. Numbers are persons (employment), ratios (LQ) or shares in [0, 1];
``null`` means not available (never zero in disguise).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from clustermap import columns
from clustermap.web.api.tables import CELL_FIELDS


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="null")


# ---------------------------------------------------------------------------------------------- errors


class ErrorDetailPublic(_Public):
    """What went wrong, for programs: a stable ``code`` and the parameter at fault."""

    code: str = Field(description="stable error code, e.g. invalid_parameter, unknown_region, not_found")
    message: str = Field(description="one readable sentence")
    parameter: str | None = Field(default=None, description="the query or path parameter at fault")
    value: Any = Field(default=None, description="the value given")
    allowed: list[Any] | None = Field(default=None, description="accepted values, when they are few")
    details: list[dict[str, Any]] | None = Field(default=None, description="every validation problem")


class ErrorPublic(_Public):
    """The body of every 4xx answer of the API."""

    error: ErrorDetailPublic


# -------------------------------------------------------------------------------------------- metadata


class LinkPublic(_Public):
    rel: str
    href: str
    title: str = ""


class IndexPublic(_Public):
    """Entry point: what the API offers."""

    title: str
    version: str
    links: list[LinkPublic]
    warehouse: str
    runs: int
    registry: bool
    analyses: bool
    ready: bool = Field(description="the answers of the current snapshot are pre-computed (see warm-up)")


class MethodologyPublic(_Public):
    """A named, versioned methodology and the runs of the warehouse that used it."""

    name: str
    version: str
    id: str
    kind: Literal["stars", "panorama", "strong"]
    title: str
    description: str
    reference: str
    parameters: dict[str, Any]
    parameter_declarations: list[dict[str, Any]] = Field(
        default_factory=list,
        description="every parameter as declared once in clustermap.methodology: name, value, default, type, "
        "unit, bounds, help",
    )
    runs: list[str] = Field(description="ids of the warehouse's runs with this methodology, newest first")


class DatasetPublic(_Public):
    """A loaded dataset with its provenance (file, checksum, publisher URL, rows read / kept / dropped)."""

    dataset: str
    kind: str
    source: str | None
    file: str | None
    sha256: str | None
    url: str | None
    rows_read: int | None
    rows_kept: int | None
    rows_dropped: dict[str, Any]
    retrieved: str | None
    loaded_at: str | None
    load_id: str
    notes: Any = None


class RunPublic(_Public):
    """A mapping run: methodology and parameters, category set, years, provenance and per-year summary."""

    run_id: str
    created: str
    dataset: str | None
    methodology: str
    methodology_version: str
    kind: Literal["stars", "panorama", "strong"]
    categories: str = Field(description="category set name, e.g. eco-nace2")
    parameters: dict[str, Any]
    years: list[int]
    default_year: int = Field(description="the latest complete year (at least 90 % of the largest region count)")
    incomplete_years: list[int] = Field(description="years with fewer than 90 % of the largest yearly region count")
    regions: int
    family: Literal["EU", "US"] = Field("EU", description="EU (NUTS regions) or US (states, counties, CBSAs)")
    suppression: str = Field("drop", description="how confidential cells were treated (policy or imputation)")
    published: bool = Field(False, description="the run the site and the API open on for its family")
    provenance: dict[str, Any]
    summary: list[dict[str, Any]]


class IndustryPublic(_Public):
    industry: str
    title: str
    share: float


class CategoryPublic(_Public):
    """A cluster category of a category set."""

    slug: str
    name: str
    traded: bool
    category_set: str
    merged_from: str = ""
    partial: str = ""
    industries: list[IndustryPublic] = Field(default_factory=list)
    in_results: bool = Field(description="the selected run has cells for this category")


# ---------------------------------------------------------------------------------------------- regions


class RegionPublic(_Public):
    """A region from the registry (NUTS 2006–2024, US states, counties, CBSAs, economic areas)."""

    code: str
    name: str
    level: int | None = Field(description="NUTS level 0-3; null for US regions")
    kind: str
    country: str
    country_name: str = ""
    parent: str | None
    versions: list[int] = Field(description="NUTS versions (or US vintages) the code is valid in")
    name_national: str = ""
    in_results: bool = Field(default=False, description="the newest run has cells for this region")
    match: str | None = Field(
        default=None, description="why a search found it: code, name, English name …, or the city it contains"
    )


class RegionDetailPublic(RegionPublic):
    """A region with its place in the hierarchy."""

    ancestors: list[RegionPublic] = Field(description="parent, grandparent … up to the country")
    children: list[RegionPublic]
    geometry_url: str
    profile_url: str


class RegionPagePublic(_Public):
    total: int
    limit: int
    offset: int
    items: list[RegionPublic]


# ---------------------------------------------------------------------------------------------- results


#: the cell columns every cell has (the others are null when a methodology does not produce them)
CELL_KEYS = ("region", "region_name", "category", "category_name", "year")


_PYTHON_TYPES: dict[str, type] = {"string": str, "int64": int, "float64": float, "bool": bool}


def cell_field(name: str, *, required: bool = False) -> Any:
    """The pydantic field of the result column ``name`` as the result vocabulary (:mod:`clustermap.columns`)
    declares it: its description is ``columns.describe(name)`` (meaning and unit); optional fields default to
    null, never zero."""
    if required:
        return Field(description=columns.describe(name))
    return Field(default=None, description=columns.describe(name))


def cell_type(name: str, *, required: bool = False) -> Any:
    """The Python type of the result column ``name`` from its vocabulary dtype (``T | None`` unless required)."""
    py = _PYTHON_TYPES[columns.CELL_COLUMNS[name].dtype]
    return py if required else py | None


CellPublic = create_model(
    "CellPublic",
    __base__=_Public,
    __doc__="One region × category × year of a mapping run: the fields the API publishes (``tables.CELL_FIELDS``), "
    "each typed and described by the result vocabulary; fields a methodology does not produce are null.",
    **{n: (cell_type(n, required=n in CELL_KEYS), cell_field(n, required=n in CELL_KEYS)) for n in CELL_FIELDS},
)


class PageLinksPublic(_Public):
    self: str
    next: str | None
    previous: str | None


class ResultsPagePublic(_Public):
    """A page of mapping results."""

    run_id: str
    methodology: str
    kind: str
    total: int
    limit: int
    offset: int
    links: PageLinksPublic
    items: list[CellPublic]


class LegendClassPublic(_Public):
    index: int
    label: str
    color: str
    min: float | None
    max: float | None
    count: int


class MapValuePublic(_Public):
    """One region's value on the choropleth, with the cell figures behind it."""

    region: str = cell_field("region", required=True)
    name: str
    value: float | None
    klass: int = Field(description="legend class index; -1 = no value")
    stars: int | None = cell_field("stars")
    strong: bool | None = cell_field("strong")
    lq: float | None = cell_field("lq")
    employment: float | None = cell_field("employment")
    share: float | None = cell_field("share")
    imputed: bool | None = cell_field("imputed")
    employment_low: float | None = cell_field("employment_low")
    employment_high: float | None = cell_field("employment_high")
    flags: str | None = cell_field("flags")
    employment_text: str = Field(
        default="", description="employment as a statistics office shows it: 'about 41,000 (imputed; …)'"
    )
    flag_meanings: list[str] = Field(default_factory=list, description="each flag with its meaning")


class MapDataPublic(_Public):
    """What the choropleth draws for one run, year, category and metric."""

    run_id: str
    methodology: str
    kind: str
    year: int
    category: str
    category_name: str
    metric: str
    metric_label: str
    legend: list[LegendClassPublic]
    no_data_color: str
    values: list[MapValuePublic]
    regions_without_shape: list[str] = Field(description="regions of this year the map cannot draw")
    summary: str = Field(description="a sentence describing the map, for screen readers")


# ---------------------------------------------------------------------------------------------- profiles


class RunRefPublic(_Public):
    run_id: str
    methodology: str
    kind: str
    categories: str
    years: list[int]


class RegionProfilePublic(_Public):
    """A region's cluster portfolio in one year, its stars table and its change over the years."""

    region: RegionPublic
    run: RunRefPublic
    year: int
    years: list[int] = Field(description="years with cells for this region")
    totals: dict[str, Any]
    portfolio: list[dict[str, Any]]
    stars: list[dict[str, Any]]
    change: list[dict[str, Any]]
    category_years: list[dict[str, Any]]
    registry_url: str | None = Field(description="registry entries of the region, when the registry is installed")


class CategoryProfilePublic(_Public):
    """A category in one year: top regions by stars beside top regions by employment (Figure 3), and how
    concentrated its employment is."""

    category: str
    category_name: str
    run: RunRefPublic
    year: int
    top: int
    by_stars: list[dict[str, Any]]
    by_employment: list[dict[str, Any]]
    concentration: dict[str, Any]
    change: list[dict[str, Any]]
    definition: list[IndustryPublic]


class ComparePublic(_Public):
    """Up to 10 regions side by side: one row per category, one column per region."""

    run: RunRefPublic
    year: int
    value: str
    regions: list[RegionPublic]
    missing: list[str] = Field(description="requested regions without cells in this year")
    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]


# --------------------------------------------------------------------------------------------- analyses


class AnalysisInfoPublic(_Public):
    name: str
    title: str
    function: str | None
    available: bool
    url: str | None


class AnalysesPublic(_Public):
    available: bool
    reason: str | None
    analyses: list[AnalysisInfoPublic]


class AnalysisResultPublic(_Public):
    name: str
    run_id: str
    parameters: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    values: dict[str, Any]


# ---------------------------------------------------------------------------------------------- geojson


class GeoJSONFeaturePublic(BaseModel):
    type: Literal["Feature"]
    id: str | None = None
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class GeoJSONPublic(BaseModel):
    """A GeoJSON FeatureCollection (RFC 7946, lon/lat degrees)."""

    model_config = ConfigDict(extra="allow")

    type: Literal["FeatureCollection"]
    features: list[GeoJSONFeaturePublic]
