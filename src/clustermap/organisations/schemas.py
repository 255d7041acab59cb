"""Input and output schemas of the registry (pydantic): what the API, the importers and the pages accept.

Every limit the database has is checked here first (lengths, integer ranges, NUL characters, controlled
vocabularies, known region codes and categories), so that bad input is a clear 422 with the field named and never
a database error. ``*In`` schemas are for creating a record, ``*Patch`` for a partial update (they carry the
``version`` read, for optimistic locking), ``*Public`` for what is shown.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from clustermap.organisations import vocabulary as voc

# -------------------------------------------------------------------------------------------- field types

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$|^[0-9]{2,5}$")
NACE_PATTERN = r"^[A-Ua-u](?:[0-9]{2}(?:[0-9]{1,2})?)?$"
_NACE = re.compile(NACE_PATTERN)
_NAICS = re.compile(r"^[0-9]{2,6}$")
_EMAIL = re.compile(r"^[^@\s\x00]{1,64}@[^@\s\x00]{1,255}\.[^@\s\x00]{1,63}$")
_URL = re.compile(r"^https?://[^\s\x00]{1,490}$")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


#: no NUL characters (PostgreSQL refuses them), stated in the schema so that clients know
NO_NUL = r"^[^\x00]*$"


def _text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        _NoNul,
        _SCHEMA_NO_NUL,
    ]


_NoNul = AfterValidator(_no_nul)
#: the rule in the schema (checked by ``_NoNul`` with a plain message)
_SCHEMA_NO_NUL = Field(json_schema_extra={"pattern": NO_NUL})


def _literal(vocabulary: Any) -> Any:
    return Literal[tuple(vocabulary)]  # type: ignore[valid-type]


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


Slug = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=_SLUG.pattern)]
Name = _text(300, 1)
Short = _text(200)
LongText = _text(20000)
SourceText = _text(2000)
Website = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=_URL.pattern)]
Email = Annotated[str, BeforeValidator(_lower), StringConstraints(max_length=320, pattern=_EMAIL.pattern)]
Year = Annotated[int, Field(ge=1800, le=2100)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
ProgrammeLevel = _literal(voc.PROGRAMME_LEVELS)
PolicyFocus = _literal(voc.POLICY_FOCUS)
TargetGroup = _literal(voc.TARGET_GROUPS)
SupportType = _literal(voc.SUPPORT_TYPES)
Lifecycle = _literal(voc.LIFECYCLE)
FundingSource = _literal(voc.FUNDING_SOURCES)
OrganisationKind = _literal(voc.ORGANISATION_KINDS)
MemberKind = _literal(voc.MEMBER_KINDS)
ExchangeTag = _literal(voc.EXCHANGE_TAGS)
Role = _literal(voc.ROLES)


# -------------------------------------------------------------------------------------------- lookups


@lru_cache(maxsize=1)
def _region_registry() -> Any:
    from clustermap.errors import ClustermapError
    from clustermap.regions import get_registry

    try:
        registry = get_registry(download=False)
        _ = "ES21" in registry  # the tables load lazily: make them load here
        return registry
    except (ClustermapError, OSError):  # no mirror: codes are checked by their pattern only
        return None


@lru_cache(maxsize=1)
def registry_categories() -> dict[str, str]:
    """The cluster categories records may name: the traded categories of ``eco-nace2`` (slug → name)."""
    from clustermap.definitions.categories import load_category_set

    cats = load_category_set("eco-nace2").categories
    traded = cats[cats["traded"]]
    return dict(zip(traded["category"], traded["category_name"], strict=True))


@lru_cache(maxsize=1)
def _nace_to_category() -> dict[str, str]:
    from clustermap.definitions.categories import load_category_set

    cw = load_category_set("eco-nace2").crosswalk
    cw = cw[cw["traded"]]
    return dict(zip(cw["industry"], cw["category"], strict=False))


def categories_for_nace(codes: list[str]) -> list[str]:
    """The ``eco-nace2`` traded categories of NACE codes as Eurostat SBS writes them (``C29``, ``G471``, or a
    finer code whose division or group is in the set: ``C2910`` → ``C29``)."""
    table = _nace_to_category()
    out: list[str] = []
    for code in codes:
        for length in range(len(code), 0, -1):
            if code[:length] in table:
                if table[code[:length]] not in out:
                    out.append(table[code[:length]])
                break
    return out


def region_name(code: str) -> str | None:
    """The name of a region code, or ``None`` when it is unknown (or the region files are absent)."""
    reg = _region_registry()
    if reg is None or code not in reg:
        return None
    try:
        return reg.get(code).name
    except Exception:
        return None


def check_region(code: str) -> str:
    """``code`` upper-cased when it is a known NUTS (or US) region code; ``ValueError`` naming close codes."""
    code = code.strip().upper()
    if not _REGION.match(code):
        raise ValueError(f"{code!r} is not a region code (NUTS, e.g. ES21, or a US FIPS code)")
    reg = _region_registry()
    if reg is not None and code not in reg:
        near = reg.near(code, n=4) if hasattr(reg, "near") else []
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise ValueError(f"unknown region code {code!r}{hint}")
    return code


def check_country(code: str) -> str:
    """A two-letter country code as NUTS writes it (``EL`` Greece, ``UK``); ``ValueError`` otherwise."""
    code = code.strip().upper()
    if not _COUNTRY.match(code):
        raise ValueError(f"{code!r} is not a two-letter country code")
    reg = _region_registry()
    if reg is not None and code not in reg and code != "US":
        raise ValueError(f"unknown country code {code!r} (use NUTS country codes: EL for Greece, UK …)")
    return code


def check_category(slug: str) -> str:
    """A known ``eco-nace2`` traded category slug; ``ValueError`` listing the valid ones otherwise."""
    slug = slug.strip().lower()
    cats = registry_categories()
    if slug not in cats:
        raise ValueError(f"unknown category {slug!r}; categories are the eco-nace2 traded ones: {', '.join(cats)}")
    return slug


def country_of(region: str) -> str | None:
    """The country of a NUTS code (its first two letters), ``US`` for US FIPS codes."""
    return "US" if region[:1].isdigit() else region[:2]


REGION_PATTERN = r"^([A-Za-z]{2}[0-9A-Za-z]{0,3}|[0-9]{2,5})$"
RegionCode = Annotated[str, StringConstraints(max_length=5, pattern=REGION_PATTERN), AfterValidator(check_region)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(check_country)]
#: the eco-nace2 traded categories, as an enumeration the schema shows
Category = Literal[tuple(registry_categories())]  # type: ignore[valid-type]
NaceCode = Annotated[str, StringConstraints(pattern=_NACE.pattern), AfterValidator(str.upper)]
NaicsCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=_NAICS.pattern)]


def _uniq_list(item: Any, max_items: int = 50) -> Any:
    return Annotated[list[item], Field(default_factory=list, max_length=max_items), AfterValidator(_unique)]


# -------------------------------------------------------------------------------------------- records


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProgrammeIn(_In):
    """A cluster programme or policy."""

    name: Name
    slug: Slug | None = None
    level: ProgrammeLevel = Field(description="national, regional or european (Community) level")
    country: CountryCode | None = None
    regions: _uniq_list(RegionCode) = Field(default_factory=list, description="NUTS codes the programme covers")
    description: LongText = ""
    policy_focus: _uniq_list(PolicyFocus, 3) = Field(default_factory=list)
    target_groups: _uniq_list(TargetGroup, 6) = Field(default_factory=list)
    support_type: SupportType | None = None
    lifecycle_focus: _uniq_list(Lifecycle, 5) = Field(default_factory=list)
    sme_focus: bool | None = None
    funding_sources: _uniq_list(FundingSource, 7) = Field(default_factory=list)
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


class OrganisationIn(_In):
    """A cluster organisation, cluster initiative or network."""

    name: Name
    slug: Slug | None = None
    kind: OrganisationKind = "cluster-organisation"
    description: LongText = ""
    countries: _uniq_list(CountryCode) = Field(default_factory=list)
    regions: _uniq_list(RegionCode) = Field(default_factory=list)
    categories: _uniq_list(Category, 38) = Field(default_factory=list)
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
    services: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
    seeking: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
    programmes: _uniq_list(Slug) = Field(default_factory=list, description="slugs of the programmes it takes part in")
    source: SourceText = ""
    source_section: Short | None = None

    @model_validator(mode="after")
    def _derive(self) -> OrganisationIn:
        for code in self.regions:
            country = country_of(code)
            if country and country not in self.countries:
                self.countries = [*self.countries, country]
        return self


class CaseStudyIn(_In):
    """A case study of a cluster: where, which categories, its success factors, its source."""

    title: Name
    slug: Slug | None = None
    summary: LongText = ""
    countries: _uniq_list(CountryCode) = Field(default_factory=list)
    regions: _uniq_list(RegionCode) = Field(default_factory=list)
    categories: _uniq_list(Category, 38) = Field(default_factory=list)
    success_factors: Annotated[list[_text(500, 1)], Field(default_factory=list, max_length=30)] = Field(
        default_factory=list
    )
    organisation_slug: Slug | None = None
    source: SourceText = ""
    source_section: Short | None = None

    @model_validator(mode="after")
    def _derive(self) -> CaseStudyIn:
        for code in self.regions:
            country = country_of(code)
            if country and country not in self.countries:
                self.countries = [*self.countries, country]
        return self


class MemberIn(_In):
    """An SME or other member, with what it offers and what it needs."""

    name: Name
    slug: Slug | None = None
    kind: MemberKind = "sme"
    description: LongText = ""
    country: CountryCode | None = None
    region: RegionCode | None = None
    nace_codes: _uniq_list(NaceCode, 30) = Field(
        default_factory=list, description="NACE Rev. 2 codes as Eurostat SBS writes them: C29, G471, C2910"
    )
    naics_codes: _uniq_list(NaicsCode, 30) = Field(default_factory=list)
    categories: _uniq_list(Category, 38) = Field(
        default_factory=list, description="eco-nace2 categories; derived from the NACE codes when empty"
    )
    offers: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
    needs: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
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


class ProgrammePublic(_Public):
    """A programme as shown."""

    name: str
    level: str
    country: str | None
    regions: list[str]
    description: str
    policy_focus: list[str]
    target_groups: list[str]
    support_type: str | None
    lifecycle_focus: list[str]
    sme_focus: bool | None
    funding_sources: list[str]
    budget_eur_per_year: float | None
    start_year: int | None
    end_year: int | None
    website: str | None
    source: str
    source_section: str | None


class OrganisationPublic(_Public):
    """An organisation as shown."""

    name: str
    kind: str
    description: str
    countries: list[str]
    regions: list[str]
    categories: list[str]
    members_total: int | None
    members_firms: int | None
    members_smes: int | None
    members_research: int | None
    members_education: int | None
    members_public: int | None
    management_staff: float | None
    founded: int | None
    website: str | None
    contact_name: str | None
    contact_email: str | None
    services: list[str]
    seeking: list[str]
    programmes: list[str]
    source: str
    source_section: str | None


class CaseStudyPublic(_Public):
    """A case study as shown."""

    title: str
    summary: str
    countries: list[str]
    regions: list[str]
    categories: list[str]
    success_factors: list[str]
    organisation_slug: str | None
    source: str
    source_section: str | None


class MemberPublic(_Public):
    """A member as shown."""

    name: str
    kind: str
    description: str
    country: str | None
    region: str | None
    nace_codes: list[str]
    naics_codes: list[str]
    categories: list[str]
    offers: list[str]
    needs: list[str]
    employees: int | None
    website: str | None
    organisation_slug: str | None


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

    email: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320), _NoNul, _SCHEMA_NO_NUL
    ]
    password: Annotated[str, StringConstraints(max_length=1024), _NoNul, _SCHEMA_NO_NUL]


class TokenOut(BaseModel):
    """A bearer token: shown once, only its hash is kept."""

    id: int
    name: str
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None


class TokenIn(_In):
    """A new API token: a name and how long it lives."""

    name: _text(100, 1)
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
    name: _text(200) = ""
    password: Annotated[str, StringConstraints(min_length=10, max_length=1024), _NoNul, _SCHEMA_NO_NUL]
    role: Role = "member"


class UserPatch(_In):
    """A change to an account (administrators)."""

    version: int = Field(ge=1, le=2_000_000_000)
    name: _text(200) | None = None
    role: Role | None = None
    active: bool | None = None
    password: Annotated[str, StringConstraints(min_length=10, max_length=1024), _NoNul, _SCHEMA_NO_NUL] | None = None


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
    categories: _uniq_list(Category, 38) = Field(default_factory=list)
    nace_codes: _uniq_list(NaceCode, 30) = Field(default_factory=list)
    offers: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
    needs: _uniq_list(ExchangeTag, 30) = Field(default_factory=list)
    seeker: Literal["sme", "cluster-manager"] = "sme"
    member_id: int | None = Field(default=None, ge=1, le=2_000_000_000, description="your member profile, if any")
    max_distance_km: float | None = Field(default=None, gt=0, le=50_000, allow_inf_nan=False)
    limit: int = Field(default=10, ge=1, le=50)

    @model_validator(mode="after")
    def _derive(self) -> Profile:
        if self.nace_codes:
            self.categories = _unique([*self.categories, *categories_for_nace(self.nace_codes)])
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
    message: _text(4000) = ""

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
