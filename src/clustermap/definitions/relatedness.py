"""US Cluster Mapping relatedness of pairs of traded clusters (the "related clusters" of the CMP site)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from clustermap.definitions.category_set import _fail, slugify
from clustermap.definitions.uscmp import USCMP_CREDIT, USCMP_LICENCE, resolve_source
from clustermap.errors import (
    CorruptFileError,
    SchemaError,
    ValueValidationError,
)
from clustermap.provenance import sha256_file

__all__ = ["load_cluster_relatedness"]


def load_cluster_relatedness(
    mirror: Path | None = None, *, include_self: bool = False, download: bool | None = None
) -> pd.DataFrame:
    """US Cluster Mapping relatedness of pairs of traded clusters (the "related clusters" of the CMP site).

    Reads ``us/clusters/cmp_related_clusters.csv`` of the data mirror, or the publisher's JSON through
    :func:`clustermap.sources.fetch.resolve` (dataset ``uscmp:related_clusters``). Credit with
    :data:`USCMP_CREDIT` (also in ``frame.attrs["credit"]``); never redistribute.

    Parameters
    ----------
    mirror : Path, optional
        Data mirror; default: the configured one.
    include_self : bool, default False
        Keep the 51 pairs of a cluster with itself (the source lists all 51 × 51 ordered pairs).
    download : bool, optional
        Allow a download from the publisher when the mirror lacks the file.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair, both directions (the measure is symmetric up to rounding in the source):
        ``cluster_a``, ``cluster_b`` (slugs as in :func:`load_uscmp`), ``cluster_code_a``, ``cluster_code_b``
        (int64, CMP codes 1–51), ``related`` (bool, CMP's ``rel_all_90_v3``: related at the 90th-percentile cut),
        ``score`` (float, ``cr_all``: overall relatedness from co-location, input–output and occupation links,
        unitless) and ``percentile`` (float 0–100, ``cr_all_pc``: percentile of ``score`` among all pairs).

    Raises
    ------
    SourceError
        the file is neither in the mirror nor downloadable.
    SchemaError, ValueValidationError
        the file is not laid out as expected.
    """
    path = resolve_source("uscmp:related_clusters", "us/clusters/cmp_related_clusters.csv", mirror, download)
    try:
        if path.suffix.lower() == ".json":
            table = pd.DataFrame(json.loads(path.read_text("utf-8"))).astype(str)
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(f"not a readable table ({exc})", file=path) from exc
    table["_line"] = range(2, len(table) + 2)
    needed = ("cluster_code", "cluster_name", "cluster_code_2", "cluster_name_2", "rel_all_90_v3", "cr_all")
    needed += ("cr_all_pc",)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=1, column=missing[0])
    numbers = {}
    for column in ("cluster_code", "cluster_code_2", "rel_all_90_v3", "cr_all", "cr_all_pc"):
        numbers[column] = pd.to_numeric(table[column].str.strip(), errors="coerce")
        _fail(ValueValidationError, "not a number", path, table, numbers[column].isna(), column)
    _fail(
        ValueValidationError,
        "must be 0 or 1",
        path,
        table,
        ~numbers["rel_all_90_v3"].isin([0, 1]),
        "rel_all_90_v3",
    )
    out = pd.DataFrame(
        {
            "cluster_a": table["cluster_name"].map(slugify),
            "cluster_b": table["cluster_name_2"].map(slugify),
            "cluster_code_a": numbers["cluster_code"].astype("int64"),
            "cluster_code_b": numbers["cluster_code_2"].astype("int64"),
            "related": numbers["rel_all_90_v3"] == 1,
            "score": numbers["cr_all"].astype("float64"),
            "percentile": numbers["cr_all_pc"].astype("float64"),
        }
    )
    if not include_self:
        out = out[out["cluster_code_a"] != out["cluster_code_b"]]
    out = out.sort_values(["cluster_code_a", "cluster_code_b"], kind="stable").reset_index(drop=True)
    out.attrs.update({"credit": USCMP_CREDIT, "licence": USCMP_LICENCE, "file": str(path), "sha256": sha256_file(path)})
    return out
