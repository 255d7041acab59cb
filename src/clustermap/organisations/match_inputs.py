"""What matchmaking reads besides the registry: the mapping results of a warehouse run (:class:`MappingData`,
reloaded by :class:`MappingSource` when the file changes), category relatedness (:class:`Relatedness`:
co-location from the mapping and the US Cluster Mapping's related clusters) and region label points
(:class:`Centroids`), and the strength of a regional cluster (:func:`strength`). The ranking itself is
:mod:`clustermap.organisations.matchmaking`.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.organisations.fields import registry_categories

__all__ = ["MIN_RELATEDNESS", "Centroids", "MappingData", "MappingSource", "Relatedness", "strength"]

log = logging.getLogger(__name__)

#: relatedness below this counts as unrelated
MIN_RELATEDNESS = 0.2


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
