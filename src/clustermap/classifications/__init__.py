"""Industry classifications as data: NAICS vintages and concordances, NACE Rev. 2 titles, the NAICS → ISIC → NACE
links, CBP size classes (nothing here is shipped but the size classes; every table is read from the data mirror).
The category sets built from them at run time are :mod:`clustermap.definitions.derived` (definitions import
classifications, never the other way).

=========================================  =================================================================
function                                   what
=========================================  =================================================================
:func:`naics_titles`                       NAICS 2002/2007/2012/2017 titles (2–6 digits)
:func:`naics_concordance`                  many-to-many links between two NAICS vintages (chained)
:func:`to_naics2012`, :func:`convert_naics`  a region × NAICS × year table on one vintage, employment-weighted
                                           splits, per-year report
:func:`six_digit_panel`                    the 6-digit level of a CBP table that keeps some industries under
                                           a parent code
:func:`category_coverage`                  share of each year's employment a category set assigns
:func:`nace_titles`, :func:`to_sbs_code`,  NACE Rev. 2 titles; SBS codes (``C29`` ↔ ``29``)
:func:`from_sbs_code`
:func:`naics_to_eco_codes`,                the NAICS → ISIC → NACE links and the allocation rules of
:func:`naics_isic_links`                   :func:`clustermap.definitions.derived.naics_to_eco_nace2`
:func:`load_size_classes`                  CBP employment-size classes of withheld cells
=========================================  =================================================================
"""

from __future__ import annotations

from clustermap.classifications.concordance import ConversionReport, convert_naics, to_naics2012
from clustermap.classifications.eu_us import (
    EU_US_PREFIX,
    EU_US_VINTAGES,
    naics_isic_links,
    naics_to_eco_codes,
)
from clustermap.classifications.nace import from_sbs_code, nace_titles, to_sbs_code
from clustermap.classifications.naics import CBP_VINTAGE_BY_YEAR, VINTAGES, naics_concordance, naics_titles
from clustermap.classifications.panels import category_coverage, six_digit_panel
from clustermap.classifications.size_classes import load_size_classes

__all__ = [
    "CBP_VINTAGE_BY_YEAR",
    "EU_US_PREFIX",
    "EU_US_VINTAGES",
    "VINTAGES",
    "ConversionReport",
    "category_coverage",
    "convert_naics",
    "from_sbs_code",
    "load_size_classes",
    "nace_titles",
    "naics_concordance",
    "naics_isic_links",
    "naics_titles",
    "naics_to_eco_codes",
    "six_digit_panel",
    "to_naics2012",
    "to_sbs_code",
]
