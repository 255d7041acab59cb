"""The constraint system of the two-way imputation: unknown cells, the published totals that bind them, their
bounds and the prior they are pulled towards.

Definitions
-----------
cell
    one row ``(region, industry, year)`` of the input, with ``employment`` in persons (null = not published).
region-year that exists
    a region that, in that year, has at least one published cell, a cell flagged confidential (``c`` among its
    Eurostat flags) or a CBP size class. The other region-years are not data — a NUTS code of another version
    than the one the country published that year, or a year the country did not publish at all — and their
    cells are neither imputed nor used in a constraint.
unknown
    a cell with no published employment in a region-year that exists. Unknowns are the variables.
industry parent
    :func:`industry_parents`: the longest proper prefix of the code that is a code of the input (``G471`` →
    ``G47`` → ``G``; ``336111`` → ``33611``), the NAICS sector ranges (``32x``/``33x`` → ``31``, ``45x`` →
    ``44``, ``49x`` → ``48``: the loaders write ``31-33`` as ``31``), and an all-industries code (``total``) as
    the parent of every top-level code when the input has one.
region parent
    :func:`region_parents`: the longest proper prefix of at least two characters that is a region existing in
    that year (``DE91`` → ``DE9`` → ``DE``), and a national code (``US``, ``00``) as the parent of every other
    top-level region when the input has one (CBP state → nation).
constraint
    one parent cell and its children along one hierarchy, in the same year: ``Σ children − parent = 0``
    (industry constraints inside a region, region constraints inside an industry). Absent rows count as 0
    (CBP leaves out industries without establishments). Known cells go to the right-hand side.
family
    the constraints that share a kind, a country (:func:`family_scope`), a year and a parent code on their own
    axis (every region's ``G46 = Σ G46x`` in one country and year is one family). A family is *not additive*
    when more than ``max_off_share`` of its fully published members miss their published parent by more than the
    tolerance (``max(rel_tol × |parent|, 0.5 × terms)`` persons: rounding of each published term). Such families
    are reported; when their published parts never exceed the total (Polish G45/G46 groups 2012–2015 sum to
    57–68 % of their divisions; NAICS 81219 children absent from the file; CBP 2000–2002 sectors without the
    auxiliary units of the state total) they are imposed as ``Σ children ≤ parent``, otherwise not at all
    (Finnish NUTS 2010 and 2013 codes both published for 2010).
block
    the cells of one root region (a country for NUTS, the nation or a state for CBP) in one year: constraints
    never cross blocks, so each block is solved on its own.

Everything here is vectorised pandas/numpy over the whole input (no Python loop over cells); the result is a
sparse system per block, ordered so that a block's variables and constraints are contiguous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from clustermap.errors import ParameterError, SchemaError
from clustermap.indicators.hierarchy import industry_hierarchy

#: all-industries codes: the root of the industry hierarchy when present
TOTAL_CODES: tuple[str, ...] = ("total", "TOTAL", "Total", "TOT")
#: national region codes: the root of the region hierarchy when present (CBP state → nation)
NATIONAL_CODES: tuple[str, ...] = ("US", "USA", "00", "000")
#: NAICS 2-digit sectors published as ranges (31-33, 44-45, 48-49) and written as their first code
NAICS_SECTOR_RANGES: dict[str, str] = {"32": "31", "33": "31", "45": "44", "49": "48"}

_KEY = ["region", "industry", "year"]


def industry_parents(codes: Iterable[str]) -> dict[str, str | None]:
    """Parent of every industry code (``None`` for a root), see the module docstring.

    Examples
    --------
    >>> p = industry_parents(["total", "31", "332", "3323", "G", "G47", "G471"])
    >>> p["3323"], p["332"], p["31"], p["G471"], p["G"], p["total"]
    ('332', '31', 'total', 'G47', 'total', None)
    """
    present = sorted({str(c) for c in codes})
    totals = [c for c in present if c in TOTAL_CODES]
    total = totals[0] if totals else None
    rest = [c for c in present if c not in TOTAL_CODES]
    h = industry_hierarchy(rest)
    parent: dict[str, str | None] = {
        str(c): (p if isinstance(p, str) else None) for c, p in zip(h["industry"], h["parent"], strict=True)
    }
    known = set(rest)
    for code, p in list(parent.items()):
        if p is None and code.isdigit() and len(code) >= 3:
            sector = NAICS_SECTOR_RANGES.get(code[:2])
            if sector is not None and sector in known:
                parent[code] = sector
    if total is not None:
        for code, p in list(parent.items()):
            if p is None:
                parent[code] = total
        parent[total] = None
        for other in totals[1:]:
            parent[other] = None
    return parent


def family_scope(regions: pd.Series) -> np.ndarray:
    """The country a region's constraints are judged in: the two letters of a NUTS code; one scope (``""``)
    for numeric codes (US states, counties, CBSAs)."""
    prefix = regions.astype(str).str[:2]
    return np.where(prefix.str.isalpha(), prefix, "")


def region_parents(codes: Iterable[str]) -> dict[str, str | None]:
    """Parent of every region code among ``codes`` (the regions that exist in one year), see the module docstring.

    Examples
    --------
    >>> region_parents(["DE", "DE9", "DE91", "DE92"])["DE91"], region_parents(["US", "01", "02"])["02"]
    ('DE9', 'US')
    """
    present = {str(c) for c in codes}
    national = next((c for c in NATIONAL_CODES if c in present), None)
    out: dict[str, str | None] = {}
    for code in present:
        parent = next((code[:n] for n in range(len(code) - 1, 1, -1) if code[:n] in present), None)
        if parent is None and national is not None and code != national:
            parent = national
        out[code] = parent
    return out


@dataclass
class ImputationProblem:
    """The linear system of one input, all blocks together.

    Attributes
    ----------
    cells : pandas.DataFrame
        the input rows in input order with ``region, industry, year, employment`` (persons) plus ``exists``
        (bool), ``unknown`` (bool), ``block`` (int, -1 when the region-year does not exist), ``var`` (int,
        index of the unknown in the global variable vector, -1 for known cells), ``lower``/``upper`` (declared
        bounds of an unknown, persons: 0/∞, or the CBP size class), ``prior`` (persons, unknowns only).
    constraints : pandas.DataFrame
        one row per imposed constraint (at least one unknown, family imposed), numbered ``0 … m-1`` in block
        order: ``block, year, kind`` (``industry`` or ``region``), ``region, industry`` of the parent cell,
        ``sense`` (``=``, or ``<=`` for a family whose parts never exceed their totals),
        ``parent_value`` (published, NaN if the parent is unknown), ``rhs`` (persons: the published terms moved to
        the right), ``scale`` (persons, the size of the total, for relative slack weights), ``n_unknown``,
        ``n_terms``.
    rows, cols, coefs : numpy.ndarray
        the sparse matrix ``A`` (constraint, variable, ±1) of ``A x = rhs``; a "≤" constraint has its own surplus
        variable ``w ≥ 0`` (coefficient +1, no weight in the objective).
    checks : pandas.DataFrame
        every fully published constraint with its discrepancy ``gap = Σ children − parent`` (persons), the
        tolerance and ``off`` (bool).
    families : pandas.DataFrame
        per family (``kind, scope, year, family_code``): ``n_complete`` (fully published members), ``n_off``
        (members off by more than the tolerance), ``n_over`` (… whose parts exceed the total), ``max_gap``
        (persons), ``additive``, ``imposed_as`` (``=``, ``<=`` or ``none``).
    blocks : pandas.DataFrame
        per block: ``block, root, year, var_start, var_stop, con_start, con_stop``.
    var_row, var_lower, var_upper, var_prior : numpy.ndarray
        per variable: the input row of the cell (-1 for a surplus variable), declared bounds and prior (persons).
    """

    cells: pd.DataFrame
    constraints: pd.DataFrame
    rows: np.ndarray
    cols: np.ndarray
    coefs: np.ndarray
    checks: pd.DataFrame
    families: pd.DataFrame
    blocks: pd.DataFrame
    var_row: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray
    var_prior: np.ndarray

    @property
    def n_vars(self) -> int:
        """Number of variables: unknown cells and surplus variables of the "≤" constraints."""
        return len(self.var_row)

    @property
    def n_unknown(self) -> int:
        """Number of unknown cells."""
        return int(self.cells["unknown"].sum())

    @property
    def dropped_families(self) -> pd.DataFrame:
        """Families whose published members do not add up: imposed as ``Σ children ≤ parent`` (``imposed_as``
        ``"<="``) when the parts never exceed the total, else not imposed (``"none"``)."""
        return self.families[~self.families["additive"]]


def _check_frame(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (*_KEY, "employment") if c not in frame.columns]
    if missing:
        raise SchemaError(f"the imputation input lacks column(s) {', '.join(missing)}")
    out = frame.copy()
    out["region"] = out["region"].astype(str)
    out["industry"] = out["industry"].astype(str)
    out["year"] = out["year"].astype("int64")
    out["employment"] = pd.to_numeric(out["employment"], errors="raise").astype("float64")
    for col in ("flag", "size_class"):
        out[col] = out[col].fillna("").astype(str) if col in out.columns else ""
    if out.duplicated(_KEY).any():
        first = out[out.duplicated(_KEY)].iloc[0]
        raise SchemaError(
            f"duplicate cell region={first['region']}, industry={first['industry']}, year={first['year']}"
        )
    if (out["employment"] < 0).any():
        raise ParameterError("employment must not be negative")
    return out.reset_index(drop=True)


def _size_class_bounds(size_class: pd.Series, size_classes: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    lower = np.zeros(len(size_class))
    upper = np.full(len(size_class), np.inf)
    has = size_class.ne("").to_numpy()
    if has.any():
        if size_classes is None:
            from clustermap.classifications.size_classes import load_size_classes

            size_classes = load_size_classes()
        lo = size_classes.set_index("size_class")["low"].astype("float64")
        hi = size_classes.set_index("size_class")["high"].astype("float64").fillna(np.inf)
        known = size_class.isin(lo.index).to_numpy()
        if (has & ~known).any():
            bad = size_class[has & ~known].iloc[0]
            raise ParameterError(f"unknown size class {bad!r}")
        lower[has] = size_class[has].map(lo).to_numpy()
        upper[has] = size_class[has].map(hi).to_numpy()
    return lower, upper


def build_problem(
    frame: pd.DataFrame,
    *,
    size_classes: pd.DataFrame | None = None,
    rel_tol: float = 0.01,
    max_off_share: float = 0.1,
    prior_iterations: int = 50,
) -> ImputationProblem:
    """Build the constraint system of a tidy table (all levels of both hierarchies, every year).

    Parameters
    ----------
    frame
        ``region, industry, year, employment`` (persons; null = not published) and optionally ``flag`` (Eurostat
        flags; ``c`` marks a confidential cell) and ``size_class`` (CBP ``A``–``M`` of a withheld cell).
    size_classes
        ``size_class, low, high`` bounds in persons (default: the shipped CBP classes).
    rel_tol
        relative tolerance (share of the parent) for a published total to count as matched by its published
        children, on top of 0.5 person of rounding per term.
    max_off_share
        a family whose fully published members miss their parent in more than this share is not imposed.
    prior_iterations
        iterations of the quasi-independence fit of the prior (see :func:`quasi_independence_prior`).

    Returns
    -------
    ImputationProblem
    """
    cells = _check_frame(frame)
    n = len(cells)
    value = cells["employment"].to_numpy()
    published = ~np.isnan(value)
    confidential = cells["flag"].str.contains("c", regex=False).to_numpy() | cells["size_class"].ne("").to_numpy()
    ry = pd.DataFrame({"region": cells["region"], "year": cells["year"], "live": published | confidential})
    live = ry.groupby(["region", "year"], sort=False)["live"].transform("any").to_numpy()
    cells["exists"] = live
    cells["unknown"] = live & ~published

    # region parents per year, among the regions that exist that year; block = (root region, year)
    existing = cells.loc[live, ["region", "year"]].drop_duplicates()
    parts = []
    for year, g in existing.groupby("year", sort=True):
        par = region_parents(g["region"])
        root: dict[str, str] = {}
        for code in par:
            r = code
            while par[r] is not None:
                r = par[r]  # type: ignore[assignment]
            root[code] = r
        parts.append(
            pd.DataFrame(
                {
                    "region": list(par),
                    "year": year,
                    "rpar": [par[c] for c in par],
                    "root": [root[c] for c in par],
                }
            )
        )
    regions = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["region", "year", "rpar", "root"])
    cells = cells.merge(regions, on=["region", "year"], how="left", validate="many_to_one")
    ipar = industry_parents(cells["industry"].unique())
    cells["ipar"] = cells["industry"].map(ipar)
    block_keys = cells.loc[live, ["root", "year"]].drop_duplicates().sort_values(["root", "year"])
    block_keys["block"] = np.arange(len(block_keys))
    cells = cells.merge(block_keys, on=["root", "year"], how="left")
    cells["block"] = cells["block"].fillna(-1).astype("int64")

    lower, upper = _size_class_bounds(cells["size_class"], size_classes)
    unknown = cells["unknown"].to_numpy()
    lower = np.where(unknown, lower, np.nan)
    upper = np.where(unknown, upper, np.nan)
    # variables numbered block by block
    var = np.full(n, -1, dtype="int64")
    order = np.flatnonzero(unknown)
    order = order[np.argsort(cells["block"].to_numpy()[order], kind="stable")]
    var[order] = np.arange(len(order))
    cells["var"] = var
    cells["lower"] = lower
    cells["upper"] = upper
    cells["prior"] = quasi_independence_prior(cells, iterations=prior_iterations)

    # terms of every constraint: (kind, parent row, row, coef)
    row_of = pd.Series(np.arange(n), index=pd.MultiIndex.from_frame(cells[_KEY]))
    term_parts = []
    for kind, pcol in (("industry", "ipar"), ("region", "rpar")):
        child = np.flatnonzero(live & cells[pcol].notna().to_numpy())
        if kind == "industry":
            keys = pd.MultiIndex.from_arrays(
                [cells["region"].to_numpy()[child], cells["ipar"].to_numpy()[child], cells["year"].to_numpy()[child]]
            )
        else:
            keys = pd.MultiIndex.from_arrays(
                [cells["rpar"].to_numpy()[child], cells["industry"].to_numpy()[child], cells["year"].to_numpy()[child]]
            )
        prow = row_of.reindex(keys).to_numpy()
        ok = ~np.isnan(prow)
        child, prow = child[ok], prow[ok].astype("int64")
        ok = live[prow]
        child, prow = child[ok], prow[ok]
        parents = np.unique(prow)
        term_parts.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "prow": np.concatenate([prow, parents]),
                    "row": np.concatenate([child, parents]),
                    "coef": np.concatenate([np.ones(len(child)), -np.ones(len(parents))]),
                }
            )
        )
    terms = pd.concat(term_parts, ignore_index=True)
    tval = value[terms["row"].to_numpy()]
    tunk = unknown[terms["row"].to_numpy()]
    prior = cells["prior"].to_numpy()
    terms["known"] = np.where(tunk, 0.0, terms["coef"].to_numpy() * np.nan_to_num(tval))
    terms["unk"] = tunk
    terms["mag"] = np.where(tunk, prior[terms["row"].to_numpy()], np.nan_to_num(tval))
    con = (
        terms.groupby(["kind", "prow"], sort=False)
        .agg(
            known=("known", "sum"),
            n_unknown=("unk", "sum"),
            n_terms=("row", "size"),
            mag=("mag", "sum"),
        )
        .reset_index()
    )
    prow = con["prow"].to_numpy()
    con["block"] = cells["block"].to_numpy()[prow]
    con["year"] = cells["year"].to_numpy()[prow]
    con["region"] = cells["region"].to_numpy()[prow]
    con["industry"] = cells["industry"].to_numpy()[prow]
    con["parent_value"] = value[prow]
    con["rhs"] = -con["known"]
    con["scale"] = np.maximum(con["mag"] / 2.0, 1.0)
    con["family_code"] = np.where(con["kind"] == "industry", con["industry"], con["region"])
    con["scope"] = family_scope(con["region"])
    # fully published constraints: is each family additive?
    complete = con[con["n_unknown"] == 0].copy()
    complete["gap"] = complete["known"]
    complete["tolerance"] = np.maximum(rel_tol * complete["parent_value"].abs(), 0.5 * complete["n_terms"])
    complete["off"] = complete["gap"].abs() > complete["tolerance"]
    complete["over"] = complete["gap"] > complete["tolerance"]
    complete["abs_gap"] = complete["gap"].abs()
    fam_keys = ["kind", "scope", "year", "family_code"]
    families = (
        complete.groupby(fam_keys, sort=True)
        .agg(
            n_complete=("off", "size"),
            n_off=("off", "sum"),
            n_over=("over", "sum"),
            max_gap=("abs_gap", "max"),
        )
        .reset_index()
    )
    families["additive"] = families["n_off"] <= max_off_share * families["n_complete"]
    # a family whose published parts never exceed their total still bounds them from above (parts are missing
    # from the file, or defined more narrowly): imposed as Σ children ≤ parent
    families["imposed_as"] = np.where(families["additive"], "=", np.where(families["n_over"] == 0, "<=", "none"))
    imposed = con[con["n_unknown"] > 0].merge(
        families[[*fam_keys, "imposed_as"]], on=fam_keys, how="left", validate="many_to_one"
    )
    imposed["sense"] = imposed["imposed_as"].fillna("=")
    imposed = imposed[imposed["sense"] != "none"]
    imposed = imposed.sort_values(["block", "kind", "prow"], kind="stable").reset_index(drop=True)
    imposed["cid"] = np.arange(len(imposed))
    cid_of = pd.Series(imposed["cid"].to_numpy(), index=pd.MultiIndex.from_frame(imposed[["kind", "prow"]]))
    ut = terms[terms["unk"]]
    cid = cid_of.reindex(pd.MultiIndex.from_frame(ut[["kind", "prow"]])).to_numpy()
    keep = ~np.isnan(cid)

    # variables: the unknown cells, then one surplus w ≥ 0 per "≤" constraint (Σ children − parent + w = rhs),
    # numbered block by block
    n_cell = int(unknown.sum())
    ineq = np.flatnonzero(imposed["sense"].to_numpy() == "<=")
    cell_rows = np.flatnonzero(unknown)[np.argsort(var[unknown], kind="stable")]
    var_block = np.concatenate([cells["block"].to_numpy()[cell_rows], imposed["block"].to_numpy()[ineq]])
    var_kind = np.concatenate([np.zeros(n_cell, dtype=int), np.ones(len(ineq), dtype=int)])
    order = np.lexsort((np.arange(len(var_block)), var_kind, var_block))
    new = np.empty(len(var_block), dtype="int64")
    new[order] = np.arange(len(var_block))
    var = np.where(var >= 0, new[np.maximum(var, 0)], -1)
    cells["var"] = var
    rows = np.concatenate([cid[keep].astype("int64"), ineq])
    cols = np.concatenate([var[ut["row"].to_numpy()[keep]], new[n_cell + np.arange(len(ineq))]])
    coefs = np.concatenate([ut["coef"].to_numpy()[keep], np.ones(len(ineq))])
    nv = len(var_block)
    var_row = np.full(nv, -1, dtype="int64")
    var_row[var[cell_rows]] = cell_rows
    var_lower = np.zeros(nv)
    var_upper = np.full(nv, np.inf)
    var_prior = np.zeros(nv)
    var_lower[var[cell_rows]] = cells["lower"].to_numpy()[cell_rows]
    var_upper[var[cell_rows]] = cells["upper"].to_numpy()[cell_rows]
    var_prior[var[cell_rows]] = cells["prior"].to_numpy()[cell_rows]

    blocks = block_keys.reset_index(drop=True)[["block", "root", "year"]].copy()
    nb = len(blocks)
    vcount = np.bincount(var_block, minlength=nb) if nb else np.zeros(0, dtype=int)
    ccount = np.bincount(imposed["block"].to_numpy(), minlength=nb) if nb else np.zeros(0, dtype=int)
    blocks["var_stop"] = np.cumsum(vcount)
    blocks["var_start"] = blocks["var_stop"] - vcount
    blocks["con_stop"] = np.cumsum(ccount)
    blocks["con_start"] = blocks["con_stop"] - ccount
    keep_cols = [
        "block",
        "year",
        "kind",
        "region",
        "industry",
        "sense",
        "parent_value",
        "rhs",
        "scale",
        "n_unknown",
        "n_terms",
    ]
    checks = complete[["block", "year", "kind", "region", "industry", "parent_value", "gap", "tolerance", "off"]]
    return ImputationProblem(
        cells=cells.drop(columns=["root"]),
        constraints=imposed[keep_cols],
        rows=rows,
        cols=cols,
        coefs=coefs,
        checks=checks.reset_index(drop=True),
        families=families,
        blocks=blocks[["block", "root", "year", "var_start", "var_stop", "con_start", "con_stop"]],
        var_row=var_row,
        var_lower=var_lower,
        var_upper=var_upper,
        var_prior=var_prior,
    )


def quasi_independence_prior(cells: pd.DataFrame, *, iterations: int = 50) -> np.ndarray:
    """Prior value of every unknown cell: regional size × national industry structure.

    Within each block (one country or nation, one year) the published cells of every level are fitted by the
    quasi-independence model ``E[r, i] ≈ a[r] · b[i]`` (Goodman 1968): ``a[r]`` is the size of region ``r``,
    ``b[i]`` the weight of industry ``i``; iterative proportional fitting over the published cells only, which
    is the Poisson maximum-likelihood fit of the model to an incomplete table. This is the "national industry
    structure × regional size" prior of Eckert, Fort, Schott & Yang (NBER w26632), fitted on every published
    level at once. Where the block cannot give ``a[r] · b[i]`` (no published cell of ``r`` or of ``i`` in the
    block — a block of one region, say) the same model fitted on all blocks of the year is used (industry
    structure of every country together); failing that, a region or industry takes its parent's weight divided
    by the parent's number of children; failing that, 1 person. The prior is clipped into the cell's bounds
    (CBP size class).

    Work: ``iterations`` × two ``bincount`` passes over the published cells, twice (vectorised).

    Returns
    -------
    numpy.ndarray
        persons, one per row of ``cells``; NaN for known cells.
    """
    unknown = cells["unknown"].to_numpy()
    out = np.full(len(cells), np.nan)
    if not unknown.any():
        return out
    live = cells["exists"].to_numpy()
    block = cells["block"].to_numpy()
    year = cells["year"].to_numpy()
    value = cells["employment"].to_numpy()
    pub = live & ~np.isnan(value)
    region = cells["region"].to_numpy()
    industry = cells["industry"].to_numpy()
    rkey = _codes(block, region)
    ikey = _codes(block, industry)
    a, b = _ipf(rkey, ikey, pub, value, iterations)
    prior = a[rkey] * b[ikey]
    missing = ~np.isfinite(prior) & unknown
    if missing.any():
        rkey2 = _codes(year, region)
        ikey2 = _codes(year, industry)
        a2, b2 = _ipf(rkey2, ikey2, pub, value, iterations)
        prior = np.where(missing, a2[rkey2] * b2[ikey2], prior)
        missing = ~np.isfinite(prior) & unknown
    if missing.any():
        has_r = np.bincount(rkey[pub], minlength=len(a)) > 0
        has_i = np.bincount(ikey[pub], minlength=len(b)) > 0
        a = _fill_from_parents(a, has_r, cells, rkey, "region", "rpar", block)
        b = _fill_from_parents(b, has_i, cells, ikey, "industry", "ipar", block)
        prior = np.where(missing, a[rkey] * b[ikey], prior)
    prior = np.nan_to_num(prior, nan=1.0, posinf=1.0)
    lower = np.nan_to_num(cells["lower"].to_numpy(), nan=0.0)
    upper = np.nan_to_num(cells["upper"].to_numpy(), nan=np.inf)
    prior = np.clip(prior, lower, upper)
    out[unknown] = prior[unknown]
    return out


def _codes(*arrays: np.ndarray) -> np.ndarray:
    """Dense integer codes of the combinations of several key arrays (faster than a MultiIndex)."""
    key = np.zeros(len(arrays[0]), dtype="int64")
    for arr in arrays:
        codes, uniques = pd.factorize(arr)
        key = key * (len(uniques) + 1) + codes
    return pd.factorize(key)[0]


def _ipf(
    rkey: np.ndarray, ikey: np.ndarray, pub: np.ndarray, value: np.ndarray, iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``E ≈ a[r] · b[i]`` to the published cells by iterative proportional fitting; NaN where no data."""
    nr, ni = int(rkey.max()) + 1, int(ikey.max()) + 1
    rp, ip, vp = rkey[pub], ikey[pub], value[pub]
    a = np.ones(nr)
    b = np.ones(ni)
    rsum = np.bincount(rp, weights=vp, minlength=nr)
    isum = np.bincount(ip, weights=vp, minlength=ni)
    for _ in range(iterations):
        den = np.bincount(rp, weights=b[ip], minlength=nr)
        a = np.where(den > 0, rsum / np.where(den > 0, den, 1.0), np.nan)
        den = np.bincount(ip, weights=np.nan_to_num(a[rp]), minlength=ni)
        b = np.where(den > 0, isum / np.where(den > 0, den, 1.0), np.nan)
    return a, b


def _fill_from_parents(
    w: np.ndarray, has: np.ndarray, cells: pd.DataFrame, key: np.ndarray, code: str, pcol: str, block: np.ndarray
) -> np.ndarray:
    """Give a region (industry) without a published cell its parent's weight / the parent's number of children."""
    if has.all():
        return w
    first = pd.Series(np.arange(len(key))).groupby(key).first().to_numpy()
    codes = cells[code].to_numpy()[first]
    parents = cells[pcol].to_numpy()[first]
    blocks = block[first]
    index = {(blocks[k], codes[k]): k for k in range(len(first))}
    children = pd.Series(parents).groupby([blocks, parents]).size().to_dict() if len(first) else {}
    w = w.copy()
    for _ in range(6):  # hierarchy depth
        missing = np.flatnonzero(~np.isfinite(w))
        if not len(missing):
            break
        for k in missing:
            p = parents[k]
            if p is None or (isinstance(p, float) and np.isnan(p)):
                continue
            pk = index.get((blocks[k], p))
            if pk is not None and np.isfinite(w[pk]):
                w[k] = w[pk] / max(children.get((blocks[k], p), 1), 1)
    return w
