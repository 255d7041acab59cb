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

import json
import logging
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from clustermap.organisations import vocabulary as voc
from clustermap.organisations.models import Member, Organisation
from clustermap.organisations.schemas import Profile, region_name, registry_categories

__all__ = [
    "WEIGHTS",
    "Centroids",
    "MappingData",
    "Relatedness",
    "match",
]

log = logging.getLogger(__name__)

WEIGHTS = {"industry": 0.30, "cluster": 0.25, "complementary": 0.30, "proximity": 0.15}
#: relatedness below this counts as unrelated
MIN_RELATEDNESS = 0.2
#: distance at which proximity is one half
HALF_DISTANCE_KM = 500.0


# -------------------------------------------------------------------------------------------- relatedness


@dataclass
class Relatedness:
    """Relatedness of pairs of categories, from one or more named sources (values 0–1, symmetric)."""

    sources: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def between(self, a: str, b: str) -> tuple[float, str | None]:
        """Relatedness of ``a`` and ``b`` and the source that gives it (1 and ``"same"`` when equal)."""
        if a == b:
            return 1.0, "same"
        best, source = 0.0, None
        for name, pairs in self.sources.items():
            value = pairs.get((a, b), pairs.get((b, a), 0.0))
            if value > best:
                best, source = value, name
        if best < MIN_RELATEDNESS:
            return 0.0, None
        return best, source

    def add(self, name: str, pairs: Mapping[tuple[str, str], float], description: str) -> None:
        """Add a named source of relatedness (pairs → weight in 0–1; zeros dropped)."""
        self.sources[name] = {k: float(v) for k, v in pairs.items() if v > 0}
        self.descriptions[name] = description

    @staticmethod
    def co_location(cells: pd.DataFrame, *, min_regions: int = 5) -> dict[tuple[str, str], float]:
        """Spearman correlation across regions of the categories' LQs (one year), negative values dropped."""
        if cells.empty or "lq" not in cells:
            return {}
        table = cells.pivot_table(index="region", columns="category", values="lq", aggfunc="mean").fillna(0.0)
        if len(table) < min_regions:
            return {}
        corr = table.corr(method="spearman")
        out = {}
        for a in corr.index:
            for b in corr.columns:
                value = corr.at[a, b]
                if a != b and pd.notna(value) and value > 0:
                    out[(str(a), str(b))] = round(float(value), 4)
        return out

    @staticmethod
    def uscmp_pairs(mirror: Path | None = None) -> dict[tuple[str, str], float]:
        """US Cluster Mapping relatedness of pairs of CMP clusters (slugs): related pairs → percentile / 100."""
        from clustermap.definitions.relatedness import load_cluster_relatedness

        rel = load_cluster_relatedness(mirror, download=False)
        rel = rel[rel["related"]]
        return {
            (a, b): p / 100.0 for a, b, p in zip(rel["cluster_a"], rel["cluster_b"], rel["percentile"], strict=True)
        }

    @staticmethod
    def uscmp_on_eco(mirror: Path | None = None) -> dict[tuple[str, str], float]:
        """US Cluster Mapping relatedness carried onto ``eco-nace2`` categories.

        Each CMP cluster is spread over the eco categories by its NAICS industries (NAICS → NACE by the US
        Census concordance, :func:`clustermap.classifications.eu_us.naics_to_eco_codes`); the relatedness of two
        categories is the weighted mean of the relatedness of the clusters behind them (a cluster is fully
        related to itself).
        """
        from clustermap.classifications.eu_us import naics_to_eco_codes
        from clustermap.definitions.categories import load_category_set, load_uscmp

        pairs = Relatedness.uscmp_pairs(mirror)
        cmp = load_uscmp(mirror, download=False).crosswalk
        cmp = cmp[cmp["traded"]][["industry", "category"]].rename(columns={"industry": "naics", "category": "cluster"})
        eco_codes = naics_to_eco_codes(2012, mirror=mirror)
        eco = load_category_set("eco-nace2").crosswalk
        eco = eco[eco["traded"]][["industry", "category"]].rename(columns={"industry": "sbs_code"})
        links = cmp.merge(eco_codes[["naics", "sbs_code", "share"]], on="naics").merge(eco, on="sbs_code")
        sizes = cmp.groupby("cluster")["naics"].nunique()
        weights = (
            links.groupby(["cluster", "category"])["share"].sum()
            / sizes.reindex(links.groupby(["cluster", "category"]).size().index.get_level_values(0)).to_numpy()
        )
        w: dict[str, dict[str, float]] = {}
        for (cluster, category), value in weights.items():
            w.setdefault(category, {})[cluster] = float(value)
        out: dict[tuple[str, str], float] = {}
        cats = sorted(w)
        for i, c1 in enumerate(cats):
            for c2 in cats[i + 1 :]:
                num = den = 0.0
                for a, wa in w[c1].items():
                    for b, wb in w[c2].items():
                        r = 1.0 if a == b else pairs.get((a, b), 0.0)
                        num += wa * wb * r
                        den += wa * wb
                if den > 0 and num > 0:
                    out[(c1, c2)] = out[(c2, c1)] = round(num / den, 4)
        return out


# -------------------------------------------------------------------------------------------- geography


@dataclass
class Centroids:
    """Label points (lon, lat in degrees) of regions; distances between them in km."""

    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def from_gisco(cls, mirror: Path | None = None) -> Centroids:
        """The GISCO NUTS 2021 label points (``eu/nuts/geometry/NUTS_LB_2021_4326.geojson`` of the mirror);
        empty when the file is absent (distance is then left out of the scores)."""
        from clustermap.settings import get_settings

        root = mirror if mirror is not None else get_settings().mirror()
        path = Path(root) / "eu" / "nuts" / "geometry" / "NUTS_LB_2021_4326.geojson" if root else None
        if path is None or not path.is_file():
            return cls({}, "no label points (GISCO NUTS_LB_2021_4326.geojson not in the mirror)")
        data = json.loads(path.read_text("utf-8"))
        points = {}
        for feature in data.get("features", []):
            code = feature.get("properties", {}).get("NUTS_ID") or feature.get("id")
            coords = (feature.get("geometry") or {}).get("coordinates")
            if code and coords and len(coords) >= 2:
                points[str(code)] = (float(coords[0]), float(coords[1]))
        return cls(points, f"GISCO NUTS 2021 label points ({path.name})")

    def point(self, code: str | None) -> tuple[float, float] | None:
        """The point of ``code``; else its nearest ancestor's (code prefixes), else the mean of its nearest
        descendants' (the shortest codes below it)."""
        if not code:
            return None
        if code in self.points:
            return self.points[code]
        for length in range(len(code) - 1, 1, -1):
            if code[:length] in self.points:
                return self.points[code[:length]]
        below = [c for c in self.points if c.startswith(code)]
        depth = min((len(c) for c in below), default=0)
        children = [self.points[c] for c in below if len(c) == depth]
        if children:
            return (sum(p[0] for p in children) / len(children), sum(p[1] for p in children) / len(children))
        return None

    def distance_km(self, a: str | None, b: str | None) -> float | None:
        """Great-circle distance (haversine, R = 6371 km) between two regions' points; ``None`` if unknown."""
        pa, pb = self.point(a), self.point(b)
        if pa is None or pb is None:
            return None
        lon1, lat1, lon2, lat2 = map(math.radians, (*pa, *pb))
        h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


# -------------------------------------------------------------------------------------------- mapping results


@dataclass
class MappingData:
    """The mapping results matchmaking reads: one year's cells, the relatedness of categories, centroids."""

    cells: pd.DataFrame
    year: int | None
    source: str
    relatedness: Relatedness
    centroids: Centroids
    _index: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for row in self.cells.to_dict("records"):
            self._index[(str(row["region"]), str(row["category"]))] = row
        self._regions = sorted({r for r, _ in self._index})

    @classmethod
    def from_cells(
        cls,
        cells: pd.DataFrame,
        *,
        year: int | None = None,
        source: str = "given cells",
        relatedness: Relatedness | None = None,
        centroids: Centroids | None = None,
        uscmp: bool | None = None,
        mirror: Path | None = None,
    ) -> MappingData:
        """From mapping cells (``region, category, year, employment, lq`` and ``stars`` or ``strong``): the
        latest complete year (:func:`clustermap.years.latest_complete_year`: not SBS 2015, with 167 of 282 regions)
        or the given year; relatedness from co-location plus, when available, the US Cluster Mapping's."""
        from clustermap.years import latest_complete_year

        cells = cells.copy()
        if "year" in cells and len(cells):
            year = int(year if year is not None else latest_complete_year(cells[["region", "year"]]))
            cells = cells[cells["year"] == year]
        if relatedness is None:
            relatedness = Relatedness()
            relatedness.add(
                "co-location",
                Relatedness.co_location(cells),
                f"co-location: Spearman correlation of location quotients across the regions of {year}",
            )
            if uscmp is not False:
                _add_uscmp(relatedness, cells, mirror)
        return cls(cells.reset_index(drop=True), year, source, relatedness, centroids or Centroids())

    @classmethod
    def from_warehouse(cls, path: str | Path, run: str = "latest", *, mirror: Path | None = None) -> MappingData:
        """The cells of a stored mapping run (:class:`clustermap.warehouse.Warehouse`), with GISCO centroids."""
        record, cells = _read_run(Path(path), run)
        data = cls.from_cells(
            cells,
            source=f"warehouse {Path(path).name}, run {record['run_id']} ({record['methodology']}, "
            f"{record['categories']})",
            centroids=Centroids.from_gisco(mirror),
            mirror=mirror,
        )
        return data

    def regions(self) -> list[str]:
        """The regions of the mapping year."""
        return self._regions

    def cell(self, region: str, category: str) -> dict[str, Any] | None:
        """The cell of ``region`` × ``category``; a finer or coarser code falls back to the nearest one mapped
        (ancestor by code prefix, else the strongest child)."""
        if (region, category) in self._index:
            return self._index[(region, category)]
        for length in range(len(region) - 1, 1, -1):
            if (region[:length], category) in self._index:
                return self._index[(region[:length], category)]
        children = [
            self._index[(r, category)] for r in self._regions if r.startswith(region) and (r, category) in self._index
        ]
        return max(children, key=strength) if children else None

    def categories_of(self, region: str) -> list[str]:
        """The categories mapped in ``region``."""
        return [c for (r, c) in self._index if r == region]


def _read_run(path: Path, run: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """A stored run's record and cells, read through a read-only DuckDB connection (so that the web app may
    hold the warehouse open), falling back to :class:`clustermap.warehouse.Warehouse`."""
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        from clustermap.warehouse import Warehouse

        with Warehouse(path) as wh:
            return wh.run(run)
    try:
        if run == "latest":
            rows = con.execute("SELECT run_id, methodology, categories, kind FROM runs ORDER BY created DESC LIMIT 1")
        else:
            rows = con.execute("SELECT run_id, methodology, categories, kind FROM runs WHERE run_id = ?", [run])
        found = rows.fetchone()
        if found is None:
            raise LookupError(f"no run {run!r} in {path}")
        record = dict(zip(("run_id", "methodology", "categories", "kind"), found, strict=True))
        table = "results_stars" if record["kind"] == "stars" else "results_strong"
        cells = con.execute(
            f"SELECT * EXCLUDE (run_id) FROM {table} WHERE run_id = ? ORDER BY year, region, category",
            [record["run_id"]],
        ).df()
        return record, cells
    finally:
        con.close()


def _add_uscmp(relatedness: Relatedness, cells: pd.DataFrame, mirror: Path | None) -> None:
    from clustermap.errors import ClustermapError

    cats = set(cells["category"].astype(str)) if "category" in cells else set()
    try:
        pairs = Relatedness.uscmp_pairs(mirror)
    except (ClustermapError, OSError, ValueError, KeyError) as exc:
        log.info("no US Cluster Mapping relatedness: %s", exc)
        return
    eco = set(registry_categories())
    cmp_slugs = {a for a, _ in pairs}
    # some slugs exist in both sets (automotive, furniture …): decide by the larger overlap
    if len(cats & cmp_slugs) > len(cats & eco):
        relatedness.add("uscmp", pairs, "US Cluster Mapping related clusters (percentile of relatedness / 100)")
        return
    if cats & eco or not cats:
        try:
            on_eco = Relatedness.uscmp_on_eco(mirror)
        except (ClustermapError, OSError, ValueError, KeyError, ImportError) as exc:
            log.info("US Cluster Mapping relatedness not carried onto eco-nace2: %s", exc)
            return
        relatedness.add(
            "uscmp-on-eco",
            on_eco,
            "US Cluster Mapping relatedness carried onto eco-nace2 categories through the NAICS to NACE concordance",
        )


def strength(cell: Mapping[str, Any] | None) -> float:
    """Strength of a regional cluster, 0–1: ``0.75 × stars / 3 + 0.25 × min(LQ / 4, 1)`` (ECO stars) or
    ``0.75 × (strong + strong_strict) / 2 + 0.25 × min(LQ / 4, 1)`` (US rule)."""
    if not cell:
        return 0.0
    lq = cell.get("lq")
    lq_part = min(float(lq) / 4.0, 1.0) if lq is not None and pd.notna(lq) and lq > 0 else 0.0
    if "stars" in cell and cell.get("stars") is not None and pd.notna(cell.get("stars")):
        head = float(cell["stars"]) / 3.0
    else:
        head = (float(bool(cell.get("strong"))) + float(bool(cell.get("strong_strict")))) / 2.0
    return round(0.75 * head + 0.25 * lq_part, 4)


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
    parts: list[float] = []
    reasons = []
    if profile.needs:
        covered = [n for n in profile.needs if n in cand.offers]
        parts.append(len(covered) / len(profile.needs))
        if covered:
            labels = ", ".join(voc.label(voc.EXCHANGE_TAGS, t) for t in covered)
            reasons.append(
                {
                    "kind": "complementary",
                    "text": f"offers {len(covered)} of the {len(profile.needs)} things you need: {labels}",
                    "numbers": {"needs_met": len(covered), "needs": len(profile.needs)},
                }
            )
    if profile.offers:
        wanted = [o for o in profile.offers if o in cand.needs]
        parts.append(len(wanted) / len(profile.offers))
        if wanted:
            labels = ", ".join(voc.label(voc.EXCHANGE_TAGS, t) for t in wanted)
            reasons.append(
                {
                    "kind": "complementary",
                    "text": f"needs {len(wanted)} of the {len(profile.offers)} things you offer: {labels}",
                    "numbers": {"offers_wanted": len(wanted), "offers": len(profile.offers)},
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


class MappingSource:
    """Loads :class:`MappingData` lazily from a warehouse file and reloads it when the file changes."""

    def __init__(self, path: str | Path | None, *, mirror: Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.mirror = mirror
        self._lock = threading.Lock()
        self._stamp: float | None = None
        self._data: MappingData | None = None

    def get(self) -> MappingData | None:
        """The mapping data, or ``None`` when there is no warehouse or no run in it."""
        if self.path is None or not self.path.is_file():
            return None
        stamp = self.path.stat().st_mtime
        with self._lock:
            if self._stamp != stamp:
                try:
                    self._data = MappingData.from_warehouse(self.path, mirror=self.mirror)
                except Exception as exc:  # a missing run or a locked file must not break matchmaking
                    log.warning("matchmaking without mapping results (%s): %s", self.path, exc)
                    self._data = None
                self._stamp = stamp
            return self._data
