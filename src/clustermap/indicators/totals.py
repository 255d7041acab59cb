"""Regional totals ``T[r]``, the denominator of the location quotient."""

from __future__ import annotations

import ibis.expr.types as ir

from clustermap.errors import ParameterError


def region_totals(cells: ir.Table, base: str, *, external: ir.Table | None = None) -> ir.Table:
    """``region, year, region_total`` on the chosen base.

    ``input``
        all mapped industries of the input, traded and local (for Eurostat SBS: the business economy, sections
        B–N and S95 without K).
    ``traded``
        traded categories only (the US Cluster Mapping Project's base).
    ``external``
        a supplied table ``region, year, total`` (e.g. all-industry employment, or the Labour Force Survey
        TOTAL in persons — the ECO 2008 base).
    """
    if base == "input":
        src = cells
    elif base == "traded":
        src = cells.filter(cells.traded)
    elif base == "external":
        if external is None:
            raise ParameterError("total_base=external needs a totals table (region, year, total)")
        return external.select("region", "year", region_total=external.total.cast("float64"))
    else:
        raise ParameterError(f"total_base must be input, traded or external, not {base!r}")
    return src.group_by(["region", "year"]).agg(region_total=src.employment.sum())
