"""Industry classifications as data: NAICS vintages and concordances, NACE Rev. 2 titles, and the category sets
derived from them at run time (nothing here is shipped; every table is read from the data mirror).

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
:func:`uscmp_naics2012`                    the US Cluster Mapping set completed for every NAICS 2012 code
:func:`nace_titles`, :func:`to_sbs_code`,  NACE Rev. 2 titles; SBS codes (``C29`` ↔ ``29``)
:func:`from_sbs_code`
:func:`naics_to_eco_nace2`                 US NAICS on the ``eco-nace2`` categories (EU–US like for like)
:func:`naics_to_eco_codes`,                the NAICS → ISIC → NACE links and the allocation rules behind it
:func:`allocation_report`
:func:`derived_category_set`               the sets above by name, for ``load_category_set``
=========================================  =================================================================
"""

from __future__ import annotations

from pathlib import Path

from clustermap.classifications.concordance import (
    CBP_VINTAGE_BY_YEAR,
    ConversionReport,
    category_coverage,
    convert_naics,
    six_digit_panel,
    to_naics2012,
)
from clustermap.classifications.eu_us import (
    EU_US_PREFIX,
    EU_US_VINTAGES,
    allocation_report,
    load_eu_us_category_set,
    naics_isic_links,
    naics_to_eco_codes,
    naics_to_eco_nace2,
)
from clustermap.classifications.nace import from_sbs_code, nace_titles, to_sbs_code
from clustermap.classifications.naics import VINTAGES, naics_concordance, naics_titles
from clustermap.classifications.uscmp import USCMP_NAICS2012, uscmp_naics2012

__all__ = [
    "CBP_VINTAGE_BY_YEAR",
    "DERIVED_CATEGORY_SETS",
    "EU_US_PREFIX",
    "EU_US_VINTAGES",
    "USCMP_NAICS2012",
    "VINTAGES",
    "ConversionReport",
    "allocation_report",
    "category_coverage",
    "convert_naics",
    "derived_category_set",
    "from_sbs_code",
    "nace_titles",
    "naics_concordance",
    "naics_isic_links",
    "naics_titles",
    "naics_to_eco_codes",
    "naics_to_eco_nace2",
    "six_digit_panel",
    "to_naics2012",
    "to_sbs_code",
    "uscmp_naics2012",
]

#: names :func:`derived_category_set` builds (from the data mirror, at run time)
DERIVED_CATEGORY_SETS = (*(f"{EU_US_PREFIX}{v}" for v in EU_US_VINTAGES), USCMP_NAICS2012)


def derived_category_set(name: object, *, mirror: str | Path | None = None) -> object | None:
    """The derived category set called ``name`` (one of :data:`DERIVED_CATEGORY_SETS`), or ``None`` if ``name``
    is not one of them. :func:`clustermap.definitions.categories.load_category_set` calls this first."""
    return load_eu_us_category_set(name, mirror=mirror) if isinstance(name, str) else None
