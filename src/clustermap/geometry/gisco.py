"""Eurostat GISCO NUTS polygons (GeoJSON) from the data mirror: one file per NUTS version, scale and CRS.

Files: ``eu/nuts/geometry/NUTS_RG_{scale}_{version}_{crs}.geojson`` (``RG`` = regions, all levels 0–3 in one
file; scale ``20M`` = 1:20 million, ``60M`` = 1:60 million; CRS 4326 = lon/lat degrees, 3035 = ETRS89-LAEA
metres). The mirror has 2016 (20M, 60M), 2021 (60M) and 2024 (20M); NUTS 2010 and 2013 geometry is not there —
convert results to one of these versions to draw them (:mod:`clustermap.geometry.coverage`).
Source: © EuroGeographics for the administrative boundaries; Eurostat GISCO.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from clustermap.classifications._mirror import mirror_root
from clustermap.errors import ParameterError, SourceError, UnknownNameError
from clustermap.geometry.layer import GeoLayer, read_json
from clustermap.provenance import sha256_file

__all__ = ["GISCO_CREDIT", "GISCO_FOLDER", "gisco_files", "load_gisco"]

GISCO_FOLDER = "eu/nuts/geometry"
GISCO_CREDIT = "© EuroGeographics for the administrative boundaries; source: Eurostat GISCO"
_NAME = re.compile(r"^NUTS_RG_(\d+M)_(\d{4})_(\d{4})\.geojson$")
#: preferred scale first (finer detail, then coarser)
_SCALES = ("20M", "60M", "10M", "03M", "01M")


def gisco_files(*, mirror: str | Path | None = None) -> pd.DataFrame:
    """The GISCO region files of the mirror: ``version`` (int), ``scale`` (``"20M"``), ``crs`` (int EPSG code),
    ``path`` — sorted by version, scale preference, CRS.

    Raises
    ------
    SourceError
        no mirror, or no such file in it.
    """
    folder = mirror_root(mirror) / GISCO_FOLDER
    rows = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _NAME.match(path.name)
            if m:
                rows.append({"version": int(m[2]), "scale": m[1], "crs": int(m[3]), "path": path})
    if not rows:
        raise SourceError(f"no GISCO NUTS_RG_*.geojson file in {folder}")
    out = pd.DataFrame(rows)
    out["_s"] = out["scale"].map({s: i for i, s in enumerate(_SCALES)}).fillna(len(_SCALES))
    return out.sort_values(["version", "_s", "crs"]).drop(columns="_s").reset_index(drop=True)


def load_gisco(
    version: int = 2016,
    level: int | None = 2,
    *,
    scale: str | None = None,
    crs: int = 4326,
    countries: list[str] | None = None,
    mirror: str | Path | None = None,
) -> GeoLayer:
    """NUTS polygons of one version and level from a GISCO GeoJSON file.

    Parameters
    ----------
    version : int
        NUTS version (2016, 2021, 2024 in the mirror).
    level : int or None, default 2
        NUTS level 0–3; ``None`` keeps every level.
    scale : str, optional
        ``"20M"`` or ``"60M"``; default: the most detailed the mirror has for the version.
    crs : int, default 4326
        EPSG code: 4326 (lon/lat degrees) or 3035 (metres) where the mirror has it.
    countries : list of str, optional
        Keep only these country codes (``CNTR_CODE``: ``DE``, ``EL``, ``UK`` …).
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    GeoLayer
        ``name="nuts{version}-level{level}"``; feature ``id`` = ``NUTS_ID``; properties ``id, name`` (Latin
        name), ``name_local`` (NUTS_NAME), ``level``, ``country``, and ``mount_type, urbn_type, coast_type`` as
        published. ``source`` names the file, its sha256, version, scale, publisher and credit line.

    Raises
    ------
    UnknownNameError
        no file for that version / scale / CRS (the message lists what the mirror has).
    ParameterError
        a level outside 0–3.
    """
    if level is not None and int(level) not in (0, 1, 2, 3):
        raise ParameterError(f"NUTS level must be 0, 1, 2 or 3, not {level!r}")
    files = gisco_files(mirror=mirror)
    sel = files[(files["version"] == int(version)) & (files["crs"] == int(crs))]
    if scale is not None:
        sel = sel[sel["scale"] == str(scale).upper()]
    if sel.empty:
        have = ", ".join(f"{r.version} {r.scale} EPSG:{r.crs}" for r in files.itertuples())
        raise UnknownNameError(
            f"no GISCO geometry for NUTS {version}" + (f" at {scale}" if scale else "") + f" in EPSG:{crs}; "
            f"the mirror has: {have}"
        )
    row = sel.iloc[0]
    path = Path(row["path"])
    data = read_json(path)
    features = []
    wanted = {c.upper() for c in countries} if countries else None
    for f in data.get("features", []):
        p = f.get("properties", {})
        lv = int(p.get("LEVL_CODE"))
        if level is not None and lv != int(level):
            continue
        if wanted is not None and str(p.get("CNTR_CODE", "")).upper() not in wanted:
            continue
        code = str(p["NUTS_ID"])
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "id": code,
                    "name": p.get("NAME_LATN") or p.get("NUTS_NAME") or code,
                    "name_local": p.get("NUTS_NAME") or "",
                    "level": lv,
                    "country": p.get("CNTR_CODE") or code[:2],
                    "mount_type": p.get("MOUNT_TYPE"),
                    "urbn_type": p.get("URBN_TYPE"),
                    "coast_type": p.get("COAST_TYPE"),
                },
                "geometry": f["geometry"],
            }
        )
    suffix = f"level{level}" if level is not None else "all-levels"
    return GeoLayer(
        name=f"nuts{int(version)}-{suffix}",
        features=features,
        crs=f"EPSG:{int(crs)}",
        source={
            "publisher": "Eurostat GISCO",
            "dataset": f"NUTS_RG_{row['scale']}_{int(version)}_{int(crs)}",
            "file": str(path),
            "sha256": sha256_file(path),
            "version": int(version),
            "scale": row["scale"],
            "licence": "© European Union, Eurostat; reuse authorised with acknowledgement (Decision 2011/833/EU)",
            "credit": GISCO_CREDIT,
        },
    )
