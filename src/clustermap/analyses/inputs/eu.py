"""EU mapping results: Eurostat regional SBS harmonised to one NUTS version, its confidential cells imputed
(``two-way``), mapped and stored in the warehouse — or the stored run read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.analyses._base import MissingInputError
from clustermap.analyses.inputs.mirror import mirror_root
from clustermap.analyses.inputs.runs import Mapped, mapped_of_result, opened, stored_run, with_load_notes
from clustermap.loaders.eurostat import SBS_DATASET
from clustermap.methodology import DEFAULT_SUPPRESSION
from clustermap.provenance import LoadProvenance, LoadResult

__all__ = ["DEFAULT_NUTS_VERSION", "DEFAULT_SUPPRESSION", "SBS_DATASET", "eu_mapping"]

DEFAULT_NUTS_VERSION = 2016


def eu_mapping(
    warehouse: Any = None,
    *,
    mirror: str | Path | None = None,
    nuts_version: int | None = DEFAULT_NUTS_VERSION,
    methodology: str = "eco2007",
    refresh: bool = False,
    backend: str = "duckdb",
    suppression: str = DEFAULT_SUPPRESSION,
    produce: Callable[..., Any] | None = None,
) -> Mapped:
    """EU NUTS-2 mapping results (every SBS year) from the warehouse, or mapped now and stored there.

    Confidential cells are never zero: by default they are filled by ``two-way`` imputation from every published
    total (NUTS 0–2 × NACE sections, divisions, groups — harmonised first when ``nuts_version`` is set), and
    each cell says whether it rests on imputed cells (``imputed``, ``employment_low``, ``employment_high``).

    Parameters
    ----------
    warehouse : Warehouse, path or None
        Where runs are looked up and stored (None: an in-memory warehouse, nothing kept).
    mirror : path, optional
        Data mirror root.
    nuts_version : int or None
        Harmonise the SBS panel to this NUTS version before mapping (default 2016); ``None`` maps the codes as
        published (the main job's run).
    methodology : str
        ``eco2007`` (default) or ``eco2008`` (external LFS totals, harmonised the same way).
    refresh : bool
        Map again even if the warehouse holds a matching run.
    backend : str
        ``duckdb`` or ``pyspark`` for the mapping.
    suppression : str
        The suppression policy (default ``two-way``; ``drop`` maps the published cells only).
    produce : callable, optional
        With ``nuts_version=None`` and no stored run: the job that makes one (the interface passes
        :func:`clustermap.jobs.run_main_job`; the analyses never run it themselves). Without it that case is a
        :class:`MissingInputError`.

    Returns
    -------
    Mapped
    """
    from clustermap.definitions.categories import load_category_set
    from clustermap.methodology import get_methodology

    m = get_methodology(methodology).with_params(suppression=suppression)
    dataset = SBS_DATASET if nuts_version is None else f"{SBS_DATASET}@nuts{int(nuts_version)}"
    label = "EU NUTS-2 regions (Eurostat SBS" + (f", NUTS {nuts_version})" if nuts_version else ", codes as published)")
    kw = {"label": label, "system": "eu", "nuts_version": nuts_version}
    with opened(warehouse) as wh:
        stored = None if refresh else stored_run(wh, dataset, m, "eco-nace2", **kw)
        if stored is not None:
            return with_load_notes(stored, wh)
        if nuts_version is None:  # the main job's run: analyses read it, the caller runs the job
            if produce is None:
                raise MissingInputError(
                    f"a {m.name} mapping run of {dataset}",
                    hint="run `clustermap run` first (or pass produce=clustermap.jobs.run_main_job)",
                )
            job = produce(
                wh,
                mirror=mirror_root(mirror),
                methodology=methodology,
                backend=backend,
                params={"suppression": suppression},
            )
            return mapped_of_result(job.result, job.run_id, dataset, **kw)
        obs, totals, inputs = _harmonised_sbs(
            wh, int(nuts_version), mirror, need_totals=m.parameters.get("total_base") == "external"
        )
        from clustermap.engines.backends import connect, to_backend
        from clustermap.mapping import map_observations

        con = wh.ibis if backend == "duckdb" else connect(backend)
        if suppression == "two-way":
            table = to_backend(con, _two_way_harmonised(int(nuts_version), mirror))
        else:
            table = wh.observations(dataset) if backend == "duckdb" else to_backend(con, obs)
        result = map_observations(
            table, categories=load_category_set("eco-nace2"), methodology=m, totals=totals, inputs=inputs, ranks=True
        )
        run_id = wh.save_run(result, dataset=dataset)
        return with_load_notes(mapped_of_result(result, run_id, dataset, **kw), wh)


def _two_way_harmonised(version: int, mirror: Any) -> pd.DataFrame:
    """SBS NUTS-2 cells on NUTS ``version`` with their confidential cells filled by ``two-way``: every level
    (NUTS 0–2 × every NACE level) is harmonised first (suppressed cells stay unknown and make the targets they
    feed unknown), then imputed from all the published totals at once, then the NUTS-2 rows are kept. Columns:
    canonical plus ``imputed``, ``employment_low``, ``employment_high`` (persons)."""
    from clustermap.imputation.engine import PREIMPUTED_COLUMNS, two_way_frame
    from clustermap.loaders.eurostat import load_sbs
    from clustermap.regions import harmonise
    from clustermap.schema import COLUMNS

    root = mirror_root(mirror)
    every_level = load_sbs(mirror=root, nuts_level=None)
    h = harmonise(every_level.frame, to_version=version, mirror=root)
    filled = two_way_frame(h.frame)
    nuts2 = filled[(filled["region"].str.len() == 4) & ~filled["region"].str.endswith("Z")]
    return nuts2[[*COLUMNS, *PREIMPUTED_COLUMNS]].reset_index(drop=True)


def _harmonised_sbs(wh: Any, version: int, mirror: Any, *, need_totals: bool) -> tuple[pd.DataFrame, Any, list]:
    """Load SBS (from the warehouse if loaded there, else the mirror), harmonise it to ``version`` and store it
    as ``sbs_r_nuts06_r2@nuts<version>``."""
    from clustermap.loaders.eurostat import load_sbs
    from clustermap.regions import harmonise

    root = mirror_root(mirror)
    if SBS_DATASET in wh.datasets():
        raw = wh.observations(SBS_DATASET).to_pandas()
        source = wh.input_provenance(SBS_DATASET)
        base = source[0] if source else {}
    else:
        loaded = load_sbs(mirror=root, nuts_level=2)
        wh.load_observations(SBS_DATASET, loaded)
        raw = loaded.frame
        base = wh.input_provenance(SBS_DATASET)[0]
    h = harmonise(raw, to_version=version, mirror=root)
    dataset = f"{SBS_DATASET}@nuts{version}"
    moved = h.changes
    notes = {
        "harmonised_from": SBS_DATASET,
        "harmonisation": {k: v for k, v in h.notes.items() if isinstance(v, int | float | str)},
        "regions_changed": int(moved["from_region"].nunique()) if len(moved) else 0,
        "split_estimates": sorted(
            moved.loc[moved["change"].astype(str).str.contains("split"), "to_region"].unique().tolist()
        )
        if len(moved)
        else [],
    }
    prov = LoadProvenance(
        source="eurostat",
        dataset=dataset,
        file=str(base.get("file", "")),
        sha256=str(base.get("sha256", "")),
        rows_read=len(raw),
        rows_kept=len(h.frame),
        url=base.get("url"),
        notes=notes,
    )
    wh.load_observations(dataset, LoadResult(h.frame, prov))
    inputs = wh.input_provenance(dataset)
    totals = None
    if need_totals:
        from clustermap.loaders.eurostat import load_lfs_totals

        lfs = load_lfs_totals(mirror=root)
        t = lfs.rename(columns={"total": "employment"}).assign(industry="TOTAL")
        ht = harmonise(t[["region", "industry", "year", "employment"]], to_version=version, mirror=root)
        totals = ht.frame.rename(columns={"employment": "total"})[["region", "year", "total"]].dropna()
        inputs.append(lfs.attrs["provenance"].as_dict())
    return h.frame, totals, inputs
