"""Imputation of suppressed cells from both hierarchies at once, and the measurement of its accuracy.

Confidentiality blanks a large part of the real data (12 % of the Eurostat regional SBS employment cells, a third
of the US CBP state × NAICS cells). ``two-way`` fills them with every published constraint at once — the industry
hierarchy inside each region (section → division → group), the region hierarchy inside each industry (NUTS 0 →
1 → 2, state → nation), non-negativity and, for CBP, the size class of a withheld cell — as the point closest to
a prior (regional size × national industry structure) that meets them all.

Modules
-------
:mod:`~clustermap.imputation.problem`
    the constraint system: unknowns, published totals, bounds, prior; which published totals add up.
:mod:`~clustermap.imputation.two_way`
    the solver (HiGHS LP for consistency, Clarabel QP for the closest completion), bounds, relaxation report.
:mod:`~clustermap.imputation.policies`
    :func:`impute`: any policy on a pandas table, with ``imputed``/``low``/``high`` per cell.
:mod:`clustermap.analyses.imputation_check`
    ``validate``: mask published cells, impute them with every policy, score the errors (it maps the result,
    so it stands above the engine, among the analyses).
:mod:`~clustermap.imputation.engine`
    the ``two-way`` policy inside :func:`clustermap.mapping.map_observations`.

Examples
--------
>>> import pandas as pd
>>> from clustermap.imputation import impute
>>> t = pd.DataFrame({
...     "region": ["DE", "DE", "DE", "DE1", "DE1", "DE1", "DE2", "DE2", "DE2"],
...     "industry": ["C", "C10", "C11"] * 3, "year": 2012,
...     "employment": [100, 60, 40, 50, None, None, 50, None, 20], "flag": ["", "", "", "", "c", "c", "", "c", ""]})
>>> out = impute(t, "two-way").frame
>>> out.loc[out["imputed"] == "two-way", ["region", "industry", "employment"]].round(6).to_dict("list")
{'region': ['DE1', 'DE1', 'DE2'], 'industry': ['C10', 'C11', 'C10'], 'employment': [30.0, 20.0, 30.0]}
"""

from clustermap.imputation.policies import POLICIES, ImputeResult, impute
from clustermap.imputation.problem import ImputationProblem, build_problem, industry_parents, region_parents
from clustermap.imputation.two_way import (
    InconsistentTotalsError,
    SolverError,
    TwoWayResult,
    impute_two_way,
    propagate_bounds,
)

__all__ = [
    "POLICIES",
    "ImputationProblem",
    "ImputeResult",
    "InconsistentTotalsError",
    "SolverError",
    "TwoWayResult",
    "build_problem",
    "impute",
    "impute_two_way",
    "industry_parents",
    "propagate_bounds",
    "region_parents",
]
