"""Region cluster portfolios."""

from __future__ import annotations

import ibis.expr.types as ir


def portfolio_strength(stars: ir.Table) -> ir.Table:
    """Per region and year: ``portfolio_strength`` (sum of stars), ``n_clusters`` (cells with ≥ 1 star),
    ``n_three_star``, ``traded_employment`` (Σ of traded category employment), ``strong_employment``
    (employment in cells with LQ above the strong threshold), ``strong_share_traded`` (= strong / traded
    employment) and ``strong_share_total`` (= strong employment / ``region_total``)."""
    s = stars
    g = s.group_by(["region", "year"]).agg(
        portfolio_strength=s.stars.sum().cast("int64"),
        n_clusters=(s.stars >= 1).sum().cast("int64"),
        n_three_star=(s.stars == 3).sum().cast("int64"),
        traded_employment=s.employment.sum(),
        strong_employment=s.employment.sum(where=s.strong),
        region_total=s.region_total.max(),
    )
    strong = g.strong_employment.fill_null(0)
    return g.mutate(
        strong_employment=strong,
        strong_share_traded=strong / g.traded_employment.nullif(0),
        strong_share_total=strong / g.region_total.nullif(0),
    )
