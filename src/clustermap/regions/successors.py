"""Today's code of a NUTS code of any version: ``FR24`` (Centre, NUTS 2006–2013) → ``FRB0`` (Centre — Val de Loire,
NUTS 2016–2024), ``UKM2`` (Eastern Scotland, NUTS 2010–2013) → ``UKM7`` and ``UKM9``.

"Today" is the latest NUTS version that has codes of the code's country (2024; 2021 for the United Kingdom,
which left NUTS after 2021). A code valid in that version is its own successor and is not listed. Any other
NUTS 1–3 code is followed, through the JRC NUTS-converter matrix of its level from the last version it is valid
in to today's version (:func:`clustermap.regions.nuts.jrc_matrix`, built from the official change tables), to
the regions of today that hold its territory:

* ``share`` — the fraction of the old region's residents (GEOSTAT grid 2021, ``pop21``; area where the old
  region has no resident on the grid) living in the successor; intersections below :data:`MIN_SHARE` are
  slivers of the boundaries' generalisation and are left out, and the rest renormalised to sum to 1;
* ``change`` — ``recode`` (one successor that holds no other old territory), ``merge`` (one successor that also
  holds other regions' territory) or ``split`` (several successors);
* only codes attested in today's version are successors (the JRC matrices also name NUTS-2 codes cut from
  NUTS-3 codes that NUTS never used).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.errors import ClustermapError
from clustermap.regions.nuts import country_of, is_extra_regio, jrc_matrix

log = logging.getLogger(__name__)

__all__ = ["MIN_SHARE", "SUCCESSOR_COLUMNS", "same_territory", "successor_note", "successors"]

#: an intersection holding less of the old region's residents than this is a sliver, not a successor
MIN_SHARE = 0.01
SUCCESSOR_COLUMNS = ["code", "versions", "successor", "to_version", "share", "change"]


def _span(versions: list[int]) -> str:
    """``[2006, 2010, 2013]`` → ``"2006–2013"``; ``[2013]`` → ``"2013"``."""
    lo, hi = min(versions), max(versions)
    return str(lo) if lo == hi else f"{lo}–{hi}"


def successors(nuts: pd.DataFrame, *, mirror: str | Path | None = None, download: bool | None = None) -> pd.DataFrame:
    """Today's codes of every NUTS 1–3 code of ``nuts`` that is not valid today (see the module docstring).

    Parameters
    ----------
    nuts : DataFrame
        The region registry's NUTS table (one row per ``code`` and ``version``).
    mirror, download
        Where the JRC matrices are read from (:func:`clustermap.regions.sources.locate`).

    Returns
    -------
    DataFrame
        :data:`SUCCESSOR_COLUMNS`: the old ``code``, the ``versions`` it was valid in (``"2006–2013"``), a
        ``successor`` code of ``to_version`` (today's version of its country), ``share`` (0–1) and ``change``;
        largest share first within a code. A matrix missing from the mirror leaves its codes out (logged).
    """
    table = nuts[["code", "version"]].copy()
    table["version"] = table["version"].astype(int)
    table["country"] = table["code"].map(country_of)
    table["level"] = table["code"].str.len() - 2
    today = table.groupby("country")["version"].max()
    valid = {(c, int(v)) for c, v in table[["code", "version"]].itertuples(index=False)}
    per_code = table.groupby("code").agg(
        versions=("version", lambda v: sorted(set(v))), country=("country", "first"), level=("level", "first")
    )
    per_code["to_version"] = per_code["country"].map(today)
    per_code["last"] = per_code["versions"].map(max)
    old = per_code[
        (per_code["last"] < per_code["to_version"])
        & per_code["level"].between(1, 3)
        & ~per_code.index.map(is_extra_regio).to_numpy(bool)
    ]
    parts: list[pd.DataFrame] = []
    for (level, last, to), group in old.groupby(["level", "last", "to_version"]):
        try:
            m = jrc_matrix(int(level), int(last), int(to), mirror=mirror, download=download)
        except ClustermapError as exc:
            log.warning("no successors for NUTS %s codes of %s: %s", level, last, exc)
            continue
        m = m[m["from_code"].isin(group.index)]
        m = m[[(t, int(to)) in valid for t in m["to_code"]]]
        if m.empty:
            continue
        pop = m.groupby("from_code")["pop21"].transform("sum")
        m = m.assign(weight=m["pop21"].where(pop > 0, m["areaKm"]))
        m = m.assign(share=m["weight"] / m.groupby("from_code")["weight"].transform("sum"))
        m = m[m["share"] >= MIN_SHARE]
        m = m.assign(share=m["share"] / m.groupby("from_code")["share"].transform("sum"), to_version=int(to))
        parts.append(m[["from_code", "to_code", "to_version", "share"]])
    if not parts:
        return pd.DataFrame(columns=SUCCESSOR_COLUMNS)
    out = pd.concat(parts, ignore_index=True).rename(columns={"from_code": "code", "to_code": "successor"})
    n_targets = out.groupby("code")["successor"].transform("nunique")
    # a merge: the successor also holds territory of a region that coexisted with this one, or kept its own code
    era = {c: set(per_code.at[c, "versions"]) for c in out["code"].unique()}
    sources = out.groupby("successor")["code"].agg(set).to_dict()
    merged = pd.Series(
        [
            any((s, v) in valid for v in era[c]) or any(era[o] & era[c] for o in sources[s] - {c})
            for c, s in zip(out["code"], out["successor"], strict=True)
        ],
        index=out.index,
    )
    out["change"] = "split"
    out.loc[(n_targets == 1) & ~merged, "change"] = "recode"
    out.loc[(n_targets == 1) & merged, "change"] = "merge"
    out["versions"] = out["code"].map(per_code["versions"].map(_span))
    out = out.sort_values(["code", "share", "successor"], ascending=[True, False, True], kind="stable")
    return out[SUCCESSOR_COLUMNS].reset_index(drop=True)


def successor_note(code: str, versions: str, change: str, share: float) -> str:
    """How a successor answers an old code, for people: ``formerly FR24 (NUTS 2006–2013)``, ``includes FR71
    (NUTS 2006–2013), merged``, ``includes 94 % of the former UKM2 (NUTS 2010–2013)``."""
    if change == "recode":
        return f"formerly {code} (NUTS {versions})"
    if change == "merge":
        return f"includes the former {code} (NUTS {versions}), merged"
    return f"includes {round(share * 100)} % of the former {code} (NUTS {versions}, split)"


@lru_cache(maxsize=4)
def _table(mirror: str | None) -> pd.DataFrame:
    from clustermap.regions.registry import get_registry

    return successors(get_registry(mirror=mirror).nuts_table, mirror=mirror)


def same_territory(code: str, *, mirror: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The codes that hold ``code``'s territory in other NUTS versions: ``{"earlier": rows whose successor is
    code, "later": code's own successors}`` (rows of :func:`successors`; empty when the matrices cannot be
    read)."""
    try:
        table = _table(None if mirror is None else str(mirror))
    except (ClustermapError, OSError) as exc:
        log.warning("no successors: %s", exc)
        table = pd.DataFrame(columns=SUCCESSOR_COLUMNS)
    return {"earlier": table[table["successor"] == code], "later": table[table["code"] == code]}
