"""The analyses of chapter 2 of SEC(2008) 2637 on mapping results: portfolios, employment in (strong) clusters,
category concentration, Europe against the US, innovation, prosperity and change over time.

Every function takes mapping results (a :class:`~clustermap.mapping.MappingResult`,
:class:`~clustermap.analyses.inputs.Mapped`, a pandas frame of cells or an ibis table of them) and returns
pandas tables; each statistic's definition is registered in :data:`DEFINITIONS` (printed next to it in reports)
and the reference's own figures are in :data:`clustermap.analyses.reference.REFERENCE`.

==============================================  ==============================================================
function                                        what
==============================================  ==============================================================
:func:`region_portfolios`                       stars, clusters, cluster and strong-cluster employment per region
:func:`strong_portfolios`                       regions with ≥ N stars (Figure 6)
:func:`portfolio_distribution`                  distribution of portfolio strength
:func:`portfolio_composition`                   a region's clusters
:func:`portfolio_peers`                         regions with similar portfolios (cosine similarity)
:func:`region_shares`, :func:`cluster_employment`  employment in clusters and strong clusters (section 2.2)
:func:`share_distribution`                      max / mean / median / min and histogram (Figure 9)
:func:`category_concentration`                  strong share, Gini, Hoover, Herfindahl per category
:func:`gini`, :func:`hoover`, :func:`herfindahl`, :func:`ellison_glaeser`  the indices on arrays
:func:`category_ranking`                        a category's regions by stars beside by employment (Figure 3)
:func:`compare_concentration`                   EU vs US per category (Figure 8)
:func:`compare_strong_shares`                   EU vs US strong-cluster shares (Figure 9)
:func:`like_for_like`, :func:`robustness`       Figure 8 with units, years and suppression stated; pairs of sizes
:func:`innovation_table`, :func:`innovation_relations`, :func:`top_third_overlap`  patents (Figures 5, 6)
:func:`prosperity_table`, :func:`prosperity_relation`  GDP per capita (Figure 10)
:func:`star_changes`, :func:`transition_matrix`, :func:`employment_growth`, :func:`cluster_shares_by_year`
                                                change over time
:func:`relation`                                correlation, rank correlation, OLS with CIs, outliers
:func:`within_relation`, :func:`innovation_within`, :func:`prosperity_within`
                                                the same within countries (fixed effects, per-country ρ)
:mod:`clustermap.analyses.inputs`               mapping results and indicators (patents, GDP, population)
==============================================  ==============================================================
"""

from clustermap.analyses._base import (
    DEFINITIONS,
    Definition,
    MissingInputError,
    cells_frame,
    definitions_frame,
    describe_distribution,
    histogram,
    latest_complete_year,
    select_year,
)
from clustermap.analyses._stats import Relation, WithinRelation, relation, within_relation
from clustermap.analyses.change import (
    change_summary,
    cluster_shares_by_year,
    employment_growth,
    star_changes,
    transition_matrix,
)
from clustermap.analyses.concentration import (
    category_concentration,
    category_ranking,
    concentration_summary,
    ellison_glaeser,
    gini,
    herfindahl,
    hoover,
)
from clustermap.analyses.employment_shares import (
    add_total_base,
    cluster_employment,
    region_shares,
    share_distribution,
    strong_share_summary,
)
from clustermap.analyses.eu_us import (
    compare_concentration,
    compare_strong_shares,
    concentration_verdict,
    like_for_like,
    map_at_nuts_level,
    match_year,
    robustness,
    units_label,
)
from clustermap.analyses.innovation import (
    innovation_relations,
    innovation_table,
    innovation_within,
    patents_by_portfolio_group,
    top_third_overlap,
)
from clustermap.analyses.portfolio import (
    portfolio_composition,
    portfolio_distribution,
    portfolio_peers,
    region_portfolios,
    scaled_star_threshold,
    strong_portfolios,
)
from clustermap.analyses.prosperity import (
    SUBSETS,
    prosperity_relation,
    prosperity_table,
    prosperity_within,
    select_regions,
)

__all__ = [
    "DEFINITIONS",
    "SUBSETS",
    "Definition",
    "MissingInputError",
    "Relation",
    "WithinRelation",
    "add_total_base",
    "category_concentration",
    "category_ranking",
    "cells_frame",
    "change_summary",
    "cluster_employment",
    "cluster_shares_by_year",
    "compare_concentration",
    "compare_strong_shares",
    "concentration_summary",
    "concentration_verdict",
    "definitions_frame",
    "describe_distribution",
    "ellison_glaeser",
    "employment_growth",
    "gini",
    "herfindahl",
    "histogram",
    "hoover",
    "innovation_relations",
    "innovation_table",
    "innovation_within",
    "latest_complete_year",
    "like_for_like",
    "map_at_nuts_level",
    "match_year",
    "patents_by_portfolio_group",
    "portfolio_composition",
    "portfolio_distribution",
    "portfolio_peers",
    "prosperity_relation",
    "prosperity_table",
    "prosperity_within",
    "region_portfolios",
    "region_shares",
    "relation",
    "robustness",
    "scaled_star_threshold",
    "select_regions",
    "select_year",
    "share_distribution",
    "star_changes",
    "strong_portfolios",
    "strong_share_summary",
    "top_third_overlap",
    "transition_matrix",
    "units_label",
    "within_relation",
]
