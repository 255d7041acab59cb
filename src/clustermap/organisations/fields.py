"""Field types of the registry's schemas and the lookups that check them: slugs, e-mail and web addresses,
NACE / NAICS codes, controlled vocabularies, and region codes, countries and categories checked against the region
registry and the ``eco-nace2`` category set (by pattern only when the data mirror is absent). The schemas that use
them are :mod:`clustermap.organisations.schemas`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

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


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


#: no NUL characters (PostgreSQL refuses them), stated in the schema so that clients know
NO_NUL = r"^[^\x00]*$"


def bounded_text(max_length: int, min_length: int = 0) -> Any:
    """A text field type: surrounding white space stripped, ``min_length``–``max_length`` characters, no NUL."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=max_length, min_length=min_length),
        NoNul,
        SCHEMA_NO_NUL,
    ]


#: a validator refusing NUL characters with a plain message
NoNul = AfterValidator(_no_nul)
#: the rule in the schema (checked by ``NoNul`` with a plain message)
SCHEMA_NO_NUL = Field(json_schema_extra={"pattern": NO_NUL})


def _literal(vocabulary: Any) -> Any:
    return Literal[tuple(vocabulary)]  # type: ignore[valid-type]


def unique(values: list[Any]) -> list[Any]:
    """``values`` without repeats, first occurrences in order."""
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


Slug = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=_SLUG.pattern)]
Name = bounded_text(300, 1)
Short = bounded_text(200)
LongText = bounded_text(20000)
SourceText = bounded_text(2000)
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


def unique_list(item: Any, max_items: int = 50) -> Any:
    """A list field type of ``item`` values: at most ``max_items``, empty by default, repeats dropped."""
    return Annotated[list[item], Field(default_factory=list, max_length=max_items), AfterValidator(unique)]
