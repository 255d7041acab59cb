"""NAICS vintages: titles and concordances, read from the data mirror (US Census Bureau, public domain).

The North American Industry Classification System is revised every five years. The data mirror holds
(``us/naics/``):

* titles of NAICS 2002, 2007, 2012 and 2017 (``naics{YYYY}_titles.csv``: ``naics, title``, codes of 2 to 6
  digits; sectors spelled as Census does, e.g. ``31-33``);
* the Census concordances 2002 → 2007, 2007 → 2012 and 2012 → 2017 between 6-digit codes
  (``naics_concordance_{A}_{B}.csv``): many-to-many code pairs, **without weights**.

NAICS 1997 (the vintage of County Business Patterns 2000–2002) has neither titles nor a concordance in the
mirror; :mod:`clustermap.classifications.concordance` treats a 1997 code as the identical 2002 code when that
code exists in NAICS 2002 and reports every other code as unmapped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from clustermap.classifications._mirror import read_table
from clustermap.errors import ParameterError, SourceError, UnknownNameError

__all__ = [
    "CBP_VINTAGE_BY_YEAR",
    "CONCORDANCE_STEPS",
    "TITLE_VINTAGES",
    "VINTAGES",
    "check_vintage",
    "naics_concordance",
    "naics_links",
    "naics_titles",
    "vintages_of",
]

#: NAICS vintages clustermap knows (1997 has no table in the mirror: see the module docstring)
VINTAGES = (1997, 2002, 2007, 2012, 2017)
#: vintages whose titles are in the mirror
TITLE_VINTAGES = (2002, 2007, 2012, 2017)
#: adjacent vintages with a Census concordance in the mirror
CONCORDANCE_STEPS = ((2002, 2007), (2007, 2012), (2012, 2017))


def check_vintage(vintage: int, *, known: tuple[int, ...] = VINTAGES) -> int:
    """``vintage`` as an int if it is one of ``known``.

    Raises
    ------
    UnknownNameError
        an unknown vintage (the message lists the known ones).
    """
    try:
        value = int(vintage)
    except (TypeError, ValueError):
        value = None
    if value not in known:
        raise UnknownNameError(f"unknown NAICS vintage {vintage!r}; known: {', '.join(str(v) for v in known)}")
    return value


def naics_titles(vintage: int, *, digits: int | None = None, mirror: str | Path | None = None) -> pd.DataFrame:
    """Titles of one NAICS vintage.

    Parameters
    ----------
    vintage : int
        2002, 2007, 2012 or 2017.
    digits : int, optional
        Keep only codes of this level (2 = sector … 6 = national industry); default: every level.
    mirror : path, optional
        Data mirror root; default: the configured one.

    Returns
    -------
    pandas.DataFrame
        ``naics`` (str, as Census spells it: ``"336411"``, ``"31-33"``), ``title`` (str), ``digits`` (int64,
        2–6; a sector range such as ``31-33`` is level 2), in file order.

    Raises
    ------
    UnknownNameError
        an unknown vintage.
    SourceError
        NAICS 1997 (no titles in the mirror) or the file is missing.
    """
    vintage = check_vintage(vintage)
    if vintage not in TITLE_VINTAGES:
        raise SourceError(f"NAICS {vintage} titles are not in the data mirror (us/naics/ has 2002, 2007, 2012, 2017)")
    frame = read_table(f"us/naics/naics{vintage}_titles.csv", ("naics", "title"), mirror)
    frame = frame[frame["naics"] != ""]
    level = frame["naics"].str.replace(r"-\d+$", "", regex=True).str.len().astype("int64")
    out = pd.DataFrame({"naics": frame["naics"], "title": frame["title"], "digits": level}).reset_index(drop=True)
    if digits is not None:
        out = out[out["digits"] == int(digits)].reset_index(drop=True)
    out.attrs["file"] = frame.attrs.get("file")
    out.attrs["vintage"] = vintage
    return out


def _step(source: int, target: int, mirror: str | Path | None) -> pd.DataFrame:
    """One Census concordance between adjacent vintages, as ``source, target`` (either direction)."""
    low, high = min(source, target), max(source, target)
    if (low, high) not in CONCORDANCE_STEPS:
        raise SourceError(f"no NAICS {low} → {high} concordance in the data mirror")
    a, b = f"naics_{low}", f"naics_{high}"
    frame = read_table(f"us/naics/naics_concordance_{low}_{high}.csv", (a, b), mirror)
    frame = frame[(frame[a] != "") & (frame[b] != "")]
    links = (
        frame.rename(columns={a: "source", b: "target"})
        if source < target
        else frame.rename(columns={b: "source", a: "target"})
    )
    return links[["source", "target"]].drop_duplicates().reset_index(drop=True)


def naics_links(source: int, target: int, *, mirror: str | Path | None = None) -> list[tuple[int, int, pd.DataFrame]]:
    """The chain of one-vintage steps from ``source`` to ``target``: ``[(from, to, links), …]``.

    Each ``links`` frame has ``source, target`` 6-digit code pairs of one Census concordance (read backwards
    when ``source > target``). The 1997 → 2002 step is the identity on the 6-digit NAICS 2002 codes (no
    concordance in the mirror: a 1997 code is taken as the identical 2002 code where that code exists).

    Raises
    ------
    UnknownNameError
        an unknown vintage.
    SourceError
        a step's file is missing, or a step would leave 1997 backwards (2002 → 1997 is not supported).
    """
    source, target = check_vintage(source), check_vintage(target)
    if target == 1997 and source != 1997:
        raise SourceError("conversion to NAICS 1997 is not supported: no concordance in the data mirror")
    order = list(VINTAGES)
    i, j = order.index(source), order.index(target)
    path = order[i : j + 1] if i <= j else order[j : i + 1][::-1]
    chain: list[tuple[int, int, pd.DataFrame]] = []
    for a, b in itertools.pairwise(path):
        if a == 1997:
            codes = naics_titles(2002, digits=6, mirror=mirror)["naics"]
            chain.append((a, b, pd.DataFrame({"source": codes, "target": codes})))
        else:
            chain.append((a, b, _step(a, b, mirror)))
    return chain


def naics_concordance(source: int, target: int, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """Many-to-many links between the 6-digit codes of two NAICS vintages, chained through the ones between.

    Parameters
    ----------
    source, target : int
        NAICS vintages (1997, 2002, 2007, 2012, 2017); backwards works too (e.g. 2017 → 2012).
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``target`` (6-digit codes), ``n_targets`` (targets of the source code: > 1 = the code
        splits), ``n_sources`` (sources of the target code: > 1 = codes merge). No weights: Census publishes
        none. For ``source == target``: the identity on the vintage's 6-digit codes.
    """
    source, target = check_vintage(source), check_vintage(target)
    if source == target:
        codes = naics_titles(source, digits=6, mirror=mirror)["naics"]
        links = pd.DataFrame({"source": codes, "target": codes})
    else:
        links = None
        for _, _, step in naics_links(source, target, mirror=mirror):
            if links is None:
                links = step
            else:
                links = links.merge(step.rename(columns={"source": "mid"}), left_on="target", right_on="mid")
                links = links[["source", "target_y"]].rename(columns={"target_y": "target"})
        links = links.drop_duplicates().reset_index(drop=True)
    links["n_targets"] = links.groupby("source")["target"].transform("nunique").astype("int64")
    links["n_sources"] = links.groupby("target")["source"].transform("nunique").astype("int64")
    links.attrs.update(source_vintage=source, target_vintage=target)
    return links.sort_values(["source", "target"], ignore_index=True)


#: NAICS vintage of each County Business Patterns reference year (Census CBP methodology notes)
CBP_VINTAGE_BY_YEAR: dict[int, int] = {
    **dict.fromkeys(range(1998, 2003), 1997),
    **dict.fromkeys(range(2003, 2008), 2002),
    **dict.fromkeys(range(2008, 2012), 2007),
    **dict.fromkeys(range(2012, 2017), 2012),
    **dict.fromkeys(range(2017, 2022), 2017),
}


def vintages_of(years: Iterable[int], vintage_by_year: Mapping[int, int]) -> dict[int, int]:
    """The NAICS vintage of each of ``years`` (year → vintage) from ``vintage_by_year``.

    Raises
    ------
    ParameterError
        a year without a vintage (all such years named).
    UnknownNameError
        a vintage that is not a known NAICS vintage.
    """
    out: dict[int, int] = {}
    missing = sorted(int(y) for y in years if int(y) not in vintage_by_year)
    if missing:
        raise ParameterError(
            f"no NAICS vintage for year(s) {', '.join(map(str, missing))}: pass vintage_by_year={{year: vintage}}"
        )
    for y in years:
        out[int(y)] = check_vintage(vintage_by_year[int(y)])
    return out
