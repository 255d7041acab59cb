"""One category set for both sides: US NAICS data on the ``eco-nace2`` categories, through ISIC Rev. 4.

The European side maps Eurostat regional SBS codes (NACE Rev. 2 divisions, and the groups of G) to the
``eco-nace2`` categories. To compare like with like, US County Business Patterns data (6-digit NAICS) are put on
the same codes and categories:

1. NAICS → ISIC Rev. 4 class: the US Census Bureau's concordances (``classifications/naics{2007,2012,2017}_to_
   isic4_census.csv``), one row per link; ``notes`` describes the part of the NAICS industry a link covers
   (blank = the whole industry).
2. ISIC class → NACE division: exact, NACE Rev. 2 and ISIC Rev. 4 share their 21 sections and 88 divisions
   (same codes). For wholesale and retail (divisions 45–47), where ``eco-nace2`` uses NACE groups (``G464``),
   the group is that of the NACE classes the ISIC class refers to (``nace_rev2_classes_same_isic``); in the three
   concordances every such ISIC class lies in one NACE group.
3. SBS code (section letter + division or group, e.g. ``C29``, ``G471``) → ``eco-nace2`` category.

Allocation when one NAICS code links to several SBS codes
---------------------------------------------------------
No employment weights exist for the links, so the shares come from the concordance text, by these rules, in
order (each NAICS code gets the first that applies; :func:`naics_to_eco_codes` says which):

``single``
    every link of the code lands in one SBS code: share 1.
``residual``
    the links land in several SBS codes and exactly one of them holds the *residual* link — the one whose
    ``notes`` is blank or begins with "except …" (Census describes the main body of the industry as "everything
    except the named parts", and the other links as the named parts). The residual SBS code gets share 1; the
    named parts (e.g. stadium construction inside commercial building construction) are taken to be small
    and stay with it.
``siblings``
    no single residual link: the SBS code that most of the code's NAICS siblings resolved by the two rules above
    go to (same 5-digit parent, else 4-digit, else 3-digit; a strict majority of codes, not of employment) gets
    share 1, if it is among the code's own links (e.g. 336360 Motor Vehicle Seating → C29 like the rest of NAICS
    3363 Motor Vehicle Parts).
``equal``
    otherwise, equal shares over the distinct SBS codes of the links.

Links to divisions that ``eco-nace2`` does not cover (SBS has only sections B–N without K, and S95:
agriculture, finance, public administration, education, health, arts, other services, households …) are out of
scope: the NAICS code's share there is not in the crosswalk, exactly as those activities are not in the EU SBS
input.

What this loses against the 4-digit original (see also ``docs/eu-us-categories.md``)
----------------------------------------------------------------------------------
The European Cluster Observatory (2007) defined its 38 categories on 4-digit NACE Rev. 1.1 classes, and the US
Cluster Mapping Project its 51 traded clusters on 6-digit NAICS. Here both sides are cut down to what
Eurostat publishes regionally: NACE divisions (groups in trade). So on the US side the 6-digit detail of CBP is
discarded — aircraft (336411) and ships (336611) both count as ``aerospace`` through C30, pharmaceuticals and
medical devices fall in different divisions from the CMP clusters that join them, and every merge and
approximation of ``eco-nace2`` (``definitions/data/eco-nace2.toml``) applies to the US as well. NAICS codes that
straddle divisions are allocated by the rules above, not by measured weights, and ISIC classes that split over
NACE classes matter only in trade, where each falls in one NACE group. The employment concepts still differ:
CBP counts paid employees of establishments (no self-employed, no farms, rail, postal service or government),
SBS counts persons employed (employees plus working proprietors and unpaid family workers) in enterprises' local
units.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clustermap.classifications._mirror import read_table
from clustermap.classifications.nace import nace_titles
from clustermap.errors import SourceError, UnknownNameError

__all__ = [
    "ALLOCATION_RULES",
    "EU_US_PREFIX",
    "EU_US_VINTAGES",
    "check_eu_us_vintage",
    "naics_isic_links",
    "naics_to_eco_codes",
]

#: NAICS vintages with a Census NAICS → ISIC Rev. 4 concordance in the mirror
EU_US_VINTAGES = (2007, 2012, 2017)
#: names of the derived sets: ``eco-nace2-naics2007``, ``eco-nace2-naics2012``, ``eco-nace2-naics2017``
EU_US_PREFIX = "eco-nace2-naics"
#: the rules, in the order they are tried
ALLOCATION_RULES = ("single", "residual", "siblings", "equal")
_TRADE_DIVISIONS = frozenset({"45", "46", "47"})
_LINK_COLUMNS = ("naics", "naics_title", "isic4", "isic4_level", "isic4_title", "notes", "nace_rev2_classes_same_isic")


def check_eu_us_vintage(vintage: int | str) -> int:
    """``vintage`` as an int when the mirror has its NAICS → ISIC Rev. 4 concordance (:data:`EU_US_VINTAGES`);
    :class:`UnknownNameError` listing those otherwise."""
    try:
        value = int(vintage)
    except (TypeError, ValueError):
        value = None
    if value not in EU_US_VINTAGES:
        known = ", ".join(str(v) for v in EU_US_VINTAGES)
        raise UnknownNameError(f"no NAICS → ISIC Rev. 4 concordance for NAICS {vintage!r}; known: {known}")
    return value


def naics_isic_links(vintage: int = 2012, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """The Census NAICS → ISIC Rev. 4 links of one vintage, each with its NACE division and SBS code.

    Parameters
    ----------
    vintage : int
        2007, 2012 or 2017.
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    pandas.DataFrame
        One row per link and SBS code: the concordance columns (``naics``, ``naics_title``, ``isic4``,
        ``isic4_level``, ``isic4_title``, ``notes``, ``nace_rev2_classes_same_isic``) plus ``division`` (2-digit
        NACE = ISIC division), ``section`` (letter), ``sbs_code`` (``C29``; ``G464`` in divisions 45–47, from the
        NACE group of the ISIC class's NACE classes), ``link_share`` (1, or 1/k when an ISIC class's NACE
        classes fall in k groups) and ``residual`` (notes blank or beginning with "except"). The pseudo-code
        ``0`` (ISIC 9810/9820, households' own use) is left out.
    """
    vintage = check_eu_us_vintage(vintage)
    links = read_table(f"classifications/naics{vintage}_to_isic4_census.csv", _LINK_COLUMNS, mirror)
    links = links[links["naics"].str.fullmatch(r"\d{6}")].reset_index(drop=True)
    divisions = nace_titles("division", mirror=mirror).set_index("code")["section"]
    links["division"] = links["isic4"].str[:2]
    unknown = ~links["division"].isin(divisions.index)
    if unknown.any():
        raise SourceError(
            f"ISIC code {links.loc[unknown, 'isic4'].iloc[0]!r} of NAICS {links.loc[unknown, 'naics'].iloc[0]} "
            "is in no NACE Rev. 2 division"
        )
    links["section"] = links["division"].map(divisions)
    rows = []
    for row in links.itertuples(index=False):
        if row.division in _TRADE_DIVISIONS:
            groups = sorted({c.strip()[:4].replace(".", "") for c in row.nace_rev2_classes_same_isic.split("|") if c})
            groups = groups or [row.isic4[:3]]
            codes = [row.section + g for g in groups]
        else:
            codes = [row.section + row.division]
        for code in codes:
            rows.append({**row._asdict(), "sbs_code": code, "link_share": 1.0 / len(codes)})
    out = pd.DataFrame(rows)
    notes = out["notes"].str.strip().str.lower()
    out["residual"] = (notes == "") | notes.str.startswith("except")
    out.attrs["file"] = links.attrs.get("file")
    out.attrs["vintage"] = vintage
    return out


def _majority(codes: pd.Series) -> str | None:
    counts = codes.value_counts()
    if counts.empty or (len(counts) > 1 and counts.iloc[0] == counts.iloc[1]):
        return None
    return str(counts.index[0])


def naics_to_eco_codes(vintage: int = 2012, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """Each 6-digit NAICS code of a vintage on SBS-style NACE codes, with shares and the rule that set them.

    Returns
    -------
    pandas.DataFrame
        ``naics``, ``naics_title``, ``sbs_code``, ``share`` (fraction of the NAICS code's employment; the
        shares of one code sum to 1), ``rule`` (``single``, ``residual``, ``siblings``, ``equal``; see the module
        docstring), ``n_links`` (Census links of the code), ``n_sbs_codes`` (distinct SBS codes they reach).
    """
    links = naics_isic_links(vintage, mirror=mirror)
    per_code = links.groupby("naics")
    n_codes = per_code["sbs_code"].nunique()
    n_links = per_code["isic4"].nunique()
    decided: dict[str, tuple[str, str]] = {}
    for code, g in per_code:
        codes = g["sbs_code"].unique()
        if len(codes) == 1:
            decided[code] = (str(codes[0]), "single")
            continue
        residual = g.loc[g["residual"], "sbs_code"].unique()
        if len(residual) == 1:
            decided[code] = (str(residual[0]), "residual")
    resolved = pd.Series({c: v[0] for c, v in decided.items()}, dtype=object)
    rows = []
    for code, g in per_code:
        title = g["naics_title"].iloc[0]
        if code in decided:
            target, rule = decided[code]
            rows.append((code, title, target, 1.0, rule))
            continue
        own = set(g["sbs_code"])
        choice = None
        for n in (5, 4, 3):
            sibs = resolved[resolved.index.str.startswith(code[:n]) & (resolved.index != code)]
            winner = _majority(sibs)
            if winner is not None:
                choice = winner if winner in own else None
                break
        if choice is not None:
            rows.append((code, title, choice, 1.0, "siblings"))
            continue
        shares = g.groupby("sbs_code")["link_share"].max()
        for sbs in sorted(shares.index):
            rows.append((code, title, sbs, 1.0 / len(shares), "equal"))
    out = pd.DataFrame(rows, columns=["naics", "naics_title", "sbs_code", "share", "rule"])
    out["n_links"] = out["naics"].map(n_links).astype("int64")
    out["n_sbs_codes"] = out["naics"].map(n_codes).astype("int64")
    out.attrs.update(links.attrs)
    return out.sort_values(["naics", "sbs_code"], ignore_index=True)
