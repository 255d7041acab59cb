"""Answers computed ahead of the requests: the site is a read-only view of one warehouse snapshot, so the tables
of each region and category over all years (:func:`clustermap.web.api.answers.region_pieces`, the only part of
an answer still computed with pandas) and then the map data of every year × category × metric and the profiles
of every region and category are computed once in a background thread when a snapshot is read, and served from
the response cache afterwards. Answers not pre-computed (other years, comparisons, filtered results) are
assembled from the run's :class:`~clustermap.web.api.cellindex.CellIndex` in about a millisecond."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from clustermap.web.api.deps import answer_bytes, answer_key
from clustermap.web.api.service import Observatory, RunData, Snapshot

log = logging.getLogger(__name__)

#: the map metrics visitors switch between most (the others are computed on demand)
MAP_METRICS = ("stars", "lq", "employment")


def _put(obs: Observatory, key: tuple[Any, ...], build: Callable[[], Any]) -> None:
    if obs.cache.get(key) is None:
        obs.cache.put(key, answer_bytes(build()), "application/json")


def prefill_run(obs: Observatory, snap: Snapshot, run: RunData, *, registry: bool, top: int = 20) -> None:
    """Compute the map data, region profiles and category profiles of one run into the response cache."""
    from clustermap.web.api.answers import (
        category_pieces,
        category_profile_answer,
        map_answer,
        region_pieces,
        region_profile_answer,
    )
    from clustermap.web.api.routes.profiles import resolve_region_year

    obs.geometry_bytes(run)
    for code in run.by_region:
        region_pieces(run, code)
    for category in run.category_names:
        category_pieces(obs, run, category)
    metrics = [m if m != "stars" or "stars" in run.cells.columns else "strong" for m in MAP_METRICS]
    years = [run.default_year, *(y for y in reversed(run.years) if y != run.default_year)]
    for i, year in enumerate(years):
        for category in run.category_names:
            for metric in metrics if i == 0 else metrics[:1]:
                key = answer_key(snap, "map-data", run.run_id, year, category, metric)
                _put(obs, key, lambda y=year, c=category, m=metric: map_answer(obs, run, y, c, m))
            key = answer_key(snap, "category-profile", run.run_id, category, year, top)
            _put(obs, key, lambda y=year, c=category: category_profile_answer(obs, run, c, y, top))
        if i == 0:
            for code in run.by_region:
                y = resolve_region_year(run, code, None)
                key = answer_key(snap, "region-profile", run.run_id, code, y, registry)
                _put(obs, key, lambda code=code, y=y: region_profile_answer(obs, run, code, y, registry))
    for year in years[1:]:
        for category in run.category_names:
            for metric in metrics[1:]:
                key = answer_key(snap, "map-data", run.run_id, year, category, metric)
                _put(obs, key, lambda y=year, c=category, m=metric: map_answer(obs, run, y, c, m))


def prefill(obs: Observatory, snap: Snapshot, *, registry: bool) -> None:
    """Pre-compute the answers of the newest run of each methodology (the newest run first); sets
    ``obs.ready`` when done, also after an error (which is logged: requests then compute their own answers)."""
    try:
        obs.countries_bytes()
        runs = [snap.latest_of(m) for m in snap.methodologies]
        runs = sorted((r for r in runs if r is not None), key=lambda r: r.created, reverse=True)
        for run in runs:
            if obs.snapshot() is not snap:
                return  # a newer snapshot arrived: its own prefill runs
            prefill_run(obs, snap, run, registry=registry)
        log.info("pre-computed %d answers", len(obs.cache))
    except Exception:
        log.exception("pre-computing answers failed")
    finally:
        if obs.snapshot() is snap:
            obs.ready.set()
