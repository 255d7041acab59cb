"""Cluster-management excellence self-assessment: 31 indicators in 6 areas, thresholds, levels, benchmarking.

The questionnaire and the scoring rules are data (``organisations/data/excellence_indicators.toml``); this module
reads them, scores a set of answers and compares an organisation with its peers.

Scoring rules (documented in the data file, tested by hand in ``tests/registry/test_assessment.py``):

* an indicator is **met** when its answer satisfies ``answer <operator> threshold`` (``>=``, ``<=``, ``==``;
  for yes/no indicators the threshold is *yes*); an unanswered indicator is not met;
* **levels** are checked from the top (gold, silver, bronze); a level is awarded when, for it and for every
  level below it: at least ``ceil(min_share × 31)`` indicators are met, in every area at least
  ``ceil(min_area_share × indicators of the area)`` are met, and its ``required`` indicators are met. With the
  shipped rules: gold = ≥ 25 of 31 (80 %) and half of every area; silver = ≥ 19 (60 %) and a quarter of every
  area; bronze = ≥ 13 (40 %) with a dedicated cluster manager (G1) and a written strategy (G3).
* **benchmark**: the latest assessment of every other organisation with the same questionnaire version forms
  the peer group (optionally only those sharing a country or a category); per area the peers' median share met
  and the organisation's percentile rank (share of peers at or below it). Shown only with at least
  :data:`MIN_PEERS` peers, so that no single peer can be read off.

A result is a self-assessment, not the official label: every result carries the disclaimer of the data file.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clustermap.errors import InputError
from clustermap.organisations.errors import RegistryValidationError
from clustermap.organisations.models import Assessment, Organisation

__all__ = [
    "MIN_PEERS",
    "Indicator",
    "Questionnaire",
    "benchmark",
    "load_questionnaire",
    "score",
]

#: fewest peers a benchmark is shown for
MIN_PEERS = 3
_OPERATORS = {">=": lambda a, t: a >= t, "<=": lambda a, t: a <= t, "==": lambda a, t: a == t}


@dataclass(frozen=True)
class Indicator:
    """One question with its threshold: ``type`` is ``number``, ``percent`` or ``boolean``."""

    id: str
    area: str
    question: str
    type: str
    operator: str
    threshold: float | bool
    unit: str = ""
    basis: str = ""

    def met(self, answer: Any) -> bool:
        """Whether ``answer`` reaches the threshold (``None`` → not met)."""
        if answer is None:
            return False
        if self.type == "boolean":
            return bool(answer) is bool(self.threshold)
        if isinstance(answer, bool):
            return False
        return bool(_OPERATORS[self.operator](float(answer), float(self.threshold)))

    def threshold_text(self) -> str:
        """The threshold in words: ``≥ 30 members``, ``yes``."""
        if self.type == "boolean":
            return "yes" if self.threshold else "no"
        sign = {">=": "≥", "<=": "≤", "==": "="}[self.operator]
        value = self.threshold
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"
        return f"{sign} {number} {self.unit}".strip()


@dataclass(frozen=True)
class Questionnaire:
    """The indicators, areas and level rules of one version of the questionnaire."""

    version: str
    title: str
    disclaimer: str
    areas: list[dict[str, Any]]
    levels: list[dict[str, Any]]
    indicators: list[Indicator]

    def by_id(self) -> dict[str, Indicator]:
        """Indicator id → indicator."""
        return {i.id: i for i in self.indicators}

    def as_dict(self) -> dict[str, Any]:
        """The questionnaire as JSON-ready data (for the API and the form)."""
        return {
            "version": self.version,
            "title": self.title,
            "disclaimer": self.disclaimer,
            "areas": self.areas,
            "levels": self.levels,
            "indicators": [{**i.__dict__, "threshold_text": i.threshold_text()} for i in self.indicators],
        }


def _read(path: Path | Any) -> Questionnaire:
    data = tomllib.loads(path.read_text("utf-8"))
    areas = data["areas"]
    area_ids = {a["id"] for a in areas}
    indicators = []
    seen = set()
    for row in data["indicators"]:
        ind = Indicator(
            id=row["id"],
            area=row["area"],
            question=row["question"],
            type=row["type"],
            operator=row["operator"],
            threshold=row["threshold"],
            unit=row.get("unit", ""),
            basis=row.get("basis", ""),
        )
        if (
            ind.area not in area_ids
            or ind.operator not in _OPERATORS
            or ind.type not in {"number", "percent", "boolean"}
        ):
            raise InputError(f"indicator {ind.id}: unknown area, operator or type", file=str(path))
        if ind.id in seen:
            raise InputError(f"indicator {ind.id} appears twice", file=str(path))
        seen.add(ind.id)
        indicators.append(ind)
    return Questionnaire(
        version=data["version"],
        title=data["title"],
        disclaimer=data["disclaimer"],
        areas=areas,
        levels=data["levels"],
        indicators=indicators,
    )


@lru_cache(maxsize=4)
def load_questionnaire(path: str | None = None) -> Questionnaire:
    """The questionnaire: the shipped ``excellence_indicators.toml`` or the TOML file at ``path``."""
    source = Path(path) if path else resources.files("clustermap.organisations") / "data" / "excellence_indicators.toml"
    return _read(source)


def _check_answers(q: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    known = q.by_id()
    clean: dict[str, Any] = {}
    for key, value in answers.items():
        ind = known.get(key)
        if ind is None:
            raise RegistryValidationError(f"unknown indicator {key!r}", field=f"answers.{key}", value=key)
        if value is None:
            clean[key] = None
        elif ind.type == "boolean":
            if not isinstance(value, bool):
                raise RegistryValidationError(f"{key} is a yes/no question", field=f"answers.{key}", value=value)
            clean[key] = value
        else:
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise RegistryValidationError(f"{key} needs a number", field=f"answers.{key}", value=value)
            if value < 0 or (ind.type == "percent" and value > 100):
                limit = "between 0 and 100" if ind.type == "percent" else "0 or more"
                raise RegistryValidationError(f"{key} must be {limit}", field=f"answers.{key}", value=value)
            clean[key] = value
    return clean


def score(answers: dict[str, Any], questionnaire: Questionnaire | None = None) -> dict[str, Any]:
    """Score a set of answers.

    Parameters
    ----------
    answers : dict
        Indicator id → answer (number, percent 0–100, or ``True``/``False``); missing ids are unanswered.
    questionnaire : Questionnaire, optional
        Default: the shipped one.

    Returns
    -------
    dict
        ``met`` and ``total`` (indicators), ``share``; ``level`` (``gold`` / ``silver`` / ``bronze`` / ``None``)
        and ``level_label``; ``areas`` (area → met, total, share); ``indicators`` (each with the answer, the
        threshold and whether it is met); ``unanswered``; ``levels`` (each level's conditions and whether they
        hold); ``disclaimer``.

    Raises
    ------
    RegistryValidationError
        an unknown indicator id, or an answer of the wrong kind or out of range.

    Examples
    --------
    >>> result = score({"G1": True, "G3": True, "S1": 40})
    >>> result["met"], result["level"]
    (3, None)
    """
    q = questionnaire or load_questionnaire()
    answers = _check_answers(q, answers)
    rows = []
    met_ids = set()
    for ind in q.indicators:
        answer = answers.get(ind.id)
        ok = ind.met(answer)
        if ok:
            met_ids.add(ind.id)
        rows.append(
            {
                "id": ind.id,
                "area": ind.area,
                "question": ind.question,
                "answer": answer,
                "threshold": ind.threshold,
                "threshold_text": ind.threshold_text(),
                "met": ok,
            }
        )
    total = len(q.indicators)
    areas: dict[str, dict[str, Any]] = {}
    for area in q.areas:
        ids = [i.id for i in q.indicators if i.area == area["id"]]
        met = sum(1 for i in ids if i in met_ids)
        areas[area["id"]] = {"name": area["name"], "met": met, "total": len(ids), "share": met / len(ids) if ids else 0}
    checks = []
    for rule in q.levels:
        need_total = math.ceil(rule["min_share"] * total - 1e-9)
        conditions = [{"text": f"at least {need_total} of {total} indicators met", "ok": len(met_ids) >= need_total}]
        for a in areas.values():
            need = math.ceil(rule["min_area_share"] * a["total"] - 1e-9)
            if need > 0:
                conditions.append(
                    {"text": f"at least {need} of {a['total']} met in {a['name']}", "ok": a["met"] >= need}
                )
        for ind_id in rule.get("required", []):
            conditions.append({"text": f"indicator {ind_id} met", "ok": ind_id in met_ids})
        checks.append(
            {
                "name": rule["name"],
                "label": rule["label"],
                "own": all(c["ok"] for c in conditions),
                "conditions": conditions,
                "description": rule.get("description", ""),
            }
        )
    level = None
    level_label = None
    # a level holds when it and every level below it hold (levels are listed from the top)
    for i, check in enumerate(checks):
        check["awarded"] = all(c["own"] for c in checks[i:])
        if check["awarded"] and level is None:
            level, level_label = check["name"], check["label"]
    return {
        "questionnaire_version": q.version,
        "met": len(met_ids),
        "total": total,
        "share": len(met_ids) / total,
        "level": level,
        "level_label": level_label,
        "areas": areas,
        "indicators": rows,
        "unanswered": [i.id for i in q.indicators if answers.get(i.id) is None],
        "levels": checks,
        "disclaimer": q.disclaimer,
    }


def _percentile_rank(value: float, peers: list[float]) -> float:
    return 100.0 * sum(1 for p in peers if p <= value) / len(peers)


def benchmark(session: Session, assessment: Assessment, *, peer_group: str = "all") -> dict[str, Any]:
    """Compare an assessment with the latest assessment of every other organisation.

    Parameters
    ----------
    session : Session
    assessment : Assessment
    peer_group : {"all", "country", "category"}
        All organisations, or only those sharing a country, or a category, with the assessed one.

    Returns
    -------
    dict
        ``peers`` (how many), ``peer_group``, and — with at least :data:`MIN_PEERS` peers — ``areas``: area →
        ``own`` share, peers' ``median`` share and the ``percentile`` rank (0–100) of the organisation, plus
        the same for the total (``overall``). With fewer peers, ``note`` says why there is no comparison.
    """
    org = session.get(Organisation, assessment.organisation_id)
    latest: dict[int, Assessment] = {}
    rows = session.scalars(
        select(Assessment)
        .where(Assessment.indicators_version == assessment.indicators_version)
        .where(Assessment.organisation_id != assessment.organisation_id)
        .order_by(Assessment.created_at, Assessment.id)
    )
    for row in rows:
        latest[row.organisation_id] = row
    if peer_group != "all" and org is not None and latest:
        orgs = {o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(list(latest))))}
        key = "countries" if peer_group == "country" else "categories"
        mine = set(getattr(org, key) or [])
        latest = {oid: a for oid, a in latest.items() if oid in orgs and mine & set(getattr(orgs[oid], key) or [])}
    peers = list(latest.values())
    out: dict[str, Any] = {"peers": len(peers), "peer_group": peer_group}
    if len(peers) < MIN_PEERS:
        out["note"] = f"a comparison needs at least {MIN_PEERS} peers; there are {len(peers)}"
        return out
    areas = {}
    for area_id, own in assessment.result["areas"].items():
        values = [p.result["areas"][area_id]["share"] for p in peers if area_id in p.result.get("areas", {})]
        areas[area_id] = {
            "name": own["name"],
            "own": own["share"],
            "median": median(values),
            "percentile": _percentile_rank(own["share"], values),
        }
    shares = [p.result["share"] for p in peers]
    out["areas"] = areas
    out["overall"] = {
        "own": assessment.result["share"],
        "median": median(shares),
        "percentile": _percentile_rank(assessment.result["share"], shares),
    }
    return out


def record(
    session: Session, organisation: Organisation, answers: dict[str, Any], *, user_id: int | None, is_public: bool
) -> Assessment:
    """Score ``answers`` and store the assessment in the organisation's history."""
    q = load_questionnaire()
    result = score(answers, q)
    row = Assessment(
        organisation_id=organisation.id,
        created_by=user_id,
        indicators_version=q.version,
        answers=_check_answers(q, answers),
        met=result["met"],
        level=result["level"],
        result=result,
        is_public=is_public,
    )
    session.add(row)
    session.flush()
    return row
