"""NUTS as data: codes, names, levels, parents and validity of the versions 2006, 2010, 2013, 2016, 2021 and 2024,
and the JRC NUTS-converter weight matrices between them.

Sources (see :mod:`clustermap.regions.sources`), combined in this order:

* codes × versions, NUTS 1–3 — ``all_nuts_codes_2006_2024`` (rOpenSci ``nuts`` package, built from the JRC NUTS
  converter; EU + EFTA), united with the codes of the GISCO GeoJSON files (2016, 2021, 2024: adds candidate and
  EFTA countries) and of the rOpenGov ``nuts_changes`` table (2006–2021: adds the extra-regio codes ``xxZ``,
  ``xxZZ``, ``xxZZZ``);
* NUTS 0 of a version = the two-letter prefixes of its codes (Greece is ``GR`` in 2006, ``EL`` from 2010);
* names — 2016/2021/2024 from GISCO (``NAME_LATN`` Latin script, ``NUTS_NAME`` national form), 2006–2021 from
  ``nuts_changes`` (national form, as in the Eurostat tables: NUTS 0/1 in capitals before 2021), 2006/2010/2013
  from the Eurostat correspondence tables where ``nuts_changes`` has no name; a code still without a name takes
  the name of the nearest version that has one (``name_source`` says which);
* parent — the code without its last character, in the same version (NUTS 0 has none).
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.errors import CorruptFileError, UnknownNameError
from clustermap.regions.sources import NUTS_VERSIONS, jrc_source, locate

logger = logging.getLogger(__name__)

_CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
#: columns of the NUTS part of the registry table
COLUMNS = [
    "system",
    "kind",
    "code",
    "version",
    "level",
    "name",
    "name_national",
    "name_source",
    "parent",
    "country",
    "country_name",
]
#: weight columns of the JRC matrices: area (km²), population 2011 and 2021 (persons, GEOSTAT grid), artificial
#: surface 2012 and 2018 (hectares of Copernicus imperviousness), built-up volume 2021 (m³, GHSL)
JRC_WEIGHTS = ("areaKm", "pop11", "pop21", "artif_surf12", "artif_surf18", "bu_vol")


def nuts_level(code: str) -> int:
    """NUTS level of a code from its length: 2 characters = 0 (country) … 5 characters = 3."""
    return len(code) - 2


def is_extra_regio(code: str) -> bool:
    """``True`` for the extra-regio codes ``xxZ``, ``xxZZ``, ``xxZZZ`` (territory outside any region)."""
    return bool(re.fullmatch(r"[A-Z]{2}Z{1,3}", code))


def country_of(code: str) -> str:
    """The country of a NUTS code, with the 2006 Greek prefix ``GR`` read as ``EL``."""
    cc = code[:2]
    return "EL" if cc == "GR" else cc


def _read_csv(path: Path) -> pd.DataFrame:
    from clustermap.sources.fetch import read_text

    text = read_text(path)
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)


def _gisco(path: Path, version: int) -> pd.DataFrame:
    try:
        data = json.loads(path.read_bytes())
        rows = [f["properties"] for f in data["features"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptFileError(f"not a GISCO NUTS GeoJSON file ({exc})", file=path) from exc
    frame = pd.DataFrame(rows)
    out = pd.DataFrame(
        {
            "code": frame["NUTS_ID"].astype(str),
            "version": version,
            "name_latn": frame["NAME_LATN"].astype(str).str.strip(),
            "name_national": frame["NUTS_NAME"].astype(str).str.strip(),
        }
    )
    return out.drop_duplicates("code")


def _correspondence_names(path: Path, old: int, new: int) -> pd.DataFrame:
    """Names of the codes of a Eurostat change table's main sheet: ``code, version, name``.

    The labels are those of the new version except for codes that do not exist in it (Eurostat prints those in
    italics), so a label is taken as the ``new`` name of the new code and, where the old code is not also a new
    code, as the ``old`` name of the old code.
    """
    try:
        # calamine reads .xls and .xlsx alike, a sheet at a time: 0.01-0.06 s a change table against
        # 0.02-0.56 s with xlrd / openpyxl (measured on the seven tables of the mirror, same cells)
        book = pd.ExcelFile(path, engine="calamine")
        sheets = [str(n) for n in book.sheet_names]
        name = next((n for n in sheets if re.fullmatch(rf"NUTS\s*{old}\s*-\s*NUTS\s*{new}", n.strip())), None)
        if name is None:
            raise CorruptFileError(f"no sheet 'NUTS{old}-NUTS{new}' (sheets: {', '.join(sheets)})", file=path)
        raw = pd.read_excel(book, sheet_name=name, header=None, dtype=str)
    except CorruptFileError:
        raise
    except Exception as exc:  # calamine raises several types for bad files
        raise CorruptFileError(f"cannot read the NUTS change table ({exc})", file=path) from exc
    header = raw.index[raw.iloc[:, 1].astype(str).str.strip().eq(f"Code {old}")]
    body = raw.iloc[int(header[0]) + 1 :] if len(header) else raw.iloc[2:]
    label = pd.Series(pd.NA, index=body.index, dtype="string")
    for i in range(3, 7):  # the label sits in the column of its level (country, NUTS 1, 2, 3)
        label = label.fillna(body.iloc[:, i].astype("string").str.strip().replace("", pd.NA))
    old_code = body.iloc[:, 1].astype("string").str.strip()
    new_code = body.iloc[:, 2].astype("string").str.strip()
    new_rows = pd.DataFrame({"code": new_code, "version": new, "name": label})
    only_old = old_code.notna() & (old_code != new_code)
    old_rows = pd.DataFrame({"code": old_code[only_old], "version": old, "name": label[only_old]})
    out = pd.concat([new_rows, old_rows], ignore_index=True).dropna()
    out = out[out["code"].str.fullmatch(_CODE.pattern) & (out["name"] != "")]
    return out.drop_duplicates(["code", "version"])


def load_nuts_table(*, mirror: str | Path | None = None, download: bool | None = None) -> pd.DataFrame:
    """One row per NUTS code and version (columns :data:`COLUMNS`), built from the sources in the module docstring.

    ``level`` is the NUTS level (0–3), ``name`` the Latin-script name where a source gives one (else the
    national form), ``country`` the two-letter prefix (``EL`` for 2006's ``GR``), ``country_name`` the English
    country name of the JRC list.
    """
    codes = _read_csv(locate("nuts_codes", mirror=mirror, download=download))
    codes = codes.rename(columns={"country": "country_name"})
    codes["version"] = codes["version"].astype(int)
    parts = [codes[["code", "version"]]]
    changes = _read_csv(locate("nuts_changes", mirror=mirror, download=download))
    names: list[pd.DataFrame] = []
    for v in NUTS_VERSIONS:
        col = f"code_{v}"
        if col not in changes.columns:
            continue
        sub = changes[[col, f"geo_name_{v}"]].set_axis(["code", "name"], axis=1)
        sub = sub[sub["code"].str.fullmatch(_CODE.pattern)]
        parts.append(sub[["code"]].assign(version=v))
        names.append(sub.assign(version=v, name_source="nuts_changes")[["code", "version", "name", "name_source"]])
    gisco: list[pd.DataFrame] = []
    for v in (2016, 2021, 2024):
        path = locate(f"gisco_{v}", mirror=mirror, download=download, required=False)
        if path is None:
            logger.warning("GISCO NUTS %d file not found: names of that version come from other tables", v)
            continue
        g = _gisco(path, v)
        gisco.append(g)
        parts.append(g[["code", "version"]])
    table = pd.concat(parts, ignore_index=True)
    table = table[table["code"].str.fullmatch(_CODE.pattern)]
    table = table[table["code"].str.len() > 2].drop_duplicates(["code", "version"])
    # NUTS 0 = the country prefixes of each version
    countries = table.assign(code=table["code"].str[:2])[["code", "version"]].drop_duplicates()
    table = pd.concat([countries, table], ignore_index=True)
    table["level"] = table["code"].str.len() - 2
    table["country"] = table["code"].map(country_of)

    # names: GISCO (Latin + national) first, then nuts_changes, then the Eurostat correspondence tables
    name = pd.Series(pd.NA, index=table.index, dtype="string")
    national = pd.Series(pd.NA, index=table.index, dtype="string")
    source = pd.Series(pd.NA, index=table.index, dtype="string")
    key = pd.MultiIndex.from_frame(table[["code", "version"]])

    def fill(frame: pd.DataFrame, col: str, target: pd.Series, label: str | None = None) -> None:
        lookup = frame.drop_duplicates(["code", "version"]).set_index(["code", "version"])[col]
        values = pd.Series(lookup.reindex(key).to_numpy(), index=table.index, dtype="string")
        values = values.where(values.str.strip() != "")
        empty = target.isna() & values.notna()
        target[empty] = values[empty]
        if label is not None:
            source[empty & source.isna()] = label

    for g in gisco:
        fill(g, "name_latn", name, "gisco")
        fill(g, "name_national", national)
    for n in names:
        fill(n, "name", national, None)
        fill(n, "name", name, "nuts_changes")
    for key_name, old, new in (("nuts_2010_2013", 2010, 2013), ("nuts_2006_2010", 2006, 2010)):
        if not name.isna().any():
            break
        path = locate(key_name, mirror=mirror, download=download, required=False)
        if path is None:
            continue
        corr = _correspondence_names(path, old, new)
        fill(corr, "name", national)
        fill(corr, "name", name, f"eurostat {old}-{new}")
    table["name"] = name
    table["name_national"] = national.fillna(name)
    table["name_source"] = source
    table = _borrow_names(table)
    table = _latin_names(table)
    country_names = codes.assign(cc=codes["code"].map(country_of)).drop_duplicates("cc").set_index("cc")["country_name"]
    table["country_name"] = table["country"].map(country_names).fillna("")
    table["parent"] = table["code"].str[:-1].where(table["level"] > 0, "")
    table["system"] = "nuts"
    table["kind"] = "nuts"
    for col in ("name", "name_national", "name_source"):
        table[col] = table[col].fillna("").astype(object)
    return table.sort_values(["code", "version"], kind="stable").reset_index(drop=True)[COLUMNS]


def _borrow_names(table: pd.DataFrame) -> pd.DataFrame:
    """A code without a name in one version takes it from the nearest version (earlier on ties) that has one."""
    missing = table["name"].isna()
    if not missing.any():
        return table
    named = table.loc[~missing, ["code", "version", "name", "name_national"]]
    want = table.loc[missing, ["code", "version"]].reset_index()
    pairs = want.merge(named, on="code", suffixes=("", "_from"))
    if pairs.empty:
        return table
    pairs["distance"] = (pairs["version_from"] - pairs["version"]).abs() * 2 + (
        pairs["version_from"] > pairs["version"]
    )
    best = pairs.sort_values(["index", "distance"]).drop_duplicates("index").set_index("index")
    table.loc[best.index, "name"] = best["name"]
    table.loc[best.index, "name_national"] = best["name_national"]
    table.loc[best.index, "name_source"] = "version " + best["version_from"].astype(str)
    return table


def _latin_names(table: pd.DataFrame) -> pd.DataFrame:
    """Names in a non-Latin script (Greek, Cyrillic) of versions without a GISCO file take the Latin form GISCO
    gives for the same national name, country and level (e.g. 2010's ``EL11`` → *Anatoliki Makedonia, Thraki*)."""
    src = table["name_source"].fillna("").astype(str)
    gisco = table[
        (src == "gisco").to_numpy() & (table["name"].fillna("") != table["name_national"].fillna("")).to_numpy()
    ]
    if gisco.empty:
        return table
    key = ["country", "level", "_k"]
    lookup = (
        gisco.assign(_k=gisco["name_national"].str.casefold().str.strip())
        .sort_values("version")
        .drop_duplicates(key, keep="last")
        .set_index(key)["name"]
    )
    latin = table["name"].fillna("").astype(str).str.match(r"^[\x00-\u024f\u2010-\u2015]*$").to_numpy(bool)
    todo = pd.Series(~latin & (src != "gisco").to_numpy(bool), index=table.index)
    if not todo.any():
        return table
    k = pd.MultiIndex.from_arrays(
        [table.loc[todo, "country"], table.loc[todo, "level"], table.loc[todo, "name"].str.casefold().str.strip()]
    )
    found = pd.Series(lookup.reindex(k).to_numpy(), index=table.index[todo])
    found = found.dropna()
    table.loc[found.index, "name"] = found
    return table


@lru_cache(maxsize=64)
def _jrc(level: int, a: int, b: int, mirror: str | None, download: bool | None) -> pd.DataFrame:
    path = locate(jrc_source(level, a, b), mirror=mirror, download=download)
    raw = _read_csv(path)
    need = {f"code_v{a}", f"code_v{b}", *JRC_WEIGHTS}
    missing = need - set(raw.columns)
    if missing:
        raise CorruptFileError(f"JRC matrix lacks column(s) {', '.join(sorted(missing))}", file=path, line=1)
    out = pd.DataFrame({"from_code": raw[f"code_v{a}"].str.strip(), "to_code": raw[f"code_v{b}"].str.strip()})
    for w in JRC_WEIGHTS:
        out[w] = pd.to_numeric(raw[w], errors="coerce").fillna(0.0).clip(lower=0.0)
    # the 2006 Greek codes (GR..) and the later ones (EL..) are the same country: keep those rows
    same = out["from_code"].map(country_of) == out["to_code"].map(country_of)
    return out[same].reset_index(drop=True)


def jrc_matrix(
    level: int,
    from_version: int,
    to_version: int,
    *,
    mirror: str | Path | None = None,
    download: bool | None = None,
) -> pd.DataFrame:
    """The JRC NUTS-converter intersections of two NUTS versions at one level.

    One row per non-empty intersection of a ``from_version`` region and a ``to_version`` region: ``from_code``,
    ``to_code`` and the intersection's ``areaKm`` (km²), ``pop11`` / ``pop21`` (persons living there in 2011 /
    2021, GEOSTAT population grid), ``artif_surf12`` / ``artif_surf18`` (artificial surface), ``bu_vol``
    (built-up volume 2021, m³). The JRC publishes forward pairs only (older → newer); for a backward pair the
    same intersections are returned with the columns swapped, which is exact: an intersection's weight does not
    depend on the direction. Rows crossing a country border (generalisation slivers) are dropped.

    Raises
    ------
    UnknownNameError
        a version or level clustermap does not know.
    SourceError
        the matrix is not in the mirror and cannot be downloaded.
    """
    for v in (from_version, to_version):
        if v not in NUTS_VERSIONS:
            raise UnknownNameError(f"unknown NUTS version {v!r}; known versions: {', '.join(map(str, NUTS_VERSIONS))}")
    if level not in (1, 2, 3):
        raise UnknownNameError(f"the JRC matrices cover NUTS levels 1-3, not {level!r}")
    root = str(mirror) if mirror is not None else None
    if from_version < to_version:
        return _jrc(level, from_version, to_version, root, download).copy()
    m = _jrc(level, to_version, from_version, root, download)
    return m.rename(columns={"from_code": "to_code", "to_code": "from_code"})[["from_code", "to_code", *JRC_WEIGHTS]]
