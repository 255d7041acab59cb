"""The material a report is built from: the EU and US mapping results and, computed once and on demand, every
analysis and indicator table. Inputs that an analysis lacks are recorded (the typed error's message) instead
of stopping the report; the report prints them as notes."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap import analyses as an
from clustermap.analyses import inputs
from clustermap.analyses.inputs import Mapped
from clustermap.errors import ClustermapError

log = logging.getLogger(__name__)

__all__ = ["Study", "load_study"]

#: how many of the latest patent years (up to the mapping year) are averaged
PATENT_WINDOW = 3


@dataclass
class Study:
    """Mapping results and the analyses derived from them, computed lazily and cached.

    Attributes
    ----------
    eu : Mapped
        EU NUTS-2 mapping results (all years).
    us : Mapped or None
        US state mapping results (one year), or None when they could not be made.
    us_metro : Mapped or None
        US metropolitan and micropolitan areas (CBSAs, one year), a second US region set closer in size to
        NUTS-2 regions and to the US Cluster Mapping's economic areas.
    year : int
        EU year analysed (default: latest complete year).
    mirror : Path or None
        Data mirror.
    missing : list of str
        Messages of the inputs that could not be read.
    """

    eu: Mapped
    us: Mapped | None
    year: int
    mirror: Path | None = None
    missing: list[str] = field(default_factory=list)
    change_from: int | None = None
    us_metro: Mapped | None = None

    # -------------------------------------------------------------------------------------------- helpers
    def optional(self, what: str, fn: Any) -> Any:
        """``fn()``, or None with the error recorded in :attr:`missing`."""
        try:
            return fn()
        except ClustermapError as exc:
            message = f"{what}: {exc}"
            if message not in self.missing:
                self.missing.append(message)
            log.info("%s", message)
            return None

    @property
    def us_year(self) -> int | None:
        """The latest CBP year of the US state mapping (``None`` without US results)."""
        return None if self.us is None else max(self.us.years)

    @cached_property
    def nuts_version(self) -> int:
        """NUTS version of the EU codes: the one they were harmonised to, or, for codes as published, the version
        most of the analysed year's codes are valid in (indicators are converted to it)."""
        if self.eu.nuts_version:
            return int(self.eu.nuts_version)
        codes = self.eu.cells.loc[self.eu.cells["year"] == self.year, "region"].unique()
        try:
            from clustermap.regions import get_registry

            valid = get_registry(mirror=self.mirror).validity(codes)
        except ClustermapError:
            return 2016
        counts = {v: sum(v in vs for vs in valid.values()) for v in (2010, 2013, 2016, 2021)}
        return max(counts, key=lambda v: (counts[v], v))

    @property
    def us_metro_year(self) -> int | None:
        """The latest CBP year of the US metropolitan-area mapping (``None`` without it)."""
        return None if self.us_metro is None else max(self.us_metro.years)

    @cached_property
    def names(self) -> dict[str, str]:
        """Region code → name, for every region of the EU and US mappings."""
        codes = set(self.eu.cells["region"])
        for m in (self.us, self.us_metro):
            if m is not None:
                codes |= set(m.cells["region"])
        return an._base.region_names(sorted(codes), mirror=self.mirror)

    @cached_property
    def n_categories(self) -> int:
        """How many categories the EU mapping has in the study year."""
        return int(self.eu.cells.loc[self.eu.cells["year"] == self.year, "category"].nunique())

    @cached_property
    def min_stars(self) -> int:
        """The reference's 25-star cut scaled to the categories mapped."""
        return an.scaled_star_threshold(self.n_categories)

    # -------------------------------------------------------------------------------------------- analyses
    def _portfolios(self, mapped: Mapped | None, year: int | None) -> pd.DataFrame | None:
        if mapped is None:
            return None
        p = an.region_portfolios(mapped.cells, year=year, names=False)
        p["name"] = p["region"].map(self.names).fillna("")
        return p

    @cached_property
    def eu_portfolios(self) -> pd.DataFrame:
        """Cluster portfolio per EU region in the study year (stars, clusters, employment), with names."""
        return self._portfolios(self.eu, self.year)

    @cached_property
    def us_portfolios(self) -> pd.DataFrame | None:
        """Cluster portfolio per US state in the latest CBP year, with names (``None`` without US)."""
        return self._portfolios(self.us, self.us_year)

    @cached_property
    def us_metro_portfolios(self) -> pd.DataFrame | None:
        """Cluster portfolio per US metropolitan area (``None`` without the metro mapping)."""
        return self._portfolios(self.us_metro, self.us_metro_year)

    def us_sides(self) -> list[tuple[str, str, pd.DataFrame, int]]:
        """(key, label, portfolios, year) of the US region sets mapped: states, then CBSAs."""
        out = []
        if self.us_portfolios is not None:
            out.append(("us", "US states", self.us_portfolios, int(self.us_year)))
        if self.us_metro_portfolios is not None:
            out.append(("us_cbsa", "US CBSAs", self.us_metro_portfolios, int(self.us_metro_year)))
        return out

    @cached_property
    def us_metro_concentration(self) -> pd.DataFrame | None:
        """Category concentration over US metropolitan areas (strong share, Gini, Hoover)."""
        if self.us_metro is None:
            return None
        return an.category_concentration(self.us_metro.cells, year=self.us_metro_year)

    @cached_property
    def eu_concentration(self) -> pd.DataFrame:
        """Category concentration over EU regions in the study year (strong share, Gini, Hoover)."""
        return an.category_concentration(self.eu.cells, year=self.year)

    @cached_property
    def us_concentration(self) -> pd.DataFrame | None:
        """Category concentration over US states in the latest CBP year (``None`` without US)."""
        return None if self.us is None else an.category_concentration(self.us.cells, year=self.us_year)

    @cached_property
    def eu_summary(self) -> pd.Series:
        """The EU mapping's summary row of the study year (cells, clusters, stars, suppression counts)."""
        s = self.eu.summary
        return s[s["year"] == self.year].iloc[0]

    @cached_property
    def years_for_change(self) -> tuple[int, int] | None:
        """The (first, last) years of the change-over-time section, or ``None`` with one year only."""
        years = self.eu.years
        first = self.change_from if self.change_from is not None else min(years)
        return None if first >= self.year else (int(first), int(self.year))

    @cached_property
    def star_changes(self) -> pd.DataFrame | None:
        """Clusters that emerged, disappeared, gained or lost stars between the change years."""
        if self.years_for_change is None:
            return None
        return an.star_changes(self.eu.cells, *self.years_for_change)

    @cached_property
    def split_regions(self) -> list[str]:
        """Regions whose employment was estimated by splitting an old region (harmonisation)."""
        notes = self.eu.provenance.get("load_notes") or {}
        return list(notes.get("split_estimates", []))

    # -------------------------------------------------------------------------------------------- indicators
    @cached_property
    def patent_years(self) -> list[int]:
        """The EPO patent years averaged (the last ``PATENT_WINDOW`` up to the study year)."""
        path = self.optional(
            "EPO patents", lambda: inputs.mirror_file(inputs.EU_PATENTS_FILE, self.mirror, "EPO patent applications")
        )
        if path is None:
            return []
        years = sorted(int(y) for y in pd.read_csv(path, usecols=["time"])["time"].unique() if int(y) <= self.year)
        return years[-PATENT_WINDOW:]

    @cached_property
    def eu_patents(self) -> pd.DataFrame | None:
        """EPO patent applications per EU region over :attr:`patent_years` (``None`` if absent)."""
        if not self.patent_years:
            return None
        return self.optional(
            "EPO patents",
            lambda: inputs.eu_patents(self.patent_years, nuts_version=self.nuts_version, mirror=self.mirror),
        )

    @cached_property
    def eu_population(self) -> pd.DataFrame | None:
        """Population per EU region (persons; ``None`` if the mirror lacks it)."""
        return self.optional(
            "EU population", lambda: inputs.eu_population(nuts_version=self.nuts_version, mirror=self.mirror)
        )

    @cached_property
    def eu_total_employment(self) -> pd.DataFrame | None:
        """All persons employed per region and year (LFS ``lfst_r_lfe2en2`` TOTAL, persons), on the mapping's
        NUTS version: the base of the 'share of all employees' figures."""

        def load() -> pd.DataFrame:
            from clustermap.loaders.eurostat import load_lfs_totals
            from clustermap.regions import harmonise

            lfs = load_lfs_totals(mirror=self.mirror)
            t = lfs.rename(columns={"total": "employment"}).assign(industry="TOTAL")
            h = harmonise(
                t[["region", "industry", "year", "employment"]], to_version=self.nuts_version, mirror=self.mirror
            )
            return h.frame.rename(columns={"employment": "total"})[["region", "year", "total"]]

        return self.optional("LFS total employment", load)

    @cached_property
    def eu_gdp(self) -> pd.DataFrame | None:
        """GDP per inhabitant per EU region (PPS; ``None`` if the mirror lacks it)."""
        return self.optional("EU GDP", lambda: inputs.eu_gdp(nuts_version=self.nuts_version, mirror=self.mirror))

    @cached_property
    def us_patents(self) -> pd.DataFrame | None:
        """US patents per state in the CBP year (``None`` without US results or data)."""
        if self.us is None:
            return None
        return self.optional("US patents", lambda: inputs.us_patents([self.us_year], mirror=self.mirror))

    @cached_property
    def us_economy(self) -> pd.DataFrame | None:
        """US GDP and population per state in the CBP year (``None`` without US results or data)."""
        if self.us is None:
            return None
        return self.optional("US GDP", lambda: inputs.us_economy([self.us_year], mirror=self.mirror))

    @cached_property
    def eu_innovation(self) -> pd.DataFrame | None:
        """EU portfolio strength beside patents per million inhabitants (``None`` without patents)."""
        if self.eu_patents is None:
            return None
        return self.optional(
            "EU innovation", lambda: an.innovation_table(self.eu_portfolios, self.eu_patents, self.eu_population)
        )

    @cached_property
    def us_innovation(self) -> pd.DataFrame | None:
        """US portfolio strength beside patents per million inhabitants (``None`` without data)."""
        if self.us_patents is None or self.us_portfolios is None:
            return None
        return self.optional(
            "US innovation", lambda: an.innovation_table(self.us_portfolios, self.us_patents, self.us_economy)
        )

    @cached_property
    def eu_prosperity(self) -> pd.DataFrame | None:
        """EU portfolio strength beside GDP per inhabitant (``None`` without GDP)."""
        if self.eu_gdp is None:
            return None
        return self.optional("EU prosperity", lambda: an.prosperity_table(self.eu_portfolios, self.eu_gdp))

    @cached_property
    def us_prosperity(self) -> pd.DataFrame | None:
        """US portfolio strength beside GDP per inhabitant (``None`` without data)."""
        if self.us_economy is None or self.us_portfolios is None:
            return None
        return self.optional("US prosperity", lambda: an.prosperity_table(self.us_portfolios, self.us_economy))

    # -------------------------------------------------------------------------------------------- geometry
    @cached_property
    def eu_geojson(self) -> dict | None:
        """EU region geometry for the maps (GeoJSON; ``None`` if the mirror lacks it)."""
        return self.optional("EU map geometry", lambda: _eu_geojson(self.nuts_version, _key(self.mirror)))

    @cached_property
    def us_geojson(self) -> dict | None:
        """US state geometry for the maps (GeoJSON; ``None`` if the mirror lacks it)."""
        return self.optional("US map geometry", lambda: _us_geojson(_key(self.mirror)))

    # -------------------------------------------------------------------------------------------- sources
    def sources(self) -> list[dict[str, Any]]:
        """Data sources with provenance, for the report's sources table."""
        out: list[dict[str, Any]] = []
        for m in (self.eu, self.us, self.us_metro):
            if m is None:
                continue
            for rec in m.provenance.get("inputs", []):
                out.append(
                    {
                        "name": f"{rec.get('source', '')} ({m.label})",
                        "dataset": rec.get("dataset", ""),
                        "file": Path(str(rec.get("file", ""))).name,
                        "sha256": str(rec.get("sha256", "")),
                        "detail": f"rows read {rec.get('rows_read', '')}, kept {rec.get('rows_kept', '')}; "
                        f"run {m.run_id or '-'}, methodology {m.methodology}, categories {m.categories}",
                        "licence": _LICENCES.get(str(rec.get("source", "")), ""),
                    }
                )
        for name, frame in (
            ("EPO patent applications", self.__dict__.get("eu_patents")),
            ("EU population", self.__dict__.get("eu_population")),
            ("EU GDP", self.__dict__.get("eu_gdp")),
            ("US patents", self.__dict__.get("us_patents")),
            ("US GDP and population", self.__dict__.get("us_economy")),
        ):
            if frame is None:
                continue
            p = frame.attrs.get("provenance", {})
            notes = p.get("notes", {})
            out.append(
                {
                    "name": name,
                    "dataset": p.get("dataset", ""),
                    "file": Path(str(p.get("file", ""))).name,
                    "sha256": str(p.get("sha256", "")),
                    "detail": "; ".join(
                        f"{k}: {v}" for k, v in notes.items() if k in ("unit", "years", "method", "nuts_version")
                    ),
                    "licence": _LICENCES.get(str(p.get("source", "")), ""),
                }
            )
        geo = self.__dict__.get("eu_geojson")
        if geo:
            out.append(
                {
                    "name": "Map geometry",
                    "dataset": f"GISCO NUTS {self.nuts_version}",
                    "file": geo.get("_source", {}).get("file", ""),
                    "sha256": geo.get("_source", {}).get("sha256", ""),
                    "detail": "simplified for the web (clustermap.geometry.web_geojson)",
                    "licence": "© EuroGeographics for the administrative boundaries; © European Union, Eurostat",
                }
            )
        out.append(
            {
                "name": "Region harmonisation",
                "dataset": "JRC NUTS converter 2025.08",
                "file": "eu/nuts/jrc_nuts_converter_2025_08",
                "sha256": "",
                "detail": "population-weighted conversion between NUTS versions (clustermap.regions.harmonise)",
                "licence": "Joint Research Centre (2022) NUTS converter; Decision 2011/833/EU",
            }
        )
        out.append(
            {
                "name": "Category sets",
                "dataset": "eco-nace2 2026.2; eco-nace2-naics (US)",
                "file": "",
                "sha256": "",
                "detail": "30 traded categories (29 for the 38 originals, plus coal mining) approximating the 38 of "
                "the European Cluster Observatory on "
                "NACE Rev. 2 divisions; US NAICS via the Census NAICS→ISIC Rev. 4 concordance",
                "licence": "CC BY 4.0 (eco-nace2); concordance: public domain (US Census)",
            }
        )
        return out


_LICENCES = {
    "eurostat": "© European Union, Eurostat; reuse authorised (Decision 2011/833/EU)",
    "census": "Public domain (US Census Bureau)",
    "uspto": "Public domain (USPTO)",
    "bea": "Public domain (BEA)",
}


def _key(mirror: Any) -> str | None:
    return None if mirror is None else str(mirror)


@lru_cache(maxsize=4)
def _eu_geojson(version: int, mirror: str | None) -> dict:
    from clustermap.geometry import load_gisco

    v = version if version in (2016, 2021, 2024) else 2016
    layer = load_gisco(v, 2, mirror=mirror)
    return _web(layer, 450_000)


@lru_cache(maxsize=2)
def _us_geojson(mirror: str | None) -> dict:
    from clustermap.geometry import load_us_atlas

    return _web(load_us_atlas("states", mirror=mirror), 250_000)


def _web(layer: Any, budget: int) -> dict:
    try:
        from clustermap.geometry import web_geojson

        data = json.loads(web_geojson(layer, budget, precision=3).data)
    except Exception as exc:  # shapely missing or a geometry the simplifier cannot take: use it as it is
        log.info("web simplification unavailable (%s): full geometry", exc)
        data = layer.to_geojson()
    data["_source"] = {k: layer.source.get(k, "") for k in ("file", "sha256")}
    return data


def load_study(
    warehouse: Any = None,
    *,
    mirror: str | Path | None = None,
    year: int | None = None,
    us_year: int | None = inputs.DEFAULT_US_YEAR,
    us_cbsa_year: int | None = inputs.DEFAULT_US_CBSA_YEAR,
    nuts_version: int | None = inputs.DEFAULT_NUTS_VERSION,
    us_categories: Any = None,
    change_from: int | None = None,
) -> Study:
    """Mapping results for a report: EU from the warehouse or mapped now (:func:`clustermap.analyses.inputs.
    eu_mapping`), US states and CBSAs the same (:func:`~clustermap.analyses.inputs.us_mapping`; ``us_year=None`` or
    ``us_cbsa_year=None`` leaves them out).

    Raises
    ------
    MissingInputError
        the EU year is not in the results.
    """
    root = Path(mirror) if mirror is not None else inputs.mirror_root(None)
    eu = inputs.eu_mapping(warehouse, mirror=root, nuts_version=nuts_version)
    chosen = an.select_year(eu.cells, year)
    study = Study(eu=eu, us=None, year=chosen, mirror=root, change_from=change_from)
    if us_year is not None:
        study.us = study.optional(
            f"US CBP {us_year}",
            lambda: inputs.us_mapping(warehouse, year=us_year, mirror=root, categories=us_categories),
        )
    if us_cbsa_year is not None:
        study.us_metro = study.optional(
            f"US CBP CBSA {us_cbsa_year}",
            lambda: inputs.us_mapping(warehouse, year=us_cbsa_year, level="cbsa", mirror=root),
        )
    return study
