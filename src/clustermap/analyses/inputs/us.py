"""US mapping results: Census County Business Patterns by state or CBSA on the common EU-US categories,
mapped and stored in the warehouse — or the stored run read back."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from clustermap.analyses._base import MissingInputError
from clustermap.analyses.inputs.mirror import mirror_root
from clustermap.analyses.inputs.runs import Mapped, mapped_of_result, opened, stored_run
from clustermap.errors import ClustermapError, ParameterError, UnknownNameError
from clustermap.provenance import LoadResult

__all__ = ["DEFAULT_US_CBSA_YEAR", "DEFAULT_US_YEAR", "us_category_set", "us_mapping"]

#: the US year of the comparison: the latest CBP state year in the mirror
DEFAULT_US_YEAR = 2011
#: the latest CBP CBSA year in the mirror
DEFAULT_US_CBSA_YEAR = 2019


def us_category_set(year: int = DEFAULT_US_YEAR, *, categories: Any = None, mirror: str | Path | None = None) -> Any:
    """The common category set for US CBP data of ``year``: ``eco-nace2-naics<vintage>`` (the NAICS vintage CBP
    used that year), or ``categories`` when given (a CategorySet or a name).

    Raises
    ------
    MissingInputError
        the common set cannot be built (no NAICS → ISIC concordance for the vintage in the mirror).
    """
    from clustermap.definitions.categories import CategorySet, load_category_set

    if isinstance(categories, CategorySet):
        return categories
    root = mirror_root(mirror)
    if categories is not None:
        return load_category_set(categories, mirror=root)
    from clustermap.classifications import CBP_VINTAGE_BY_YEAR

    vintage = CBP_VINTAGE_BY_YEAR.get(int(year))
    if vintage is None:
        raise MissingInputError(f"the NAICS vintage of CBP {year}", [year])
    name = f"eco-nace2-naics{vintage}"
    with contextlib.suppress(UnknownNameError):
        return load_category_set(name, mirror=root)
    from clustermap.definitions.derived import naics_to_eco_nace2

    try:
        return naics_to_eco_nace2(vintage, mirror=root)
    except ClustermapError as exc:
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
    with opened(warehouse) as wh:
        stored = None if refresh else stored_run(wh, dataset, m, cats.name, **kw)
        if stored is not None:
            return stored
        from clustermap.mapping import map_observations

        root = mirror_root(mirror)
        loaded = _load_cbp(level, year, root)
        loaded.provenance.dataset = dataset
        wh.load_observations(dataset, loaded)
        result = map_observations(
            wh.observations(dataset), categories=cats, methodology=m, inputs=wh.input_provenance(dataset)
        )
        run_id = wh.save_run(result, dataset=dataset)
        return mapped_of_result(result, run_id, dataset, **kw)


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
