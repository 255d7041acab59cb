"""Input and output schemas of the registry (pydantic): what the API, the importers and the pages accept.

Every limit the database has is checked here first (lengths, integer ranges, NUL characters, controlled
vocabularies, known region codes and categories), so that bad input is a clear 422 with the field named and never
a database error. ``*In`` schemas are for creating a record, ``*Patch`` for a partial update (they carry the
``version`` read, for optimistic locking), ``*Public`` for what is shown.
"""

from __future__ import annotations

from datetime import datetime
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from clustermap.organisations.fields import (
    SCHEMA_NO_NUL,
    Category,
    Count,
    CountryCode,
    Email,
    ExchangeTag,
    FundingSource,
    Lifecycle,
    LongText,
    MemberKind,
    NaceCode,
    NaicsCode,
    Name,
    NoNul,
    OrganisationKind,
    PolicyFocus,
    ProgrammeLevel,
    RegionCode,
    Role,
    Short,
    Slug,
    SourceText,
    SupportType,
    TargetGroup,
    Website,
    Year,
    bounded_text,
    categories_for_nace,
    country_of,
    unique,
    unique_list,
)

# -------------------------------------------------------------------------------------------- records


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Placed(_In):
    """An input record with ``countries`` and ``regions``: the country of every region is added to ``countries``."""

    @model_validator(mode="after")
    def _derive(self) -> _Placed:
        for code in self.regions:  # type: ignore[attr-defined]
            country = country_of(code)
            if country and country not in self.countries:  # type: ignore[attr-defined]
                self.countries = [*self.countries, country]  # type: ignore[attr-defined]
        return self


class ProgrammeIn(_In):
    """A cluster programme or policy."""

    name: Name
    slug: Slug | None = None
    level: ProgrammeLevel = Field(description="national, regional or european (Community) level")
    country: CountryCode | None = None
    regions: unique_list(RegionCode) = Field(default_factory=list, description="NUTS codes the programme covers")
    description: LongText = ""
    policy_focus: unique_list(PolicyFocus, 3) = Field(default_factory=list)
    target_groups: unique_list(TargetGroup, 6) = Field(default_factory=list)
    support_type: SupportType | None = None
    lifecycle_focus: unique_list(Lifecycle, 5) = Field(default_factory=list)
    sme_focus: bool | None = None
    funding_sources: unique_list(FundingSource, 7) = Field(default_factory=list)
    budget_eur_per_year: float | None = Field(default=None, ge=0, le=1e12, allow_inf_nan=False)
    start_year: Year | None = None
    end_year: Year | None = None
    website: Website | None = None
    source: SourceText = ""
    source_section: Short | None = None

    @model_validator(mode="after")
    def _years(self) -> ProgrammeIn:
        if self.start_year is not None and self.end_year is not None and self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")
        if self.country is None and self.regions:
            self.country = country_of(self.regions[0])
        return self


class OrganisationIn(_Placed):
    """A cluster organisation, cluster initiative or network."""

    name: Name
    slug: Slug | None = None
    kind: OrganisationKind = "cluster-organisation"
    description: LongText = ""
    countries: unique_list(CountryCode) = Field(default_factory=list)
    regions: unique_list(RegionCode) = Field(default_factory=list)
    categories: unique_list(Category, 38) = Field(default_factory=list)
    members_total: Count | None = None
    members_firms: Count | None = None
    members_smes: Count | None = None
    members_research: Count | None = None
    members_education: Count | None = None
    members_public: Count | None = None
    management_staff: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    founded: Year | None = None
    website: Website | None = None
    contact_name: Short | None = None
    contact_email: Email | None = None
    services: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    seeking: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    programmes: unique_list(Slug) = Field(default_factory=list, description="slugs of the programmes it takes part in")
    source: SourceText = ""
    source_section: Short | None = None


class CaseStudyIn(_Placed):
    """A case study of a cluster: where, which categories, its success factors, its source."""

    title: Name
    slug: Slug | None = None
    summary: LongText = ""
    countries: unique_list(CountryCode) = Field(default_factory=list)
    regions: unique_list(RegionCode) = Field(default_factory=list)
    categories: unique_list(Category, 38) = Field(default_factory=list)
    success_factors: Annotated[list[bounded_text(500, 1)], Field(default_factory=list, max_length=30)] = Field(
        default_factory=list
    )
    organisation_slug: Slug | None = None
    source: SourceText = ""
    source_section: Short | None = None


class MemberIn(_In):
    """An SME or other member, with what it offers and what it needs."""

    name: Name
    slug: Slug | None = None
    kind: MemberKind = "sme"
    description: LongText = ""
    country: CountryCode | None = None
    region: RegionCode | None = None
    nace_codes: unique_list(NaceCode, 30) = Field(
        default_factory=list, description="NACE Rev. 2 codes as Eurostat SBS writes them: C29, G471, C2910"
    )
    naics_codes: unique_list(NaicsCode, 30) = Field(default_factory=list)
    categories: unique_list(Category, 38) = Field(
        default_factory=list, description="eco-nace2 categories; derived from the NACE codes when empty"
    )
    offers: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    needs: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    employees: Count | None = None
    website: Website | None = None
    organisation_slug: Slug | None = None

    @model_validator(mode="after")
    def _derive(self) -> MemberIn:
        if self.region and not self.country:
            self.country = country_of(self.region)
        if not self.categories and self.nace_codes:
            self.categories = categories_for_nace(self.nace_codes)
        return self


def _patch_model(model: type[BaseModel], name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "version": (int, Field(ge=1, le=2_000_000_000, description="the version you read (optimistic locking)"))
    }
    for field_name, info in model.model_fields.items():
        fields[field_name] = (info.rebuild_annotation() | None, Field(default=None, description=info.description))
    return create_model(
        name,
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Partial update of a {model.__name__[:-2].lower()}: the fields to change and the version read.",
        **fields,
    )


ProgrammePatch = _patch_model(ProgrammeIn, "ProgrammePatch")
OrganisationPatch = _patch_model(OrganisationIn, "OrganisationPatch")
CaseStudyPatch = _patch_model(CaseStudyIn, "CaseStudyPatch")
MemberPatch = _patch_model(MemberIn, "MemberPatch")


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    version: int
    created_at: datetime
    updated_at: datetime
    owner_id: int | None = None


def _plain(annotation: Any) -> Any:
    """``annotation`` without input limits: ``Annotated`` metadata dropped, a ``Literal`` vocabulary as ``str``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _plain(args[0])
    if origin is Literal:
        return str
    if origin is list:
        return list[_plain(args[0])]
    if origin in (Union, UnionType):
        return Union[tuple(_plain(a) for a in args)]  # noqa: UP007
    return annotation


def _public_model(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """The schema of a record as shown: the id, slug, version, timestamps and owner of every record, then each
    field of the input schema ``model`` (slug aside) with its plain type and its description, always present."""
    fields = {
        n: (_plain(f.annotation), Field(description=f.description))
        for n, f in model.model_fields.items()
        if n != "slug"
    }
    return create_model(name, __base__=_Public, __doc__=doc, **fields)


ProgrammePublic = _public_model(ProgrammeIn, "ProgrammePublic", "A programme as shown.")
OrganisationPublic = _public_model(OrganisationIn, "OrganisationPublic", "An organisation as shown.")
CaseStudyPublic = _public_model(CaseStudyIn, "CaseStudyPublic", "A case study as shown.")
MemberPublic = _public_model(MemberIn, "MemberPublic", "A member as shown.")


class Page(BaseModel):
    """One page of a list."""

    total: int
    page: int
    per_page: int


class ProgrammePage(Page):
    items: list[ProgrammePublic]


class OrganisationPage(Page):
    items: list[OrganisationPublic]


class CaseStudyPage(Page):
    items: list[CaseStudyPublic]


class MemberPage(Page):
    items: list[MemberPublic]


# -------------------------------------------------------------------------------------------- accounts


class LoginIn(_In):
    """E-mail and password."""

    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320), NoNul, SCHEMA_NO_NUL]
    password: Annotated[str, StringConstraints(max_length=1024), NoNul, SCHEMA_NO_NUL]


class TokenOut(BaseModel):
    """A bearer token: shown once, only its hash is kept."""

    id: int
    name: str
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None


class TokenIn(_In):
    """A new API token: a name and how long it lives."""

    name: bounded_text(100, 1)
    expires_days: int | None = Field(default=90, ge=1, le=3650)


class TokenPublic(BaseModel):
    """An API token as listed (never the token itself)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class UserIn(_In):
    """A new account."""

    email: Email
    name: bounded_text(200) = ""
    password: Annotated[str, StringConstraints(min_length=10, max_length=1024), NoNul, SCHEMA_NO_NUL]
    role: Role = "member"


class UserPatch(_In):
    """A change to an account (administrators)."""

    version: int = Field(ge=1, le=2_000_000_000)
    name: bounded_text(200) | None = None
    role: Role | None = None
    active: bool | None = None
    password: Annotated[str, StringConstraints(min_length=10, max_length=1024), NoNul, SCHEMA_NO_NUL] | None = None


class UserPublic(BaseModel):
    """An account as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    active: bool
    version: int
    created_at: datetime


class ErrorBody(BaseModel):
    """A machine-readable error: ``error`` is a code (``not_found``, ``conflict``, ``forbidden`` …)."""

    model_config = ConfigDict(extra="allow")

    error: str
    detail: Any = None


# -------------------------------------------------------------------------------------------- matchmaking


class Profile(_In):
    """Who is looking for partners: where, in which industries, what it offers and needs."""

    region: RegionCode | None = Field(default=None, description="NUTS code of your region, e.g. ES21")
    categories: unique_list(Category, 38) = Field(default_factory=list)
    nace_codes: unique_list(NaceCode, 30) = Field(default_factory=list)
    offers: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    needs: unique_list(ExchangeTag, 30) = Field(default_factory=list)
    seeker: Literal["sme", "cluster-manager"] = "sme"
    member_id: int | None = Field(default=None, ge=1, le=2_000_000_000, description="your member profile, if any")
    max_distance_km: float | None = Field(default=None, gt=0, le=50_000, allow_inf_nan=False)
    limit: int = Field(default=10, ge=1, le=50)

    @model_validator(mode="after")
    def _derive(self) -> Profile:
        if self.nace_codes:
            self.categories = unique([*self.categories, *categories_for_nace(self.nace_codes)])
        return self


class Reason(BaseModel):
    """One reason for a match, in words and numbers."""

    kind: str
    text: str
    numbers: dict[str, Any] = Field(default_factory=dict)


class MatchOut(BaseModel):
    """One ranked partner (an organisation, a member or a region) with its score and why."""

    rank: int
    kind: Literal["organisation", "member", "region"]
    id: int | None = None
    slug: str | None = None
    name: str
    region: str | None = None
    score: float
    components: dict[str, float | None]
    reasons: list[Reason]


class MatchResults(BaseModel):
    """Ranked partners for a profile, and how the ranking was computed."""

    id: int | None = None
    profile: dict[str, Any]
    method: dict[str, Any]
    organisations: list[MatchOut]
    members: list[MatchOut]
    regions: list[MatchOut]


class InterestIn(_In):
    """An expression of interest from one of your member profiles to a member or an organisation."""

    from_member_id: int = Field(ge=1, le=2_000_000_000)
    to_member_id: int | None = Field(default=None, ge=1, le=2_000_000_000)
    to_organisation_id: int | None = Field(default=None, ge=1, le=2_000_000_000)
    message: bounded_text(4000) = ""

    @model_validator(mode="after")
    def _one_target(self) -> InterestIn:
        if (self.to_member_id is None) == (self.to_organisation_id is None):
            raise ValueError("give exactly one of to_member_id and to_organisation_id")
        return self


class InterestPatch(_In):
    """Answer (accept / decline, by the recipient) or withdraw (by the sender) an expression of interest."""

    version: int = Field(ge=1, le=2_000_000_000)
    status: Literal["accepted", "declined", "withdrawn"]


class InterestPublic(BaseModel):
    """An expression of interest as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    from_member_id: int
    to_member_id: int | None
    to_organisation_id: int | None
    message: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class NotificationPublic(BaseModel):
    """An in-app notification."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    text: str
    link: str | None
    created_at: datetime
    read_at: datetime | None


# -------------------------------------------------------------------------------------------- assessments


class AssessmentIn(_In):
    """Answers to the self-assessment questionnaire of one organisation (indicator id → answer)."""

    organisation_id: int = Field(ge=1, le=2_000_000_000)
    answers: dict[
        Annotated[str, StringConstraints(max_length=10, pattern=r"^[A-Z]\d{1,2}$")],
        bool | Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)] | None,
    ] = Field(max_length=64)
    is_public: bool = False


class AssessmentPublic(BaseModel):
    """A self-assessment and its result (levels, per-area scores, each indicator against its threshold)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    created_at: datetime
    indicators_version: str
    answers: dict[str, Any]
    met: int
    level: str | None
    result: dict[str, Any]
    is_public: bool
    benchmark: dict[str, Any] | None = None
