"""US geographies as data: states, counties, BEA economic areas and core-based statistical areas (CBSAs).

Sources (see :mod:`clustermap.regions.sources`):

* states and counties — ``us_states.csv`` / ``us_counties.csv`` of the data mirror (names of the us-atlas 3.0.1
  TopoJSON, Census cartographic boundaries 2017; version 2017), or the us-atlas ``counties-10m.json`` itself
  (mirror or jsDelivr) when the CSV files are absent;
* BEA economic areas — ``bea_economic_areas_2004_counties.csv`` (2004 definition, 179 areas; version 2004): the
  area list and the county → area map. Counties of that list missing from us-atlas (old Alaska boroughs,
  Virginia independent cities, Dade 12025, Shannon 46113) are added as counties of version 2004;
* CBSAs — codes and names of the USPTO patents-by-CBSA table (OMB delineations before 2013, version 2009) and the
  codes of the CBP 2018–2019 CBSA file (2017 delineations, version 2017; no names there). The two-character
  "Undetermined Statistical Areas" of the USPTO table are not CBSAs and are left out.

**Not in the mirror: a county → CBSA list.** Aggregating counties to CBSAs needs the Census delineation file
(``list1_<year>.xls``: CBSA Code, CBSA Title, FIPS State Code, FIPS County Code …); pass it to
:func:`load_cbsa_delineation`.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd

from clustermap.errors import CorruptFileError, SchemaError
from clustermap.regions.nuts import COLUMNS
from clustermap.regions.sources import locate

#: vintage of the us-atlas names (Census cartographic boundary files 2017)
ATLAS_VERSION = 2017
#: BEA economic areas: 2004 definition
EA_VERSION = 2004
#: CBSA codes of the USPTO table: OMB delineations in force before 2013 (Bulletin 09-01 names)
CBSA_OLD_VERSION = 2009
#: CBSA codes of the CBP 2018-2019 file: the 2017 delineations
CBSA_CBP_VERSION = 2017


def _csv(path: Path, **kwargs) -> pd.DataFrame:
    from clustermap.sources.fetch import read_text

    return pd.read_csv(StringIO(read_text(path)), dtype=str, keep_default_na=False, **kwargs)


def _atlas(mirror, download) -> tuple[pd.DataFrame, pd.DataFrame]:
    path = locate("us_atlas_counties", mirror=mirror, download=download)
    try:
        topo = json.loads(path.read_bytes())
        states = [(g["id"], g["properties"]["name"]) for g in topo["objects"]["states"]["geometries"]]
        counties = [(g["id"], g["properties"]["name"]) for g in topo["objects"]["counties"]["geometries"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptFileError(f"not a us-atlas counties TopoJSON ({exc})", file=path) from exc
    s = pd.DataFrame(states, columns=["state_fips", "state_name"]).assign(state_abbr="")
    c = pd.DataFrame(counties, columns=["county_fips", "county_name"])
    c["state_fips"] = c["county_fips"].str[:2]
    return s, c


def load_us_table(*, mirror: str | Path | None = None, download: bool | None = None) -> pd.DataFrame:
    """One row per US region (columns :data:`clustermap.regions.nuts.COLUMNS`): ``kind`` is ``state``,
    ``county``, ``economic_area`` or ``cbsa``; ``level`` is -1 (not a NUTS level); a county's ``parent`` is its
    state; ``country`` is ``US``; ``name_national`` holds the state's USPS abbreviation (states) or
    ``"<county>, <state abbr>"`` (counties)."""
    states_path = locate("us_states", mirror=mirror, download=download, required=False)
    counties_path = locate("us_counties", mirror=mirror, download=download, required=False)
    if states_path is not None and counties_path is not None:
        states = _csv(states_path)
        counties = _csv(counties_path)
        source = "us-atlas (mirror csv)"
    else:
        states, counties = _atlas(mirror, download)
        source = "us-atlas topojson"
    for frame, cols, path in (
        (states, {"state_fips", "state_name"}, states_path),
        (counties, {"county_fips", "county_name", "state_fips"}, counties_path),
    ):
        missing = cols - set(frame.columns)
        if missing:
            raise SchemaError(f"missing column(s) {', '.join(sorted(missing))}", file=path, line=1)
    abbr = states.set_index("state_fips").get("state_abbr", pd.Series(dtype=str))
    rows = [
        pd.DataFrame(
            {
                "kind": "state",
                "code": states["state_fips"],
                "version": ATLAS_VERSION,
                "name": states["state_name"],
                "name_national": states.get("state_abbr", ""),
                "name_source": source,
                "parent": "",
            }
        ),
        pd.DataFrame(
            {
                "kind": "county",
                "code": counties["county_fips"],
                "version": ATLAS_VERSION,
                "name": counties["county_name"],
                "name_national": counties["county_name"]
                + ", "
                + counties["state_fips"].map(abbr).fillna("").astype(str),
                "name_source": source,
                "parent": counties["state_fips"],
            }
        ),
    ]
    ea = load_economic_areas(mirror=mirror, download=download, required=False)
    if ea is not None:
        areas = ea.drop_duplicates("ea_code")
        rows.append(
            pd.DataFrame(
                {
                    "kind": "economic_area",
                    "code": areas["ea_code"],
                    "version": EA_VERSION,
                    "name": areas["ea_name"],
                    "name_national": areas["ea_name"],
                    "name_source": "BEA 2004",
                    "parent": "",
                }
            )
        )
        extra = ea[~ea["county_fips"].isin(set(counties["county_fips"]))].drop_duplicates("county_fips")
        rows.append(
            pd.DataFrame(
                {
                    "kind": "county",
                    "code": extra["county_fips"],
                    "version": EA_VERSION,
                    "name": extra["county_name"],
                    "name_national": extra["county_name"],
                    "name_source": "BEA 2004",
                    "parent": extra["county_fips"].str[:2],
                }
            )
        )
    rows.extend(_cbsas(mirror, download))
    table = pd.concat(rows, ignore_index=True)
    table["system"] = "us"
    table["level"] = -1
    table["country"] = "US"
    table["country_name"] = "United States"
    for col in ("name", "name_national", "name_source", "parent"):
        table[col] = table[col].fillna("").astype(str).astype(object)
    return table[COLUMNS].reset_index(drop=True)


def _cbsas(mirror, download) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    path = locate("uspto_cbsa", mirror=mirror, download=download, required=False)
    named: dict[str, str] = {}
    if path is not None:
        p = _csv(path, usecols=["cbsa_code", "cbsa_name"]).drop_duplicates("cbsa_code")
        p = p[p["cbsa_code"].str.fullmatch(r"\d{5}")]
        named = dict(zip(p["cbsa_code"], p["cbsa_name"], strict=True))
        out.append(
            pd.DataFrame(
                {
                    "kind": "cbsa",
                    "code": p["cbsa_code"],
                    "version": CBSA_OLD_VERSION,
                    "name": p["cbsa_name"],
                    "name_national": p["cbsa_name"],
                    "name_source": "USPTO patents by CBSA (pre-2013 OMB delineation)",
                    "parent": "",
                }
            )
        )
    path = locate("cbp_cbsa", mirror=mirror, download=download, required=False)
    if path is not None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv

        options = pacsv.ConvertOptions(include_columns=["cbsa_code"], column_types={"cbsa_code": pa.string()})
        try:  # pyarrow decompresses .gz itself, much faster than reading the bytes through Python
            table = pacsv.read_csv(str(path), convert_options=options)
        except (pa.ArrowInvalid, KeyError) as exc:
            raise CorruptFileError(f"cannot read the CBSA codes ({exc})", file=path) from exc
        codes = sorted(c for c in pc.unique(table.column("cbsa_code")).to_pylist() if c)
        both = [c for c in codes if c in named]
        new = [c for c in codes if c not in named]
        out.append(
            pd.DataFrame(
                {
                    "kind": "cbsa",
                    "code": both,
                    "version": CBSA_CBP_VERSION,
                    "name": [named[c] for c in both],
                    "name_national": [named[c] for c in both],
                    "name_source": "USPTO patents by CBSA (pre-2013 name; the 2017 name may differ)",
                    "parent": "",
                }
            )
        )
        out.append(
            pd.DataFrame(
                {
                    "kind": "cbsa",
                    "code": new,
                    "version": CBSA_CBP_VERSION,
                    "name": "",
                    "name_national": "",
                    "name_source": "code from CBP 2018-2019 (no name in the mirror)",
                    "parent": "",
                }
            )
        )
    return out


def load_economic_areas(
    *, mirror: str | Path | None = None, download: bool | None = None, required: bool = True
) -> pd.DataFrame | None:
    """The BEA 2004 county → economic-area list: ``county_fips`` (5 characters), ``county_name``, ``ea_code``
    (3 characters, BEA's 001–179 numbering — not the US Cluster Mapping codes such as ``57094``), ``ea_name``."""
    path = locate("bea_ea", mirror=mirror, download=download, required=required)
    if path is None:
        return None
    ea = _csv(path)
    missing = {"county_fips", "ea_code", "ea_name"} - set(ea.columns)
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(sorted(missing))}", file=path, line=1)
    if "county_name" not in ea.columns:
        ea["county_name"] = ""
    return ea[["county_fips", "county_name", "ea_code", "ea_name"]]


def load_cbsa_delineation(path: str | Path) -> pd.DataFrame:
    """A county → CBSA list from a Census delineation file (``list1_<year>.xls``/``.xlsx``/CSV).

    The header row is found by its ``CBSA Code`` cell (the Census files carry title lines above it); the county
    is ``FIPS State Code`` + ``FIPS County Code`` (zero-padded to 2 + 3 digits).

    Returns
    -------
    pandas.DataFrame
        ``county_fips``, ``cbsa_code``, ``cbsa_name`` (one row per county; a county belongs to at most one
        CBSA).

    Raises
    ------
    SchemaError
        no ``CBSA Code`` / ``FIPS State Code`` / ``FIPS County Code`` columns.
    """
    path = Path(path)
    if path.suffix.lower() in {".xls", ".xlsx"}:
        raw = pd.read_excel(path, header=None, dtype=str, engine="calamine")
    else:
        from clustermap.sources.fetch import read_text

        raw = pd.read_csv(StringIO(read_text(path)), header=None, dtype=str, keep_default_na=False)
    first = raw.iloc[:, 0].astype(str).str.strip().str.casefold()
    hits = raw.index[first == "cbsa code"]
    if not len(hits):
        raise SchemaError("no 'CBSA Code' header cell in the first column", file=path, column="CBSA Code")
    header = [str(c).strip().casefold() for c in raw.iloc[int(hits[0])]]
    body = raw.iloc[int(hits[0]) + 1 :].set_axis(header, axis=1)
    need = ["cbsa code", "fips state code", "fips county code"]
    missing = [c for c in need if c not in header]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=int(hits[0]) + 1)
    body = body[body["cbsa code"].astype(str).str.fullmatch(r"\d{5}")]
    out = pd.DataFrame(
        {
            "county_fips": body["fips state code"].astype(str).str.strip().str.zfill(2)
            + body["fips county code"].astype(str).str.strip().str.zfill(3),
            "cbsa_code": body["cbsa code"].astype(str).str.strip(),
            "cbsa_name": body["cbsa title"].astype(str).str.strip() if "cbsa title" in body else "",
        }
    )
    return out.drop_duplicates("county_fips").reset_index(drop=True)
