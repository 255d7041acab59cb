"""The inputs of the analyses: mapping results (from the warehouse or mapped on the fly) and the regional
indicators they are set against — patents, GDP, population — read through clustermap's loaders, put on the
mapping's region codes, with provenance and typed errors that name what is missing.

Mapping results
---------------
:func:`eu_mapping`
    Eurostat regional SBS (``sbs_r_nuts06_r2``, NUTS-2, persons employed) mapped with ``eco2007`` on the
    ``eco-nace2`` categories. By default the panel is first harmonised to **NUTS 2016**
    (:func:`clustermap.regions.harmonise`): the SBS series mixes NUTS 2006/2010/2013 codes, and one version
    makes years comparable (change over time), matches the population table (NUTS 2016) and the GISCO map
    (NUTS 2016). Recoded and merged regions are exact; the few split regions are population-weighted
    estimates (the run's provenance lists the changes). ``nuts_version=None`` keeps the codes as published
    (the main job of ``clustermap run``). The latest matching run of the warehouse is reused; otherwise the
    observations are loaded, harmonised, mapped and stored there.
:func:`us_mapping`
    US County Business Patterns by state (one year of 2000–2011, 6-digit NAICS, withheld cells at their
    size-class midpoint) or by metropolitan and micropolitan area (``level="cbsa"``, 2018–2019) mapped with the
    same method on the common category set ``eco-nace2-naics<vintage>`` (US NAICS on the ``eco-nace2``
    categories; see :mod:`clustermap.classifications.eu_us`), or on a category set given.

Indicators
----------
==========================  ===========================================================================
:func:`eu_patents`          EPO patent applications by priority year (Eurostat ``pat_ep_rtot``, NUTS 2010),
                            NUTS-3 converted to the target NUTS version and summed to NUTS-2
:func:`eu_population`       population on 1 January (Eurostat ``tgs00096``, NUTS 2016), converted
:func:`eu_gdp`              GDP at current prices (Eurostat ``nama_10r_2gdp``, EUR or PPS) and per inhabitant
:func:`us_patents`          USPTO utility patents by first-named inventor's county, summed to states
:func:`us_economy`          BEA state GDP (current USD), population, GDP per capita
==========================  ===========================================================================
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.analyses._base import MissingInputError
from clustermap.errors import ClustermapError, ParameterError, UnknownNameError
from clustermap.provenance import LoadProvenance, LoadResult, sha256_file

log = logging.getLogger(__name__)

__all__ = [
    "EU_PATENTS_FILE",
    "EU_POPULATION_FILE",
    "US_ECONOMY_FILE",
    "US_PATENTS_FILE",
    "Mapped",
    "MissingInputError",
    "eu_gdp",
    "eu_mapping",
    "eu_patents",
    "eu_population",
    "us_category_set",
    "us_economy",
    "us_mapping",
    "us_patents",
]

EU_PATENTS_FILE = "eu/regional/pat_ep_rtot_from_ropensci_nuts.csv.gz"
EU_POPULATION_FILE = "classifications/eu_population_nuts2_tgs00096_2008_2019.csv"
US_PATENTS_FILE = "us/patents/uspto_patents_by_county_2000_2015.csv"
US_ECONOMY_FILE = "us/econ/bea_state_gdp_income_population_1997_2021.csv"
SBS_DATASET = "sbs_r_nuts06_r2"
#: suppression policy of the EU mapping results the analyses read: confidential cells are never zero
DEFAULT_SUPPRESSION = "two-way"
DEFAULT_NUTS_VERSION = 2016
#: the US year of the comparison: the latest CBP state year in the mirror
DEFAULT_US_YEAR = 2011
#: the latest CBP CBSA year in the mirror
DEFAULT_US_CBSA_YEAR = 2019


# ---------------------------------------------------------------------------------------------- mapping results


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


def _mirror_root(mirror: str | Path | None) -> Path | None:
    if mirror is not None:
        return Path(mirror)
    from clustermap.settings import get_settings

    return get_settings().mirror()


def _mirror_file(relative: str, mirror: str | Path | None, what: str) -> Path:
    root = _mirror_root(mirror)
    if root is None:
        raise MissingInputError(what, [relative], "no data mirror: pass --data-dir or set CLUSTERMAP_DATA_DIR")
    path = root / relative
    if not path.is_file():
        raise MissingInputError(what, [relative], f"not in the data mirror {root}")
    return path


def _open_warehouse(warehouse: Any) -> tuple[Any, bool]:
    from clustermap.warehouse import Warehouse

    if warehouse is None:
        return Warehouse(":memory:"), True
    if isinstance(warehouse, Warehouse):
        return warehouse, False
    return Warehouse(warehouse), True


def _latest_run(wh: Any, dataset: str, methodology: str, categories: str, parameters: dict[str, Any]) -> str | None:
    runs = wh.runs()
    if runs.empty:
        return None
    sel = runs[(runs["dataset"] == dataset) & (runs["methodology"] == methodology) & (runs["categories"] == categories)]
    for row in sel.sort_values("created", ascending=False).itertuples():
        stored = json.loads(row.parameters) if isinstance(row.parameters, str) else dict(row.parameters)
        if all(stored.get(k) == v for k, v in parameters.items()):
            return str(row.run_id)
    return None


def _from_run(wh: Any, run_id: str, **kw: Any) -> Mapped:
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


def _from_result(result: Any, run_id: str | None, dataset: str, **kw: Any) -> Mapped:
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


def eu_mapping(
    warehouse: Any = None,
    *,
    mirror: str | Path | None = None,
    nuts_version: int | None = DEFAULT_NUTS_VERSION,
    methodology: str = "eco2007",
    refresh: bool = False,
    backend: str = "duckdb",
    suppression: str = DEFAULT_SUPPRESSION,
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
    wh, owned = _open_warehouse(warehouse)
    try:
        if not refresh:
            run_id = _latest_run(wh, dataset, m.name, "eco-nace2", dict(m.parameters))
            if run_id is not None:
                log.info("using warehouse run %s (%s)", run_id, dataset)
                return _with_load_notes(_from_run(wh, run_id, **kw), wh)
        if nuts_version is None:
            from clustermap.jobs import run_main_job

            job = run_main_job(
                wh,
                mirror=_mirror_root(mirror),
                methodology=methodology,
                backend=backend,
                params={"suppression": suppression},
            )
            return _from_result(job.result, job.run_id, dataset, **kw)
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
        return _with_load_notes(_from_result(result, run_id, dataset, **kw), wh)
    finally:
        if owned and warehouse is not None:
            wh.close()


def _with_load_notes(mapped: Mapped, wh: Any) -> Mapped:
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


def _two_way_harmonised(version: int, mirror: Any) -> pd.DataFrame:
    """SBS NUTS-2 cells on NUTS ``version`` with their confidential cells filled by ``two-way``: every level
    (NUTS 0–2 × every NACE level) is harmonised first (suppressed cells stay unknown and make the targets they
    feed unknown), then imputed from all the published totals at once, then the NUTS-2 rows are kept. Columns:
    canonical plus ``imputed``, ``employment_low``, ``employment_high`` (persons)."""
    from clustermap.imputation.engine import PREIMPUTED_COLUMNS, two_way_frame
    from clustermap.loaders.eurostat_tsv import load_sbs
    from clustermap.regions import harmonise
    from clustermap.schema import COLUMNS

    root = _mirror_root(mirror)
    every_level = load_sbs(mirror=root, nuts_level=None)
    h = harmonise(every_level.frame, to_version=version, mirror=root)
    filled = two_way_frame(h.frame)
    nuts2 = filled[(filled["region"].str.len() == 4) & ~filled["region"].str.endswith("Z")]
    return nuts2[[*COLUMNS, *PREIMPUTED_COLUMNS]].reset_index(drop=True)


def _harmonised_sbs(wh: Any, version: int, mirror: Any, *, need_totals: bool) -> tuple[pd.DataFrame, Any, list]:
    """Load SBS (from the warehouse if loaded there, else the mirror), harmonise it to ``version`` and store it
    as ``sbs_r_nuts06_r2@nuts<version>``."""
    from clustermap.loaders.eurostat_tsv import load_sbs
    from clustermap.regions import harmonise

    root = _mirror_root(mirror)
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
        from clustermap.loaders.eurostat_tsv import load_lfs_totals

        lfs = load_lfs_totals(mirror=root)
        t = lfs.rename(columns={"total": "employment"}).assign(industry="TOTAL")
        ht = harmonise(t[["region", "industry", "year", "employment"]], to_version=version, mirror=root)
        totals = ht.frame.rename(columns={"employment": "total"})[["region", "year", "total"]].dropna()
        inputs.append(lfs.attrs["provenance"].as_dict())
    return h.frame, totals, inputs


def us_category_set(year: int = DEFAULT_US_YEAR, *, categories: Any = None, mirror: str | Path | None = None) -> Any:
    """The common category set for US CBP data of ``year``: ``eco-nace2-naics<vintage>`` (the NAICS vintage CBP
    used that year), or ``categories`` when given (a CategorySet or a name).

    Raises
    ------
    MissingInputError
        the common set cannot be built (no NAICS → ISIC concordance for the vintage in the mirror, or
        clustermap.classifications is missing).
    """
    from clustermap.definitions.categories import CategorySet, load_category_set

    if isinstance(categories, CategorySet):
        return categories
    root = _mirror_root(mirror)
    if categories is not None:
        return load_category_set(categories, mirror=root)
    try:
        from clustermap.classifications import CBP_VINTAGE_BY_YEAR
    except ImportError as exc:  # pragma: no cover - depends on the colleague's module
        raise MissingInputError("the common EU-US category set (clustermap.classifications)") from exc
    vintage = CBP_VINTAGE_BY_YEAR.get(int(year))
    if vintage is None:
        raise MissingInputError(f"the NAICS vintage of CBP {year}", [year])
    name = f"eco-nace2-naics{vintage}"
    try:
        return load_category_set(name, mirror=root)
    except UnknownNameError:
        pass
    try:
        from clustermap.classifications import naics_to_eco_nace2

        return naics_to_eco_nace2(vintage, mirror=root)
    except (ImportError, ClustermapError) as exc:
        raise MissingInputError(
            f"the common category set {name} (US NAICS {vintage} on the eco-nace2 categories)",
            hint=f"{exc}",
        ) from exc


def us_mapping(
    warehouse: Any = None,
    *,
    year: int | None = None,
    level: str = "state",
    mirror: str | Path | None = None,
    categories: Any = None,
    methodology: str = "eco2007",
    suppression: str = "size-class",
    refresh: bool = False,
) -> Mapped:
    """US mapping results of one CBP year on the common categories, from the warehouse or mapped now.

    Parameters
    ----------
    year : int, optional
        CBP year: states 2000–2011 (default 2011), CBSAs 2018–2019 (default 2019).
    level : {"state", "cbsa"}
        US states (the mirror's CBP state file; 6-digit rows recovered with
        :func:`clustermap.classifications.six_digit_panel`) or metropolitan and micropolitan statistical areas
        (CBP 2018–2019, NAICS 2017; undisclosed cells are absent there).
    categories : CategorySet or str, optional
        Default :func:`us_category_set` of ``year`` (``eco-nace2-naics2007`` for 2008–2011,
        ``eco-nace2-naics2017`` for 2017–2021).
    methodology : str
        Default ``eco2007``: the same stars and cut-offs as the EU map, as the reference did for its comparison.
    suppression : str
        Policy for withheld CBP cells (default ``size-class``: the midpoint of the cell's employment-size class;
        ``drop`` would lose a third of the state rows).

    Raises
    ------
    MissingInputError
        no CBP data for ``year``.
    """
    from clustermap.methodology import get_methodology

    if level not in ("state", "cbsa"):
        raise ParameterError(f"US level must be 'state' or 'cbsa', not {level!r}")
    year = int(year) if year is not None else (DEFAULT_US_YEAR if level == "state" else DEFAULT_US_CBSA_YEAR)
    m = get_methodology(methodology).with_params(suppression=suppression)
    cats = us_category_set(year, categories=categories, mirror=mirror)
    dataset = f"cbp_{level}_{year}_naics6"
    label = (
        f"US states (Census CBP {year})"
        if level == "state"
        else f"US metropolitan and micropolitan areas (Census CBP {year})"
    )
    kw = {"label": label, "system": "us", "nuts_version": None}
    wh, owned = _open_warehouse(warehouse)
    try:
        if not refresh:
            run_id = _latest_run(wh, dataset, m.name, cats.name, dict(m.parameters))
            if run_id is not None:
                return _from_run(wh, run_id, **kw)
        from clustermap.mapping import map_observations

        root = _mirror_root(mirror)
        loaded = _load_cbp(level, year, root)
        loaded.provenance.dataset = dataset
        wh.load_observations(dataset, loaded)
        result = map_observations(
            wh.observations(dataset), categories=cats, methodology=m, inputs=wh.input_provenance(dataset)
        )
        run_id = wh.save_run(result, dataset=dataset)
        return _from_result(result, run_id, dataset, **kw)
    finally:
        if owned and warehouse is not None:
            wh.close()


def _load_cbp(level: str, year: int, root: Path | None) -> LoadResult:
    from clustermap.loaders.cbp import load_cbp_cbsa, load_cbp_state

    what = f"US CBP {level} data for {year}"
    try:
        if level == "cbsa":
            loaded = load_cbp_cbsa(years=[year], naics_level=6, mirror=root)
        else:
            loaded = load_cbp_state(years=[year], naics_digits=None, mirror=root)
    except ClustermapError as exc:
        raise MissingInputError(what, [year], str(exc)) from exc
    if loaded.frame.empty:
        span = "2000-2011" if level == "state" else "2018-2019"
        raise MissingInputError(what, [year], f"the mirror's CBP {level} file has {span}")
    if level == "state":
        from clustermap.classifications import six_digit_panel

        six, recovered = six_digit_panel(loaded.frame, mirror=root)
        loaded.provenance.notes["six_digit_panel"] = {"recovered_codes": len(recovered), "rows": len(six)}
        loaded.provenance.rows_kept = len(six)
        loaded = LoadResult(six, loaded.provenance)
    return loaded


# ---------------------------------------------------------------------------------------------- indicators


def _provenance(source: str, dataset: str, path: Path, read: int, kept: int, **notes: Any) -> dict[str, Any]:
    return LoadProvenance(
        source=source,
        dataset=dataset,
        file=str(path),
        sha256=sha256_file(path),
        rows_read=read,
        rows_kept=kept,
        notes=notes,
    ).as_dict()


def _check_years(available: Iterable[int], years: Iterable[int] | None, what: str, path: Path) -> list[int]:
    have = sorted({int(y) for y in available})
    if years is None:
        return have
    wanted = sorted({int(y) for y in years})
    missing = [y for y in wanted if y not in have]
    if missing:
        span = f"{have[0]}-{have[-1]}" if have else "none"
        raise MissingInputError(what, missing, f"The mirror's {path.name} has the years {span}")
    return wanted


def _harmonise_values(
    frame: pd.DataFrame, columns: list[str], *, to_version: int, from_version: Any, mirror: Any
) -> pd.DataFrame:
    """Convert additive regional values (``region, year`` + ``columns``) to NUTS ``to_version``."""
    from clustermap.regions import harmonise

    long = frame.melt(id_vars=["region", "year"], value_vars=columns, var_name="industry", value_name="employment")
    long = long.dropna(subset=["employment"])
    long["employment"] = long["employment"].astype("float64").clip(lower=0.0)
    from clustermap.regions import get_registry

    valid = get_registry(mirror=_mirror_root(mirror)).validity(long["region"].unique())
    unknown = sorted(code for code, versions in valid.items() if not versions)
    if unknown:
        log.info(
            "left out %d codes that are in no NUTS version (e.g. not-regionalised xxXX): %s",
            len(unknown),
            ", ".join(unknown[:10]),
        )
        long = long[~long["region"].isin(unknown)]
    h = harmonise(
        long, to_version=int(to_version), from_version=from_version, complete=False, mirror=_mirror_root(mirror)
    )
    out = h.frame.pivot_table(index=["region", "year"], columns="industry", values="employment", aggfunc="sum")
    out = out.reset_index()
    out.columns.name = None
    return out


def eu_patents(
    years: Iterable[int] | None = None, *, nuts_version: int = DEFAULT_NUTS_VERSION, mirror: str | Path | None = None
) -> pd.DataFrame:
    """EPO patent applications by NUTS-2 region and priority year, on NUTS ``nuts_version`` codes.

    The mirror's table (Eurostat ``pat_ep_rtot``, unit NR: fractional counts by inventor's region, NUTS 2010)
    is converted at NUTS-3 with :func:`clustermap.regions.harmonise` (population weights for splits) and summed
    to NUTS-2 (the first four characters); a NUTS-2 region without any NUTS-3 row takes its published NUTS-2
    value.

    Returns
    -------
    pandas.DataFrame
        ``region, year, patents`` (applications, fractional counts); ``attrs["provenance"]``.

    Raises
    ------
    MissingInputError
        the file is not in the mirror, or lacks some of ``years`` (priority years 1977–2012).
    """
    what = "EPO patent applications (Eurostat pat_ep_rtot)"
    path = _mirror_file(EU_PATENTS_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"unit": str, "geo": str})
    nr = raw[raw["unit"] == "NR"].rename(columns={"geo": "region", "time": "year", "values": "patents"})
    chosen = _check_years(nr["year"], years, what + ", priority years", path)
    nr = nr[nr["year"].isin(chosen) & nr["region"].str.len().isin([4, 5]) & ~nr["region"].str.endswith("Z")]
    nr = nr[["region", "year", "patents"]]
    conv = _harmonise_values(nr, ["patents"], to_version=nuts_version, from_version="auto", mirror=mirror)
    conv["level"] = conv["region"].str.len() - 2
    n3 = conv[conv["level"] == 3].assign(region=lambda d: d["region"].str[:4])
    n3 = n3.groupby(["region", "year"], as_index=False)["patents"].sum()
    n2 = conv[conv["level"] == 2][["region", "year", "patents"]]
    n2 = n2.merge(n3[["region", "year"]], on=["region", "year"], how="left", indicator=True)
    n2 = n2[n2["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([n3, n2], ignore_index=True).sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = _provenance(
        "eurostat",
        "pat_ep_rtot",
        path,
        len(raw),
        len(out),
        unit="NR (applications, fractional counts)",
        nuts_version=nuts_version,
        years=chosen,
        method="NUTS-3 converted with JRC weights, summed to NUTS-2",
    )
    return out


def eu_population(
    years: Iterable[int] | None = None, *, nuts_version: int = DEFAULT_NUTS_VERSION, mirror: str | Path | None = None
) -> pd.DataFrame:
    """Population on 1 January by NUTS-2 region (Eurostat ``tgs00096``, NUTS 2016), on ``nuts_version`` codes.

    Returns
    -------
    pandas.DataFrame
        ``region, year, population`` (persons); ``attrs["provenance"]``.
    """
    what = "EU population by NUTS-2 region (Eurostat tgs00096)"
    path = _mirror_file(EU_POPULATION_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"geo": str})
    raw = raw.rename(columns={"geo": "region"})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen) & (raw["region"].str.len() == 4) & ~raw["region"].str.endswith("X")]
    d = d[["region", "year", "population"]]
    if int(nuts_version) != 2016:
        d = _harmonise_values(d, ["population"], to_version=nuts_version, from_version=2016, mirror=mirror)
    out = d.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = _provenance(
        "eurostat", "tgs00096", path, len(raw), len(out), unit="persons", nuts_version=nuts_version, years=chosen
    )
    return out


def eu_gdp(
    years: Iterable[int] | None = None,
    *,
    unit: str = "EUR_HAB",
    nuts_version: int = DEFAULT_NUTS_VERSION,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """Regional GDP at current market prices and per inhabitant (Eurostat ``nama_10r_2gdp``), on
    ``nuts_version`` codes.

    GDP per inhabitant is not additive, so GDP (``MIO_EUR`` or ``MIO_PPS``) and the population implied by
    GDP / GDP per inhabitant are converted separately and divided again.

    Parameters
    ----------
    unit : {"EUR_HAB", "PPS_HAB"}
        Euro or purchasing power standards per inhabitant.

    Returns
    -------
    pandas.DataFrame
        ``region, year, gdp`` (million EUR or PPS), ``population`` (implied, persons), ``gdp_per_capita`` (EUR or
        PPS per inhabitant); ``attrs["provenance"]``.
    """
    from clustermap.loaders.eurostat_tsv import load_eurostat

    if unit not in ("EUR_HAB", "PPS_HAB"):
        raise ParameterError(f"GDP unit must be EUR_HAB or PPS_HAB, not {unit!r}")
    total_unit = "MIO_EUR" if unit == "EUR_HAB" else "MIO_PPS"
    what = "regional GDP (Eurostat nama_10r_2gdp)"
    path = _mirror_file("eu/regional/nama_10r_2gdp.tsv.gz", mirror, what)
    frames = {}
    prov = None
    for u in (total_unit, unit):
        try:
            r = load_eurostat(
                path,
                dataset="nama_10r_2gdp",
                industry_dim=None,
                industry=u,
                value_filters={"unit": u},
                nuts_level=2,
                drop_missing=True,
            )
        except ClustermapError as exc:
            raise MissingInputError(what + f", unit {u}", hint=str(exc)) from exc
        frames[u] = r.frame[["region", "year", "employment"]].rename(columns={"employment": u})
        prov = prov or r.provenance
    d = frames[total_unit].merge(frames[unit], on=["region", "year"], how="inner")
    chosen = _check_years(d["year"], years, what, path)
    d = d[d["year"].isin(chosen) & (d[unit] > 0)]
    d["population"] = d[total_unit] * 1e6 / d[unit]
    d = d.rename(columns={total_unit: "gdp"})[["region", "year", "gdp", "population"]]
    conv = _harmonise_values(d, ["gdp", "population"], to_version=nuts_version, from_version="auto", mirror=mirror)
    conv["gdp_per_capita"] = conv["gdp"] * 1e6 / conv["population"]
    out = conv[["region", "year", "gdp", "population", "gdp_per_capita"]].sort_values(
        ["region", "year"], ignore_index=True
    )
    out.attrs["provenance"] = _provenance(
        "eurostat",
        "nama_10r_2gdp",
        path,
        int(prov.rows_read) if prov else 0,
        len(out),
        unit=f"{total_unit} and {unit}",
        nuts_version=nuts_version,
        years=chosen,
    )
    return out


def us_patents(years: Iterable[int] | None = None, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """USPTO utility patents granted, by first-named inventor's state (sum of the county table).

    Returns
    -------
    pandas.DataFrame
        ``region`` (2-digit state FIPS), ``year``, ``patents``; ``attrs["provenance"]``.
    """
    what = "USPTO patents by county (PTMT)"
    path = _mirror_file(US_PATENTS_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"stco_code": str})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen)].copy()
    d["region"] = d["stco_code"].str.zfill(5).str[:2]
    d = d[d["region"] != "00"]  # "Undetermined County" of no state; xx000 (state known, county not) is kept
    out = (
        d.groupby(["region", "year"], as_index=False)["patents_issued"]
        .sum()
        .rename(columns={"patents_issued": "patents"})
    )
    out.attrs["provenance"] = _provenance(
        "uspto",
        "patents_by_county",
        path,
        len(raw),
        len(out),
        unit="utility patents granted",
        years=chosen,
        method="county counts summed to states (xx000 'Undetermined County' rows included; 00000 left out)",
    )
    return out


def us_economy(years: Iterable[int] | None = None, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """BEA state GDP (current USD million), population and GDP per capita (USD).

    Returns
    -------
    pandas.DataFrame
        ``region`` (2-digit state FIPS), ``year``, ``gdp`` (USD million), ``population``, ``gdp_per_capita``
        (USD); ``attrs["provenance"]``.
    """
    what = "BEA state GDP and population"
    path = _mirror_file(US_ECONOMY_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"state_fips": str})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen) & (raw["state_fips"] != "00")]
    out = pd.DataFrame(
        {
            "region": d["state_fips"].str.zfill(2),
            "year": d["year"].astype("int64"),
            "gdp": d["gdp_musd_current"].astype("float64"),
            "population": d["population"].astype("float64"),
            "gdp_per_capita": d["gdp_per_capita_usd"].astype("float64"),
        }
    ).reset_index(drop=True)
    out.attrs["provenance"] = _provenance(
        "bea",
        "SAGDP/SAINC1",
        path,
        len(raw),
        len(out),
        years=chosen,
        unit="USD million (current), persons, USD per person",
    )
    return out
