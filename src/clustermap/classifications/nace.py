"""NACE Rev. 2 titles and the Eurostat SBS code style (``C29`` ↔ ``29``), read from the data mirror.

NACE Rev. 2 (Eurostat RAMON, 2008) has four levels: 21 sections (``A``–``U``), 88 divisions (``29``), 272 groups
(``29.1``) and 615 classes (``29.10``). The mirror's tidy structure file
(``classifications/nace_rev2_structure.csv``) gives each code's level, parent, section, title and the ISIC Rev. 4
code it refers to.

Eurostat's regional SBS tables write codes without dots and prefixed with the section letter: division ``29`` is
``C29``, group ``47.1`` is ``G471``, class ``29.10`` would be ``C2910``; a section is its letter. Aggregates
such as ``B-N_X_K`` are not NACE codes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from clustermap.classifications._mirror import mirror_file, read_table
from clustermap.errors import UnknownNameError

__all__ = ["LEVELS", "from_sbs_code", "nace_titles", "to_sbs_code"]

#: level number → name, as in the structure file
LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}
_FILE = "classifications/nace_rev2_structure.csv"
_COLUMNS = ("code", "code_nodot", "level", "level_name", "parent", "section", "title", "isic4_ref")


def nace_titles(level: int | str | None = None, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """NACE Rev. 2 codes and titles.

    Parameters
    ----------
    level : int or str, optional
        1–4 or ``"section"``, ``"division"``, ``"group"``, ``"class"``; default: every level.
    mirror : path, optional
        Data mirror root; default: the configured one.

    Returns
    -------
    pandas.DataFrame
        ``code`` (official, dotted: ``A``, ``29``, ``29.1``, ``29.10``), ``code_nodot`` (``2910``), ``level``
        (int64, 1–4), ``level_name``, ``parent`` (code of the level above; empty for sections), ``section``
        (letter), ``title``, ``isic4_ref`` (ISIC Rev. 4 code the NACE code refers to, from RAMON) and
        ``sbs_code`` (Eurostat SBS style: ``C29``, ``G471``, ``C2910``; a section its letter). 996 rows in all:
        21 / 88 / 272 / 615 per level.

    Raises
    ------
    UnknownNameError
        an unknown level.
    SourceError, SchemaError
        the structure file is missing or not laid out as expected.
    """
    frame = read_table(_FILE, _COLUMNS, mirror)
    frame["level"] = frame["level"].astype("int64")
    frame["sbs_code"] = frame["code_nodot"].where(frame["level"] == 1, frame["section"] + frame["code_nodot"])
    if level is not None:
        number = _level_number(level)
        frame = frame[frame["level"] == number]
    out = frame[[*_COLUMNS, "sbs_code"]].reset_index(drop=True)
    out.attrs["file"] = str(mirror_file(_FILE, mirror))
    return out


def _level_number(level: int | str) -> int:
    names = {v: k for k, v in LEVELS.items()}
    if isinstance(level, str) and level.strip().lower() in names:
        return names[level.strip().lower()]
    try:
        number = int(level)
    except (TypeError, ValueError):
        number = None
    if number not in LEVELS:
        raise UnknownNameError(f"unknown NACE level {level!r}; known: 1-4 or {', '.join(LEVELS.values())}")
    return number


@lru_cache(maxsize=4)
def _lookup(mirror: str | None) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    frame = nace_titles(mirror=mirror)
    by_nodot = dict(zip(frame["code_nodot"], frame["code"], strict=True))
    to_sbs = dict(zip(frame["code"], frame["sbs_code"], strict=True))
    from_sbs = dict(zip(frame["sbs_code"], frame["code"], strict=True))
    # a division code alone ("29") is also its own nodot form; sections map to themselves
    return by_nodot, to_sbs, from_sbs


def to_sbs_code(code: str, *, mirror: str | Path | None = None) -> str:
    """The Eurostat SBS form of a NACE Rev. 2 code: ``"29"`` → ``"C29"``, ``"47.1"`` or ``"471"`` → ``"G471"``.

    Parameters
    ----------
    code : str
        Official dotted code (``29.10``), the same without dots (``2910``), a section letter, or already an SBS
        code (``C29``: returned as is after checking).

    Raises
    ------
    UnknownNameError
        not a NACE Rev. 2 code.
    """
    by_nodot, to_sbs, from_sbs = _lookup(None if mirror is None else str(mirror))
    text = str(code).strip()
    if text in to_sbs:
        return to_sbs[text]
    if text in by_nodot:
        return to_sbs[by_nodot[text]]
    if text in from_sbs:
        return text
    raise UnknownNameError(f"{code!r} is not a NACE Rev. 2 code (section, division, group or class)")


def from_sbs_code(code: str, *, dotted: bool = True, mirror: str | Path | None = None) -> str:
    """The NACE Rev. 2 code of an SBS code: ``"C29"`` → ``"29"``, ``"G471"`` → ``"47.1"`` (``"471"`` with
    ``dotted=False``); a section letter stays a letter.

    Raises
    ------
    UnknownNameError
        not an SBS NACE code (aggregates such as ``B-N_X_K`` included).
    """
    _by_nodot, _to_sbs, from_sbs = _lookup(None if mirror is None else str(mirror))
    text = str(code).strip().upper()
    if text not in from_sbs:
        hint = " (an aggregate, not a NACE code)" if re.search(r"[-_]", text) else ""
        raise UnknownNameError(f"{code!r} is not an SBS NACE Rev. 2 code{hint}")
    official = from_sbs[text]
    return official if dotted else official.replace(".", "")
