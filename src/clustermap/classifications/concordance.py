"""Put employment data of several NAICS vintages on one vintage (NAICS 2012 by default), with weighted splits.

County Business Patterns changes NAICS vintage inside a panel: 2000–2002 are on NAICS 1997, 2003–2007 on NAICS
2002, 2008–2011 on NAICS 2007 (2012–2016 on 2012, 2017–2021 on 2017). The US Cluster Mapping clusters are defined
on NAICS 2012, so every year must be moved there first. :func:`to_naics2012` does it step by step along the
Census concordances (1997 → 2002 → 2007 → 2012, or 2017 → 2012 backwards) and reports what each step did.

Rules, for one cell = one region × source code × year, at each step A → B
------------------------------------------------------------------------
``clean``
    the source code has exactly one target code: its employment goes there whole. Several codes that merge into
    one target (n : 1) are clean too: their employments are added.
``regional``
    the source code splits over several target codes: its employment is allocated in proportion to the
    employment of the target codes **in the same region** in the nearest year that uses vintage B (from the
    input itself, e.g. CBP 2008 for NAICS 2007; or from ``reference`` for the target vintage). Ties in distance
    go to the later year. Used when those target codes have employment > 0 there.
``national``
    otherwise, in proportion to the employment of the target codes summed over all regions of that reference
    year (the national employment; with a ``reference`` on another region set, e.g. CBSAs, this is the only rule
    it feeds).
``equal``
    otherwise (no reference year for vintage B, or the targets have no employment in it), equal shares.
``unmapped``
    the code is not a 6-digit code of the source vintage, or (NAICS 1997) it does not exist in NAICS 2002: there
    is no 1997 → 2002 concordance in the mirror, so a 1997 code is taken as the identical 2002 code where that
    code exists and is reported unmapped otherwise.

Withheld CBP cells (employment null, a size class kept) count in the weights at their size-class value (the
midpoint, :func:`clustermap.classifications.size_classes.load_size_classes`). A withheld cell that lands whole and
alone in its target cell stays withheld (null, size class kept) so that the engine's suppression policy decides;
one that is split, or merged with other cells, is valued at its size-class value times its share (flag ``e``,
and counted in the report). Establishments and payroll follow the same shares (establishment counts become
fractional where a code splits). A cell whose value involves a split is flagged ``e`` (estimated); a merge of
published cells keeps the strongest noise flag of its parts (J > H > G).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from clustermap.classifications.naics import (
    CBP_VINTAGE_BY_YEAR,
    TITLE_VINTAGES,
    check_vintage,
    naics_links,
    naics_titles,
    vintages_of,
)
from clustermap.errors import ParameterError, SchemaError
from clustermap.schema import validate_observations

__all__ = [
    "RULES",
    "ConversionReport",
    "convert_naics",
    "to_naics2012",
]

#: allocation rules, from exact to weakest (a cell split at two steps is reported under the weaker rule)
RULES = ("clean", "regional", "national", "equal")
_RANK = {rule: i for i, rule in enumerate(RULES)}
_NOISE_ORDER = {"": 0, "G": 1, "H": 2, "J": 3, "D": 4, "S": 4}
ESTIMATED_FLAG = "e"
_REASON_1997 = (
    "NAICS 1997 code not in NAICS 2002 (no 1997 → 2002 concordance in the mirror; identical codes are taken as is)"
)


@dataclass
class ConversionReport:
    """What :func:`convert_naics` did, per year.

    Attributes
    ----------
    by_year : pandas.DataFrame
        One row per year: ``year``, ``vintage`` (source NAICS vintage), ``target`` (target vintage), ``cells``
        (input rows), ``withheld_cells`` (input rows with null employment), ``employment`` (published employment
        of the input, persons), ``employment_clean``, ``employment_split``, ``employment_unmapped`` (persons;
        they add up to ``employment``), ``share_clean``, ``share_split``, ``share_unmapped`` (fractions of
        ``employment``), ``split_regional``, ``split_national``, ``split_equal`` (persons moved by each split
        rule; they add up to ``employment_split``), ``withheld_valued`` (withheld input cells that were split or
        merged and valued at their size class), ``withheld_valued_employment`` (persons, that value).
    splits : pandas.DataFrame
        One row per year × step × source code × target code × rule: ``year``, ``step`` (``"2002→2007"``),
        ``source``, ``target``, ``rule``, ``cells``, ``employment`` (published persons moved to the target),
        ``weight`` (employment-weighted mean share of the target).
    unmapped : pandas.DataFrame
        ``year``, ``vintage``, ``industry``, ``reason``, ``cells``, ``employment`` (published persons).
    rules : dict
        The rule text (module docstring) and the parameters used.
    """

    by_year: pd.DataFrame
    splits: pd.DataFrame
    unmapped: pd.DataFrame
    rules: dict[str, object] = field(default_factory=dict)

    def to_text(self) -> str:
        """The per-year figures as an aligned text table (shares in %)."""
        cols = ["year", "vintage", "employment", "share_clean", "share_split", "share_unmapped"]
        cols += ["split_regional", "split_national", "split_equal", "withheld_valued"]
        t = self.by_year[cols].copy()
        for c in ("share_clean", "share_split", "share_unmapped"):
            t[c] = (100 * t[c]).map(lambda v: f"{v:.2f} %")
        for c in ("employment", "split_regional", "split_national", "split_equal"):
            t[c] = t[c].map(lambda v: f"{v:,.0f}")
        return t.to_string(index=False)


def _size_values(value: str | float | None) -> dict[str, float] | None:
    """Employment that stands for a withheld cell of each size class (persons), or None to keep them null."""
    if value is None:
        return None
    from clustermap.classifications.size_classes import load_size_classes

    classes = load_size_classes()
    if value == "midpoint":
        v = classes["cmp_value"]
    elif value == "low":
        v = classes["low"].astype("float64")
    elif value == "high":
        v = classes["high"].astype("float64").fillna(classes["low"].astype("float64"))
    else:
        raise ParameterError(f"withheld_value must be midpoint, low, high or None, not {value!r}")
    return dict(zip(classes["size_class"], v.astype("float64"), strict=True))


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("region", "industry", "year", "employment") if c not in frame.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", column=missing[0])
    out = pd.DataFrame(
        {
            "region": frame["region"].astype(str).to_numpy(dtype=object),
            "industry": frame["industry"].astype(str).str.strip().to_numpy(dtype=object),
            "year": frame["year"].astype("int64").to_numpy(),
            "employment": frame["employment"].astype("float64").to_numpy(),
        }
    )
    for col, default in (("establishments", np.nan), ("wages", np.nan)):
        out[col] = frame[col].astype("float64").to_numpy() if col in frame.columns else default
    for col in ("flag", "size_class"):
        out[col] = frame[col].fillna("").astype(str).to_numpy(dtype=object) if col in frame.columns else ""
    return out


def _reference_values(cells: pd.DataFrame, size_values: Mapping[str, float] | None) -> pd.DataFrame:
    """``region, year, industry, value`` for weights: published employment, withheld cells at their class value."""
    value = cells["employment"]
    if size_values is not None:
        value = value.fillna(cells["size_class"].map(size_values).astype("float64"))
    out = pd.DataFrame(
        {"region": cells["region"], "year": cells["year"], "industry": cells["industry"], "value": value.fillna(0.0)}
    )
    return out.groupby(["region", "year", "industry"], as_index=False, sort=False)["value"].sum()


def _nearest(years: np.ndarray, candidates: list[int]) -> dict[int, int]:
    """For each year the nearest candidate year (ties → the later one)."""
    out = {}
    for y in years:
        out[int(y)] = min(candidates, key=lambda c: (abs(c - int(y)), -c))
    return out


def _split_weights(parts: pd.DataFrame, pool: pd.DataFrame | None, key: list[str]) -> tuple[pd.Series, pd.Series]:
    """Weights and rule for rows of ``parts`` (one row per cell × target; ``key`` identifies a cell)."""
    n = len(parts)
    weight = pd.Series(np.nan, index=parts.index)
    rule = pd.Series("equal", index=parts.index, dtype=object)
    if pool is not None and len(pool) and n:
        years = sorted(pool["year"].unique().tolist())
        near = _nearest(parts["year"].unique(), years)
        ref_year = parts["year"].map(near)
        regional = (
            parts.assign(_ry=ref_year)
            .merge(
                pool.rename(columns={"year": "_ry", "industry": "target"}), on=["region", "_ry", "target"], how="left"
            )["value"]
            .fillna(0.0)
        )
        regional.index = parts.index
        national_pool = pool.groupby(["year", "industry"], as_index=False)["value"].sum()
        national = (
            parts.assign(_ry=ref_year)
            .merge(
                national_pool.rename(columns={"year": "_ry", "industry": "target"}), on=["_ry", "target"], how="left"
            )["value"]
            .fillna(0.0)
        )
        national.index = parts.index
        groups = [parts[k] for k in key]
        reg_sum = regional.groupby(groups).transform("sum")
        nat_sum = national.groupby(groups).transform("sum")
        use_reg = reg_sum > 0
        use_nat = ~use_reg & (nat_sum > 0)
        weight[use_reg] = regional[use_reg] / reg_sum[use_reg]
        rule[use_reg] = "regional"
        weight[use_nat] = national[use_nat] / nat_sum[use_nat]
        rule[use_nat] = "national"
    equal = weight.isna()
    if equal.any():
        count = parts.groupby([parts[k] for k in key])["target"].transform("size")
        weight[equal] = 1.0 / count[equal]
    return weight, rule


def convert_naics(
    frame: pd.DataFrame,
    *,
    target: int = 2012,
    vintage_by_year: Mapping[int, int] | None = None,
    reference: pd.DataFrame | None = None,
    withheld_value: str | None = "midpoint",
    mirror: str | Path | None = None,
) -> tuple[pd.DataFrame, ConversionReport]:
    """Convert a region × NAICS × year employment table to one NAICS vintage (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical observations (:mod:`clustermap.schema`): ``region, industry, year, employment`` and optionally
        ``establishments, wages, flag, size_class``; ``industry`` = 6-digit NAICS of the year's vintage;
        employment in persons, null = withheld.
    target : int, default 2012
        NAICS vintage to convert to.
    vintage_by_year : mapping, optional
        NAICS vintage of each year of ``frame``; default :data:`CBP_VINTAGE_BY_YEAR`.
    reference : pandas.DataFrame, optional
        Canonical observations already on the ``target`` vintage (any years, any region set), used for the
        weights of the last step into ``target`` (for NAICS 2012: e.g. CBP 2012 state data, or the CBSA data of
        2018 converted back from NAICS 2017 with this function). Without it, a split into ``target`` has no
        reference year in CBP 2000–2011 and falls back to equal shares.
    withheld_value : {"midpoint", "low", "high"} or None
        Value of a withheld cell (size class) in the weights and when it is split or merged; ``None`` leaves
        such target cells null without a size class (the engine then drops them).
    mirror : path, optional
        Data mirror root (concordances).

    Returns
    -------
    (pandas.DataFrame, ConversionReport)
        The canonical frame on ``target`` (one row per region × target code × year; ``employment`` persons,
        ``flag`` ``e`` where estimated) and the report.

    Raises
    ------
    SchemaError
        a required column is missing.
    ParameterError
        a year without a vintage, or a bad ``withheld_value``.
    UnknownNameError
        an unknown vintage.
    """
    target = check_vintage(target)
    vintage_by_year = CBP_VINTAGE_BY_YEAR if vintage_by_year is None else vintage_by_year
    cells = _prepare(frame)
    vint = vintages_of(cells["year"].unique(), vintage_by_year)
    size_values = _size_values(withheld_value)
    cells["vintage"] = cells["year"].map(vint).astype("int64")
    cells["_cell"] = np.arange(len(cells))
    withheld = cells["employment"].isna()
    cells["wval"] = np.nan
    if size_values is not None:
        cells["wval"] = cells["size_class"].map(size_values).astype("float64").where(withheld)

    pools: dict[int, pd.DataFrame] = {}
    for v in set(vint.values()):
        pools[v] = _reference_values(cells[cells["vintage"] == v], size_values)
    if reference is not None:
        ref = _prepare(reference)
        ref_pool = _reference_values(ref, size_values)
        pools[target] = pd.concat([pools.get(target), ref_pool], ignore_index=True) if target in pools else ref_pool

    unmapped_rows: list[pd.DataFrame] = []
    split_rows: list[pd.DataFrame] = []
    all_cells = cells
    not_six = ~cells["industry"].str.fullmatch(r"\d{6}")
    if not_six.any():
        unmapped_rows.append(cells.loc[not_six].assign(reason="not a 6-digit NAICS code", share=1.0))
    cells = cells.loc[~not_six]

    # contributions: one row per input cell × current code, with the cumulative share of the cell
    parts_out: list[pd.DataFrame] = []
    for vintage, group in cells.groupby("vintage", sort=True):
        contrib = group.assign(code=group["industry"], share=1.0, rule="clean")
        if int(vintage) == target and target in TITLE_VINTAGES:
            known = contrib["code"].isin(set(naics_titles(target, digits=6, mirror=mirror)["naics"]))
            unmapped_rows.append(contrib.loc[~known].assign(reason=f"not a 6-digit NAICS {target} code"))
            contrib = contrib.loc[known]
        for a, b, links in naics_links(int(vintage), target, mirror=mirror):
            known = contrib["code"].isin(set(links["source"]))
            if (~known).any():
                reason = _REASON_1997 if a == 1997 else f"not a 6-digit NAICS {a} code"
                lost = contrib.loc[~known]
                unmapped_rows.append(lost[lost["share"] > 0].assign(reason=reason))
                contrib = contrib.loc[known]
            n_targets = links.groupby("source")["target"].nunique()
            split_codes = set(n_targets[n_targets > 1].index)
            is_split = contrib["code"].isin(split_codes)
            whole = contrib.loc[~is_split].merge(links, left_on="code", right_on="source", how="left")
            whole = whole.assign(code=whole["target"]).drop(columns=["source", "target"])
            parts = contrib.loc[is_split].merge(links, left_on="code", right_on="source", how="inner")
            if len(parts):
                weight, rule = _split_weights(parts, pools.get(b), ["_cell", "code"])
                emp_moved = parts["employment"].fillna(0.0) * parts["share"] * weight
                split_rows.append(
                    pd.DataFrame(
                        {
                            "year": parts["year"],
                            "step": f"{a}→{b}",
                            "source": parts["code"],
                            "target": parts["target"],
                            "rule": rule,
                            "cells": 1,
                            "employment": emp_moved,
                            "_w": weight * parts["employment"].fillna(0.0) * parts["share"],
                            "_e": parts["employment"].fillna(0.0) * parts["share"],
                        }
                    )
                )
                worse = rule.map(_RANK) > parts["rule"].map(_RANK)
                parts = parts.assign(
                    share=parts["share"] * weight,
                    rule=parts["rule"].where(~worse, rule),
                    code=parts["target"],
                ).drop(columns=["source", "target"])
            else:
                parts = parts.drop(columns=["source", "target"])
            contrib = pd.concat([whole, parts], ignore_index=True)
        parts_out.append(contrib)

    if parts_out:
        contrib = pd.concat(parts_out, ignore_index=True)
    else:
        contrib = cells.assign(code="", share=1.0, rule="clean").iloc[0:0]
    out = _aggregate(contrib) if len(contrib) else empty_observations()
    report = _report(all_cells, contrib, unmapped_rows, split_rows, vint, target, withheld_value)
    out = validate_observations(out) if len(out) else out
    return out, report


def empty_observations() -> pd.DataFrame:
    """An empty frame of canonical observations (their columns and dtypes)."""
    from clustermap.schema import COLUMNS, OBSERVATIONS

    return OBSERVATIONS.empty_table().to_pandas()[list(COLUMNS)]


def _aggregate(contrib: pd.DataFrame) -> pd.DataFrame:
    """One canonical row per region × target code × year from the contributions."""
    c = contrib
    pub = c["employment"].notna()
    value = np.where(pub, c["employment"], c["wval"]) * c["share"]
    c = c.assign(
        _value=value,
        _est=c["establishments"] * c["share"],
        _wages=c["wages"] * c["share"],
        _wages_na=c["wages"].isna().astype("int64"),
        _valued=(~pub).astype("int64"),
        _value_na=np.isnan(value).astype("int64"),
        _split=(c["share"] < 1.0 - 1e-12).astype("int64"),
        _noise=c["flag"].map(_NOISE_ORDER).fillna(0).astype("int64"),
        _n=1,
    )
    g = c.groupby(["region", "code", "year"], sort=False)
    agg = g.agg(
        n=("_n", "sum"),
        value=("_value", "sum"),
        value_na=("_value_na", "sum"),
        est=("_est", "sum"),
        est_n=("_est", "count"),
        wages=("_wages", "sum"),
        wages_na=("_wages_na", "sum"),
        valued=("_valued", "sum"),
        split=("_split", "sum"),
        noise=("_noise", "max"),
        first_emp=("employment", "first"),
        first_size=("size_class", "first"),
        first_flag=("flag", "first"),
    ).reset_index()
    single = (agg["n"] == 1) & (agg["split"] == 0)
    employment = agg["value"].where(agg["value_na"] == 0)
    employment = employment.where(~single, agg["first_emp"])
    size_class = pd.Series("", index=agg.index, dtype=object).where(~single, agg["first_size"])
    size_class = size_class.where(employment.isna(), "")
    noise_letter = agg["noise"].map({0: "", 1: "G", 2: "H", 3: "J", 4: "D"})
    estimated = ((agg["valued"] > 0) | (agg["split"] > 0)) & employment.notna()
    flag = noise_letter.where(~estimated, ESTIMATED_FLAG).where(~single, agg["first_flag"])
    return pd.DataFrame(
        {
            "region": agg["region"],
            "industry": agg["code"],
            "year": agg["year"].astype("int64"),
            "employment": employment.astype("float64"),
            "establishments": agg["est"].where(agg["est_n"] > 0).astype("float64"),
            "wages": agg["wages"].where(agg["wages_na"] == 0).astype("float64"),
            "flag": flag.fillna("").astype(object),
            "size_class": size_class.fillna("").astype(object),
        }
    ).sort_values(["year", "region", "industry"], ignore_index=True)


def _report(
    all_cells: pd.DataFrame,
    contrib: pd.DataFrame,
    unmapped_rows: list[pd.DataFrame],
    split_rows: list[pd.DataFrame],
    vint: Mapping[int, int],
    target: int,
    withheld_value: str | None,
) -> ConversionReport:
    """Per-year figures: every input cell's published employment ends clean, split or unmapped."""
    unmapped = (
        pd.concat(unmapped_rows, ignore_index=True)
        if unmapped_rows
        else pd.DataFrame({c: pd.Series(dtype=all_cells[c].dtype) for c in all_cells.columns}).assign(
            reason=pd.Series(dtype=object), share=pd.Series(dtype="float64")
        )
    )
    un_e = unmapped["employment"].fillna(0.0) * unmapped["share"]
    un_by_year = un_e.groupby(unmapped["year"]).sum()
    c_emp = contrib["employment"].fillna(0.0) * contrib["share"]
    by_rule = c_emp.groupby([contrib["year"], contrib["rule"]]).sum()
    # a withheld cell is "valued" when its target cell is not a lone, whole copy of it
    lone = contrib.groupby(["region", "code", "year"])["_cell"].transform("size") == 1
    whole = contrib["share"] >= 1.0 - 1e-12
    valued = contrib[contrib["employment"].isna() & contrib["wval"].notna() & ~(lone & whole)]
    rows = []
    for y, g in all_cells.groupby("year", sort=True):
        y = int(y)
        total = float(g["employment"].fillna(0.0).sum())
        got = {r: float(by_rule.get((y, r), 0.0)) for r in RULES}
        e_split = got["regional"] + got["national"] + got["equal"]
        e_un = float(un_by_year.get(y, 0.0))
        v = valued[valued["year"] == y]
        rows.append(
            {
                "year": y,
                "vintage": int(vint[y]),
                "target": target,
                "cells": len(g),
                "withheld_cells": int(g["employment"].isna().sum()),
                "employment": total,
                "employment_clean": got["clean"],
                "employment_split": e_split,
                "employment_unmapped": e_un,
                "share_clean": got["clean"] / total if total else np.nan,
                "share_split": e_split / total if total else np.nan,
                "share_unmapped": e_un / total if total else np.nan,
                "split_regional": got["regional"],
                "split_national": got["national"],
                "split_equal": got["equal"],
                "withheld_valued": int(v["_cell"].nunique()),
                "withheld_valued_employment": float((v["wval"] * v["share"]).sum()),
            }
        )
    by_year = pd.DataFrame(rows)
    if split_rows:
        s = pd.concat(split_rows, ignore_index=True)
        splits = s.groupby(["year", "step", "source", "target", "rule"], as_index=False).agg(
            cells=("cells", "sum"), employment=("employment", "sum"), _w=("_w", "sum"), _e=("_e", "sum")
        )
        splits["weight"] = (splits["_w"] / splits["_e"]).where(splits["_e"] > 0)
        splits = splits.drop(columns=["_w", "_e"])
    else:
        splits = pd.DataFrame(columns=["year", "step", "source", "target", "rule", "cells", "employment", "weight"])
    um = (
        unmapped.assign(_e=un_e)
        .groupby(["year", "vintage", "industry", "reason"], as_index=False)
        .agg(cells=("_e", "size"), employment=("_e", "sum"))
    )
    return ConversionReport(
        by_year=by_year,
        splits=splits,
        unmapped=um,
        rules={"text": __doc__, "target": target, "withheld_value": withheld_value},
    )


def to_naics2012(
    frame: pd.DataFrame,
    *,
    vintage_by_year: Mapping[int, int] | None = None,
    reference: pd.DataFrame | None = None,
    withheld_value: str | None = "midpoint",
    mirror: str | Path | None = None,
) -> tuple[pd.DataFrame, ConversionReport]:
    """Convert CBP-like data to NAICS 2012 (the US Cluster Mapping vintage): :func:`convert_naics` with
    ``target=2012``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical observations (e.g. ``load_cbp_state(...).frame``), 6-digit NAICS of each year's vintage.
    vintage_by_year : mapping, optional
        Vintage of each year; default :data:`CBP_VINTAGE_BY_YEAR` (2000–2002 → 1997, 2003–2007 → 2002,
        2008–2011 → 2007, 2012–2016 → 2012, 2017–2021 → 2017).
    reference : pandas.DataFrame, optional
        Observations already on NAICS 2012 that weight splits into 2012 codes (see :func:`convert_naics`).
    withheld_value : {"midpoint", "low", "high"} or None
        Value of withheld cells in weights, splits and merges.
    mirror : path, optional
        Data mirror root.

    Returns
    -------
    (pandas.DataFrame, ConversionReport)
        The frame on NAICS 2012 and the per-year report (``report.by_year``: employment total, share clean,
        share split by weights, share unmapped; ``report.splits``: employment each rule moved).

    Examples
    --------
    >>> from clustermap.loaders.cbp import load_cbp_state  # doctest: +SKIP
    >>> frame, report = to_naics2012(load_cbp_state().frame)  # doctest: +SKIP
    >>> print(report.to_text())  # doctest: +SKIP
    """
    return convert_naics(
        frame,
        target=2012,
        vintage_by_year=vintage_by_year,
        reference=reference,
        withheld_value=withheld_value,
        mirror=mirror,
    )
