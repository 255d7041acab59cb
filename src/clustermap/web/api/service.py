"""What the web application reads: a snapshot of the warehouse, region names, geometry, cached responses.

The warehouse is opened only to read a snapshot (runs, their cells, the loads) and closed again, so that
``clustermap run`` can write to it while the site is up; a newer file is picked up on the next request after
:attr:`Observatory.recheck_seconds`. Everything a request needs afterwards is in memory, indexed by run, year,
category and region.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import ClustermapError
from clustermap.web.api.cache import ResponseCache

log = logging.getLogger(__name__)

__all__ = ["Observatory", "RunData", "Snapshot"]


def _json_field(value: Any, default: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return default


@dataclass
class RunData:
    """One mapping run: its record and its cells, indexed for the requests the site makes."""

    run_id: str
    created: str
    dataset: str | None
    methodology: str
    methodology_version: str
    kind: str
    categories: str
    parameters: dict[str, Any]
    provenance: dict[str, Any]
    summary: list[dict[str, Any]]
    cells: pd.DataFrame
    years: list[int]
    default_year: int
    category_names: dict[str, str]
    #: ``EU`` (NUTS codes) or ``US`` (FIPS / CBSA codes): which map the run is drawn on
    family: str = "EU"
    region_counts: dict[int, int] = field(default_factory=dict)
    region_years: dict[str, list[int]] = field(default_factory=dict)
    by_year_category: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)
    by_region: dict[str, np.ndarray] = field(default_factory=dict)
    by_category: dict[str, np.ndarray] = field(default_factory=dict)
    by_year: dict[int, np.ndarray] = field(default_factory=dict)
    #: the cells as read-only columns for the request path (:mod:`clustermap.web.api.cellindex`)
    index: Any = None
    #: answers' pieces that depend on one region or category over all years, computed once (:meth:`memo`)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` computed once per run (the run is read-only; two threads may both build it at first)."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
        return found

    @property
    def region_order(self) -> list[str]:
        """The run's region codes in the order of the index's sort codes (alphabetical)."""
        return self.memo("region-order", lambda: sorted(self.by_region))

    def region_code(self, code: str) -> int:
        """The sort code of a region of the run (:attr:`region_order`)."""
        codes = self.memo("region-codes", lambda: {c: i for i, c in enumerate(self.region_order)})
        return codes[code]

    def category_code(self, slug: str) -> int:
        """The sort code of a category of the run (alphabetical)."""
        codes = self.memo("category-codes", lambda: {c: i for i, c in enumerate(sorted(self.category_names))})
        return codes[slug]

    @property
    def incomplete_years(self) -> list[int]:
        """Years with fewer than 90 % of the largest yearly region count (e.g. SBS 2015: 167 of 282 regions)."""
        if not self.region_counts:
            return []
        most = max(self.region_counts.values())
        return [y for y, n in sorted(self.region_counts.items()) if n < 0.9 * most]

    def rows(self, index: np.ndarray | None) -> pd.DataFrame:
        """The cells at ``index`` (positions), or an empty frame with the same columns."""
        if index is None:
            return self.cells.iloc[0:0]
        return self.cells.iloc[index]

    @property
    def regions(self) -> list[str]:
        return sorted(self.by_region)

    @property
    def suppression(self) -> str:
        """How confidential cells were treated: the result's ``imputation_policy`` values when it has them, else
        ``two-way`` for the imputed main-job run, else the methodology's ``suppression`` parameter."""
        if "imputation_policy" in self.cells.columns:
            used = sorted({str(v) for v in self.cells["imputation_policy"].dropna().unique() if str(v)})
            if used:
                return ", ".join(used)
        if (self.dataset or "").endswith("+two-way"):
            return "two-way"
        return str(self.parameters.get("suppression", "drop"))

    @property
    def label(self) -> str:
        """One line naming the run for a selector: dataset, methodology, suppression, years, created."""
        years = (
            f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else (str(self.years[0]) if self.years else "")
        )
        return (
            f"{self.dataset or 'no dataset'} · {self.methodology} · suppression {self.suppression} · {years} · "
            f"created {self.created[:16].replace('T', ' ')}"
        )


def _index(frame: pd.DataFrame, keys: list[str]) -> dict[Any, np.ndarray]:
    groups = frame.groupby(keys, sort=False).indices
    out: dict[Any, np.ndarray] = {}
    for key, idx in groups.items():
        if isinstance(key, tuple):
            key = tuple(int(k) if isinstance(k, (np.integer,)) else k for k in key)
        elif isinstance(key, np.integer):
            key = int(key)
        out[key] = np.asarray(idx)
    return out


def _default_year(summary: list[dict[str, Any]], years: list[int]) -> int:
    """The latest complete year (:func:`clustermap.jobs.latest_complete_year`), else the latest year."""
    try:
        from clustermap.jobs import latest_complete_year

        frame = pd.DataFrame(summary)
        if not frame.empty and "regions" in frame:
            return int(latest_complete_year(frame))
    except (ImportError, KeyError, ValueError):
        pass
    return max(years) if years else 0


def build_run(record: dict[str, Any], cells: pd.DataFrame, names: Callable[[str], str]) -> RunData:
    """A :class:`RunData` from a warehouse run record and its cells; ``names`` maps a region code to a name."""
    cells = cells.reset_index(drop=True).copy()
    cells["year"] = cells["year"].astype("int64")
    cells["region"] = cells["region"].astype(str)
    cells["category"] = cells["category"].astype(str)
    if "category_name" not in cells.columns:
        cells["category_name"] = cells["category"]
    codes = cells["region"].unique()
    cells["region_name"] = cells["region"].map({c: names(c) for c in codes})
    # plain Python strings: row selections by position are several times faster than on Arrow-backed strings
    for col in ("region", "category", "category_name", "region_name"):
        cells[col] = cells[col].astype(object)
    summary = _json_field(record.get("summary"), [])
    years = sorted(int(y) for y in cells["year"].unique())
    category_names = (
        cells.drop_duplicates("category").set_index("category")["category_name"].astype(str).sort_index().to_dict()
    )
    created = record.get("created")
    from clustermap.warehouse.store import region_family
    from clustermap.web.api.cellindex import build_index

    return RunData(
        run_id=str(record["run_id"]),
        created=str(pd.Timestamp(created).isoformat()) if created is not None else "",
        dataset=None if record.get("dataset") is None else str(record.get("dataset")),
        methodology=str(record.get("methodology")),
        methodology_version=str(record.get("methodology_version")),
        kind=str(record.get("kind")),
        categories=str(record.get("categories")),
        parameters=_json_field(record.get("parameters"), {}),
        provenance=_json_field(record.get("provenance"), {}),
        summary=summary,
        cells=cells,
        years=years,
        default_year=_default_year(summary, years),
        category_names=category_names,
        family=region_family(codes),
        region_counts={int(y): int(n) for y, n in cells.groupby("year")["region"].nunique().items()},
        region_years={str(r): sorted(int(y) for y in g.unique()) for r, g in cells.groupby("region")["year"]},
        by_year_category=_index(cells, ["year", "category"]),
        by_region=_index(cells, ["region"]),
        by_category=_index(cells, ["category"]),
        by_year=_index(cells, ["year"]),
        index=build_index(cells),
    )


@dataclass
class Snapshot:
    """Everything read from the warehouse at one moment."""

    token: str
    runs: dict[str, RunData]
    loads: pd.DataFrame
    error: str | None = None
    #: ``family → run_id`` of the published runs (:meth:`clustermap.warehouse.Warehouse.publish`)
    published: dict[str, str] = field(default_factory=dict)

    @property
    def latest(self) -> RunData | None:
        """The run the site opens on: the published European run, else the newest European run, else the
        published or newest run of any family (:meth:`default`)."""
        return self.default()

    def default(self, family: str | None = None) -> RunData | None:
        """The run shown when a request names none: the published run of ``family`` (default ``EU``), else that
        family's newest run; without a family given and no European run, the published US run or the newest."""
        if not self.runs:
            return None
        wanted = family or "EU"
        published = self.runs.get(self.published.get(wanted, ""))
        if published is not None:
            return published
        mine = [r for r in self.runs.values() if r.family == wanted]
        if mine:  # US: state runs first, they have shapes (the mirror has no CBSA boundaries)
            return max(mine, key=lambda r: (r.family != "US" or all(len(c) == 2 for c in r.by_region), r.created))
        if family is not None:
            return None
        other = self.runs.get(self.published.get("US", ""))
        return other if other is not None else max(self.runs.values(), key=lambda r: r.created)

    @property
    def newest(self) -> RunData | None:
        """The newest run of any family."""
        if not self.runs:
            return None
        return max(self.runs.values(), key=lambda r: r.created)

    def latest_of(self, methodology: str) -> RunData | None:
        """The newest run of a methodology."""
        mine = [r for r in self.runs.values() if r.methodology == methodology]
        return max(mine, key=lambda r: r.created) if mine else None

    @property
    def methodologies(self) -> list[str]:
        return sorted({r.methodology for r in self.runs.values()})


def _file_token(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "absent"
    wal = path.with_name(path.name + ".wal")
    extra = wal.stat().st_mtime_ns if wal.exists() else 0
    return f"{st.st_mtime_ns}-{st.st_size}-{extra}"


class Observatory:
    """The web application's view of the warehouse, the region registry and the geometry.

    Parameters
    ----------
    warehouse : path
        The DuckDB warehouse file of the main job (read, never written).
    mirror : path, optional
        Data mirror root for region names and geometry (default: the configured one).
    recheck_seconds : float
        How often (at most) the warehouse file is checked for a newer version.
    """

    def __init__(self, warehouse: Path, *, mirror: Path | None = None, recheck_seconds: float = 2.0) -> None:
        self.warehouse = Path(warehouse)
        self.mirror = mirror
        self.recheck_seconds = recheck_seconds
        self.cache = ResponseCache()
        from clustermap.web.api.urlcache import UrlAnswers

        #: answers by exact URL, served before routing (:mod:`clustermap.web.api.urlcache`)
        self.urls = UrlAnswers(self.cache.max_bytes // 2)
        #: called (in a thread) with each newly read snapshot: the application pre-computes its answers
        self.on_reload: Callable[[Snapshot], None] | None = None
        #: set when the answers of the newest snapshot are pre-computed
        self.ready = threading.Event()
        self._lock = threading.RLock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0
        self._names: dict[str, Any] = {}
        self._registry: Any = None
        self._registry_error: str | None = None
        self._geometry: dict[tuple[str, ...], dict[str, Any]] = {}
        self._geometry_bytes: dict[tuple[str, ...], bytes] = {}
        self._countries: bytes | None = None
        self._place_names: Any = None
        self._cities: Any = None

    # -- places -----------------------------------------------------------------------------------------
    def find_places(self, query: str, limit: int | None = 50) -> list[Any]:
        """NUTS regions for what a visitor typed (:func:`clustermap.web.api.places.search_places`): names of any
        NUTS version, English names, region codes, and cities placed in their NUTS-2 and NUTS-3 regions. An
        empty list when the region registry cannot be built."""
        from clustermap.web.api import places

        reg = self.registry
        if reg is None:
            return []
        with self._lock:
            if self._place_names is None:
                self._place_names = places.name_index(reg.nuts_table, mirror=self.mirror)
            if self._cities is None:
                try:
                    from clustermap.settings import get_settings

                    mirror = None if self.mirror is None else str(self.mirror)
                    self._cities = places.city_index(mirror, str(get_settings().cache_dir))
                except (ClustermapError, OSError, ImportError) as exc:
                    log.warning("no city gazetteer: %s", exc)
                    self._cities = False
        return places.search_places(
            query, self._place_names, self._cities if self._cities is not False else None, limit=limit
        )

    # -- the region registry ----------------------------------------------------------------------------
    @property
    def registry(self) -> Any:
        """The region registry (:func:`clustermap.regions.get_registry`), or ``None`` when it cannot be built."""
        if self._registry is None and self._registry_error is None:
            with self._lock:
                if self._registry is None and self._registry_error is None:
                    try:
                        from clustermap.regions import get_registry

                        reg = get_registry(mirror=self.mirror)
                        reg.get("DE11")  # builds the NUTS part now, not in the middle of a request
                        self._registry = reg
                    except (ClustermapError, OSError, ImportError) as exc:
                        self._registry_error = f"region registry unavailable: {exc}"
                        log.warning(self._registry_error)
        return self._registry

    def region(self, code: str) -> Any:
        """The registry's :class:`~clustermap.regions.Region` for ``code``, or ``None``."""
        if code in self._names:
            return self._names[code]
        reg = self.registry
        found = None
        if reg is not None:
            try:
                found = reg.get(code)
            except (ClustermapError, KeyError, ValueError):
                found = None
        self._names[code] = found
        return found

    def name(self, code: str) -> str:
        """A region's name from the registry (the code itself when the registry does not know it)."""
        r = self.region(code)
        return r.name if r is not None else code

    # -- the warehouse ----------------------------------------------------------------------------------
    def fresh_snapshot(self) -> Snapshot | None:
        """The current snapshot when it was checked less than :attr:`recheck_seconds` ago (no file access),
        else ``None`` (then :meth:`snapshot` checks the file, and may re-read it)."""
        snap = self._snapshot
        if snap is not None and time.monotonic() - self._checked < self.recheck_seconds:
            return snap
        return None

    def snapshot(self) -> Snapshot:
        """The current snapshot; re-read when the warehouse file changed (checked every few seconds)."""
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < self.recheck_seconds:
            return snap
        with self._lock:
            self._checked = time.monotonic()
            token = _file_token(self.warehouse)
            if self._snapshot is not None and self._snapshot.token == token:
                return self._snapshot
            fresh = self._read(token)
            if fresh.error and self._snapshot is not None and self._snapshot.runs:
                log.warning("keeping the previous snapshot: %s", fresh.error)
                return self._snapshot
            if fresh.error and fresh.token != "absent":
                fresh.token = f"unread-{time.monotonic_ns()}"  # read again at the next check (e.g. a writer held it)
            self._snapshot = fresh
            self.cache.clear()
            self.urls.clear()
            self._geometry.clear()
            self._geometry_bytes.clear()
            self.ready.clear()
            if self.on_reload is not None and fresh.runs:
                threading.Thread(target=self.on_reload, args=(fresh,), name="clustermap-prefill", daemon=True).start()
            else:
                self.ready.set()
            return fresh

    def _read(self, token: str) -> Snapshot:
        if token == "absent":
            return Snapshot(token, {}, pd.DataFrame(), error=f"no warehouse at {self.warehouse}")
        from clustermap.warehouse import Warehouse

        def read(read_only: bool) -> tuple[Any, ...]:
            with Warehouse(self.warehouse, read_only=read_only) as wh:
                listed = wh.runs()
                return [wh.run(str(rid)) for rid in listed["run_id"]], wh.loads(), wh.published()

        try:  # read only, so that every worker process of the site can read the file at once
            try:
                pairs, loads, published = read(True)
            except Exception:  # a warehouse of an older version lacks a table: opened for writing, it gets it
                pairs, loads, published = read(False)
        except (ClustermapError, OSError) as exc:
            return Snapshot(token, {}, pd.DataFrame(), error=f"cannot read the warehouse {self.warehouse}: {exc}")
        except Exception as exc:  # duckdb raises its own errors (e.g. the file is locked by a writer)
            return Snapshot(token, {}, pd.DataFrame(), error=f"cannot read the warehouse {self.warehouse}: {exc}")
        self.registry  # noqa: B018 - load names before indexing the runs
        runs = {}
        for record, cells in pairs:
            if cells.empty:
                continue
            run = build_run(record, cells, self.name)
            runs[run.run_id] = run
        log.info("read %d run(s) from %s", len(runs), self.warehouse)
        return Snapshot(token, runs, loads, published={f: r for f, r in published.items() if r in runs})

    # -- geometry ---------------------------------------------------------------------------------------
    def geometry(self, run: RunData) -> dict[str, Any]:
        """The drawable polygons of a run's regions (:func:`clustermap.web.api.geo.result_layer`)."""
        key = tuple(run.regions)
        if key not in self._geometry:
            with self._lock:
                if key not in self._geometry:
                    from clustermap.web.api.geo import result_layer

                    names = {c: self.name(c) for c in key}
                    try:
                        layer = result_layer(key, mirror=self.mirror, names=names)
                    except (ClustermapError, OSError) as exc:
                        layer = {
                            "type": "FeatureCollection",
                            "version": None,
                            "credit": "",
                            "missing": [
                                {"region": c, "kind": "no geometry", "valid_in": "", "fix": str(exc), "name": names[c]}
                                for c in key
                            ],
                            "report": {"error": str(exc)},
                            "features": [],
                        }
                    self._geometry[key] = layer
        return self._geometry[key]

    def drawn(self, run: RunData) -> frozenset[str]:
        """The codes of the run's regions the map can draw."""
        return run.memo(
            ("drawn", id(self.geometry(run))), lambda: frozenset(f["id"] for f in self.geometry(run)["features"])
        )

    def approximate(self, run: RunData) -> tuple[str, ...]:
        """The codes of the run's regions drawn approximately (older NUTS boundaries), sorted."""
        layer = self.geometry(run)
        return run.memo(
            ("approximate", id(layer)),
            lambda: tuple(sorted(f["id"] for f in layer["features"] if f["properties"].get("shape") == "approximate")),
        )

    def geometry_bytes(self, run: RunData) -> bytes:
        key = tuple(run.regions)
        if key not in self._geometry_bytes:
            self._geometry_bytes[key] = json.dumps(self.geometry(run), separators=(",", ":")).encode()
        return self._geometry_bytes[key]

    def countries_bytes(self) -> bytes:
        """The countries (NUTS 0, 2016) under the map, as GeoJSON bytes (an empty collection without a mirror)."""
        if self._countries is None:
            from clustermap.web.api.geo import countries_layer

            try:
                layer = countries_layer(mirror=self.mirror)
            except (ClustermapError, OSError) as exc:
                log.warning("no country shapes: %s", exc)
                layer = {"type": "FeatureCollection", "features": []}
            self._countries = json.dumps(layer, separators=(",", ":")).encode()
        return self._countries

    def warm(self) -> None:
        """Read the snapshot, the registry and the geometry of the newest run of each methodology now."""
        snap = self.snapshot()
        self.countries_bytes()
        self.find_places("warm", limit=1)
        for name in snap.methodologies:
            run = snap.latest_of(name)
            if run is not None:
                self.geometry_bytes(run)
