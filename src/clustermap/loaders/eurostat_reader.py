"""What the two Eurostat file formats share: the filters, the reasons a filter drops cells, geo code kinds and
levels, and the parsed file (:class:`EurostatRead`). :mod:`.eurostat_tsv` and :mod:`.eurostat_sdmx` read the two
formats on top of it; :mod:`.eurostat` tells them apart and turns the long frame into observations."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from clustermap.errors import SchemaError

__all__ = [
    "EurostatRead",
    "Filters",
    "check_filter_dims",
    "filter_reason",
    "geo_kind",
    "geo_level",
    "normalise_filters",
]

Filters = Mapping[str, str | int | Collection[str | int]]

#: Eurostat aggregates (EU28, EA19, EEA30, EU27_2020 …): not regions
_AGGREGATE = re.compile(r"^(?:EU|EA|EEA|EFTA|EC)(?:\d.*)?$")
_NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
_EXTRA_REGIO = re.compile(r"^[A-Z]{2}Z{1,3}$")
_NOT_REGIONALISED = re.compile(r"^[A-Z]{2}X{1,3}$")

#: reason recorded in the provenance when a filter on this dimension drops cells
_REASON = {
    "indic_sb": "other indicator",
    "unit": "other unit",
    "age": "other age class",
    "sex": "other sex",
    "nace_r2": "other industry",
    "freq": "other frequency",
    "year": "other year",
    "geo": "other geo code",
}


def filter_reason(dim: str) -> str:
    """The provenance drop reason used when a filter on ``dim`` removes cells (e.g. ``"other indicator"``)."""
    return _REASON.get(dim, f"other {dim}")


# ----------------------------------------------------------------------------------------------- geo codes


def geo_kind(codes: pd.Series) -> pd.Series:
    """Classify Eurostat geo codes.

    Returns
    -------
    pandas.Series of str
        ``"nuts"`` (a NUTS 0–3 code), ``"extra-regio"`` (``xxZ``, ``xxZZ``, ``xxZZZ``), ``"not-regionalised"``
        (``xxX``, ``xxXX``, ``xxXXX``) or ``"aggregate"`` (``EU28``, ``EA19``, ``EEA``, ``DE_TOT`` and anything
        else that is not shaped like a NUTS code).
    """
    uniques = pd.Series(pd.unique(codes.astype(str)))

    def kind(code: str) -> str:
        if _AGGREGATE.match(code) or not _NUTS.match(code):
            return "aggregate"
        if _EXTRA_REGIO.match(code):
            return "extra-regio"
        if _NOT_REGIONALISED.match(code):
            return "not-regionalised"
        return "nuts"

    lookup = dict(zip(uniques, uniques.map(kind), strict=True))
    return codes.astype(str).map(lookup)


def geo_level(codes: pd.Series) -> pd.Series:
    """NUTS level of each code: ``len(code) - 2`` (0 = country … 3); meaningful for ``geo_kind == "nuts"``."""
    return codes.astype(str).str.len() - 2


# ----------------------------------------------------------------------------------------------- reading


@dataclass
class EurostatRead:
    """A parsed Eurostat file: the long frame plus what the reader's filters dropped (internal)."""

    frame: pd.DataFrame
    dims: list[str]
    cells: int
    dropped: dict[str, int] = field(default_factory=dict)
    kind: str = "tsv"


def normalise_filters(filters: Filters | None) -> dict[str, set[str]]:
    """``{dim: value or values}`` → ``{dim: {values as str}}``; ``time`` is an alias of ``year``."""
    out: dict[str, set[str]] = {}
    for key, wanted in (filters or {}).items():
        dim = "year" if str(key).lower() in {"time", "time_period", "year"} else str(key)
        values = {str(wanted)} if isinstance(wanted, str | int) else {str(v) for v in wanted}
        out[dim] = out.get(dim, values) & values if dim in out else values
    return out


def check_filter_dims(filters: Mapping[str, set[str]], dims: list[str], file: Path) -> None:
    """A filter on a dimension the file does not have is a :class:`SchemaError`."""
    for dim in filters:
        if dim != "year" and dim not in dims:
            raise SchemaError(
                f"the file has no dimension {dim!r} to filter on; its dimensions are {', '.join(dims)}",
                file=file,
                line=1,
                column=dim,
            )
