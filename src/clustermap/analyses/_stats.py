"""The relation between two regional indicators: correlation, rank correlation, a least-squares line with
confidence intervals and the regions that lie far from it (used by the innovation and prosperity analyses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st

from clustermap.analyses._base import MissingInputError, define

__all__ = ["Relation", "relation"]

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
            "x": self.x,
            "y": self.y,
            "n": self.n,
            "pearson_r": self.pearson_r,
            "pearson_p": self.pearson_p,
            "spearman_rho": self.spearman_rho,
            "spearman_p": self.spearman_p,
            "slope": self.slope,
            "slope_low": self.slope_low,
            "slope_high": self.slope_high,
            "intercept": self.intercept,
            "intercept_low": self.intercept_low,
            "intercept_high": self.intercept_high,
            "r2": self.r2,
            "confidence": 1 - self.alpha,
            "outliers": ", ".join(self.outliers["label"].astype(str)),
        }


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
    d = frame[[label, x, y]].copy()
    d = d.replace([np.inf, -np.inf], np.nan).dropna()
    xn, yn = x, y
    if log_x:
        d = d[d[x] > 0]
        d[x] = np.log10(d[x].astype("float64"))
        xn = f"log10({x})"
    if log_y:
        d = d[d[y] > 0]
        d[y] = np.log10(d[y].astype("float64"))
        yn = f"log10({y})"
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
