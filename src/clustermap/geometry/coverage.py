"""Which regions of a result can be drawn: a coverage report of regions against a geometry version.

A map of NUTS 2016 polygons cannot show a result coded in NUTS 2010 or 2013 (the Eurostat SBS series mixes
both): codes that changed (``FR71`` → ``FRK2``, ``UKI1`` → ``UKI3``/``UKI4`` …) have no polygon. The report lists
every region of the result that lacks geometry, says why, and gives the fix:

``other NUTS version``
    the code is valid in other NUTS versions (say which) but not in the geometry's: convert the results to the
    geometry's version with the region harmonisation of :mod:`clustermap.regions` (``clustermap regions convert
    --from <version> --to <geometry version>``) and map again, or pick geometry of the code's version.
``extra-regio``
    ``…Z``/``…ZZ`` codes (extra-regio: embassies, continental shelf) have no territory: leave them off maps.
``aggregate``
    ``EU28``, ``EA19`` … are not regions.
``other level``
    a valid code of the version at another level than the layer's: load the layer at that level.
``no polygon``
    a valid code of the version and level that the geometry file lacks (none in the mirror's files).
``unknown``
    not a NUTS code of any version known to the mirror.

Validity of codes per version comes from the mirror's NUTS code lists (``eu/nuts/all_nuts_codes_2006_2024_
ropensci_nuts.csv``, levels 1–3 of 2006–2024; ``eu/nuts/all_valid_nuts_codes_ropengov_regions.csv``, 1999–2021).
For US results, :func:`us_geometry_coverage` checks state or county FIPS codes against us-atlas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.errors import SourceError
from clustermap.geometry.gisco import load_gisco
from clustermap.geometry.layer import GeoLayer, mirror_file
from clustermap.geometry.usatlas import load_us_atlas

__all__ = ["CoverageReport", "geometry_coverage", "nuts_code_versions", "us_geometry_coverage"]

_AGGREGATE = re.compile(r"^(EU\d*|EA\d*|EFTA|EEA\d*|EU\d+_\d+|EA\d+_\d+)$", re.IGNORECASE)


@dataclass
class CoverageReport:
    """Regions of a result against one geometry layer.

    Attributes
    ----------
    layer : str
        The geometry layer (``nuts2016-all-levels``, ``us-states`` …).
    version : int or None
        NUTS version of the geometry (``None`` for US layers).
    regions : int
        Distinct regions of the result.
    covered : int
        Regions with geometry.
    missing : pandas.DataFrame
        ``region``, ``kind`` (``other NUTS version``, ``extra-regio``, ``aggregate``, ``other level``,
        ``no polygon``, ``unknown``), ``valid_in`` (NUTS versions where the code is valid, comma-joined), ``fix``.
    """

    layer: str
    version: int | None
    regions: int
    covered: int
    missing: pd.DataFrame

    @property
    def complete(self) -> bool:
        """True when every region has geometry."""
        return self.missing.empty

    def to_text(self) -> str:
        """One line of totals, then one line per missing region."""
        head = f"{self.covered}/{self.regions} regions have geometry in {self.layer}"
        if self.missing.empty:
            return head
        return head + "\n" + self.missing.to_string(index=False)


def _codes(regions: Iterable[str] | pd.DataFrame | pd.Series) -> list[str]:
    if isinstance(regions, pd.DataFrame):
        regions = regions["region"]
    return sorted({str(r).strip() for r in regions if str(r).strip()})


@lru_cache(maxsize=4)
def _versions_table(mirror: str | None) -> dict[str, tuple[int, ...]]:
    table: dict[str, set[int]] = {}
    path = mirror_file("eu/nuts/all_nuts_codes_2006_2024_ropensci_nuts.csv", mirror)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for code, version in zip(frame["code"], frame["version"], strict=True):
        table.setdefault(code, set()).add(int(version))
    try:
        path = mirror_file("eu/nuts/all_valid_nuts_codes_ropengov_regions.csv", mirror)
    except SourceError:
        path = None
    if path is not None:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for code, nuts in zip(frame["geo"], frame["nuts"], strict=True):
            m = re.fullmatch(r"code_(\d{4})", nuts)
            if m:
                table.setdefault(code, set()).add(int(m[1]))
    return {code: tuple(sorted(v)) for code, v in table.items()}


def nuts_code_versions(code: str, *, mirror: str | Path | None = None) -> tuple[int, ...]:
    """NUTS versions in which ``code`` is valid, per the mirror's code lists (empty when none)."""
    return _versions_table(None if mirror is None else str(mirror)).get(str(code), ())


def geometry_coverage(
    regions: Iterable[str] | pd.DataFrame | pd.Series,
    *,
    version: int = 2016,
    layer: GeoLayer | None = None,
    mirror: str | Path | None = None,
) -> CoverageReport:
    """Which NUTS regions of a result lack geometry in a GISCO version, why, and the fix.

    Parameters
    ----------
    regions : iterable of str, pandas.Series or DataFrame
        Region codes of a result (a frame's ``region`` column is used).
    version : int, default 2016
        NUTS version of the geometry (2016, 2021, 2024 in the mirror).
    layer : GeoLayer, optional
        The geometry to check against (default: every level of ``load_gisco(version)``).
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    CoverageReport
    """
    layer = layer if layer is not None else load_gisco(version, level=None, mirror=mirror)
    have = set(layer.ids)
    levels = {f["id"]: f["properties"].get("level") for f in layer.features}
    layer_levels = {lv for lv in levels.values() if lv is not None}
    codes = _codes(regions)
    rows = []
    for code in codes:
        if code in have:
            continue
        valid = nuts_code_versions(code, mirror=mirror)
        versions = ", ".join(str(v) for v in valid)
        if _AGGREGATE.match(code):
            kind, fix = "aggregate", "not a region: drop it from the map"
        elif code.upper().endswith("Z"):
            kind, fix = "extra-regio", "extra-regio code (no territory): no geometry by design; leave it off the map"
        elif valid and version in valid:
            level = len(code) - 2
            if level in layer_levels:
                kind, fix = "no polygon", f"valid NUTS {version} code without a polygon in {layer.name}"
            else:
                kind, fix = "other level", f"NUTS level {level} code: load the geometry at that level"
        elif valid:
            kind = "other NUTS version"
            src = max(valid)
            fix = (
                f"NUTS {versions} code, not in NUTS {version}: convert the results to NUTS {version} with "
                f"clustermap.regions (clustermap regions convert --input RESULTS --from {src} --to {version} "
                "--out FILE) and map again"
            )
        else:
            kind, fix = "unknown", "not a NUTS code of any version in the mirror's code lists"
        rows.append({"region": code, "kind": kind, "valid_in": versions, "fix": fix})
    missing = pd.DataFrame(rows, columns=["region", "kind", "valid_in", "fix"])
    return CoverageReport(
        layer=layer.name,
        version=int(version),
        regions=len(codes),
        covered=len(codes) - len(missing),
        missing=missing,
    )


def us_geometry_coverage(
    regions: Iterable[str] | pd.DataFrame | pd.Series,
    *,
    kind: str = "states",
    layer: GeoLayer | None = None,
    mirror: str | Path | None = None,
) -> CoverageReport:
    """Which US regions (state or county FIPS codes) of a result lack a us-atlas polygon.

    Codes are compared as published (2-digit state FIPS ``"06"``, 5-digit county FIPS ``"06037"``); a code that
    is a state where counties are checked, or the reverse, is reported as ``other level``. Counties that were
    renamed or merged after 2017 (us-atlas boundaries) are ``unknown``: aggregate them to states or update codes.
    """
    layer = layer if layer is not None else load_us_atlas(kind, mirror=mirror)
    have = set(layer.ids)
    width = 2 if kind == "states" else 5
    rows = []
    codes = _codes(regions)
    for code in codes:
        if code in have:
            continue
        if code.isdigit() and len(code) != width:
            rows.append(
                {
                    "region": code,
                    "kind": "other level",
                    "valid_in": "",
                    "fix": f"{len(code)}-digit code against a {layer.name} layer: load the matching layer",
                }
            )
        else:
            rows.append(
                {
                    "region": code,
                    "kind": "unknown",
                    "valid_in": "",
                    "fix": f"no {layer.name} polygon for this FIPS code (us-atlas: 2017 Census boundaries)",
                }
            )
    missing = pd.DataFrame(rows, columns=["region", "kind", "valid_in", "fix"])
    return CoverageReport(layer.name, None, len(codes), len(codes) - len(missing), missing)
