"""The inputs of the analyses: mapping results (from the warehouse or mapped on the fly) and the regional
indicators they are set against — patents, GDP, population — read through clustermap's loaders, put on the
mapping's region codes, with provenance and typed errors that name what is missing.

Mapping results
---------------
:func:`eu_mapping`
    Eurostat regional SBS (``sbs_r_nuts06_r2``, NUTS-2, persons employed) mapped with ``eco2007`` on the
    ``eco-nace2`` categories. By default the panel is first harmonised to **NUTS 2016**
    (:func:`clustermap.regions.harmonise`): the SBS series mixes NUTS 2006/2010/2013 codes, and one version
    makes years comparable (change over time), matches the population table (NUTS 2016) and the GISCO map
    (NUTS 2016). Recoded and merged regions are exact; the few split regions are population-weighted
    estimates (the run's provenance lists the changes). ``nuts_version=None`` keeps the codes as published
    (the main job of ``clustermap run``). The latest matching run of the warehouse is reused; otherwise the
    observations are loaded, harmonised, mapped and stored there.
:func:`us_mapping`
    US County Business Patterns by state (one year of 2000–2011, 6-digit NAICS, withheld cells at their
    size-class midpoint) or by metropolitan and micropolitan area (``level="cbsa"``, 2018–2019) mapped with the
    same method on the common category set ``eco-nace2-naics<vintage>`` (US NAICS on the ``eco-nace2``
    categories; see :mod:`clustermap.classifications.eu_us`), or on a category set given.

Indicators
----------
==========================  ===========================================================================
:func:`eu_patents`          EPO patent applications by priority year (Eurostat ``pat_ep_rtot``, NUTS 2010),
                            NUTS-3 converted to the target NUTS version and summed to NUTS-2
:func:`eu_population`       population on 1 January (Eurostat ``tgs00096``, NUTS 2016), converted
:func:`eu_gdp`              GDP at current prices (Eurostat ``nama_10r_2gdp``, EUR or PPS) and per inhabitant
:func:`us_patents`          USPTO utility patents by first-named inventor's county, summed to states
:func:`us_economy`          BEA state GDP (current USD), population, GDP per capita
==========================  ===========================================================================
"""

from __future__ import annotations

from clustermap.analyses._base import MissingInputError
from clustermap.analyses.inputs.eu import DEFAULT_NUTS_VERSION, DEFAULT_SUPPRESSION, SBS_DATASET, eu_mapping
from clustermap.analyses.inputs.indicators import (
    EU_PATENTS_FILE,
    EU_POPULATION_FILE,
    US_ECONOMY_FILE,
    US_PATENTS_FILE,
    eu_gdp,
    eu_patents,
    eu_population,
    us_economy,
    us_patents,
)
from clustermap.analyses.inputs.mirror import mirror_file, mirror_root
from clustermap.analyses.inputs.runs import Mapped
from clustermap.analyses.inputs.us import DEFAULT_US_CBSA_YEAR, DEFAULT_US_YEAR, us_category_set, us_mapping

__all__ = [
    "DEFAULT_NUTS_VERSION",
    "DEFAULT_SUPPRESSION",
    "DEFAULT_US_CBSA_YEAR",
    "DEFAULT_US_YEAR",
    "EU_PATENTS_FILE",
    "EU_POPULATION_FILE",
    "SBS_DATASET",
    "US_ECONOMY_FILE",
    "US_PATENTS_FILE",
    "Mapped",
    "MissingInputError",
    "eu_gdp",
    "eu_mapping",
    "eu_patents",
    "eu_population",
    "mirror_file",
    "mirror_root",
    "us_category_set",
    "us_economy",
    "us_mapping",
    "us_patents",
]
