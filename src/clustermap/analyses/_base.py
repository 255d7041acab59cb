"""What every analysis shares: reading mapping results, choosing the year, definitions, typed errors, summary
statistics of a distribution across regions.

An analysis takes *mapping results*: a :class:`~clustermap.mapping.MappingResult`, anything with a ``cells``
attribute (e.g. :class:`clustermap.analyses.inputs.Mapped`), a pandas frame of cells (columns
:data:`clustermap.mapping.STARS_COLUMNS`) or an ibis table of them on any backend. The cells tables are small
(one row per region × traded category × year), so most analyses work in pandas; the aggregations that run over
every cell (:func:`~clustermap.analyses.portfolio.region_portfolios`,
:func:`~clustermap.analyses.concentration.category_concentration`) are ibis expressions and run where the cells
are (DuckDB, PySpark …).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from clustermap.errors import ClustermapError, ParameterError, SchemaError

__all__ = [
    "DEFINITIONS",
    "Definition",
    "MissingInputError",
    "cells_frame",
    "cells_table",
    "define",
    "definitions_frame",
    "describe_distribution",
    "histogram",
    "latest_complete_year",
    "region_names",
    "select_year",
]

#: columns every analysis needs in the cells
CORE_COLUMNS = ("region", "category", "year", "employment", "region_total", "lq")


class MissingInputError(ClustermapError, LookupError):
    """An analysis lacks an input: the message names what is missing (dataset, years, regions, columns) and how
    to supply it.

    Attributes
    ----------
    what : str
        The input (``"EPO patent applications (pat_ep_rtot)"``, ``"cells of 2014"`` …).
    missing : list
        The missing items (years, region codes, column names …), possibly empty.
    hint : str
        How to supply it.
    """

    exit_code = 2

    def __init__(self, what: str, missing: Iterable[Any] = (), hint: str = "") -> None:
        self.what = what
        self.missing = list(missing)
        self.hint = hint
        text = f"missing input: {what}"
        if self.missing:
            shown = ", ".join(str(m) for m in self.missing[:15])
            more = len(self.missing) - 15
            text += f" — missing: {shown}" + (f" (and {more} more)" if more > 0 else "")
        if hint:
            text += f". {hint[:1].upper()}{hint[1:]}"
        super().__init__(text)


# ---------------------------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Definition:
    """A statistic's definition, printed next to it in reports and ``--help``.

    Attributes
    ----------
    key : str
        Identifier (``strong_share_traded``).
    term : str
        Display name.
    text : str
        What it is and how it is computed.
    unit : str
        Unit of the value (``share (0-1)``, ``persons``, ``stars`` …).
    """

    key: str
    term: str
    text: str
    unit: str = ""


#: every definition the analyses register, by key
DEFINITIONS: dict[str, Definition] = {}


def define(key: str, term: str, text: str, unit: str = "") -> Definition:
    """Register (or replace) a definition and return it."""
    d = Definition(key, term, " ".join(text.split()), unit)
    DEFINITIONS[key] = d
    return d


def definitions_frame(keys: Iterable[str] | None = None) -> pd.DataFrame:
    """The definitions (all, or those of ``keys`` in that order) as a table ``key, term, unit, definition``."""
    chosen = list(DEFINITIONS) if keys is None else [k for k in keys if k in DEFINITIONS]
    return pd.DataFrame(
        [
            {"key": k, "term": DEFINITIONS[k].term, "unit": DEFINITIONS[k].unit, "definition": DEFINITIONS[k].text}
            for k in chosen
        ],
        columns=["key", "term", "unit", "definition"],
    )


define(
    "employment",
    "Employment E[r,c]",
    "Persons employed (EU SBS: persons employed, annual average; US CBP: paid employees in mid-March) of "
    "category c in region r: the sum of its industries' employment through the category set's crosswalk.",
    "persons",
)
define(
    "region_total",
    "Regional total T[r]",
    "The denominator of the location quotient: for the eco2007 method, all employment of the region in the "
    "mapped industries (traded and local categories; for Eurostat SBS the business economy B-N and S95 "
    "without K).",
    "persons",
)
define(
    "lq",
    "Location quotient LQ",
    "LQ[r,c] = (E[r,c] / T[r]) / (E[.,c] / T): the category's share of the region's employment over its share "
    "of the employment of all regions. 1 = as specialised as the region set as a whole.",
    "ratio",
)
define(
    "strong_cluster",
    "Strong cluster",
    "A region × category cell with LQ > 2 (strictly), as in SEC(2008) 2637 footnote 73: the region is more than "
    "twice as specialised in the category as the region set as a whole.",
)
define(
    "regional_cluster",
    "Regional cluster",
    "A region × category cell with at least one star (size, specialisation or focus; cells under 1,000 "
    "employees get none).",
)


# ---------------------------------------------------------------------------------------------- cells


def _unwrap(data: Any) -> Any:
    return data.cells if hasattr(data, "cells") and not isinstance(data, pd.DataFrame | ir.Table) else data


def cells_frame(data: Any, *, year: int | None = None, columns: Sequence[str] = CORE_COLUMNS) -> pd.DataFrame:
    """The cells of mapping results as a pandas frame, optionally of one year.

    Parameters
    ----------
    data
        :class:`~clustermap.mapping.MappingResult`, anything with ``.cells``, a pandas frame or an ibis table.
    year : int, optional
        Keep this year only.
    columns : sequence of str
        Columns that must be present.

    Raises
    ------
    SchemaError
        a required column is missing.
    MissingInputError
        ``year`` is not in the cells.
    """
    data = _unwrap(data)
    if isinstance(data, ir.Table):
        if year is not None:
            data = data.filter(data.year == int(year))
        frame = data.to_pandas()
    elif isinstance(data, pd.DataFrame):
        frame = data if year is None else data[data["year"] == int(year)]
    else:
        raise ParameterError(f"expected mapping results (cells), got {type(data).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(f"the cells lack column(s) {', '.join(missing)}", column=missing[0])
    if year is not None and frame.empty:
        raise MissingInputError(f"cells of {year}", [year], "map that year first")
    return frame


def cells_table(data: Any, *, year: int | None = None, columns: Sequence[str] = CORE_COLUMNS) -> ir.Table:
    """The cells as an ibis table: an ibis input stays on its backend; pandas becomes an in-memory table on the
    default backend (DuckDB)."""
    data = _unwrap(data)
    if isinstance(data, pd.DataFrame):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise SchemaError(f"the cells lack column(s) {', '.join(missing)}", column=missing[0])
        frame = data[data["year"] == int(year)] if year is not None else data
        keep = [c for c in frame.columns if c != "category_name"]
        t = ibis.memtable(frame[keep].reset_index(drop=True))
    elif isinstance(data, ir.Table):
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise SchemaError(f"the cells lack column(s) {', '.join(missing)}", column=missing[0])
        t = data.filter(data.year == int(year)) if year is not None else data
    else:
        raise ParameterError(f"expected mapping results (cells), got {type(data).__name__}")
    return t


def latest_complete_year(cells: Any, share: float = 0.9) -> int:
    """The latest year whose number of regions is at least ``share`` of the largest yearly count — the one rule
    of :func:`clustermap.years.latest_complete_year`, on mapping results.

    Eurostat's SBS bulk file was extracted before 2015 was complete (167 regions against 282 in 2014), so the
    latest *complete* year is 2014.
    """
    from clustermap.years import latest_complete_year as rule

    frame = cells_frame(cells, columns=("region", "year"))
    if frame.empty:
        raise MissingInputError("mapping results (no cells)")
    return rule(frame[["region", "year"]], share)


def select_year(cells: Any, year: int | None) -> int:
    """``year`` if the cells have it, else the latest complete year when ``year`` is None.

    Raises
    ------
    MissingInputError
        ``year`` is not among the cells' years (the message lists the years there are).
    """
    frame = cells_frame(cells, columns=("region", "year"))
    years = sorted(int(y) for y in frame["year"].unique())
    if year is None:
        return latest_complete_year(frame)
    if int(year) not in years:
        raise MissingInputError(
            f"mapping results for {year}", [year], f"the results cover {', '.join(map(str, years)) or 'no year'}"
        )
    return int(year)


# ---------------------------------------------------------------------------------------------- names


def region_names(codes: Iterable[str], *, mirror: Any = None) -> dict[str, str]:
    """Names of region codes from the region registry (NUTS in any version, US states); unknown codes map to
    ``""``. Never raises: names are decoration."""
    out: dict[str, str] = {}
    try:
        from clustermap.regions import get_registry

        registry = get_registry(mirror=mirror)
    except Exception:  # the registry needs the mirror; names are optional
        return {str(c): "" for c in codes}
    for code in codes:
        code = str(code)
        try:
            out[code] = registry.get(code).name
        except Exception:
            out[code] = ""
    return out


def country_of(code: str) -> str:
    """Two-letter country of a NUTS code (``EL`` for Greece), ``US`` for FIPS codes."""
    code = str(code)
    if code[:1].isdigit():
        return "US"
    return "EL" if code[:2] == "GR" else code[:2]


# ---------------------------------------------------------------------------------------------- distributions


def describe_distribution(values: Iterable[float], *, weights: Iterable[float] | None = None) -> dict[str, float]:
    """Summary of a distribution across regions: ``n, max, mean, median, min, p25, p75, std`` (and
    ``weighted_mean`` with ``weights``). NaNs are left out; an empty input gives NaNs and ``n = 0``."""
    v = pd.Series(list(values), dtype="float64")
    keep = v.notna()
    v = v[keep]
    out = {
        "n": len(v),
        "max": float(v.max()) if len(v) else math.nan,
        "mean": float(v.mean()) if len(v) else math.nan,
        "median": float(v.median()) if len(v) else math.nan,
        "min": float(v.min()) if len(v) else math.nan,
        "p25": float(v.quantile(0.25)) if len(v) else math.nan,
        "p75": float(v.quantile(0.75)) if len(v) else math.nan,
        "std": float(v.std(ddof=1)) if len(v) > 1 else math.nan,
    }
    if weights is not None:
        w = pd.Series(list(weights), dtype="float64")[keep.to_numpy()]
        out["weighted_mean"] = float(np.average(v, weights=w)) if len(v) and w.sum() > 0 else math.nan
    return out


def histogram(
    values: Iterable[float], *, bins: Sequence[float] | int = 10, range_: tuple[float, float] | None = None
) -> pd.DataFrame:
    """Counts of ``values`` in bins: ``bin_low, bin_high, count, share`` (the last bin is closed on the right)."""
    v = pd.Series(list(values), dtype="float64").dropna().to_numpy()
    counts, edges = np.histogram(v, bins=bins, range=range_)
    total = counts.sum()
    return pd.DataFrame(
        {
            "bin_low": edges[:-1],
            "bin_high": edges[1:],
            "count": counts.astype("int64"),
            "share": counts / total if total else np.zeros(len(counts)),
        }
    )
