"""The region registry: every NUTS code of the versions 2006–2024 and every US state, county, BEA economic area
and CBSA, with names, levels, parents and the versions each code is valid in — loaded from data files, never
written in code.

>>> from clustermap.regions import get_registry
>>> reg = get_registry()                       # doctest: +SKIP
>>> reg.get("DE11").name                       # doctest: +SKIP
'Stuttgart'
>>> reg.get("FR71", version=2010).versions     # doctest: +SKIP
(2006, 2010, 2013)

A code is looked up in the NUTS part when it starts with a letter and in the US part when it is all digits
(state FIPS ``06``, county FIPS ``06037``, CBSA ``41860``, BEA economic area ``001``), so the first query of each
kind loads only that part. :func:`get_registry` builds the registry once per process and mirror.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.regions.nuts import COLUMNS, country_of, nuts_level
from clustermap.regions.sources import NUTS_VERSIONS

#: the kinds of region the registry knows
KINDS = ("nuts", "state", "county", "cbsa", "economic_area")
_KIND_NAMES = {"state": "state", "county": "county", "cbsa": "CBSA", "economic_area": "economic area"}
_KIND_ALIASES = {
    "states": "state",
    "counties": "county",
    "cbsas": "cbsa",
    "msa": "cbsa",
    "ea": "economic_area",
    "economic-area": "economic_area",
    "economic area": "economic_area",
    "economic_areas": "economic_area",
    "economic-areas": "economic_area",
}


def normalise_kind(kind: str) -> str:
    """A region kind from a user's spelling (``state``, ``counties``, ``economic-area``, ``ea``, ``cbsa`` …).

    Raises
    ------
    UnknownNameError
        not a kind the registry knows.
    """
    k = str(kind).strip().lower()
    k = _KIND_ALIASES.get(k, k)
    if k not in KINDS:
        raise UnknownNameError(f"unknown region kind {kind!r}; use one of {', '.join(KINDS)}")
    return k


@dataclass(frozen=True)
class Region:
    """One region as of one version.

    Attributes
    ----------
    code : str
        NUTS code (``DE11``), state FIPS (``06``), county FIPS (``06037``), CBSA code (``41860``) or BEA economic
        area (``001``).
    name : str
        Name in the Latin script where a source gives one (GISCO ``NAME_LATN``), else as published.
    level : int or None
        NUTS level 0–3 (country, major regions, basic regions, small regions); ``None`` for US regions.
    kind : str
        ``nuts``, ``state``, ``county``, ``cbsa`` or ``economic_area``.
    parent : str or None
        The code one NUTS level up in the same version, or a county's state; ``None`` at the top.
    country : str
        Two-letter country code (``EL`` for Greece also in 2006, where codes start ``GR``); ``US`` for US regions.
    version : int
        The NUTS version (or US vintage) this record describes.
    versions : tuple of int
        Every version the code is valid in.
    name_national : str
        The national form (Greek, Cyrillic … script; NUTS 0/1 in capitals before 2021 as Eurostat printed them);
        for US states the USPS abbreviation, for counties ``"<county>, <state abbr>"``.
    name_source : str
        Where the name comes from (``gisco``, ``nuts_changes``, ``eurostat 2010-2013``, ``version 2016`` = borrowed
        from that version …).
    country_name : str
        English country name.
    """

    code: str
    name: str
    level: int | None
    kind: str
    parent: str | None
    country: str
    version: int
    versions: tuple[int, ...]
    name_national: str = ""
    name_source: str = ""
    country_name: str = ""

    @property
    def system(self) -> str:
        """``nuts`` or ``us``."""
        return "nuts" if self.kind == "nuts" else "us"

    @property
    def level_name(self) -> str:
        """``NUTS 2``, ``state``, ``county``, ``CBSA`` or ``economic area``."""
        return f"NUTS {self.level}" if self.kind == "nuts" else _KIND_NAMES[self.kind]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.level_name})"


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` for searching."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_us(code: str) -> bool:
    return code[:1].isdigit()


class RegionRegistry:
    """Query NUTS and US regions by code, name, level, version and country.

    Parameters
    ----------
    nuts : pandas.DataFrame or callable, optional
        The NUTS table (one row per code and version; columns :data:`clustermap.regions.nuts.COLUMNS`, of which
        only ``code`` and ``version`` are required — ``level``, ``parent``, ``country`` are derived from the code
        when absent), or a function returning it (called on first use).
    us : pandas.DataFrame or callable, optional
        The US table, same columns with ``kind`` in ``state``/``county``/``cbsa``/``economic_area``.

    Use :func:`get_registry` for the registry built from the data files.
    """

    def __init__(self, nuts=None, us=None) -> None:
        self._sources = {"nuts": nuts, "us": us}
        self._tables: dict[str, pd.DataFrame] = {}
        self._rows: dict[str, dict[str, list[int]]] = {}

    # ------------------------------------------------------------------ tables

    @staticmethod
    def _complete(table: pd.DataFrame, system: str) -> pd.DataFrame:
        t = table.copy()
        if "code" not in t.columns or "version" not in t.columns:
            raise ParameterError("a region table needs the columns code and version")
        t["code"] = t["code"].astype(str).str.strip()
        t["version"] = t["version"].astype(int)
        defaults = {
            "system": system,
            "kind": "nuts" if system == "nuts" else "county",
            "name": "",
            "name_national": "",
            "name_source": "",
            "country_name": "",
        }
        for col, value in defaults.items():
            if col not in t.columns:
                t[col] = value
        if "level" not in t.columns:
            t["level"] = t["code"].map(nuts_level) if system == "nuts" else -1
        if "parent" not in t.columns:
            t["parent"] = t["code"].str[:-1].where(t["level"] > 0, "") if system == "nuts" else ""
        if "country" not in t.columns:
            t["country"] = t["code"].map(country_of) if system == "nuts" else "US"
        for col in ("name", "name_national", "name_source", "parent", "country_name"):
            t[col] = t[col].fillna("").astype(str)
        t["level"] = t["level"].astype(int)
        return t[COLUMNS].sort_values(["code", "version"], kind="stable").reset_index(drop=True)

    def table(self, system: str) -> pd.DataFrame:
        """The whole ``nuts`` or ``us`` table (one row per code and version)."""
        if system not in self._tables:
            src = self._sources.get(system)
            if callable(src):
                src = src()
            if src is None:
                src = pd.DataFrame(columns=["code", "version"])
            t = self._complete(src, system)
            self._tables[system] = t
            rows: dict[str, list[int]] = {}
            for i, code in enumerate(t["code"].tolist()):
                rows.setdefault(code, []).append(i)
            self._rows[system] = rows
        return self._tables[system]

    def _lookup(self, system: str) -> dict[str, list[int]]:
        self.table(system)
        return self._rows[system]

    @property
    def nuts_table(self) -> pd.DataFrame:
        """The NUTS table: one row per code and version."""
        return self.table("nuts")

    @property
    def us_table(self) -> pd.DataFrame:
        """The US table: one row per code and vintage."""
        return self.table("us")

    # ------------------------------------------------------------------ single regions

    def _region(self, system: str, index: int, versions: tuple[int, ...]) -> Region:
        row = self.table(system).iloc[index]
        level = int(row["level"])
        return Region(
            code=row["code"],
            name=row["name"],
            level=level if row["kind"] == "nuts" else None,
            kind=row["kind"],
            parent=row["parent"] or None,
            country=row["country"],
            version=int(row["version"]),
            versions=versions,
            name_national=row["name_national"],
            name_source=row["name_source"],
            country_name=row["country_name"],
        )

    def versions(self, code: str) -> tuple[int, ...]:
        """The versions (NUTS) or vintages (US) ``code`` is valid in; empty when unknown."""
        code = str(code).strip()
        system = "us" if _is_us(code) else "nuts"
        t = self.table(system)
        idx = self._lookup(system).get(code, [])
        return tuple(sorted({int(v) for v in t["version"].to_numpy()[idx]}))

    def __contains__(self, code: object) -> bool:
        return bool(self.versions(str(code)))

    def get(self, code: str, version: int | None = None, *, kind: str | None = None) -> Region:
        """The region ``code`` as of ``version`` (default: the latest version it is valid in).

        ``version`` applies to NUTS codes; a US code is returned in its latest vintage whatever ``version``.

        Raises
        ------
        UnknownNameError
            unknown code, or a NUTS code not valid in ``version``; the message lists near matches (codes of that
            version, or the versions the code is valid in).
        """
        code = str(code).strip()
        system = "us" if _is_us(code) else "nuts"
        t = self.table(system)
        idx = self._lookup(system).get(code) or self._lookup(system).get(code.upper())
        if kind is not None:
            k = normalise_kind(kind)
            idx = [i for i in idx or [] if t["kind"].iat[i] == k]
        if not idx:
            raise UnknownNameError(self._unknown_message(code, version, system, kind))
        versions = tuple(sorted({int(t["version"].iat[i]) for i in idx}))
        if version is not None and system == "nuts":
            version = self._check_version(version)
            chosen = [i for i in idx if int(t["version"].iat[i]) == version]
            if not chosen:
                near = self.near(code, version=version)
                raise UnknownNameError(
                    f"{code} is not a NUTS {version} code (valid in {', '.join(map(str, versions))})"
                    + (f"; NUTS {version} codes near it: {', '.join(near)}" if near else "")
                )
            return self._region(system, chosen[0], versions)
        return self._region(system, idx[-1], versions)

    @staticmethod
    def _check_version(version: int | str) -> int:
        try:
            v = int(version)
        except (TypeError, ValueError):
            v = None
        if v not in NUTS_VERSIONS:
            raise UnknownNameError(
                f"unknown NUTS version {version!r}; known versions: {', '.join(map(str, NUTS_VERSIONS))}"
            )
        return v

    def near(self, code: str, *, version: int | None = None, n: int = 6) -> list[str]:
        """Codes that look like ``code``: same prefix first, then by string similarity (of ``version`` if
        given)."""
        code = str(code).strip().upper()
        system = "us" if _is_us(code) else "nuts"
        t = self.table(system)
        pool = t if version is None else t[t["version"] == int(version)]
        codes = pool["code"].drop_duplicates().tolist()
        same_len = [c for c in codes if len(c) == len(code)]
        prefix: list[str] = []
        for k in range(len(code) - 1, 1, -1):
            prefix = sorted(c for c in same_len if c.startswith(code[:k]) and c != code)
            if prefix:
                break
        close = difflib.get_close_matches(code, same_len or codes, n=n, cutoff=0.5)
        out: list[str] = []
        for c in [*prefix, *close]:
            if c not in out and c != code:
                out.append(c)
        return out[:n]

    def _unknown_message(self, code: str, version: int | None, system: str, kind: str | None) -> str:
        near = self.near(code, version=version if system == "nuts" else None)
        what = "NUTS code" if system == "nuts" else "US region code (state/county FIPS, CBSA or economic area)"
        if kind is not None:
            what = f"{normalise_kind(kind)} code"
        msg = f"unknown {what} {code!r}"
        if near:
            msg += f"; near matches: {', '.join(near)}"
        return msg

    def parent(self, code: str, version: int | None = None) -> Region | None:
        """The parent region (same version), or ``None`` for a country, state, CBSA or economic area."""
        region = self.get(code, version)
        if not region.parent:
            return None
        return self.get(region.parent, region.version if region.kind == "nuts" else None)

    def children(self, code: str, version: int | None = None) -> list[Region]:
        """The regions one level down (NUTS: in the same version; a state: its counties)."""
        region = self.get(code, version)
        system = region.system
        t = self.table(system)
        mask = t["parent"] == region.code
        if system == "nuts":
            mask &= t["version"] == region.version
        rows = t.index[mask].tolist()
        seen: dict[str, int] = {}
        for i in rows:
            seen[t["code"].iat[i]] = i
        return [self._region(system, i, self.versions(c)) for c, i in sorted(seen.items())]

    # ------------------------------------------------------------------ many regions

    def _systems(self, kind: str | None, level: int | None) -> list[str]:
        if level is not None:
            return ["nuts"]
        if kind is None:
            return ["nuts", "us"]
        return ["nuts"] if normalise_kind(kind) == "nuts" else ["us"]

    def list(
        self,
        *,
        level: int | str | None = None,
        version: int | None = None,
        country: str | None = None,
        kind: str | None = None,
    ) -> pd.DataFrame:
        """Regions as a table: ``code, name, level, kind, parent, country, version, versions``.

        Parameters
        ----------
        level : int or str, optional
            NUTS level 0–3, or a US kind (``state``, ``county``, ``cbsa``, ``economic_area``).
        version : int, optional
            NUTS version: only codes valid in it, named as of it. Default: every code, in its latest version.
        country : str, optional
            Two-letter country code (``DE``; ``US`` for US regions; ``GR`` is read as ``EL``).
        kind : str, optional
            Restrict to one kind.

        Raises
        ------
        UnknownNameError
            unknown version, level or kind.
        """
        if level is not None and not str(level).strip().lstrip("-").isdigit():
            kind, level = str(level), None
        if level is not None:
            level = int(level)
            if level not in (0, 1, 2, 3):
                raise UnknownNameError(f"unknown NUTS level {level}; use 0, 1, 2 or 3 (or a US kind)")
        if version is not None:
            version = self._check_version(version)
        frames = []
        for system in self._systems(kind, level):
            t = self.table(system)
            mask = pd.Series(True, index=t.index)
            if kind is not None:
                mask &= t["kind"] == normalise_kind(kind)
            if level is not None:
                mask &= t["level"] == level
            if country is not None:
                cc = country_of(str(country).strip().upper())
                mask &= t["country"] == cc
            sub = t[mask]
            all_versions = sub.groupby("code")["version"].agg(lambda s: ", ".join(map(str, sorted(set(s)))))
            if version is not None and system == "nuts":
                sub = sub[sub["version"] == version]
            sub = sub.drop_duplicates("code", keep="last").copy()
            sub["versions"] = sub["code"].map(all_versions)
            frames.append(sub)
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
        cols = ["code", "name", "level", "kind", "parent", "country", "version", "versions", "name_national"]
        out = out[cols].sort_values(["kind", "level", "code"], kind="stable").reset_index(drop=True)
        out["level"] = out["level"].where(out["kind"] == "nuts", pd.NA).astype("Int64")
        return out

    def search(
        self, text: str, *, version: int | None = None, kind: str | None = None, limit: int | None = 50
    ) -> list[Region]:
        """Regions whose code or name contains ``text`` (case and accents ignored), best matches first: exact
        code, code prefix, name equal, name prefix, then substring. One result per code (in ``version`` if
        given, else its latest)."""
        needle = _fold(text).strip()
        if not needle:
            return []
        hits: list[tuple[int, str, int, str]] = []
        for system in self._systems(kind, None):
            t = self.table(system)
            sub = t if version is None or system == "us" else t[t["version"] == self._check_version(version)]
            if kind is not None:
                sub = sub[sub["kind"] == normalise_kind(kind)]
            sub = sub.drop_duplicates("code", keep="last")
            names = sub["name"].map(_fold)
            national = sub["name_national"].map(_fold)
            codes = sub["code"].str.casefold()
            rank = pd.Series(99, index=sub.index)
            rank[national.str.contains(needle, regex=False)] = 5
            rank[names.str.contains(needle, regex=False)] = 4
            rank[names.str.startswith(needle) | national.str.startswith(needle)] = 3
            rank[(names == needle) | (national == needle)] = 2
            rank[codes.str.startswith(needle)] = 1
            rank[codes == needle] = 0
            for i in sub.index[rank < 99]:
                hits.append((int(rank[i]), sub.at[i, "code"], int(i), system))
        hits.sort(key=lambda h: (h[0], len(h[1]), h[1]))
        if limit is not None:
            hits = hits[:limit]
        return [self._region(s, i, self.versions(c)) for _, c, i, s in hits]

    def codes(self, version: int, *, level: int | None = None, country: str | None = None) -> set[str]:
        """The NUTS codes valid in ``version`` (optionally of one level and country)."""
        t = self.nuts_table
        mask = t["version"] == self._check_version(version)
        if level is not None:
            mask &= t["level"] == int(level)
        if country is not None:
            mask &= t["country"] == country_of(country)
        return set(t.loc[mask, "code"])

    def validity(self, codes: Iterable[str]) -> dict[str, tuple[int, ...]]:
        """``code → versions`` for NUTS codes (empty tuple for unknown codes)."""
        return {c: self.versions(c) for c in dict.fromkeys(codes)}


@lru_cache(maxsize=4)
def _cached(mirror: str | None, download: bool | None) -> RegionRegistry:
    from clustermap.regions.nuts import load_nuts_table
    from clustermap.regions.us import load_us_table

    return RegionRegistry(
        nuts=lambda: load_nuts_table(mirror=mirror, download=download),
        us=lambda: load_us_table(mirror=mirror, download=download),
    )


def get_registry(*, mirror: str | Path | None = None, download: bool | None = None) -> RegionRegistry:
    """The registry built from the data files (mirror, download cache or publisher); built once per process and
    mirror, each part (NUTS, US) on its first use.

    Parameters
    ----------
    mirror : path, optional
        Root of the data mirror (default: :meth:`clustermap.settings.Settings.mirror`).
    download : bool, optional
        Allow downloads of missing files (default ``CLUSTERMAP_DOWNLOAD``).
    """
    from clustermap.settings import get_settings

    root = mirror if mirror is not None else get_settings().mirror()
    key = str(Path(root).resolve()) if root is not None else None
    return _cached(key, download)
