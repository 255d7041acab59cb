"""The default year of a panel: the one rule that ``run``'s summary, the reports, the analyses and the site use.

The default year is the **latest year with at least 90 % of the regions of the best year** (the year with the
most regions). Eurostat's SBS bulk file in the mirror was extracted before 2015 was complete — 167 NUTS-2 regions
against 282 in 2014 — so its default year is 2014, not 2015.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clustermap.errors import EmptyInputError

#: share of the best year's regions a year needs to count as complete
COMPLETE_SHARE = 0.9


def regions_per_year(data: Any) -> pd.Series:
    """Number of regions per year (index ``year``, ascending) of a per-year summary (columns ``year, regions``)
    or of cells (columns ``region, year``; pandas, or anything with ``to_pandas()``)."""
    frame = data if isinstance(data, pd.DataFrame) else data.to_pandas()
    if "regions" in frame.columns and "region" not in frame.columns:
        counts = frame.groupby("year")["regions"].max()
    else:
        counts = frame.groupby("year")["region"].nunique()
    counts.index = counts.index.astype("int64")
    return counts.sort_index()


def latest_complete_year(data: Any, share: float = COMPLETE_SHARE) -> int:
    """The latest year whose number of regions is at least ``share`` of the largest yearly count.

    Parameters
    ----------
    data
        a per-year summary (``year, regions``, as :class:`clustermap.mapping.MappingResult` ``.summary``) or
        cells (``region, year``).
    share
        the completeness threshold (default 0.9).

    Examples
    --------
    >>> import pandas as pd
    >>> latest_complete_year(pd.DataFrame({"year": [2013, 2014, 2015], "regions": [280, 282, 167]}))
    2014
    """
    counts = regions_per_year(data)
    if counts.empty:
        raise EmptyInputError("no years to choose a default year from")
    full = counts[counts >= share * counts.max()]
    return int(full.index.max())
