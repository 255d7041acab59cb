"""The US Cluster Mapping clusters on every NAICS 2012 code, completed through the 2012 → 2017 concordance.

The mirror's (and the publisher's) NAICS → cluster table (``us/clusters/cmp_naics2012_to_cluster.csv``, loaded
by :func:`clustermap.definitions.categories.load_uscmp`) was kept up to date by its authors for NAICS 2017: its
"standard" rows are the 951 codes that NAICS 2012 and 2017 share plus four 2017 codes (211130, 212230, 335220,
454110), and the 2012 codes that NAICS 2017 replaced (211111, 212231/212234, 333911/333913, 335221–335228,
452111/452112, 452910/452990, 454111–454113, 482111/482112, 512210/512220, 517110/517210, 525xxx, 532220/532230,
532291–532299, 541120, 541711/541712 …) are not there: their NAICS 2017 successors are, some among the
"non-standard" rows. Data converted to NAICS 2012 would lose those industries (about 5 % of CBP employment:
department stores, electronic shopping, R&D, rental …).

:func:`uscmp_naics2012` puts each such 2012 code in the cluster(s) of its 2017 successors: a 2012 code whose
successors all sit in one cluster goes there whole; one whose successors sit in several clusters is split in
proportion to the number of successor codes in each (no employment enters the definition). The set is built at
run time from the licensed definitions and never stored.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from clustermap.classifications.naics import naics_concordance, naics_titles

__all__ = ["USCMP_NAICS2012", "crosswalk_frame", "uscmp_naics2012"]

#: name of the completed set
USCMP_NAICS2012 = "uscmp-naics2012"


def crosswalk_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the columns and types of :attr:`CategorySet.crosswalk` (a fresh index)."""
    from clustermap.definitions.categories import CROSSWALK_COLUMNS

    out = frame.reindex(columns=list(CROSSWALK_COLUMNS)).reset_index(drop=True)
    for column in ("industry", "category", "category_name", "industry_title"):
        out[column] = out[column].fillna("").astype(str)
    out["traded"] = out["traded"].astype(bool)
    out["share"] = out["share"].astype("float64")
    return out


def uscmp_naics2012(mirror: str | Path | None = None) -> object:
    """The US Cluster Mapping category set with every 6-digit NAICS 2012 code the definitions reach.

    Parameters
    ----------
    mirror : path, optional
        Data mirror root (cluster definitions, NAICS 2012 titles, the 2012 → 2017 concordance).

    Returns
    -------
    CategorySet
        ``name="uscmp-naics2012"``: the rows of ``load_uscmp(mirror)`` that are NAICS 2012 codes, plus one row
        per completed (code, cluster) with ``share`` = the fraction of the code's 2017 successors in that
        cluster. ``skipped`` adds, with their reason, the 2012 codes that stay out (successors without a
        cluster: farms, government …). Same licence and credit line as ``uscmp``.
    """
    from clustermap.definitions.categories import load_uscmp

    base = load_uscmp(None if mirror is None else Path(mirror))
    extended = load_uscmp(None if mirror is None else Path(mirror), include_non_standard=True)
    titles = naics_titles(2012, digits=6, mirror=mirror).set_index("naics")["title"]
    codes12 = set(titles.index)
    own = base.crosswalk[base.crosswalk["industry"].isin(codes12)]
    missing = sorted(codes12 - set(own["industry"]))
    links = naics_concordance(2012, 2017, mirror=mirror)
    links = links[links["source"].isin(missing)]
    cw17 = extended.crosswalk[["industry", "category", "category_name", "traded"]]
    joined = links.merge(cw17, left_on="target", right_on="industry", how="left")
    added, skipped = [], []
    for code, g in joined.groupby("source", sort=True):
        if g["category"].isna().any():
            bad = ", ".join(sorted(g.loc[g["category"].isna(), "target"]))
            skipped.append(
                {
                    "industry": code,
                    "industry_title": titles[code],
                    "reason": f"NAICS 2017 successor(s) {bad} not assigned to a CMP cluster",
                }
            )
            continue
        counts = g.groupby(["category", "category_name", "traded"], sort=False).size()
        for (category, name, traded), n in counts.items():
            added.append(
                {
                    "industry": code,
                    "category": category,
                    "category_name": name,
                    "traded": bool(traded),
                    "share": n / len(g),
                    "industry_title": titles[code],
                }
            )
    no_link = sorted(set(missing) - set(joined["source"]))
    skipped += [
        {"industry": c, "industry_title": titles[c], "reason": "no NAICS 2017 successor in the concordance"}
        for c in no_link
    ]
    crosswalk = crosswalk_frame(
        pd.concat([own, pd.DataFrame(added)], ignore_index=True).sort_values(["industry", "category"], kind="stable")
    )
    skipped_frame = pd.concat(
        [base.skipped[base.skipped["industry"].isin(codes12)], pd.DataFrame(skipped)], ignore_index=True
    ).astype(str)
    return replace(
        base,
        name=USCMP_NAICS2012,
        version=f"{base.version}+completed-2017",
        crosswalk=crosswalk.reset_index(drop=True),
        skipped=skipped_frame,
        industry_classification="NAICS 2012",
        description=base.description
        + " Completed by clustermap for the NAICS 2012 codes that the definitions carry only under their NAICS "
        "2017 successors (2012 → 2017 Census concordance; a code split over clusters by its number of successors "
        f"in each). Completed codes: {', '.join(sorted({a['industry'] for a in added}))}.",
    )
