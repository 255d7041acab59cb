"""Partner matchmaking for SMEs and cluster managers, on the registry and on the mapping results.

Given a :class:`~.schemas.Profile` (region, industries as categories or NACE codes, what it offers and needs),
three lists are ranked: partner **organisations** (cluster organisations and initiatives), **members** (SMEs,
research institutions …) and **regions** (from the mapping results). Every match is explained in words and
numbers.

Score
-----
Four components, each between 0 and 1; the score is their weighted mean over the components that the *profile*
makes available (no categories given → no industry component; no region or no centroids → no distance …), so
that every candidate of a list is scored on the same components:

=================  =====  ==========================================================================================
component          weight  value
=================  =====  ==========================================================================================
``industry``       0.30   relatedness of the candidate's categories to the profile's: 1 for the same category,
                          else the strongest relatedness (below), 0 when unrelated
``cluster``        0.25   strength of the candidate's regional cluster in that category in the latest mapping year:
                          ``0.75 × stars / 3 + 0.25 × min(LQ / 4, 1)`` (US rule: ``(strong + strong_strict) / 2``
                          in place of ``stars / 3``); the pair (region, category) that maximises
                          ``industry × cluster`` is the one reported; 0 when no category is related
``complementary``  0.30   mean of: the share of the profile's needs the candidate offers, and the share of the
                          profile's offers the candidate needs (organisations: services and what they seek)
``proximity``      0.15   ``1 / (1 + d / 500 km)``, d = great-circle distance between the regions' label points
=================  =====  ==========================================================================================

Relatedness of two categories is the largest of the sources available: **co-location** computed from the mapping
results (Spearman correlation, across regions, of the categories' location quotients, negative values as 0), and
the **US Cluster Mapping** relatedness (``load_cluster_relatedness``: related pairs count their percentile / 100)
— directly when the mapping used the ``uscmp`` categories, or carried onto ``eco-nace2`` categories through the
NAICS → NACE concordance (a weighted mean over the clusters' industries). Pairs below 0.2 count as unrelated.

Regions are ranked on ``industry``, ``cluster`` and ``proximity``. With ``max_distance_km``, candidates further
away (or whose distance is unknown) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clustermap.organisations import vocabulary as voc
from clustermap.organisations.fields import region_name, registry_categories
from clustermap.organisations.match_inputs import Centroids, MappingData, Relatedness, strength
from clustermap.organisations.models import Member, Organisation
from clustermap.organisations.schemas import Profile

__all__ = ["WEIGHTS", "match"]


WEIGHTS = {"industry": 0.30, "cluster": 0.25, "complementary": 0.30, "proximity": 0.15}
#: distance at which proximity is one half
HALF_DISTANCE_KM = 500.0


# -------------------------------------------------------------------------------------------- matching


def _cat_name(slug: str) -> str:
    return registry_categories().get(slug, slug.replace("-", " "))


def _region_label(code: str | None) -> str:
    if not code:
        return "?"
    name = region_name(code)
    return f"{code} {name}" if name else code


def _cell_text(region: str, category: str, cell: Mapping[str, Any], year: int | None) -> tuple[str, dict[str, Any]]:
    numbers: dict[str, Any] = {"region": region, "category": category, "year": year}
    bits = []
    if "stars" in cell and cell.get("stars") is not None and pd.notna(cell.get("stars")):
        numbers["stars"] = int(cell["stars"])
        bits.append(f"{int(cell['stars'])} star{'s' if int(cell['stars']) != 1 else ''}")
    if cell.get("strong") is not None and pd.notna(cell.get("strong")):
        numbers["strong"] = bool(cell["strong"])
    lq = cell.get("lq")
    if lq is not None and pd.notna(lq):
        numbers["lq"] = round(float(lq), 2)
        bits.append(f"LQ {float(lq):.2f}")
    emp = cell.get("employment")
    if emp is not None and pd.notna(emp):
        numbers["employment"] = round(float(emp))
        bits.append(f"{float(emp):,.0f} employed")
    strong = " (a strong cluster)" if numbers.get("strong") else ""
    noun = " cluster" if numbers.get("stars", 0) or numbers.get("strong") else ""
    text = f"{_region_label(region)}: {_cat_name(category)}{noun}{strong} — {', '.join(bits)} in {year}"
    return text, numbers


@dataclass
class _Candidate:
    kind: str
    id: int | None
    slug: str | None
    name: str
    regions: list[str]
    categories: list[str]
    offers: list[str]
    needs: list[str]


def _industry_and_cluster(
    profile: Profile, cand: _Candidate, data: MappingData | None
) -> tuple[float | None, float | None, list[dict[str, Any]]]:
    reasons: list[dict[str, Any]] = []
    want = profile.categories
    has_map = data is not None and not data.cells.empty
    relatedness = data.relatedness if data is not None else Relatedness()
    best: tuple[float, float, float, str | None, str | None, str | None, str | None] | None = None
    for d in cand.categories:
        if want:
            rel, src, via = 0.0, None, None
            for c in want:
                r, s = relatedness.between(c, d)
                if r > rel:
                    rel, src, via = r, s, c
        else:
            rel, src, via = 1.0, None, None
        regions = cand.regions or [None]
        for region in regions:
            cell = data.cell(region, d) if has_map and region else None
            st = strength(cell)
            key = rel * st if has_map else rel
            if best is None or key > best[0] or (key == best[0] and rel > best[1]):
                best = (key, rel, st, d, via, src, region)
    if best is None:
        industry = 0.0 if want else None
        cluster = 0.0 if has_map else None
        if want:
            reasons.append({"kind": "industry", "text": "no category in common or related", "numbers": {}})
        return industry, cluster, reasons
    _, rel, st, d, via, src, region = best
    industry = rel if want else None
    if want:
        if src == "same":
            reasons.append(
                {"kind": "industry", "text": f"same category: {_cat_name(d)}", "numbers": {"relatedness": 1.0}}
            )
        elif rel > 0:
            desc = relatedness.descriptions.get(src or "", src or "")
            reasons.append(
                {
                    "kind": "industry",
                    "text": f"{_cat_name(d)} is related to your {_cat_name(via)} (relatedness {rel:.2f}, {desc})",
                    "numbers": {"relatedness": round(rel, 4), "source": src, "category": d, "your_category": via},
                }
            )
        else:
            reasons.append({"kind": "industry", "text": "no category in common or related", "numbers": {}})
    cluster = st if has_map else None
    if has_map and want and rel == 0:
        # a strong cluster in an unrelated category is no reason to partner
        cluster = 0.0
        reasons.append(
            {"kind": "cluster", "text": "no cluster in your categories or related ones", "numbers": {"strength": 0.0}}
        )
    elif has_map:
        cell = data.cell(region, d) if region else None
        if cell and st > 0:
            text, numbers = _cell_text(str(cell["region"]), d, cell, data.year)
            numbers["strength"] = st
            reasons.append({"kind": "cluster", "text": text + f" (cluster strength {st:.2f})", "numbers": numbers})
        else:
            reasons.append(
                {
                    "kind": "cluster",
                    "text": f"no starred or strong {_cat_name(d)} cluster in {_region_label(region)} in {data.year}",
                    "numbers": {"strength": 0.0},
                }
            )
    return industry, cluster, reasons


def _complementary(profile: Profile, cand: _Candidate) -> tuple[float | None, list[dict[str, Any]]]:
    """Complementarity in [0, 1]: the mean of the shares of your needs the candidate offers and of your offers
    it needs (None when you state neither), with one reason per side that matches."""
    parts: list[float] = []
    reasons = []
    sides = (
        (profile.needs, cand.offers, "offers {n} of the {total} things you need", ("needs_met", "needs")),
        (profile.offers, cand.needs, "needs {n} of the {total} things you offer", ("offers_wanted", "offers")),
    )
    for mine, theirs, sentence, (hit_key, total_key) in sides:
        if not mine:
            continue
        hits = [t for t in mine if t in theirs]
        parts.append(len(hits) / len(mine))
        if hits:
            labels = ", ".join(voc.label(voc.EXCHANGE_TAGS, t) for t in hits)
            reasons.append(
                {
                    "kind": "complementary",
                    "text": f"{sentence.format(n=len(hits), total=len(mine))}: {labels}",
                    "numbers": {hit_key: len(hits), total_key: len(mine)},
                }
            )
    if not parts:
        return None, []
    value = sum(parts) / len(parts)
    if value == 0:
        reasons.append({"kind": "complementary", "text": "no complementary offers or needs", "numbers": {}})
    return value, reasons


def _proximity(profile: Profile, cand: _Candidate, centroids: Centroids) -> tuple[float | None, float | None, list]:
    if not profile.region or not centroids.points or centroids.point(profile.region) is None:
        return None, None, []
    distances = [d for d in (centroids.distance_km(profile.region, r) for r in cand.regions) if d is not None]
    if not distances:
        return 0.0, None, [{"kind": "proximity", "text": "distance unknown", "numbers": {}}]
    d = min(distances)
    value = 1.0 / (1.0 + d / HALF_DISTANCE_KM)
    text = "in your region" if d < 1 else f"{d:,.0f} km from your region (between the regions' label points)"
    return value, d, [{"kind": "proximity", "text": text, "numbers": {"distance_km": round(d, 1)}}]


def _score(components: Mapping[str, float | None]) -> float:
    used = {k: v for k, v in components.items() if v is not None}
    if not used:
        return 0.0
    total = sum(WEIGHTS[k] for k in used)
    return round(sum(WEIGHTS[k] * v for k, v in used.items()) / total, 4)


def _rank(
    profile: Profile, candidates: Iterable[_Candidate], data: MappingData | None, centroids: Centroids
) -> list[dict[str, Any]]:
    out = []
    for cand in candidates:
        industry, cluster, reasons = _industry_and_cluster(profile, cand, data)
        comp, comp_reasons = (None, []) if cand.kind == "region" else _complementary(profile, cand)
        prox, distance, prox_reasons = _proximity(profile, cand, centroids)
        if profile.max_distance_km is not None and (distance is None or distance > profile.max_distance_km):
            continue
        components = {"industry": industry, "cluster": cluster, "complementary": comp, "proximity": prox}
        if cand.kind == "region":
            components.pop("complementary")
        score = _score(components)
        all_reasons = [*reasons, *comp_reasons, *prox_reasons]
        summary = ", ".join(f"{k} {v:.2f}×{WEIGHTS[k]:.2f}" for k, v in components.items() if v is not None)
        all_reasons.append({"kind": "score", "text": f"score {score:.2f} = weighted mean of {summary}", "numbers": {}})
        out.append(
            {
                "kind": cand.kind,
                "id": cand.id,
                "slug": cand.slug,
                "name": cand.name,
                "region": cand.regions[0] if cand.regions else None,
                "score": score,
                "components": {k: (round(v, 4) if v is not None else None) for k, v in components.items()},
                "reasons": all_reasons,
            }
        )
    out.sort(key=lambda m: (-m["score"], m["name"]))
    for i, m in enumerate(out[: profile.limit], start=1):
        m["rank"] = i
    return out[: profile.limit]


def match(
    session: Session, profile: Profile, data: MappingData | None = None, *, centroids: Centroids | None = None
) -> dict[str, Any]:
    """Rank partner organisations, members and regions for ``profile``.

    Parameters
    ----------
    session : Session
        Registry session (organisations and members are read from it).
    profile : Profile
        Region, categories (or NACE codes), offers, needs, ``limit`` per list, optional ``max_distance_km``;
        ``member_id`` (the profile's own member record) is left out of the members.
    data : MappingData, optional
        Mapping results, relatedness and centroids; without them the ranking uses categories, offers, needs and
        distance only, and says so.
    centroids : Centroids, optional
        Region points for distances (default: those of ``data``; none without data).

    Returns
    -------
    dict
        ``organisations``, ``members``, ``regions``: ranked lists of ``{rank, kind, id, slug, name, region,
        score, components, reasons: [{kind, text, numbers}]}``; ``method``: weights, year and sources used.
    """
    if centroids is None or (not centroids.points and data is not None):
        centroids = data.centroids if data is not None else (centroids or Centroids())
    orgs = [
        _Candidate(
            "organisation", o.id, o.slug, o.name, list(o.regions), list(o.categories), list(o.services), list(o.seeking)
        )
        for o in session.scalars(select(Organisation).order_by(Organisation.id))
    ]
    members = [
        _Candidate(
            "member",
            m.id,
            m.slug,
            m.name,
            [m.region] if m.region else [],
            list(m.categories),
            list(m.offers),
            list(m.needs),
        )
        for m in session.scalars(select(Member).order_by(Member.id))
        if m.id != profile.member_id
    ]
    regions: list[_Candidate] = []
    if data is not None and not data.cells.empty:
        regions = [
            _Candidate("region", None, None, _region_label(r), [r], data.categories_of(r), [], [])
            for r in data.regions()
        ]
    method = {
        "weights": WEIGHTS,
        "mapping": (
            {"source": data.source, "year": data.year, "relatedness": data.relatedness.descriptions}
            if data is not None and not data.cells.empty
            else None
        ),
        "distance": centroids.source or None,
        "note": (
            "no mapping results: ranked on categories, offers, needs and distance only"
            if data is None or data.cells.empty
            else "see the components of each match; weights are renormalised over the components available"
        ),
    }
    return {
        "profile": profile.model_dump(mode="json"),
        "method": method,
        "organisations": _rank(profile, orgs, data, centroids),
        "members": _rank(profile, members, data, centroids),
        "regions": _rank(profile, regions, data, centroids),
    }
