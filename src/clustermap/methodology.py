"""Named, versioned, parameterised methodologies.

A methodology is data: a TOML file in ``clustermap/methodologies/`` (or anywhere, given by path) with a name,
a version, a kind (``stars`` — European Cluster Observatory style — or ``strong`` — US Cluster Mapping style)
and its parameters. :func:`get_methodology` reads one; :meth:`Methodology.with_params` returns a copy with some
parameters changed and checked. A mapping result records the methodology's name, version and full parameters.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from clustermap.errors import ParameterError, UnknownNameError

TotalBase = Literal["input", "traded", "external"]
TOTAL_BASES: tuple[str, ...] = ("input", "traded", "external")
SUPPRESSION_POLICIES: tuple[str, ...] = ("drop", "parent-residual", "size-class")
#: every policy a methodology may name: the ibis ones above plus ``two-way``, solved in Python per country and
#: year (clustermap.imputation; kept out of SUPPRESSION_POLICIES, which jobs.suppression_report runs in SQL)
ALL_SUPPRESSION_POLICIES: tuple[str, ...] = (*SUPPRESSION_POLICIES, "two-way")
SIZE_CLASS_VALUES: tuple[str, ...] = ("midpoint", "low", "high", "cmp")
KINDS: tuple[str, ...] = ("stars", "strong")

#: what each parameter means; used to validate files and to document the CLI
PARAMETERS: dict[str, str] = {
    "size_share": "share of the regions (0-1] that get a size star in each category (0.10 = top 10 %)",
    "focus_share": "share of the regions (0-1] that get a focus star in each category",
    "lq_threshold": "location quotient at or above which a cell gets a specialisation star",
    "min_employment": "cells with fewer employees get no star at all (persons)",
    "strong_lq": "location quotient above which (strictly) a cell is a strong cluster",
    "total_base": "denominator T[r] of the LQ: input (all mapped industries), traded, or external totals",
    "suppression": "how suppressed cells are treated: drop, parent-residual, size-class or two-way",
    "size_class_value": "value for a CBP withheld cell under size-class: midpoint, low, high or cmp",
    "lq_percentile": "US rule: LQ must be at or above this percentile of the cluster's LQs",
    "strict_lq_percentile": "US rule, strict flag: LQ percentile",
    "min_lq": "US rule: LQ must also be at least this",
    "employment_percentile": "US rule: employment must exceed this percentile",
    "establishments_percentile": "US rule: establishments must exceed this percentile",
}

_SHARES = ("size_share", "focus_share")
_PERCENTILES = ("lq_percentile", "strict_lq_percentile", "employment_percentile", "establishments_percentile")


@dataclass(frozen=True)
class Methodology:
    """A named, versioned set of rules and thresholds; see ``clustermap/methodologies/*.toml``."""

    name: str
    version: str
    kind: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    reference: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        _check(self)

    def __getitem__(self, key: str) -> Any:
        return self.parameters[key]

    @property
    def id(self) -> str:
        """Stable identifier ``name@version``."""
        return f"{self.name}@{self.version}"

    def with_params(self, **overrides: Any) -> Methodology:
        """A copy with the given parameters replaced (``None`` values are ignored); checked like a file."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            raise ParameterError(
                f"{self.name} has no parameter(s) {', '.join(unknown)}; it has {', '.join(self.parameters)}"
            )
        return replace(self, parameters={**self.parameters, **given})

    def as_dict(self) -> dict[str, Any]:
        """The methodology as JSON-ready data (name, version, kind, parameters …)."""
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "parameters": dict(self.parameters),
        }


def _check(m: Methodology) -> None:
    p = m.parameters
    if m.kind not in KINDS:
        raise ParameterError(f"methodology {m.name}: kind must be one of {', '.join(KINDS)}, not {m.kind!r}")
    unknown = sorted(set(p) - set(PARAMETERS))
    if unknown:
        raise ParameterError(f"methodology {m.name}: unknown parameter(s) {', '.join(unknown)}")
    for key in _SHARES:
        if key in p and not 0 < float(p[key]) <= 1:
            raise ParameterError(f"{key} must be in (0, 1], got {p[key]!r}")
    for key in _PERCENTILES:
        if key in p and not 0 <= float(p[key]) <= 1:
            raise ParameterError(f"{key} must be in [0, 1], got {p[key]!r}")
    for key in ("lq_threshold", "min_employment", "strong_lq", "min_lq"):
        if key in p and float(p[key]) < 0:
            raise ParameterError(f"{key} must not be negative, got {p[key]!r}")
    if p.get("total_base", "input") not in TOTAL_BASES:
        raise ParameterError(f"total_base must be one of {', '.join(TOTAL_BASES)}, not {p['total_base']!r}")
    if p.get("suppression", "drop") not in ALL_SUPPRESSION_POLICIES:
        raise ParameterError(
            f"suppression must be one of {', '.join(ALL_SUPPRESSION_POLICIES)}, not {p['suppression']!r}"
        )
    if p.get("size_class_value", "midpoint") not in SIZE_CLASS_VALUES:
        raise ParameterError(f"size_class_value must be one of {', '.join(SIZE_CLASS_VALUES)}")


def _from_toml(text: str, origin: str) -> Methodology:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{origin}: not valid TOML: {exc}") from exc
    missing = [k for k in ("name", "version", "kind", "parameters") if k not in doc]
    if missing:
        raise ParameterError(f"{origin}: missing key(s) {', '.join(missing)}")
    return Methodology(
        name=doc["name"],
        version=str(doc["version"]),
        kind=doc["kind"],
        title=doc.get("title", doc["name"]),
        parameters=dict(doc["parameters"]),
        reference=doc.get("reference", ""),
        description=doc.get("description", "").strip(),
    )


def available_methodologies() -> list[str]:
    """Names of the methodologies that ship with clustermap."""
    folder = resources.files("clustermap") / "methodologies"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def get_methodology(name_or_path: str | Path | Methodology) -> Methodology:
    """A shipped methodology by name (``eco2007``, ``eco2008``, ``uscmp``) or one read from a TOML file."""
    if isinstance(name_or_path, Methodology):
        return name_or_path
    text_name = str(name_or_path)
    if text_name.endswith(".toml") or Path(text_name).is_file():
        path = Path(text_name)
        if not path.is_file():
            raise UnknownNameError(f"methodology file {path} does not exist")
        return _from_toml(path.read_text(encoding="utf-8"), str(path))
    resource = resources.files("clustermap") / "methodologies" / f"{text_name}.toml"
    if not resource.is_file():
        raise UnknownNameError(
            f"unknown methodology {text_name!r}; known: {', '.join(available_methodologies())} (or a .toml file)"
        )
    return _from_toml(resource.read_text(encoding="utf-8"), f"methodology {text_name}")
