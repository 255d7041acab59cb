"""Where the region files come from: the source catalog when it knows them, else the data mirror, else a
download of a byte-identical copy.

Every region table clustermap reads is named here by a key, the catalog id it will have
(:mod:`clustermap.sources.catalog`), its path inside the data mirror and — where a byte-identical copy is served
publicly — a download address. :func:`locate` asks the catalog first (so that entries added to
``datasets.toml`` take over: mirror, download cache, publisher), then the mirror, then the download cache and the
address here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clustermap.errors import SourceError, UnknownNameError
from clustermap.settings import get_settings

#: NUTS versions clustermap knows (the years the classification was adopted for)
NUTS_VERSIONS: tuple[int, ...] = (2006, 2010, 2013, 2016, 2021, 2024)

_ROPENSCI = "https://raw.githubusercontent.com/ropensci/nuts/5509ff02266d9e3ebfbe51fc0d6457f34e59a0d8"
_GISCO = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson"


@dataclass(frozen=True)
class RegionSource:
    """One file of the region layer.

    Attributes
    ----------
    key : str
        Short name used in this package.
    dataset_id : str
        Catalog id (``publisher:code``) under which :func:`clustermap.sources.fetch.resolve` finds it once the
        catalog lists it.
    mirror_path : str
        POSIX path inside the data mirror.
    url : str or None
        A public address serving the same bytes (``None``: the mirror file was derived, no byte copy exists).
    """

    key: str
    dataset_id: str
    mirror_path: str
    url: str | None = None


_SOURCES = [
    RegionSource(
        "nuts_codes",
        "ropensci:all_nuts_codes_2006_2024",
        "eu/nuts/all_nuts_codes_2006_2024_ropensci_nuts.csv",
    ),
    RegionSource(
        "nuts_changes",
        "ropengov:nuts_changes_1999_2021",
        "eu/nuts/nuts_changes_1999_2021_ropengov_regions.csv",
    ),
    RegionSource(
        "gisco_2016",
        "gisco:nuts_rg_60m_2016_4326",
        "eu/nuts/geometry/NUTS_RG_60M_2016_4326.geojson",
        f"{_GISCO}/NUTS_RG_60M_2016_4326.geojson",
    ),
    RegionSource(
        "gisco_2021",
        "gisco:nuts_rg_60m_2021_4326",
        "eu/nuts/geometry/NUTS_RG_60M_2021_4326.geojson",
        f"{_GISCO}/NUTS_RG_60M_2021_4326.geojson",
    ),
    RegionSource(
        "gisco_2024",
        "gisco:nuts_rg_20m_2024_4326",
        "eu/nuts/geometry/NUTS_RG_20M_2024_4326.geojson",
        f"{_GISCO}/NUTS_RG_20M_2024_4326.geojson",
    ),
    RegionSource(
        "nuts_2006_2010",
        "eurostat:nuts_2006_2010",
        "eu/nuts/correspondence_eurostat/2006-2010.xls",
        "https://raw.githubusercontent.com/rOpenGov/regions/0890afe9ffd3e0d05372a2b1eb6bfa00d20d7cb5/data-raw/2006-2010.xls",
    ),
    RegionSource(
        "nuts_2010_2013",
        "eurostat:nuts_2010_2013",
        "eu/nuts/correspondence_eurostat/NUTS_2010-NUTS_2013.xls",
        "https://raw.githubusercontent.com/rOpenGov/regions/0890afe9ffd3e0d05372a2b1eb6bfa00d20d7cb5/data-raw/NUTS%202010%20-%20NUTS%202013.xls",
    ),
    RegionSource("us_states", "usatlas:us_states", "us/geo/us_states.csv"),
    RegionSource("us_counties", "usatlas:us_counties", "us/geo/us_counties.csv"),
    RegionSource(
        "us_atlas_counties",
        "usatlas:counties_10m",
        "us/geo/counties-10m.json",
        "https://cdn.jsdelivr.net/npm/us-atlas@3.0.1/counties-10m.json",
    ),
    RegionSource("bea_ea", "bea:economic_areas_2004", "us/geo/bea_economic_areas_2004_counties.csv"),
    RegionSource("uspto_cbsa", "uspto:patents_by_cbsa_2000_2015", "us/patents/uspto_patents_by_cbsa_2000_2015.csv"),
    RegionSource("cbp_cbsa", "census:cbp_cbsa_2018_2019", "us/cbp/cbp_cbsa_naics_2018_2019.csv.gz"),
]
SOURCES: dict[str, RegionSource] = {s.key: s for s in _SOURCES}


def jrc_source(level: int, from_version: int, to_version: int) -> RegionSource:
    """The JRC NUTS-converter matrix ``n{level}_cm_v{from}_v{to}.csv`` (release 2025.08; forward pairs only)."""
    name = f"n{level}_cm_v{from_version}_v{to_version}.csv"
    folder = "_JRC_NUTSconverter_Matrices_rel.2025.08"
    return RegionSource(
        f"jrc_n{level}_{from_version}_{to_version}",
        f"jrc:nuts_converter_n{level}_v{from_version}_v{to_version}",
        f"eu/nuts/jrc_nuts_converter_2025_08/{name}",
        f"{_ROPENSCI}/data-raw/{folder}/{name}",
    )


def locate(
    source: str | RegionSource,
    *,
    mirror: str | Path | None = None,
    download: bool | None = None,
    required: bool = True,
) -> Path | None:
    """The local path of a region file.

    Order: the source catalog (when it lists ``dataset_id``: mirror, download cache, publisher); the data mirror
    (``mirror`` or :meth:`clustermap.settings.Settings.mirror`); the download cache; a download of ``url``.

    Parameters
    ----------
    source : str or RegionSource
        A key of :data:`SOURCES` or a :class:`RegionSource`.
    mirror : path, optional
        Root of the data mirror.
    download : bool, optional
        Allow a download (default ``CLUSTERMAP_DOWNLOAD``).
    required : bool
        Raise when the file cannot be found; with ``False`` return ``None`` instead.

    Raises
    ------
    SourceError
        not found anywhere and ``required``; the message names every place tried.
    """
    from clustermap.sources import catalog, fetch

    src = SOURCES[source] if isinstance(source, str) else source
    try:
        catalog.get(src.dataset_id)
    except UnknownNameError:
        pass
    else:
        try:
            return fetch.resolve(src.dataset_id, mirror=mirror, download=download)
        except SourceError:
            if required:
                raise
            return None
    settings = get_settings()
    tried: list[str] = []
    found = fetch.look_in_mirror(src.mirror_path, mirror, tried)
    if found is not None:
        return found
    if src.url:
        cached = settings.cache_dir / "regions" / Path(src.mirror_path).name
        if cached.is_file():
            return cached
        tried.append(str(cached))
        allowed = settings.download if download is None else download
        if allowed:
            try:
                return fetch.fetch_url(src.url, cached)
            except SourceError as exc:
                if required:
                    raise SourceError(f"{src.key}: not found (tried {'; '.join(tried)}) and {exc}") from exc
                return None
    if required:
        raise SourceError(
            f"{src.key} ({src.dataset_id}) not found; tried {'; '.join(tried)}"
            + (f"; download address {src.url}" if src.url else "; no public byte copy is known: use the data mirror")
        )
    return None
