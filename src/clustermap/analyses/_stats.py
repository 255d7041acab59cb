"""The relation between two regional indicators: correlation, rank correlation, a least-squares line with
confidence intervals and the regions that lie far from it (used by the innovation and prosperity analyses)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st

from clustermap.analyses._base import MissingInputError, define

__all__ = ["Relation", "WithinRelation", "relation", "spearman_interval", "within_relation"]

define(
    "pearson_r",
    "Pearson correlation r",
    "Linear correlation of the two indicators across regions (−1 … 1), with its two-sided p-value.",
    "-1 to 1",
)
define(
    "spearman_rho",
    "Spearman rank correlation ρ",
    "Correlation of the regions' ranks on the two indicators (−1 … 1): robust to outliers and to any monotone "
    "transformation such as a logarithm.",
    "-1 to 1",
)
define(
    "ols_slope",
    "Regression slope (OLS)",
    "Ordinary least squares y = a + b·x across regions; b with its confidence interval (t distribution, n − 2 "
    "degrees of freedom). An association, not a causal effect.",
    "y units per x unit",
)
define(
    "outlier",
    "Outlier",
    "A region whose externally studentised residual from the OLS line exceeds the threshold (default 2.5) in "
    "absolute value.",
)


@dataclass
class Relation:
    """Correlation and regression of ``y`` on ``x`` across regions.

    Attributes
    ----------
    x, y : str
        Column names (after the optional log: ``log10(<name>)``).
    n : int
        Regions with both values.
    pearson_r, pearson_p, spearman_rho, spearman_p : float
        Correlations and their two-sided p-values.
    slope, slope_low, slope_high, intercept, intercept_low, intercept_high : float
        OLS coefficients and their ``1 − alpha`` confidence bounds.
    r2 : float
        Coefficient of determination of the OLS line.
    alpha : float
        1 − confidence level (0.05 → 95 % intervals).
    points : pandas.DataFrame
        ``label, x, y, fitted, residual, studentized, outlier`` per region.
    """

    x: str
    y: str
    n: int
    pearson_r: float
    pearson_p: float
    spearman_rho: float
    spearman_p: float
    slope: float
    slope_low: float
    slope_high: float
    intercept: float
    intercept_low: float
    intercept_high: float
    r2: float
    alpha: float = 0.05
    points: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def outliers(self) -> pd.DataFrame:
        """The points flagged as outliers."""
        return self.points[self.points["outlier"]]

    def summary(self) -> dict[str, Any]:
        """The statistics as a flat dict (no points)."""
        return {
            **{f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("alpha", "points")},
            "confidence": 1 - self.alpha,
            "outliers": ", ".join(self.outliers["label"].astype(str)),
        }


def _finite_rows(d: pd.DataFrame, x: str, y: str, *, log_x: bool, log_y: bool) -> tuple[pd.DataFrame, str, str]:
    """The rows of ``d`` with finite ``x`` and ``y`` (``log10`` of a column when asked, rows ≤ 0 left out) and the
    names of the two variables (``log10(x)`` when logged)."""
    d = d.replace([np.inf, -np.inf], np.nan).dropna().copy()
    names = []
    for column, logged in ((x, log_x), (y, log_y)):
        if logged:
            d = d[d[column] > 0]
            d[column] = np.log10(d[column].astype("float64"))
        names.append(f"log10({column})" if logged else column)
    return d, names[0], names[1]


def relation(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    label: str = "region",
    log_x: bool = False,
    log_y: bool = False,
    alpha: float = 0.05,
    outlier_threshold: float = 2.5,
) -> Relation:
    """Correlate ``y`` with ``x`` across the rows of ``frame`` and fit ``y = a + b·x`` by least squares.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per region.
    x, y : str
        Columns.
    label : str
        Column naming the rows (for outliers).
    log_x, log_y : bool
        Use ``log10`` of the column (rows with values ≤ 0 are left out).
    alpha : float
        Confidence intervals at ``1 − alpha``.
    outlier_threshold : float
        |externally studentised residual| above which a row is an outlier.

    Raises
    ------
    MissingInputError
        fewer than 3 rows have both values.
    """
    d, xn, yn = _finite_rows(frame[[label, x, y]], x, y, log_x=log_x, log_y=log_y)
    n = len(d)
    if n < 3:
        raise MissingInputError(f"regions with both {x} and {y}", hint=f"{n} found; a relation needs at least 3")
    xv = d[x].to_numpy(dtype="float64")
    yv = d[y].to_numpy(dtype="float64")
    const_x = np.ptp(xv) == 0
    pr, pp = (np.nan, np.nan) if const_x or np.ptp(yv) == 0 else st.pearsonr(xv, yv)
    sr, sp = (np.nan, np.nan) if const_x or np.ptp(yv) == 0 else st.spearmanr(xv, yv)
    if const_x:
        slope = slope_lo = slope_hi = np.nan
        icpt, icpt_lo, icpt_hi = float(yv.mean()), np.nan, np.nan
        r2 = np.nan
        fitted = np.full(n, yv.mean())
        stud = np.full(n, np.nan)
    else:
        slope, icpt, slope_lo, slope_hi, icpt_lo, icpt_hi, r2, fitted, stud = _ols(xv, yv, alpha)
    points = pd.DataFrame(
        {
            "label": d[label].astype(str).to_numpy(),
            "x": xv,
            "y": yv,
            "fitted": fitted,
            "residual": yv - fitted,
            "studentized": stud,
        }
    )
    points["outlier"] = points["studentized"].abs() > outlier_threshold
    return Relation(
        xn,
        yn,
        n,
        float(pr),
        float(pp),
        float(sr),
        float(sp),
        float(slope),
        float(slope_lo),
        float(slope_hi),
        float(icpt),
        float(icpt_lo),
        float(icpt_hi),
        float(r2),
        alpha,
        points,
    )


def _ols(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[Any, ...]:
    """OLS with statsmodels when installed, else the same formulas with scipy."""
    try:
        import statsmodels.api as sm
    except ImportError:  # pragma: no cover - statsmodels is a dependency
        sm = None
    if sm is not None:
        model = sm.OLS(y, sm.add_constant(x)).fit()
        ci = model.conf_int(alpha)
        infl = model.get_influence()
        with np.errstate(all="ignore"):
            stud = infl.resid_studentized_external
        return (
            model.params[1],
            model.params[0],
            ci[1][0],
            ci[1][1],
            ci[0][0],
            ci[0][1],
            model.rsquared,
            model.fittedvalues,
            np.asarray(stud),
        )
    n = len(x)  # pragma: no cover
    res = st.linregress(x, y)
    tq = st.t.ppf(1 - alpha / 2, n - 2)
    fitted = res.intercept + res.slope * x
    resid = y - fitted
    h = 1 / n + (x - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum()
    s2 = (resid**2).sum() / (n - 2)
    s2_i = ((n - 2) * s2 - resid**2 / (1 - h)) / (n - 3) if n > 3 else np.full(n, np.nan)
    stud = resid / np.sqrt(s2_i * (1 - h))
    return (
        res.slope,
        res.intercept,
        res.slope - tq * res.stderr,
        res.slope + tq * res.stderr,
        res.intercept - tq * res.intercept_stderr,
        res.intercept + tq * res.intercept_stderr,
        res.rvalue**2,
        fitted,
        stud,
    )


# ---------------------------------------------------------------------------------------------- within countries

define(
    "within_slope",
    "Within-country slope (country fixed effects)",
    "OLS of y on x after subtracting each country's means from both (country fixed effects): the association "
    "between regions of the same country, free of differences between countries; confidence interval from the "
    "t distribution with n − G − 1 degrees of freedom (G countries with at least 2 regions).",
    "y units per x unit",
)
define(
    "within_spearman",
    "Within-country rank correlation",
    "Spearman ρ of the regions of one country; the combined value averages the countries' ρ in Fisher's z "
    "(weights n − 3) with a confidence interval from the standard error √(1.06 / Σ(n − 3)) (Fieller, Hartley "
    "and Pearson 1957).",
    "-1 to 1",
)


@dataclass
class WithinRelation:
    """``y`` against ``x`` within groups (countries): fixed-effects slope and per-group rank correlations.

    Attributes
    ----------
    x, y : str
        Column names (``log10(<name>)`` after a log).
    n : int
        Rows in groups of at least ``min_group`` rows (used).
    groups : int
        Groups used.
    slope, slope_low, slope_high : float
        Fixed-effects OLS slope and its ``1 − alpha`` interval.
    spearman_rho, spearman_low, spearman_high : float
        Combined within-group rank correlation (Fisher z average) and its interval.
    per_group : pandas.DataFrame
        ``group, n, spearman_rho, low, high`` (interval from Fisher's z, for n ≥ 4), sorted by n descending.
    skipped : list of str
        Groups with fewer than ``min_group`` rows.
    alpha : float
        1 − confidence level.
    """

    x: str
    y: str
    n: int
    groups: int
    slope: float
    slope_low: float
    slope_high: float
    spearman_rho: float
    spearman_low: float
    spearman_high: float
    per_group: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: list[str] = field(default_factory=list)
    alpha: float = 0.05

    def summary(self) -> dict[str, Any]:
        """The statistics as a flat dict (no per-group table)."""
        return {
            "x": self.x,
            "y": self.y,
            "n": self.n,
            "groups": self.groups,
            "within_slope": self.slope,
            "within_slope_low": self.slope_low,
            "within_slope_high": self.slope_high,
            "within_spearman": self.spearman_rho,
            "within_spearman_low": self.spearman_low,
            "within_spearman_high": self.spearman_high,
            "confidence": 1 - self.alpha,
        }


def spearman_interval(rho: float, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The ``1 − alpha`` interval of a Spearman ρ over ``n`` rows: Fisher's z with the standard error
    √(1.06 / (n − 3)) (Fieller, Hartley and Pearson 1957); NaN for n < 4 or |ρ| = 1."""
    if n < 4 or not np.isfinite(rho) or abs(rho) >= 1:
        return (np.nan, np.nan)
    z, se = np.arctanh(rho), np.sqrt(1.06 / (n - 3))
    q = st.norm.ppf(1 - alpha / 2)
    return (float(np.tanh(z - q * se)), float(np.tanh(z + q * se)))


def within_relation(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    group: str = "country",
    log_x: bool = False,
    log_y: bool = False,
    alpha: float = 0.05,
    min_group: int = 3,
) -> WithinRelation:
    """The relation of ``y`` to ``x`` *within* groups (countries), next to the pooled :func:`relation`.

    A pooled correlation across the regions of many countries mixes two things: whether richer (or more
    innovative) countries have more clustered regions, and whether, inside one country, the more clustered
    regions are the richer ones. This function measures the second: the slope with group fixed effects
    (``y − ȳ_g`` on ``x − x̄_g``) and the rank correlation inside each group, combined in Fisher's z.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per region, with ``group``, ``x`` and ``y``.
    log_x, log_y : bool
        ``log10`` of the column (rows ≤ 0 left out).
    min_group : int
        Groups with fewer rows are left out (listed in ``skipped``); default 3.

    Raises
    ------
    MissingInputError
        fewer than 2 groups, or too few rows to estimate the slope.
    """
    d, xn, yn = _finite_rows(frame[[group, x, y]], x, y, log_x=log_x, log_y=log_y)
    sizes = d.groupby(group)[x].transform("size")
    skipped = sorted(str(g) for g in d.loc[sizes < min_group, group].unique())
    d = d[sizes >= min_group]
    n_groups = d[group].nunique()
    dof = len(d) - n_groups - 1
    if n_groups < 2 or dof < 1:
        raise MissingInputError(
            f"groups ({group}) with at least {min_group} regions having {x} and {y}",
            hint=f"{n_groups} group(s), {len(d)} region(s)",
        )
    xd = (d[x] - d.groupby(group)[x].transform("mean")).to_numpy(dtype="float64")
    yd = (d[y] - d.groupby(group)[y].transform("mean")).to_numpy(dtype="float64")
    sxx = float((xd * xd).sum())
    if sxx == 0:
        slope = lo = hi = np.nan
    else:
        slope = float((xd * yd).sum() / sxx)
        resid = yd - slope * xd
        se = float(np.sqrt((resid * resid).sum() / dof / sxx))
        q = float(st.t.ppf(1 - alpha / 2, dof))
        lo, hi = slope - q * se, slope + q * se
    rows = []
    for g, part in d.groupby(group, sort=True):
        same = np.ptp(part[x].to_numpy(float)) == 0 or np.ptp(part[y].to_numpy(float)) == 0
        rho = np.nan if same else round(float(st.spearmanr(part[x], part[y])[0]), 12)
        low, high = spearman_interval(rho, len(part), alpha)
        rows.append({"group": str(g), "n": len(part), "spearman_rho": rho, "low": low, "high": high})
    per = pd.DataFrame(rows).sort_values(["n", "group"], ascending=[False, True], ignore_index=True)
    ok = per[(per["n"] >= 4) & per["spearman_rho"].abs().lt(1)]
    if len(ok):
        w = (ok["n"] - 3).to_numpy(dtype="float64")
        z = float(np.average(np.arctanh(ok["spearman_rho"].to_numpy(dtype="float64")), weights=w))
        se = float(np.sqrt(1.06 / w.sum()))
        q = float(st.norm.ppf(1 - alpha / 2))
        rho_all, rho_lo, rho_hi = float(np.tanh(z)), float(np.tanh(z - q * se)), float(np.tanh(z + q * se))
    else:
        rho_all = rho_lo = rho_hi = np.nan
    return WithinRelation(
        xn, yn, len(d), n_groups, slope, float(lo), float(hi), rho_all, rho_lo, rho_hi, per, skipped, alpha
    )
