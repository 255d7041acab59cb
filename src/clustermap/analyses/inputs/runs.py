"""Mapping results for the analyses: :class:`Mapped`, and the warehouse runs they are read from (the latest run
matching a dataset, methodology, category set and parameters) or stored to."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["Mapped", "mapped_of_result", "opened", "stored_run", "with_load_notes"]


@dataclass
class Mapped:
    """Mapping results ready for the analyses (what a run stores, whether it came from the warehouse or was
    mapped now).

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per region × traded category × year (:data:`clustermap.mapping.STARS_COLUMNS`).
    summary : pandas.DataFrame
        One row per year (regions, clusters by stars, suppressed cells …).
    label : str
        Human-readable name of the region set and source (``"EU NUTS-2 regions (Eurostat SBS, NUTS 2016)"``).
    system : str
        ``"eu"`` or ``"us"``.
    methodology : str
        Methodology name (``eco2007``).
    parameters : dict
        Methodology parameters of the run.
    categories : str
        Category set name (``eco-nace2``, ``eco-nace2-naics2007``).
    dataset : str
        Dataset the run read (``sbs_r_nuts06_r2@nuts2016``).
    run_id : str or None
        Warehouse run id (None when not stored).
    provenance : dict
        The run's provenance (inputs with sha256, methodology, code version …).
    nuts_version : int or None
        NUTS version of the region codes (None = as published, possibly mixed).
    reused : bool
        True when the run was read back from the warehouse rather than mapped now.
    """

    cells: pd.DataFrame
    summary: pd.DataFrame
    label: str
    system: str
    methodology: str
    parameters: dict[str, Any]
    categories: str
    dataset: str
    run_id: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    nuts_version: int | None = None
    reused: bool = False

    @property
    def years(self) -> list[int]:
        """Years of the cells, ascending."""
        return sorted(int(y) for y in self.cells["year"].unique())


@contextmanager
def opened(warehouse: Any) -> Iterator[Any]:
    """The Warehouse given; one opened on a path (closed after the block); or, for None, an in-memory one."""
    from clustermap.warehouse import Warehouse

    if warehouse is None or isinstance(warehouse, Warehouse):
        yield Warehouse(":memory:") if warehouse is None else warehouse
        return
    with Warehouse(warehouse) as wh:
        yield wh


def stored_run(wh: Any, dataset: str, methodology: Any, categories: str, **kw: Any) -> Mapped | None:
    """The warehouse's latest run of ``dataset`` with this methodology (its name and every parameter) and
    category set, as :class:`Mapped` (``kw``: label, system, NUTS version); None when there is none."""
    runs = wh.runs()
    if runs.empty:
        return None
    sel = runs[
        (runs["dataset"] == dataset) & (runs["methodology"] == methodology.name) & (runs["categories"] == categories)
    ]
    for row in sel.sort_values("created", ascending=False).itertuples():
        stored = json.loads(row.parameters) if isinstance(row.parameters, str) else dict(row.parameters)
        if all(stored.get(k) == v for k, v in methodology.parameters.items()):
            log.info("using warehouse run %s (%s)", row.run_id, dataset)
            return _mapped_of_run(wh, str(row.run_id), **kw)
    return None


def _mapped_of_run(wh: Any, run_id: str, **kw: Any) -> Mapped:
    """The stored run ``run_id`` as :class:`Mapped`."""
    record, cells = wh.run(run_id)
    summary = pd.DataFrame(json.loads(record["summary"])) if record.get("summary") else pd.DataFrame()
    prov = json.loads(record["provenance"]) if isinstance(record.get("provenance"), str) else {}
    params = json.loads(record["parameters"]) if isinstance(record.get("parameters"), str) else {}
    return Mapped(
        cells=cells,
        summary=summary,
        methodology=str(record["methodology"]),
        parameters=params,
        categories=str(record["categories"]),
        dataset=str(record["dataset"]),
        run_id=run_id,
        provenance=prov,
        reused=True,
        **kw,
    )


def mapped_of_result(result: Any, run_id: str | None, dataset: str, **kw: Any) -> Mapped:
    """A mapping result made now as :class:`Mapped` (``kw``: label, system, NUTS version)."""
    return Mapped(
        cells=result.cells,
        summary=result.summary,
        methodology=result.methodology.name,
        parameters=dict(result.methodology.parameters),
        categories=result.categories.name,
        dataset=dataset,
        run_id=run_id,
        provenance=result.provenance,
        **kw,
    )


def with_load_notes(mapped: Mapped, wh: Any) -> Mapped:
    """Copy the notes of the dataset's latest load (harmonisation: regions changed, split estimates) into the
    provenance as ``load_notes``."""
    try:
        loads = wh.loads()
        rows = loads[loads["dataset"] == mapped.dataset]
        if len(rows):
            notes = rows.iloc[-1]["notes"]
            mapped.provenance["load_notes"] = json.loads(notes) if isinstance(notes, str) else dict(notes or {})
    except Exception as exc:  # notes are decoration
        log.info("no load notes for %s: %s", mapped.dataset, exc)
    return mapped
