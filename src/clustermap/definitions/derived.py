"""Category sets derived at run time from classification tables of the data mirror (never stored):

* ``uscmp-naics2012`` (:func:`uscmp_naics2012`): the US Cluster Mapping clusters on every NAICS 2012 code;
* ``eco-nace2-naics2007|2012|2017`` (:func:`naics_to_eco_nace2`): US NAICS on the ``eco-nace2`` categories through
  ISIC Rev. 4 (the links and allocation rules are :mod:`clustermap.classifications.eu_us`).

:func:`derived_category_set` builds them by name for :func:`clustermap.definitions.categories.load_category_set`.

The US Cluster Mapping clusters on every NAICS 2012 code, completed through the 2012 → 2017 concordance
----------------------------------------------------------------------------------------------------------

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

from clustermap.classifications._mirror import mirror_file
from clustermap.classifications.eu_us import (
    ALLOCATION_RULES,
    EU_US_PREFIX,
    EU_US_VINTAGES,
    check_eu_us_vintage,
    naics_isic_links,
    naics_to_eco_codes,
)
from clustermap.classifications.naics import naics_concordance, naics_titles
from clustermap.classifications.size_classes import load_size_classes
from clustermap.definitions.category_set import CROSSWALK_COLUMNS, CategorySet, load_packaged_set
from clustermap.definitions.uscmp import load_uscmp
from clustermap.provenance import sha256_file

__all__ = [
    "DERIVED_CATEGORY_SETS",
    "USCMP_NAICS2012",
    "allocation_report",
    "crosswalk_frame",
    "derived_category_set",
    "naics_to_eco_nace2",
    "uscmp_naics2012",
]

#: name of the completed set
USCMP_NAICS2012 = "uscmp-naics2012"


def crosswalk_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with exactly the columns and types of :attr:`CategorySet.crosswalk` (a fresh index)."""
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


def naics_to_eco_nace2(vintage: int = 2012, *, mirror: str | Path | None = None, base: object = None) -> object:
    """US NAICS codes on the ``eco-nace2`` categories, as a category set built from the mirror at run time.

    Parameters
    ----------
    vintage : int, default 2012
        NAICS vintage of the data to map: 2007 (CBP 2008–2011), 2012 or 2017.
    mirror : path, optional
        Data mirror root (Census concordance, NACE structure).
    base : CategorySet, optional
        The European set to follow; default ``load_packaged_set("eco-nace2")``.

    Returns
    -------
    CategorySet
        ``name="eco-nace2-naics{vintage}"``, ``industry`` = 6-digit NAICS, the categories of ``base`` (same
        slugs, names, traded flags), ``share`` = the fraction of the NAICS code's employment counted in the
        category (sum of its SBS codes' shares; below 1 where part of the code is out of the SBS scope).
        ``skipped`` lists the NAICS codes wholly out of scope and why. See the module docstring for the
        allocation rules and for what this loses against the 4-digit original.
    """
    vintage = check_eu_us_vintage(vintage)
    eco = base if base is not None else load_packaged_set("eco-nace2")
    codes = naics_to_eco_codes(vintage, mirror=mirror)
    eco_cw = eco.crosswalk[["industry", "category", "category_name", "traded", "share"]].rename(
        columns={"industry": "sbs_code", "share": "eco_share"}
    )
    joined = codes.merge(eco_cw, on="sbs_code", how="left")
    in_scope = joined["category"].notna()
    joined["cat_share"] = joined["share"] * joined["eco_share"].fillna(0.0)
    kept = joined[in_scope]
    crosswalk = (
        kept.groupby(["naics", "category", "category_name", "traded"], as_index=False, sort=True)
        .agg(share=("cat_share", "sum"), industry_title=("naics_title", "first"))
        .rename(columns={"naics": "industry"})
    )
    crosswalk["share"] = crosswalk["share"].clip(upper=1.0)
    outside = joined[~joined["naics"].isin(set(kept["naics"]))].groupby("naics", sort=True)
    skipped = pd.DataFrame(
        [
            {
                "industry": code,
                "industry_title": g["naics_title"].iloc[0],
                "reason": "only NACE codes outside eco-nace2 (SBS covers B-N without K, and S95): "
                + ", ".join(sorted(g["sbs_code"].unique())),
            }
            for code, g in outside
        ],
        columns=["industry", "industry_title", "reason"],
    )
    file = mirror_file(f"classifications/naics{vintage}_to_isic4_census.csv", mirror)
    rules = codes.drop_duplicates("naics")["rule"].value_counts().reindex(ALLOCATION_RULES, fill_value=0)
    return CategorySet(
        name=f"{EU_US_PREFIX}{vintage}",
        version=f"{eco.version}+census-naics{vintage}-isic4",
        crosswalk=crosswalk_frame(crosswalk),
        categories=eco.categories.copy(),
        source=(
            f"Categories: {eco.name} {eco.version} ({eco.source.splitlines()[0] if eco.source else ''}). "
            f"Links: US Census Bureau, {vintage} NAICS to ISIC Rev. 4 concordance (public domain), through the "
            "NACE Rev. 2 / ISIC Rev. 4 shared divisions (Eurostat RAMON NACE_REV2). Built by "
            "clustermap.classifications.eu_us.naics_to_eco_nace2."
        ),
        licence=f"{eco.licence} (category set); concordance: public domain (US federal government work)",
        credit=eco.credit,
        industry_classification=f"NAICS {vintage}",
        title=f"{eco.title or eco.name} — US NAICS {vintage} codes on the same categories",
        description=(
            f"NAICS {vintage} → ISIC Rev. 4 (US Census) → NACE Rev. 2 division (groups in G45–G47) → {eco.name}. "
            "NAICS codes linked to several NACE codes are allocated by rule: "
            + ", ".join(f"{r} {int(n)} codes" for r, n in rules.items())
            + ". See clustermap.classifications.eu_us and docs/eu-us-categories.md for the rules and for what "
            "this loses against the 4-digit original."
        ),
        citation=eco.citation,
        originals=eco.originals,
        uncovered=eco.uncovered,
        skipped=skipped.astype(str),
        checksum=sha256_file(file),
    )


def load_eu_us_category_set(name: str, *, mirror: str | Path | None = None) -> object | None:
    """The derived set called ``name`` (``eco-nace2-naics2007|2012|2017``, ``uscmp-naics2012``), or ``None`` when
    ``name`` is not one of them — the hook :func:`clustermap.definitions.categories.load_category_set` calls.

    Raises
    ------
    UnknownNameError
        ``name`` starts with ``eco-nace2-naics`` but names no vintage with a concordance.
    """
    if not isinstance(name, str):
        return None
    if name == USCMP_NAICS2012:
        return uscmp_naics2012(mirror)
    if name.startswith(EU_US_PREFIX):
        return naics_to_eco_nace2(check_eu_us_vintage(name[len(EU_US_PREFIX) :]), mirror=mirror)
    return None


def allocation_report(
    frame: pd.DataFrame, vintage: int, *, mirror: str | Path | None = None, categories: object = None
) -> pd.DataFrame:
    """How much employment of a NAICS table each allocation rule moved, per year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical observations on 6-digit NAICS of ``vintage`` (``industry, year, employment``; withheld cells,
        null with a ``size_class``, count at their size-class midpoint).
    vintage : int
        NAICS vintage of ``frame`` (2007, 2012, 2017).
    categories : CategorySet, optional
        The derived set (default :func:`naics_to_eco_nace2` of ``vintage``), to tell whether a rule changed the
        category (not only the SBS code).

    Returns
    -------
    pandas.DataFrame
        One row per year × rule (``single``, ``residual``, ``siblings``, ``equal``, ``not in concordance``):
        ``codes`` (NAICS codes with employment), ``employment`` (persons), ``share`` (of the year's employment),
        ``employment_multi_category`` (persons in codes whose links reach more than one category or leave the
        scope: where the rule decides the category), ``employment_in_scope`` (persons counted in an
        ``eco-nace2`` category after the shares).
    """
    codes = naics_to_eco_codes(vintage, mirror=mirror)
    cats = categories if categories is not None else naics_to_eco_nace2(vintage, mirror=mirror)
    rule = codes.drop_duplicates("naics").set_index("naics")["rule"]
    eco = load_packaged_set("eco-nace2")
    eco_category = dict(zip(eco.crosswalk["industry"], eco.crosswalk["category"], strict=False))
    links = naics_isic_links(vintage, mirror=mirror)
    reached = links["sbs_code"].map(eco_category).fillna("(out of scope)")
    n_categories = reached.groupby(links["naics"]).nunique()
    in_scope_share = cats.crosswalk.groupby("industry")["share"].sum()
    classes = load_size_classes()
    size = dict(zip(classes["size_class"], classes["cmp_value"], strict=True))
    emp = frame["employment"].astype("float64")
    if "size_class" in frame.columns:
        emp = emp.fillna(frame["size_class"].map(size).astype("float64"))
    industry = frame["industry"].astype(str)
    employment = emp.fillna(0.0)
    t = pd.DataFrame(
        {
            "year": frame["year"].astype("int64"),
            "industry": industry,
            "rule": industry.map(rule).fillna("not in concordance"),
            "employment": employment,
            "multi": employment.where(industry.map(n_categories).fillna(1) > 1, 0.0),
            "in_scope": employment * industry.map(in_scope_share).fillna(0.0),
        }
    )
    out = (
        t.groupby(["year", "rule"])
        .agg(
            codes=("industry", "nunique"),
            employment=("employment", "sum"),
            employment_multi_category=("multi", "sum"),
            employment_in_scope=("in_scope", "sum"),
        )
        .reset_index()
    )
    out["share"] = out["employment"] / out.groupby("year")["employment"].transform("sum")
    order = {r: i for i, r in enumerate((*ALLOCATION_RULES, "not in concordance"))}
    out = out.assign(_o=out["rule"].map(order)).sort_values(["year", "_o"]).drop(columns="_o")
    columns = ["year", "rule", "codes", "employment", "share", "employment_multi_category", "employment_in_scope"]
    return out[columns].reset_index(drop=True).astype({"codes": "int64"})


#: names :func:`derived_category_set` builds (from the data mirror, at run time)
DERIVED_CATEGORY_SETS = (*(f"{EU_US_PREFIX}{v}" for v in EU_US_VINTAGES), USCMP_NAICS2012)


def derived_category_set(name: object, *, mirror: str | Path | None = None) -> object | None:
    """The derived category set called ``name`` (one of :data:`DERIVED_CATEGORY_SETS`), or ``None`` if ``name``
    is not one of them. :func:`clustermap.definitions.categories.load_category_set` calls this first."""
    return load_eu_us_category_set(name, mirror=mirror) if isinstance(name, str) else None
