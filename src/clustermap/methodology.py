"""Named, versioned, parameterised methodologies, and the one declaration of their parameters.

A methodology is data: a TOML file in ``clustermap/methodologies/`` (or anywhere, given by path) with a name,
a version, a kind (``stars`` — European Cluster Observatory style —, ``panorama`` — the stars plus productivity
and dynamism — or ``strong`` — US Cluster Mapping style) and its parameters. :func:`get_methodology` reads one;
:meth:`Methodology.with_params` returns a copy with some parameters changed, parsed and checked. A mapping result
records the methodology's name, version and full parameters.

Every parameter is declared once, in :data:`PARAMS` (type, unit, bounds or allowed values, default, meaning);
:data:`FAMILIES` says which parameters each kind has. The CLI (``--param KEY=VALUE``, ``clustermap methodology
show``), the Python API (``map_clusters(..., key=value)``), REST (``/api/methodologies/{name}``) and the README's
parameter table all read this declaration. Suppression policies have one registry, :data:`SUPPRESSION`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from clustermap.errors import ParameterError, UnknownNameError

# ------------------------------------------------------------------------------------------ suppression policies


@dataclass(frozen=True)
class SuppressionPolicy:
    """A way to treat a suppressed (confidential or missing) cell; ``engine`` says where it runs: ``ibis`` (the
    pure expressions of :mod:`clustermap.indicators.suppression`, any backend) or ``python`` (solved in Python per
    country and year, :mod:`clustermap.imputation`)."""

    name: str
    help: str
    engine: Literal["ibis", "python"]


#: the one registry of suppression policies
SUPPRESSION: dict[str, SuppressionPolicy] = {
    p.name: p
    for p in (
        SuppressionPolicy("drop", "leave the cell out (never read as zero)", "ibis"),
        SuppressionPolicy(
            "parent-residual",
            "ECO 2008: the nearest parent's published value minus its published children, split equally over the "
            "suppressed children",
            "ibis",
        ),
        SuppressionPolicy("size-class", "CBP: a value inside the withheld cell's employment size class", "ibis"),
        SuppressionPolicy(
            "two-way",
            "values closest to a regional-size x national-structure prior that meet every published total",
            "python",
        ),
    )
}
#: the policy of the main job and of the EU results the analyses read, unless parameters name another:
#: confidential cells are never zero
DEFAULT_SUPPRESSION = "two-way"
#: the policies that run as ibis expressions on any backend (``jobs.suppression_report`` runs each in SQL)
SUPPRESSION_POLICIES: tuple[str, ...] = tuple(n for n, p in SUPPRESSION.items() if p.engine == "ibis")
#: every policy a methodology may name
ALL_SUPPRESSION_POLICIES: tuple[str, ...] = tuple(SUPPRESSION)

TOTAL_BASES: tuple[str, ...] = ("input", "traded", "external")
SIZE_CLASS_VALUES: tuple[str, ...] = ("midpoint", "low", "high", "cmp")
FOCUS_SCOPES: tuple[str, ...] = ("all", "category")
STAR_RULES: tuple[str, ...] = ("top_share", "ratio")

# ------------------------------------------------------------------------------------------------ parameters


@dataclass(frozen=True)
class Param:
    """One methodology parameter: its type, unit, bounds (``low``/``high``, inclusive unless ``*_open``) or
    allowed values (``choices``), default and meaning."""

    name: str
    type: type
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()

    def bounds(self) -> str:
        """The allowed values as text: ``(0, 1]``, ``>= 0``, ``all, category`` …"""
        if self.choices:
            return ", ".join(self.choices)
        if self.low is not None and self.high is not None:
            return f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}{')' if self.high_open else ']'}"
        if self.low is not None:
            return f"{'>' if self.low_open else '>='} {self.low:g}"
        if self.high is not None:
            return f"{'<' if self.high_open else '<='} {self.high:g}"
        return "any"

    def parse(self, value: Any) -> Any:
        """``value`` (a Python value, or text from the command line) as this parameter's type, checked; a
        :class:`~clustermap.errors.ParameterError` naming the parameter otherwise."""
        try:
            v = self._coerce(value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"parameter {self.name}: {value!r} is not a {self.type.__name__} (allowed: {self.bounds()})"
            ) from None
        if self.choices and v not in self.choices:
            raise ParameterError(f"parameter {self.name}: {value!r} is not one of {', '.join(self.choices)}")
        if isinstance(v, float | int) and not isinstance(v, bool):
            if isinstance(v, float) and not math.isfinite(v):
                raise ParameterError(f"parameter {self.name}: {value!r} is not a finite number")
            too_low = self.low is not None and (v <= self.low if self.low_open else v < self.low)
            too_high = self.high is not None and (v >= self.high if self.high_open else v > self.high)
            if too_low or too_high:
                raise ParameterError(f"parameter {self.name}: {value!r} is out of range {self.bounds()}")
        return v

    def _coerce(self, value: Any) -> Any:
        if self.type is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return True
            if text in ("false", "0", "no"):
                return False
            raise ValueError(value)
        if self.type is int:
            if isinstance(value, bool):
                raise TypeError(value)
            f = float(value)
            if not f.is_integer():
                raise ValueError(value)
            return int(f)
        if self.type is float:
            if isinstance(value, bool):
                raise TypeError(value)
            return float(value)
        if not isinstance(value, str):
            raise TypeError(value)
        return value


_SHARE = {"type": float, "unit": "share of regions", "low": 0.0, "high": 1.0, "low_open": True}
_PCTL = {"type": float, "unit": "quantile", "low": 0.0, "high": 1.0}

#: every parameter of every methodology, declared once
PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param(
            "size_share",
            default=0.10,
            help="share of the regions that get a size star in each category (0.10 = top 10 %)",
            **_SHARE,
        ),
        Param(
            "focus_share",
            default=0.10,
            help="share that gets a focus star: of the regions of the category "
            "(focus_scope = category) or of all region x category cells (all)",
            **_SHARE,
        ),
        Param(
            "focus_scope",
            str,
            "all",
            "where the focus share E[r,c]/T[r] is ranked: among all region x category cells of the year (all; "
            "rank <= focus_share x regions x categories) or among the regions of the category (category; ranks as "
            "the LQ does)",
            choices=FOCUS_SCOPES,
        ),
        Param(
            "lq_threshold",
            float,
            2.0,
            "location quotient at or above which a cell gets a specialisation star",
            unit="ratio",
            low=0.0,
        ),
        Param(
            "min_employment", float, 1000.0, "cells with fewer employees get no star at all", unit="persons", low=0.0
        ),
        Param(
            "strong_lq",
            float,
            2.0,
            "location quotient above which (strictly) a cell is a strong cluster",
            unit="ratio",
            low=0.0,
        ),
        Param(
            "total_base",
            str,
            "input",
            "denominator T[r] of the LQ: input (all mapped industries), traded, or external totals",
            choices=TOTAL_BASES,
        ),
        Param(
            "suppression",
            str,
            "drop",
            "how suppressed cells are treated: " + ", ".join(SUPPRESSION),
            choices=ALL_SUPPRESSION_POLICIES,
        ),
        Param(
            "size_class_value",
            str,
            "midpoint",
            "value for a CBP withheld cell under size-class: midpoint, low, high or cmp",
            choices=SIZE_CLASS_VALUES,
        ),
        Param(
            "lq_percentile",
            default=0.75,
            help="US rule: LQ must be at or above this percentile of the cluster's LQs",
            **_PCTL,
        ),
        Param("strict_lq_percentile", default=0.90, help="US rule, strict flag: LQ percentile", **_PCTL),
        Param("min_lq", float, 1.0, "US rule: LQ must also be at least this", unit="ratio", low=0.0),
        Param("employment_percentile", default=0.25, help="US rule: employment must exceed this percentile", **_PCTL),
        Param(
            "establishments_percentile",
            default=0.25,
            help="US rule: establishments must exceed this percentile",
            **_PCTL,
        ),
        Param(
            "productivity_rule",
            str,
            "top_share",
            "productivity star: relative wages per person in the top "
            "productivity_share of the regions of the category (top_share) or >= productivity_ratio (ratio)",
            choices=STAR_RULES,
        ),
        Param(
            "productivity_share",
            default=0.10,
            help="productivity star under top_share: share of the regions of the category",
            **_SHARE,
        ),
        Param(
            "productivity_ratio",
            float,
            1.2,
            "productivity star under ratio: wages per person of the cell "
            "over the category's wages per person at least this",
            unit="ratio",
            low=0.0,
            low_open=True,
        ),
        Param(
            "dynamism_window",
            int,
            3,
            "dynamism: employment growth is measured over this many years (cell in year t against year t - window)",
            unit="years",
            low=1,
            high=20,
        ),
        Param(
            "dynamism_rule",
            str,
            "top_share",
            "dynamism star: relative growth in the top dynamism_share of "
            "the regions of the category (top_share) or >= dynamism_ratio (ratio)",
            choices=STAR_RULES,
        ),
        Param(
            "dynamism_share",
            default=0.10,
            help="dynamism star under top_share: share of the regions of the category",
            **_SHARE,
        ),
        Param(
            "dynamism_ratio",
            float,
            1.1,
            "dynamism star under ratio: the cell's growth factor over the category's growth factor at least this",
            unit="ratio",
            low=0.0,
            low_open=True,
        ),
    )
}

_COMMON = ("strong_lq", "total_base", "suppression", "size_class_value")
_STARS = ("size_share", "focus_share", "focus_scope", "lq_threshold", "min_employment", *_COMMON)
#: the parameters of each methodology family (kind)
FAMILIES: dict[str, tuple[str, ...]] = {
    "stars": _STARS,
    "panorama": (
        *_STARS,
        "productivity_rule",
        "productivity_share",
        "productivity_ratio",
        "dynamism_window",
        "dynamism_rule",
        "dynamism_share",
        "dynamism_ratio",
    ),
    "strong": (
        "lq_percentile",
        "strict_lq_percentile",
        "min_lq",
        "employment_percentile",
        "establishments_percentile",
        *_COMMON,
    ),
}
KINDS: tuple[str, ...] = tuple(FAMILIES)

#: what each parameter means (name -> help), read from :data:`PARAMS`
PARAMETERS: dict[str, str] = {name: p.help for name, p in PARAMS.items()}


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """``["KEY=VALUE", …]`` (the CLI's repeatable ``--param``) as a dict of texts; values are parsed later by the
    methodology's declaration."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param {item!r}: expected KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True)
class Methodology:
    """A named, versioned set of rules and thresholds; see ``clustermap/methodologies/*.toml``.

    ``parameters`` holds every parameter of the family (:data:`FAMILIES`), parsed and checked against
    :data:`PARAMS`; parameters a file leaves out take the declared default.
    """

    name: str
    version: str
    kind: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)
    reference: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", _checked(self.name, self.kind, self.parameters))

    def __getitem__(self, key: str) -> Any:
        return self.parameters[key]

    @property
    def id(self) -> str:
        """Stable identifier ``name@version``."""
        return f"{self.name}@{self.version}"

    def declaration(self) -> list[Param]:
        """The declared parameters of this methodology's family, in order."""
        return [PARAMS[k] for k in FAMILIES[self.kind]]

    def with_params(self, **overrides: Any) -> Methodology:
        """A copy with the given parameters replaced (``None`` values are ignored; text is parsed by the
        declared type); an unknown key, a wrong type, NaN or a value out of bounds raises
        :class:`~clustermap.errors.ParameterError` naming the key."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = sorted(set(given) - set(self.parameters))
        if unknown:
            raise ParameterError(
                f"{self.name} has no parameter(s) {', '.join(unknown)}; it has {', '.join(self.parameters)}"
            )
        return replace(self, parameters={**self.parameters, **given})

    def as_dict(self) -> dict[str, Any]:
        """Name, version, kind and every parameter value (what a result records)."""
        return {
            "name": self.name,
            "version": self.version,
            "kind": self.kind,
            "parameters": dict(self.parameters),
        }

    def describe_parameters(self) -> list[dict[str, Any]]:
        """One record per parameter: ``name, value, default, type, unit, bounds, help`` (CLI, REST, docs)."""
        return [
            {
                "name": p.name,
                "value": self.parameters[p.name],
                "default": p.default,
                "type": p.type.__name__,
                "unit": p.unit,
                "bounds": p.bounds(),
                "help": p.help,
            }
            for p in self.declaration()
        ]


def _checked(name: str, kind: str, given: dict[str, Any]) -> dict[str, Any]:
    if kind not in FAMILIES:
        raise ParameterError(f"methodology {name}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    allowed = FAMILIES[kind]
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ParameterError(
            f"methodology {name}: unknown parameter(s) {', '.join(unknown)}; a {kind} methodology has "
            + ", ".join(allowed)
        )
    return {k: PARAMS[k].parse(given[k]) if k in given else PARAMS[k].default for k in allowed}


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
    """A shipped methodology by name (``eco2007``, ``eco2008``, ``uscmp`` …) or one read from a TOML file."""
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


def parameter_table_markdown() -> str:
    """The README's parameter table, generated from :data:`PARAMS` and :data:`FAMILIES` (a test keeps the two
    equal)."""
    lines = ["| parameter | kinds | type | unit | allowed | meaning |", "|---|---|---|---|---|---|"]
    for p in PARAMS.values():
        kinds = ", ".join(k for k, names in FAMILIES.items() if p.name in names)
        lines.append(f"| `{p.name}` | {kinds} | {p.type.__name__} | {p.unit} | {p.bounds()} | {p.help} |")
    return "\n".join(lines)
