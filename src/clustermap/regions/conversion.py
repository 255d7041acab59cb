"""NUTS version conversion: which version each region code of a panel is in, and the shares in which the JRC
NUTS-converter matrices send a region's cells to the regions of another version (by population, area or built-up
volume). :func:`clustermap.regions.harmonise.harmonise` reads them; the method is described there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import UnknownNameError
from clustermap.regions.nuts import country_of, is_extra_regio, jrc_matrix
from clustermap.regions.registry import RegionRegistry, get_registry
from clustermap.regions.sources import NUTS_VERSIONS

#: weight names accepted by :func:`~clustermap.regions.harmonise.harmonise` → JRC matrix column
#: (``population``: pop11 before 2016, else pop21)
WEIGHTS: dict[str, str | None] = {
    "population": None,
    "pop11": "pop11",
    "pop21": "pop21",
    "area": "areaKm",
    "built_up": "bu_vol",
}
#: first data year that the ``population`` weight reads from the 2021 grid (``pop21``) instead of 2011's
POPULATION_2021_FROM = 2016

#: conversion tables by (level, from version, to version), or a function returning one (default: the JRC matrices)
Conversions = Mapping[tuple[int, int, int], pd.DataFrame] | Callable[[int, int, int], pd.DataFrame]


def weight_column(weight: str, year: int) -> str:
    """The JRC matrix column a weight name reads for a data year (``population`` → ``pop11`` / ``pop21``)."""
    if weight not in WEIGHTS:
        raise UnknownNameError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    col = WEIGHTS[weight]
    if col is None:
        return "pop21" if int(year) >= POPULATION_2021_FROM else "pop11"
    return col


def conversion_matrix(conversions: Conversions | None, level: int, a: int, b: int, mirror) -> pd.DataFrame:
    """The conversion table of NUTS ``level`` from version ``a`` to ``b``: from ``conversions`` (a given table, or
    the reverse one with its code columns swapped) or the JRC matrix of the mirror when ``conversions`` is None."""
    if conversions is None:
        return jrc_matrix(level, a, b, mirror=mirror)
    if callable(conversions):
        return conversions(level, a, b)
    if (level, a, b) in conversions:
        return conversions[(level, a, b)].copy()
    if (level, b, a) in conversions:
        m = conversions[(level, b, a)]
        return m.rename(columns={"from_code": "to_code", "to_code": "from_code"})
    raise UnknownNameError(f"no conversion table for NUTS level {level} from {a} to {b}")


def shares(matrix: pd.DataFrame, column: str, *, min_share: float = 0.01) -> pd.DataFrame:
    """Split shares of a conversion matrix for one weight column.

    ``share = w / Σ w over the source code``; intersections with a share below ``min_share`` are dropped and
    the rest renormalised (the largest is always kept); a source whose weights are all 0 uses ``areaKm``.

    Returns
    -------
    pandas.DataFrame
        ``from_code, to_code, share, weight`` (the column actually used: ``column`` or ``areaKm``).
    """
    m = matrix[["from_code", "to_code"]].copy()
    w = matrix[column].astype(float).fillna(0.0)
    total = w.groupby(m["from_code"]).transform("sum")
    m["weight"] = column
    if "areaKm" in matrix.columns and (total <= 0).any():
        zero = total <= 0
        w = w.where(~zero, matrix["areaKm"].astype(float).fillna(0.0))
        m.loc[zero, "weight"] = "areaKm"
        total = w.groupby(m["from_code"]).transform("sum")
    m["share"] = (w / total.where(total > 0)).fillna(0.0)
    best = m.groupby("from_code")["share"].transform("max")
    keep = (m["share"] >= min_share) | (m["share"] == best)
    m = m[keep & (m["share"] > 0)].copy()
    m["share"] = m["share"] / m.groupby("from_code")["share"].transform("sum")
    return m.reset_index(drop=True)


def change_kind(m: pd.DataFrame) -> pd.Series:
    """The kind of each ``from_code → to_code`` row of a share table: ``identity``, ``boundary shift``, ``recode``,
    ``split``, ``merge`` or ``split/merge``, from how many targets its source has and how many sources its target."""
    n_to = m.groupby("from_code")["to_code"].transform("size")
    n_from = m.groupby("to_code")["from_code"].transform("size")
    kind = np.select(
        [
            (m["from_code"] == m["to_code"]) & (n_to == 1) & (n_from == 1),
            m["from_code"] == m["to_code"],
            (n_to == 1) & (n_from == 1),
            (n_to > 1) & (n_from == 1),
            (n_to == 1) & (n_from > 1),
        ],
        ["identity", "boundary shift", "recode", "split", "merge"],
        default="split/merge",
    )
    return pd.Series(kind, index=m.index)


def attested_codes(registry: RegionRegistry, version: int) -> set[str]:
    """The codes of NUTS ``version`` that an official list names (GISCO, the Eurostat change and correspondence
    tables, or the same code's name in another version), plus the NUTS 0 codes.

    The JRC converter matrices and the code list built from them also carry codes that no official list has:
    they truncate NUTS-3 codes to make NUTS-2 ones, so Northern Ireland's 2016 NUTS-3 regions ``UKN06``–``UKN16``
    give a NUTS-2 ``UKN1`` next to the real ``UKN0``. Such a code has no name in the registry. A registry without
    any names for a version (a hand-made one) attests all its codes.
    """
    t = registry.nuts_table
    t = t[t["version"] == int(version)]
    named = t["name_source"].fillna("").astype(str).str.strip() != ""
    if not named.any():
        return set(t["code"])
    return set(t.loc[named | (t["level"] == 0), "code"])


def repair_targets(s: pd.DataFrame, attested: set[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Send the shares of target codes that are not attested in the target version to the attested code that
    stands for the same territory: the only attested code of the same level under the same parent prefix
    (``UKN1`` → ``UKN0``). A target without such a code is removed and its source's other shares renormalised
    (a source left with no target at all keeps its rows; :func:`harmonise` then reports it).

    Returns the repaired shares (``from_code, to_code, share, weight``, one row per pair) and the replacements
    made (invalid code → attested code, or ``""`` when removed).
    """
    bad = sorted(set(s["to_code"]) - attested)
    if not bad:
        return s, {}
    replaced: dict[str, str] = {}
    for code in bad:
        siblings = [c for c in attested if len(c) == len(code) and c[:-1] == code[:-1]]
        replaced[code] = siblings[0] if len(siblings) == 1 else ""
    s = s.assign(to_code=s["to_code"].map(lambda c: replaced.get(c, c)))
    gone = s["to_code"] == ""
    keeps_some = (~gone).groupby(s["from_code"]).transform("any")
    s = s[~gone | ~keeps_some].copy()
    s.loc[s["to_code"] == "", "to_code"] = s.loc[s["to_code"] == "", "from_code"]
    s = s.groupby(["from_code", "to_code"], as_index=False, sort=False).agg(
        share=("share", "sum"), weight=("weight", "first")
    )
    s["share"] = s["share"] / s.groupby("from_code")["share"].transform("sum")
    return s.reset_index(drop=True), replaced


def level0_target(code: str, to_version: int) -> str:
    """The country (NUTS 0) code of ``code`` as ``to_version`` writes it (Greece: ``GR`` before 2010, else ``EL``)."""
    cc = country_of(code)
    return "GR" if (cc == "EL" and to_version < 2010) else cc


def detect_versions(
    frame: pd.DataFrame,
    *,
    to_version: int,
    registry: RegionRegistry | None = None,
    conversions: Conversions | None = None,
    min_share: float = 0.01,
    mirror: str | Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which NUTS version each region of each year is in (the ``from_version="auto"`` rule of :func:`harmonise`).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``region, year`` pairs that carry data (NUTS codes of levels 1–3).
    to_version : int
        The target version (breaks ties: the nearest version wins).

    Returns
    -------
    assignment : pandas.DataFrame
        ``region, year, from_version, status`` — ``status`` is ``used`` or ``duplicate`` (territory already
        covered by the chosen version's codes in that year; dropped by :func:`harmonise`).
    versions : pandas.DataFrame
        Per ``country, level, year``: ``version``, ``coverage``, ``codes``, ``other_codes``, ``duplicates``.
    """
    registry = registry or get_registry(mirror=mirror)
    t = registry.nuts_table
    t = t[~t["code"].map(is_extra_regio)]
    by_key: dict[tuple[int, str, int], set[str]] = {
        (int(v), c, int(lv)): set(g) for (v, c, lv), g in t.groupby(["version", "country", "level"])["code"]
    }
    valid = t.groupby("code")["version"].agg(lambda s: tuple(sorted(set(int(x) for x in s)))).to_dict()
    pairs = frame[["region", "year"]].drop_duplicates()
    pairs = pairs.assign(country=pairs["region"].map(country_of), level=pairs["region"].str.len() - 2)
    assign_rows: list[tuple[str, int, int, str]] = []
    version_rows: list[dict[str, Any]] = []
    targets_cache: dict[tuple[int, int, int], dict[str, set[str]]] = {}

    def targets(level: int, u: int, v: int) -> dict[str, set[str]]:
        key = (level, u, v)
        if key not in targets_cache:
            m = conversion_matrix(conversions, level, u, v, mirror)
            s = shares(m, "areaKm" if "areaKm" in m.columns else m.columns[-1], min_share=min_share)
            targets_cache[key] = s.groupby("from_code")["to_code"].agg(set).to_dict()
        return targets_cache[key]

    for (country, level, year), g in pairs.groupby(["country", "level", "year"], sort=True):
        present = set(g["region"])
        best: tuple | None = None
        for v in NUTS_VERSIONS:
            codes = by_key.get((v, country, int(level)))
            if not codes:
                continue
            hit = len(present & codes)
            if not hit:
                continue
            score = (codes <= present, hit, hit / len(codes), -abs(v - int(to_version)), -v)
            if best is None or score > best[0]:
                best = (score, v, codes)
        if best is None:  # unknown codes only; harmonise has reported them already
            continue
        _, chosen, codes = best
        in_chosen = present & codes
        others = sorted(present - codes)
        kept: list[str] = []
        dups: list[str] = []
        for code in others:
            versions = valid.get(code, ())
            if not versions:
                continue
            u = min(versions, key=lambda x: (abs(x - chosen), x))
            covered = targets(int(level), u, chosen).get(code, set())
            if covered & in_chosen:
                dups.append(code)
                assign_rows.append((code, int(year), u, "duplicate"))
            else:
                kept.append(code)
                assign_rows.append((code, int(year), u, "used"))
        assign_rows.extend((code, int(year), chosen, "used") for code in in_chosen)
        version_rows.append(
            {
                "country": country,
                "level": int(level),
                "year": int(year),
                "version": chosen,
                "coverage": len(in_chosen) / len(codes),
                "codes": len(in_chosen),
                "other_codes": ", ".join(kept),
                "duplicates": ", ".join(dups),
            }
        )
    assignment = pd.DataFrame(assign_rows, columns=["region", "year", "from_version", "status"])
    versions_table = pd.DataFrame(
        version_rows,
        columns=["country", "level", "year", "version", "coverage", "codes", "other_codes", "duplicates"],
    )
    return assignment, versions_table
