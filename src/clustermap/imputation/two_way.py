"""The ``two-way`` imputation: every unknown cell at once, from both hierarchies, as one convex program per block.

Method
------
For one block (a country — or the nation, or a state without a national row — in one year) with unknown cells
``x`` (persons), the published totals give ``A x = b`` (:mod:`clustermap.imputation.problem`: industry
constraints inside each region, region constraints inside each industry; ``Σ children ≤ parent`` — an equality
with a surplus variable ``w ≥ 0`` that carries no weight — for a family whose published parts never exceed their
published totals but do not add up to them either), the declared bounds ``l ≤ x ≤ u``
(0 ≤ x; a CBP size class ``low ≤ x ≤ high``), and a prior ``p`` (regional size × national industry structure,
:func:`~clustermap.imputation.problem.quasi_independence_prior`). Two phases, both convex:

1. **Consistency** (linear program, HiGHS through :func:`scipy.optimize.linprog`): the smallest relative
   relaxation ``min Σ_k |s_k| / scale_k`` with ``A x + s = b``, ``l ≤ x ≤ u``. It is 0 when the published totals
   admit a non-negative, in-bounds completion, which is the normal case; otherwise the published totals
   contradict each other (children larger than their parent, a national value an order of magnitude off …)
   and ``s`` is the least relative change of the published totals that makes them consistent. Every non-zero
   ``s_k`` is reported (:attr:`TwoWayResult.relaxations`), split into *tolerated* (``|s_k| ≤ max(0.5 × terms
   + 1, rel_tol × total)`` persons: published values are rounded to whole persons, and the same tolerance
   judges whether a family adds up) and *inconsistent*; the cells of an inconsistent constraint are marked
   ``relaxed``. ``strict=True`` raises :class:`InconsistentTotalsError` on an inconsistent one instead.
2. **Closest completion** (quadratic program, Clarabel interior point): ``min Σ_j (x_j − p_j)² / max(p_j, 1)``
   subject to ``A x = b − s``, ``l ≤ x ≤ u`` — the minimum chi-square (Deming–Stephan) adjustment of the prior
   to the published totals, the quadratic approximation of the cross-entropy that iterative proportional
   fitting minimises. With one unknown in a constraint the value is the residual; with several, the residual
   is shared in proportion to the prior, reconciled across both hierarchies at once. The program is strictly
   convex, so the solution is unique.

Bounds reported with each imputed cell (``low``/``high``, persons) come from interval propagation through the
(relaxed) constraints and the declared bounds: they hold for every completion that meets the published totals
(valid, not always the tightest). A cell whose ``high`` stays infinite is not bounded by any published total;
it is left empty unless ``fill_unbounded=True``.

Where the work happens and how it scales
----------------------------------------
Everything runs in Python on one machine: the system is built with vectorised pandas/numpy over the whole
input (linear in the number of cells), then each block is solved on its own (a loop over country-years; the
blocks are independent and could be farmed out). A block costs a sparse LP (HiGHS) and a sparse interior-point
QP (Clarabel); the systems are very sparse (an unknown sits in at most four constraints: two as a child, two as
a parent), and the measured time grows about linearly with the number of unknowns; small blocks are batched
into one solver call (``batch_size``). Measured here (2 shared
cores, ``benchmarks/bench_imputation.py``): the real SBS panel, 29 countries × 8 years, 362,752 cells of which
32,324 unknown, 3–6 s in all (build ≈ 2 s, solve ≈ 1.5 s); CBP states × all NAICS levels 2000–2011, 811,632
cells of which 276,225 withheld, 30–50 s; a synthetic 300 regions × 100 industries × 8 years panel (240,000
cells, 36,000 unknown) 3–6 s, as one country of 300 regions or as ten of 30.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from clustermap.errors import ClustermapError
from clustermap.imputation.problem import ImputationProblem, build_problem

log = logging.getLogger(__name__)

POLICY = "two-way"
_ROUNDING = 0.5  # persons of rounding per published term


class InconsistentTotalsError(ClustermapError, ValueError):
    """The published totals contradict each other (no non-negative, in-bounds completion meets them).

    Raised by :func:`impute_two_way` with ``strict=True``; ``relaxations`` holds the constraints that would
    have to change and by how much (persons).
    """

    exit_code = 2

    def __init__(self, message: str, relaxations: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.relaxations = relaxations if relaxations is not None else pd.DataFrame()


class SolverError(ClustermapError, RuntimeError):
    """The LP or QP solver did not reach an optimal solution for a block."""


@dataclass
class TwoWayResult:
    """Output of :func:`impute_two_way`.

    Attributes
    ----------
    frame : pandas.DataFrame
        the input rows in input order, ``employment`` filled (persons) where imputed, plus ``imputed`` (the
        policy name ``"two-way"`` for a filled cell, ``""`` otherwise), ``low``/``high`` (bounds in persons of
        every unknown cell; empty for published cells and cells of region-years that do not exist) and
        ``relaxed`` (bool: the cell sits in a constraint whose published totals had to be relaxed beyond
        rounding).
    relaxations : pandas.DataFrame
        one row per relaxed constraint: ``root, year, kind, region, industry`` of the parent cell,
        ``parent_value`` (persons, published; NaN if the parent is itself unknown), ``slack`` (persons:
        published children + imputed − parent; the amount by which the published totals disagree), ``relative``
        (slack / size of the total), ``tolerated`` (bool: within rounding of the published terms or ``rel_tol``
        of the total).
    dropped_families : pandas.DataFrame
        constraint families not imposed because their fully published members do not add up (see
        :mod:`clustermap.imputation.problem`).
    stats : dict
        counts (cells, unknown, filled, unbounded, not_existing, blocks, constraints …) and timings (s).
    """

    frame: pd.DataFrame
    relaxations: pd.DataFrame
    dropped_families: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


def impute_two_way(
    frame: pd.DataFrame,
    *,
    size_classes: pd.DataFrame | None = None,
    strict: bool = False,
    fill_unbounded: bool = False,
    rel_tol: float = 0.01,
    max_off_share: float = 0.1,
    problem: ImputationProblem | None = None,
    batch_size: int = 2000,
) -> TwoWayResult:
    """Impute every unknown cell of ``frame`` from both hierarchies at once (see the module docstring).

    Parameters
    ----------
    frame
        tidy rows for every level of both hierarchies: ``region, industry, year, employment`` (persons, null =
        not published) and optionally ``flag`` and ``size_class``; other columns are carried through.
    size_classes
        CBP size-class bounds ``size_class, low, high`` (persons); default the shipped classes.
    strict
        raise :class:`InconsistentTotalsError` when the published totals contradict each other beyond the
        tolerance, instead of relaxing them (and reporting it).
    fill_unbounded
        also fill unknown cells that no published total bounds (their value is then the prior, adjusted).
    rel_tol, max_off_share
        see :func:`~clustermap.imputation.problem.build_problem`.
    problem
        a system already built from ``frame`` (internal reuse).
    batch_size
        small blocks are solved together, up to about this many unknowns per solver call (same solution,
        less overhead).

    Returns
    -------
    TwoWayResult

    Raises
    ------
    InconsistentTotalsError
        ``strict`` and the published totals are inconsistent.
    SolverError
        a solver failed on a block (not expected for these convex programs).
    """
    t0 = time.perf_counter()
    prob = (
        problem
        if problem is not None
        else build_problem(frame, size_classes=size_classes, rel_tol=rel_tol, max_off_share=max_off_share)
    )
    t_build = time.perf_counter() - t0
    cells = prob.cells
    nvar = prob.n_vars
    is_cell = prob.var_row >= 0  # the other variables are the surplus of "≤" constraints
    lower, upper, prior = prob.var_lower, prob.var_upper, prob.var_prior
    weight = is_cell.astype("float64")
    con = prob.constraints
    m = len(con)
    mat = sp.csr_matrix((prob.coefs, (prob.rows, prob.cols)), shape=(m, nvar))
    b = con["rhs"].to_numpy(dtype="float64")
    scale = con["scale"].to_numpy(dtype="float64")
    slack = np.zeros(m)
    t1 = time.perf_counter()
    batches = _batches(prob.blocks, batch_size)
    for vs, ve, cs, ce, where in batches:
        if ve > vs and ce > cs:
            slack[cs:ce] = _consistency(
                mat[cs:ce, vs:ve], b[cs:ce], lower[vs:ve], upper[vs:ve], 1.0 / scale[cs:ce], where=where
            )
    relax = _relaxations(prob, slack, rel_tol)
    if strict and (~relax["tolerated"]).any():
        bad = relax[~relax["tolerated"]]
        first = bad.iloc[0]
        raise InconsistentTotalsError(
            f"{len(bad)} published total(s) contradict their published parts beyond tolerance, e.g. "
            f"{first['kind']} total {first['region']}/{first['industry']} {int(first['year'])}: "
            f"published {first['parent_value']:,.0f}, parts off by {first['slack']:,.0f} persons",
            bad,
        )
    relaxed_b = b - slack
    lo, hi = propagate_bounds(mat, relaxed_b, lower, upper)
    x = np.full(nvar, np.nan)
    for vs, ve, cs, ce, where in batches:
        if ve > vs:
            x[vs:ve] = _closest(
                mat[cs:ce, vs:ve],
                relaxed_b[cs:ce],
                lo[vs:ve],
                hi[vs:ve],
                lower[vs:ve],
                upper[vs:ve],
                prior[vs:ve],
                weight[vs:ve],
                where=where,
            )
    t_solve = time.perf_counter() - t1
    # the solution meets the constraints, so it lies inside the propagated bounds up to solver precision
    x = np.clip(x, lo, hi)

    relaxed_var = np.zeros(nvar, dtype=bool)
    if (~relax["tolerated"]).any():
        bad_c = relax.loc[~relax["tolerated"], "cid"].to_numpy()
        relaxed_var[np.unique(prob.cols[np.isin(prob.rows, bad_c)])] = True

    unk_rows = prob.var_row[is_cell]
    x, lo, hi, relaxed_var = x[is_cell], lo[is_cell], hi[is_cell], relaxed_var[is_cell]
    bounded = np.isfinite(hi)
    fill = bounded | fill_unbounded
    out = frame.reset_index(drop=True).copy()
    emp = out["employment"].astype("float64").to_numpy().copy()
    emp[unk_rows[fill]] = x[fill]
    out["employment"] = emp
    imputed = np.full(len(out), "", dtype=object)
    imputed[unk_rows[fill]] = POLICY
    out["imputed"] = imputed
    low = np.full(len(out), np.nan)
    high = np.full(len(out), np.nan)
    low[unk_rows] = lo
    high[unk_rows] = hi
    out["low"] = low
    out["high"] = high
    rel = np.zeros(len(out), dtype=bool)
    rel[unk_rows] = relaxed_var
    out["relaxed"] = rel
    stats = {
        "cells": len(out),
        "unknown": int(is_cell.sum()),
        "filled": int(fill.sum()),
        "unbounded": int((~bounded).sum()),
        "not_existing": int((~cells["exists"].to_numpy() & cells["employment"].isna().to_numpy()).sum()),
        "blocks": int((prob.blocks["var_stop"] > prob.blocks["var_start"]).sum()),
        "constraints": m,
        "relaxed_constraints": int((~relax["tolerated"]).sum()),
        "tolerated_constraints": int(relax["tolerated"].sum()),
        "dropped_families": len(prob.dropped_families),
        "families_as_upper_bounds": int((prob.dropped_families["imposed_as"] == "<=").sum()),
        "seconds_build": round(t_build, 3),
        "seconds_solve": round(t_solve, 3),
    }
    log.info(
        "two-way: %d unknown cells in %d blocks, %d filled, %d unbounded; %d constraints (%d relaxed, %d within "
        "tolerance); %d families not additive; build %.1f s, solve %.1f s",
        stats["unknown"],
        stats["blocks"],
        stats["filled"],
        stats["unbounded"],
        m,
        stats["relaxed_constraints"],
        stats["tolerated_constraints"],
        stats["dropped_families"],
        t_build,
        t_solve,
    )
    return TwoWayResult(
        frame=out,
        relaxations=relax.drop(columns=["cid"]),
        dropped_families=prob.dropped_families.reset_index(drop=True),
        stats=stats,
    )


def _batches(blocks: pd.DataFrame, size: int) -> list[tuple[int, int, int, int, str]]:
    """Consecutive blocks grouped into batches of about ``size`` unknowns: ``(var_start, var_stop, con_start,
    con_stop, label)``. Blocks share no variable or constraint, so a batch is a block-diagonal system whose
    solution is the blocks' solutions; batching only saves the per-call overhead of the solvers."""
    out: list[tuple[int, int, int, int, str]] = []
    cur: list[Any] = []
    for blk in blocks.itertuples(index=False):
        if blk.var_stop == blk.var_start:
            continue
        if cur and blk.var_stop - cur[0].var_start > size:
            out.append(_batch(cur))
            cur = []
        cur.append(blk)
    if cur:
        out.append(_batch(cur))
    return out


def _batch(blks: list[Any]) -> tuple[int, int, int, int, str]:
    first, last = blks[0], blks[-1]
    label = f"{first.root} {first.year}" if len(blks) == 1 else f"{first.root} {first.year} … {last.root} {last.year}"
    return first.var_start, last.var_stop, first.con_start, last.con_stop, label


def _relaxations(prob: ImputationProblem, slack: np.ndarray, rel_tol: float) -> pd.DataFrame:
    con = prob.constraints
    k = np.flatnonzero(np.abs(slack) > 1e-6 * np.maximum(con["scale"].to_numpy(), 1.0))
    r = con.iloc[k].copy()
    r["cid"] = k
    # s = b − A x, and b = −(published children − published parent): slack = −(children − parent)
    r["slack"] = -slack[k]
    r["relative"] = r["slack"].abs() / r["scale"]
    r["tolerated"] = r["slack"].abs() <= np.maximum(_ROUNDING * r["n_terms"] + 1.0, rel_tol * r["scale"])
    r = r.merge(prob.blocks[["block", "root"]], on="block", how="left")
    cols = ["cid", "root", "year", "kind", "region", "industry", "parent_value", "slack", "relative", "tolerated"]
    return r[cols].reset_index(drop=True)


def _consistency(mat: sp.csr_matrix, b: np.ndarray, lb: np.ndarray, ub: np.ndarray, w: np.ndarray, *, where: str):
    """Phase 1: the least weighted L1 relaxation ``s`` of ``A x = b`` with ``lb ≤ x ≤ ub`` (HiGHS LP)."""
    from scipy.optimize import linprog

    m, n = mat.shape
    eye = sp.identity(m, format="csr")
    a_eq = sp.hstack([mat, eye, -eye], format="csr")
    c = np.concatenate([np.zeros(n), w, w])
    bounds = np.vstack([np.column_stack([lb, ub]), np.column_stack([np.zeros(2 * m), np.full(2 * m, np.inf)])])
    res = linprog(c, A_eq=a_eq, b_eq=b, bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"two-way, block {where}: the consistency LP failed ({res.message})")
    s = res.x[n : n + m] - res.x[n + m :]
    s[np.abs(s) < 1e-7 * np.maximum(np.abs(b), 1.0)] = 0.0
    return s


def _closest(
    mat: sp.csr_matrix,
    b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    p: np.ndarray,
    weight: np.ndarray,
    *,
    where: str,
) -> np.ndarray:
    """Phase 2: ``min Σ weight (x − p)² / max(p, 1)`` s.t. ``A x = b``, ``lower ≤ x ≤ upper`` (Clarabel,
    interior point); ``weight`` is 1 for a cell, 0 for the surplus variable of a "≤" constraint.

    ``lo``/``hi`` are the propagated bounds. Cells they pin (``hi − lo`` within 1e-6 relative) are fixed first;
    the others get ``lo``/``hi`` widened by 1e-6 relative as bounds (implied by the constraints, so they do not
    move the optimum, but they keep the interior-point iterates in a box without making its interior empty),
    never beyond the declared ``lower``/``upper``. The program is solved in ``z = x / √max(p, 1)`` (identity
    Hessian); should Clarabel stop short, it is solved again without equilibration, then in ``x`` itself, and
    the first optimal answer is taken."""
    n = mat.shape[1]
    x = np.empty(n)
    width = 1e-6 * np.maximum(np.maximum(np.abs(lo), np.where(np.isfinite(hi), np.abs(hi), 0.0)), 1.0)
    fixed = (hi - lo) <= width
    x[fixed] = (lo[fixed] + hi[fixed]) / 2.0
    free = ~fixed
    if not free.any():
        return x
    if mat.shape[0]:
        b = b - mat[:, fixed] @ x[fixed]
        mat = mat[:, free]
        keep = np.asarray(abs(mat).sum(axis=1)).ravel() > 0
        mat, b = mat[keep], b[keep]
    else:
        mat = mat[:, free]
    lb = np.maximum(lower, lo - width)
    ub = np.minimum(upper, hi + width)
    pf, lf, uf, wf = p[free], lb[free], ub[free], weight[free]
    statuses = []
    for scaled, equilibrate in ((True, True), (True, False), (False, True)):
        status, value = _qp(mat, b, lf, uf, pf, wf, scaled=scaled, equilibrate=equilibrate)
        statuses.append(status)
        if status in ("Solved", "AlmostSolved"):
            x[free] = value
            return x
    raise SolverError(f"two-way, block {where}: the QP solver stopped with status {', '.join(statuses)}")


def _qp(mat, b, lb, ub, p, weight, *, scaled: bool, equilibrate: bool) -> tuple[str, np.ndarray]:
    import clarabel

    m, n = mat.shape
    pt = np.maximum(p, 1.0)
    if scaled:
        sd = np.sqrt(pt)
        hess = sp.diags(2.0 * weight, format="csc")
        q = -2.0 * weight * p / sd
    else:
        sd = np.ones(n)
        hess = sp.diags(2.0 * weight / pt, format="csc")
        q = -2.0 * weight * p / pt
    diag = sp.diags(sd, format="csc")
    blocks: list[Any] = [-diag]
    rhs = [-lb]
    cones: list[Any] = [clarabel.NonnegativeConeT(n)]
    if m:
        blocks.insert(0, (mat @ diag).tocsc())
        rhs.insert(0, b)
        cones.insert(0, clarabel.ZeroConeT(m))
    finite = np.isfinite(ub)
    if finite.any():
        blocks.append(diag[finite])
        rhs.append(ub[finite])
        cones.append(clarabel.NonnegativeConeT(int(finite.sum())))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.equilibrate_enable = equilibrate
    sol = clarabel.DefaultSolver(hess, q, sp.vstack(blocks, format="csc"), np.concatenate(rhs), cones, settings).solve()
    return str(sol.status), np.asarray(sol.x) * sd


def propagate_bounds(
    mat: sp.csr_matrix, b: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, iterations: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on every variable implied by ``A x = b`` (``A`` = ``mat``, sparse, entries ±1) and
    ``lower ≤ x ≤ upper``.

    Interval propagation: for a term ``c x_j`` of constraint ``k``, ``c x_j = b_k − Σ_{i≠j} c_i x_i`` lies
    between ``b_k`` minus the largest and the smallest value the other terms can take; repeated until nothing
    tightens (at most ``iterations`` sweeps, each vectorised over all constraints). Valid for every solution;
    not always the tightest bound (that would take two LPs per cell).

    Returns
    -------
    (low, high)
        persons; ``high`` is ``inf`` where nothing bounds the cell.
    """
    lo = lower.astype("float64").copy()
    hi = upper.astype("float64").copy()
    if mat.nnz == 0:
        return lo, hi
    coo = mat.tocoo()
    r, c, v = coo.row, coo.col, coo.data
    m = mat.shape[0]
    for _ in range(iterations):
        tmin = np.where(v > 0, v * lo[c], v * hi[c])  # smallest value of the term
        tmax = np.where(v > 0, v * hi[c], v * lo[c])
        min_inf = ~np.isfinite(tmin)
        max_inf = ~np.isfinite(tmax)
        smin = np.bincount(r, weights=np.where(min_inf, 0.0, tmin), minlength=m)
        smax = np.bincount(r, weights=np.where(max_inf, 0.0, tmax), minlength=m)
        nmin = np.bincount(r, weights=min_inf.astype(float), minlength=m)
        nmax = np.bincount(r, weights=max_inf.astype(float), minlength=m)
        rest_min = np.where(nmin[r] - min_inf > 0, -np.inf, smin[r] - np.where(min_inf, 0.0, tmin))
        rest_max = np.where(nmax[r] - max_inf > 0, np.inf, smax[r] - np.where(max_inf, 0.0, tmax))
        term_hi = b[r] - rest_min  # c x_j ≤ term_hi
        term_lo = b[r] - rest_max  # c x_j ≥ term_lo
        with np.errstate(invalid="ignore"):
            new_hi = np.where(v > 0, term_hi / v, term_lo / v)
            new_lo = np.where(v > 0, term_lo / v, term_hi / v)
        cand_hi = hi.copy()
        cand_lo = lo.copy()
        np.minimum.at(cand_hi, c, np.where(np.isnan(new_hi), np.inf, new_hi))
        np.maximum.at(cand_lo, c, np.where(np.isnan(new_lo), -np.inf, new_lo))
        tol = 1e-9 * np.maximum(np.abs(hi), 1.0)
        changed = np.any(cand_hi < hi - np.where(np.isfinite(tol), tol, 0)) or np.any(cand_lo > lo + 1e-9)
        hi, lo = cand_hi, np.minimum(cand_lo, cand_hi)
        if not changed:
            break
    return lo, hi
