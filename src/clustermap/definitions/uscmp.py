"""The US Cluster Mapping benchmark cluster definitions (Delgado, Porter and Stern 2016) as a category set:
read from the data mirror or the publisher (personal, non-commercial licence: never shipped)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clustermap.definitions.category_set import (
    _TRUE,
    _USCMP,
    CategorySet,
    _crosswalk_from,
    _fail,
    _fail_inconsistent,
    slugify,
)
from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    SchemaError,
    SourceError,
    ValueValidationError,
)
from clustermap.provenance import sha256_file
from clustermap.settings import get_settings

__all__ = ["USCMP_CREDIT", "USCMP_LICENCE", "USCMP_SOURCE", "load_uscmp", "resolve_source"]


#: Credit line the US Cluster Mapping terms of use require next to anything derived from its data.
USCMP_CREDIT = (
    "Source: U.S. Cluster Mapping, Institute for Strategy and Competitiveness, Harvard Business School. "
    "Copyright © 2018 President and Fellows of Harvard College. All rights reserved."
)
USCMP_LICENCE = (
    "U.S. Cluster Mapping Terms of Use: a personal, non-commercial, limited licence; no redistribution without "
    "consent. clustermap does not ship or redistribute these definitions: it reads them from the local data "
    "mirror or the publisher at run time."
)
USCMP_SOURCE = (
    "U.S. Cluster Mapping Project (clustermapping.us), Institute for Strategy and Competitiveness, Harvard "
    "Business School: benchmark cluster definitions on NAICS 2012 (Delgado, M., Porter, M. E. and Stern, S. "
    "(2016), Defining clusters of related industries, Journal of Economic Geography 16(1): 1-38)"
)


def resolve_source(dataset_id: str, mirror_path: str, mirror: Path | None, download: bool | None) -> Path:
    """A local file for a catalog dataset: through clustermap.sources.fetch when it exists, else the mirror."""
    try:
        from clustermap.sources.fetch import resolve
    except ImportError:
        resolve = None
    if resolve is not None:
        return Path(resolve(dataset_id, mirror=mirror, download=download))
    base = mirror if mirror is not None else get_settings().mirror()
    if base is None:
        raise SourceError(f"{dataset_id}: no data mirror configured (set CLUSTERMAP_DATA_DIR) and no downloader")
    path = Path(base) / mirror_path
    if not path.is_file():
        raise SourceError(f"{dataset_id}: {mirror_path} is not in the data mirror {base}")
    return path


_USCMP_XLSX_COLUMNS = {
    "NAICS": "naics",
    "TradedLocal": "traded_local",
    "Cluster": "cluster_name",
    "SubclusterName": "subcluster_name",
    "EmsiSpecificNAICS (non standard)": "non_standard_naics",
    "Description": "naics_title",
}


def _read_uscmp_table(path: Path) -> pd.DataFrame:
    """The NAICS → cluster table as strings: the mirror CSV, or the publisher's NoCo REDI workbook."""
    if path.suffix.lower() in {".xlsx", ".xls"}:
        try:
            table = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl").fillna("")
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise CorruptFileError(f"not a readable workbook ({exc})", file=path) from exc
        table.columns = [str(c).strip() for c in table.columns]
        table = table.rename(columns=_USCMP_XLSX_COLUMNS)
    else:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise CorruptFileError(f"not a readable CSV file ({exc})", file=path) from exc
    table = table.apply(lambda s: s.astype(str).str.strip())
    table["_line"] = range(2, len(table) + 2)
    return table


def load_uscmp(
    mirror: Path | None = None, *, include_non_standard: bool = False, download: bool | None = None
) -> CategorySet:
    """The US Cluster Mapping benchmark cluster definitions as a category set (NAICS 2012, 6-digit).

    Reads ``us/clusters/cmp_naics2012_to_cluster.csv`` of the data mirror, or the publisher's workbook through
    :func:`clustermap.sources.fetch.resolve` (dataset ``uscmp:naics2012_to_cluster``). Nothing is shipped with
    clustermap: the definitions are licensed for personal, non-commercial use and must be credited with
    :data:`USCMP_CREDIT`.

    Parameters
    ----------
    mirror : Path, optional
        Data mirror; default: the configured one.
    include_non_standard : bool, default False
        Also map the 37 non-standard rows the NoCo REDI authors added (NAICS 2017 codes that replaced 2012 ones,
        farming aggregates, rail, postal, funds, government education and hospitals), so that NAICS 2017 data
        (e.g. CBP 2017+) map completely. Government rows without a CMP cluster stay out (``skipped``).
    download : bool, optional
        Allow a download from the publisher when the mirror lacks the file (default: the ``download`` setting).

    Returns
    -------
    CategorySet
        ``name="uscmp"``; ``industry`` = 6-digit NAICS, ``category`` = slug of the cluster name (e.g.
        ``aerospace-vehicles-and-defense``), ``traded`` = the cluster is traded (51 traded, 16 local clusters),
        ``share`` 1.0. ``categories`` carries the CMP ``cluster_code`` (traded 1–51, local 101–116; missing when
        read from the publisher's workbook, which has no codes). ``skipped`` lists the rows left out: unassigned
        industries (814110 Private Households) and, by default, the non-standard rows.

    Raises
    ------
    SourceError
        the file is neither in the mirror nor downloadable.
    SchemaError, ValueValidationError, DuplicateKeyError
        the file is not laid out as expected.
    """
    path = resolve_source("uscmp:naics2012_to_cluster", "us/clusters/cmp_naics2012_to_cluster.csv", mirror, download)
    table = _read_uscmp_table(path)
    needed = ("naics", "naics_title", "traded_local", "cluster_name", "non_standard_naics")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=1, column=missing[0])
    has_codes = "cluster_code" in table.columns
    non_standard = table["non_standard_naics"].str.lower().isin(_TRUE)
    unassigned = table["cluster_name"] == ""
    if has_codes:
        unassigned |= table["cluster_code"] == ""
    else:  # the workbook names government groupings that are not CMP clusters
        unassigned |= table["cluster_name"].str.endswith("Government Services")
    skip_non_standard = non_standard & ~include_non_standard
    skip_unassigned = unassigned & ~skip_non_standard
    skipped = pd.concat(
        [
            table.loc[skip_non_standard, ["naics", "naics_title"]].assign(
                reason="non-standard code (NAICS 2017 or government extra of the NoCo REDI workbook)"
            ),
            table.loc[skip_unassigned, ["naics", "naics_title"]].assign(reason="not assigned to a CMP cluster"),
        ]
    ).rename(columns={"naics": "industry", "naics_title": "industry_title"})
    kept = table.loc[~(skip_non_standard | skip_unassigned)].copy()

    _fail(
        ValueValidationError,
        "not a 6-digit NAICS code",
        path,
        kept,
        ~kept["naics"].str.fullmatch(r"\d{6}"),
        "naics",
    )
    _fail(
        ValueValidationError,
        "must be Traded or Local",
        path,
        kept,
        ~kept["traded_local"].isin(["Traded", "Local"]),
        "traded_local",
    )
    dup = kept["naics"].duplicated()
    _fail(DuplicateKeyError, "NAICS code appears twice", path, kept, dup, "naics")
    kept["category"] = kept["cluster_name"].map(slugify)
    kept["traded"] = kept["traded_local"] == "Traded"
    _fail_inconsistent(kept, path, ("traded", "cluster_name"), "cluster")

    crosswalk = _crosswalk_from(
        kept.rename(columns={"naics": "industry", "cluster_name": "category_name", "naics_title": "industry_title"})
        .assign(share=1.0)
        .sort_values("industry", kind="stable")
    )
    categories = kept.drop_duplicates("category")[["category", "cluster_name", "traded"]].rename(
        columns={"cluster_name": "category_name"}
    )
    if has_codes:
        codes = kept.drop_duplicates("category").set_index("category")["cluster_code"]
        categories["cluster_code"] = categories["category"].map(codes).astype("Int64")
        categories = categories.sort_values("cluster_code", kind="stable")
    else:
        categories["cluster_code"] = pd.array([pd.NA] * len(categories), dtype="Int64")
        categories = categories.sort_values(["traded", "category"], ascending=[False, True], kind="stable")
    return CategorySet(
        name=_USCMP,
        version="naics2012+nonstandard" if include_non_standard else "naics2012",
        crosswalk=crosswalk,
        categories=categories.reset_index(drop=True),
        source=USCMP_SOURCE,
        licence=USCMP_LICENCE,
        credit=USCMP_CREDIT,
        industry_classification=(
            "NAICS 2012 (with NAICS 2017 replacements and extras)" if include_non_standard else "NAICS 2012"
        ),
        title="U.S. Cluster Mapping benchmark clusters (51 traded, 16 local)",
        description=(
            "Delgado, Porter and Stern (2016) benchmark cluster definitions as published by the U.S. Cluster "
            "Mapping Project on 6-digit NAICS 2012."
        ),
        citation=USCMP_CREDIT,
        skipped=skipped.reset_index(drop=True).astype(str),
        checksum=sha256_file(path),
    )
