"""Loaders: publisher files → the canonical observation table (:mod:`clustermap.schema`) + provenance.

Every loader returns a :class:`~clustermap.provenance.LoadResult` (or, for the ``*_totals`` helpers, a small
frame with the provenance in ``frame.attrs["provenance"]``), raises the typed errors of
:mod:`clustermap.errors` naming file, line, column and value, and logs what it read and dropped.

=====================================  =====================================================================
loader                                 reads
=====================================  =====================================================================
:func:`load_sbs`                       Eurostat regional SBS (``sbs_r_nuts06_r2``), persons employed V16110
:func:`load_eurostat`                  any Eurostat bulk TSV / SDMX-CSV region × industry slice
:func:`load_lfs`, :func:`load_lfs_totals`  Eurostat LFS ``lfst_r_lfe2en2`` in persons (totals = ``T[r]``)
:func:`load_cbp_state`                 Census CBP state × NAICS (mirror long file or raw ``cbpYYst.txt``)
:func:`load_cbp_state_totals`          CBP all-industries employment per state
:func:`load_cbp_cbsa`                  Census CBP CBSA × NAICS (mirror file or raw ``cbpYYmsa.txt``)
:func:`load_cbp_county`                Census CBP county × NAICS (raw ``cbpYYco.txt``; not in the mirror)
:func:`load_cbp_economic_areas`        a CBP county file summed to the 179 BEA economic areas
:func:`load_tidy`                      canonical CSV / Parquet
:func:`read_tsv`, :func:`read_sdmx`    the raw long Eurostat frame (dimensions, year, value, flag, _line)
=====================================  =====================================================================
"""

from clustermap.loaders.cbp import (
    load_cbp_cbsa,
    load_cbp_cbsa_totals,
    load_cbp_county,
    load_cbp_economic_areas,
    load_cbp_state,
    load_cbp_state_totals,
)
from clustermap.loaders.eurostat_sdmx import read_sdmx
from clustermap.loaders.eurostat_tsv import (
    geo_kind,
    geo_level,
    load_eurostat,
    load_lfs,
    load_lfs_totals,
    load_sbs,
    read_eurostat,
    read_tsv,
)
from clustermap.loaders.tidy import load_tidy

__all__ = [
    "geo_kind",
    "geo_level",
    "load_cbp_cbsa",
    "load_cbp_cbsa_totals",
    "load_cbp_county",
    "load_cbp_economic_areas",
    "load_cbp_state",
    "load_cbp_state_totals",
    "load_eurostat",
    "load_lfs",
    "load_lfs_totals",
    "load_sbs",
    "load_tidy",
    "read_eurostat",
    "read_sdmx",
    "read_tsv",
]
