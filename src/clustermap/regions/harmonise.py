"""Harmonise a region × industry × year panel to one NUTS version.

Why
---
Regional statistics are published in the NUTS version in force when they were compiled, and long series mix
versions: the Eurostat SBS file ``sbs_r_nuts06_r2`` (2008–2015) carries NUTS 2006 codes (``DE41``, ``FI18``,
``ITD1`` …, 2008–2010), NUTS 2010 codes (``UKI1``, ``EL11``, ``FR91`` …) and NUTS 2013 codes (``UKI3``, ``FRA1``,
``EL51`` …), within one year and across years. Comparing years, or mapping a region set that is the same in every
year, needs one version.

How (:func:`harmonise`)
-----------------------
1. **Suppression first, optionally.** ``policy="drop"`` or ``"parent-residual"`` (or ``"size-class"``) runs the
   engine's suppression policy (:func:`clustermap.indicators.apply_suppression`) before anything moves, so that
   merged cells are sums of known or imputed values. Without a policy (``policy=None``, the default) suppressed
   cells stay null. A target cell that receives only null inputs is null. One that receives published parts and
   also a null input (or misses one of its source regions) keeps the sum of its published parts, a lower bound
   flagged ``i`` (``mixed="published"``, the default), so that no published person is lost; with
   ``mixed="null"`` it is null and the employment its known inputs carried is reported as *hidden*.
2. **Absent region-years.** A region whose cells are all null in a year is taken as not published in that year
   (``drop_empty``): the SBS file carries every code in every year, with ``:`` where the code was not used.
3. **Which version is each code in?** ``from_version=<year>`` declares one version for every code.
   ``from_version="auto"`` (or ``None``) decides per country, NUTS level and year, from the codes that carry
   data: the version whose code list the data covers completely (then the one explaining most codes, then the
   one nearest ``to_version``). A code not in that version is kept in its own version (the valid version nearest
   to the chosen one) when its territory is not already covered, and dropped as a *duplicate* when it is (e.g.
   FI 2010 publishes both the NUTS 2006 ``FI13, FI18, FI1A`` and the NUTS 2010 ``FI1B, FI1C, FI1D``).
4. **Convert.** Codes already in ``to_version``, NUTS 0 codes (``GR`` → ``EL``) and extra-regio codes (``xxZZ``) map
   one to one. Every other code is converted with the JRC NUTS-converter matrix of its level and version pair
   (:func:`clustermap.regions.nuts.jrc_matrix`): a source region ``a`` sends the share
   ``s(a→b) = w(a∩b) / Σ_b' w(a∩b')`` of each cell to target ``b``, where ``w`` is the weight of the intersection
   (``weight``): ``population`` (residents on the GEOSTAT grid: 2011 census ``pop11`` for data years up to 2015,
   2021 census ``pop21`` from 2016), ``pop11``, ``pop21``, ``area`` (``areaKm``, km²) or ``built_up`` (built-up
   volume 2021, ``bu_vol``, m³). Intersections below ``min_share`` of their source (default 1 %) are dropped and
   the rest renormalised. Only codes attested in ``to_version`` are written (:func:`attested_codes`): the JRC
   matrices also name NUTS-2 codes made by truncating NUTS-3 codes (``UKN1`` in 2016, whose NUTS-2 code for
   Northern Ireland is ``UKN0``); their shares go to the attested code of the same territory
   (:func:`repair_targets`). Most dropped intersections are slivers of the GIS overlay (boundaries generalised
   differently in two versions), the others negligible transfers. A source whose weight is 0 everywhere falls
   back to area.
   Recodes (``FR71`` → ``FRK2``) have one intersection with share 1 and are exact; a target cell is the sum of the
   shares it receives, so merges (``DE41 + DE42`` → ``DE40``) are exact too.
5. **Report.** One row per year, source code and target code that is not the identity: version pair, kind of
   change (``recode``, ``split``, ``merge``, ``split/merge``, ``boundary shift``, ``dropped: …``), the weight
   column, the share, the employment moved and the number of cells (and suppressed cells) involved.

The approximation
-----------------
A split allocates a region's employment in proportion to where people live (or to area, or to built-up
volume), not where jobs are. Jobs concentrate more than residents (e.g. Helsinki-Uusimaa gets its population
share of the old Etelä-Suomi, FI18, which understates its employment), and industries differ (mining follows
area, finance follows the city), so split cells are estimates: totals per source region and per country are
exact, the distribution across the new regions is not. Ratios computed on split cells (employment shares, LQs)
inherit the weight's pattern: a location quotient of a region built wholly from population-weighted splits of
one source equals that source's LQ. Merges and recodes are exact. The change report says which cells moved and
by how much, so results that rest on splits can be flagged.

Conservation
------------
Per country and year: published employment in = employment out + dropped duplicates/unmapped + hidden (cells
nulled by a suppressed or missing input). With ``mixed="published"`` (default) or ``policy="drop"`` nothing is
hidden, so published employment is conserved per country × industry up to duplicates (territory published twice)
and rounding; a split moves a source's employment to its targets in shares that sum to 1. :class:`Harmonisation`
carries the balance per country and year.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.regions.conversion import (
    WEIGHTS,
    Conversions,
    attested_codes,
    change_kind,
    conversion_matrix,
    detect_versions,
    level0_target,
    repair_targets,
    shares,
    weight_column,
)
from clustermap.regions.nuts import country_of, is_extra_regio
from clustermap.regions.registry import RegionRegistry, get_registry
from clustermap.regions.suppression import POLICIES, apply_policy, flag_union
from clustermap.schema import COLUMNS, validate_observations
from clustermap.tables import like, to_pandas

logger = logging.getLogger(__name__)

#: flag letter added to a target cell that sums published parts while another input is suppressed or missing
#: (a lower bound; Eurostat's ``i``, "see metadata", which the project reads as partial coverage)
PARTIAL_FLAG = "i"

CHANGE_COLUMNS = [
    "year",
    "from_region",
    "from_version",
    "to_region",
    "to_version",
    "change",
    "weight",
    "share",
    "employment_moved",
    "cells",
    "cells_suppressed",
]


@dataclass
class Harmonisation:
    """What :func:`harmonise` returns; unpacks as ``frame, changes = harmonise(...)``.

    Attributes
    ----------
    frame
        The panel in ``to_version`` codes (canonical columns; the type of the input: pandas, polars or arrow).
    changes : pandas.DataFrame
        The change report (:data:`CHANGE_COLUMNS`): one row per year, source and target code that is not the
        identity. ``employment_moved`` (persons) = Σ over the source's published cells of value × share; for
        ``dropped: …`` rows it is the employment removed. ``cells_suppressed`` counts null source cells.
    versions : pandas.DataFrame
        Per ``country, level, year``: the NUTS ``version`` the data were read in, ``coverage`` (share of that
        version's codes with data), ``codes`` (number with data), ``other_codes`` (kept in their own version) and
        ``duplicates`` (dropped).
    balance : pandas.DataFrame
        Per ``country, year`` (persons): ``employment_in`` (published, after the policy), ``dropped``
        (duplicates and codes without a counterpart), ``hidden`` (known inputs of cells nulled by a suppressed or
        missing input), ``employment_out``, and ``difference`` = in − dropped − hidden − out (0 up to rounding).
    summary : pandas.DataFrame
        Per ``year``: regions with data before (``regions_in``) and after (``regions_out``), rows' regions after
        (``regions_out_rows``, the same every year with ``complete=True``), employment in/out/hidden/dropped, and
        ``cells_nulled`` (target cells null because of a suppressed or missing input while other inputs had
        values).
    notes : dict
        Parameters and counts: weight, policy, cells imputed / dropped by the policy, empty region-years dropped,
        rows added to complete the grid, slivers dropped.
    """

    frame: Any
    changes: pd.DataFrame
    versions: pd.DataFrame = field(default_factory=pd.DataFrame)
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: dict[str, Any] = field(default_factory=dict)

    def __iter__(self):
        yield self.frame
        yield self.changes


# ---------------------------------------------------------------------------------------------- harmonise


def harmonise(
    frame: Any,
    *,
    to_version: int,
    from_version: int | str | None = "auto",
    weight: str = "population",
    policy: str | None = None,
    min_share: float = 0.01,
    drop_empty: bool = True,
    complete: bool = True,
    mixed: str = "published",
    registry: RegionRegistry | None = None,
    conversions: Conversions | None = None,
    mirror: str | Path | None = None,
) -> Harmonisation:
    """Convert a tidy panel (``region, industry, year, employment[, flag …]``) to NUTS ``to_version``.

    See the module docstring for the method, the approximation and the conservation identity.

    Parameters
    ----------
    frame
        Canonical observations (pandas, polars or pyarrow; see :mod:`clustermap.schema`); ``employment`` in
        persons, null = not published. Regions are NUTS codes of levels 0–3 (levels may be mixed; each converts
        with its own matrix).
    to_version : int
        Target NUTS version: 2006, 2010, 2013, 2016, 2021 or 2024.
    from_version : int, "auto" or None
        The version of every code, or ``"auto"``/``None``: detected per country, level and year
        (:func:`detect_versions`).
    weight : str
        ``population`` (default: residents, ``pop11`` for data years up to 2015, ``pop21`` from 2016), ``pop11``,
        ``pop21``, ``area`` (km²) or ``built_up`` (built-up volume 2021).
    policy : str or None
        ``None`` (default): suppressed cells stay null and null any target they feed. ``drop``,
        ``parent-residual`` or ``size-class``: the engine's suppression policy runs first (its counts are in
        ``notes``).
    min_share : float
        Intersections carrying less than this share of their source region's weight are dropped (default 0.01).
    drop_empty : bool
        Treat a region-year whose cells are all null as not published (default true).
    complete : bool
        Give every year the same grid of target regions × industries (those of any year), adding rows with null
        employment and no flag where a year has no value (default true: the loaders' convention, null = not
        published). With a policy, cells the policy dropped come back as such null rows.
    mixed : str
        A target cell that receives published employment and also a suppressed cell or nothing from a source
        region that is not published (only without a policy): ``published`` (default) keeps the sum of its
        published parts — a lower bound, flagged ``i`` (partial) beside its inputs' flags, counted in
        ``summary["cells_partial"]`` — so that published employment per country × industry is conserved
        exactly; ``null`` makes the cell suppressed (null) and reports the published parts as *hidden*.
    registry : RegionRegistry, optional
        Code validity per version (default :func:`get_registry`). Only codes attested in ``to_version``
        (:func:`attested_codes`) are written: a matrix target that no official list names is repaired
        (:func:`repair_targets`; ``notes["targets_repaired"]``).
    conversions : mapping or callable, optional
        ``(level, from_version, to_version) → DataFrame[from_code, to_code, <weight columns>]``; default the JRC
        matrices of the data mirror.
    mirror : path, optional
        Data mirror root for the default registry and matrices.

    Returns
    -------
    Harmonisation
        ``frame, changes = harmonise(...)``; also ``.versions``, ``.balance``, ``.summary``, ``.notes``.

    Raises
    ------
    UnknownNameError
        unknown target version, weight or policy; region codes unknown to the registry or (with a fixed
        ``from_version``) not valid in that version — the message lists them with near matches.
    ParameterError
        ``min_share`` outside [0, 0.5).
    """
    template = frame
    to_version = RegionRegistry._check_version(to_version)
    auto = from_version is None or str(from_version).lower() == "auto"
    fixed = None if auto else RegionRegistry._check_version(from_version)
    if weight not in WEIGHTS:
        raise UnknownNameError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    if policy is not None and policy not in (*POLICIES, "keep"):
        raise UnknownNameError(f"unknown suppression policy {policy!r}; use keep, {', '.join(POLICIES)}")
    if policy == "keep":
        policy = None
    if not 0 <= float(min_share) < 0.5:
        raise ParameterError(f"min_share must be in [0, 0.5), not {min_share}")
    if mixed not in ("published", "null"):
        raise UnknownNameError(f"unknown mixed-cell rule {mixed!r}; use published or null")
    registry = registry or get_registry(mirror=mirror)
    attested = attested_codes(registry, to_version)

    df = validate_observations(to_pandas(frame))
    notes: dict[str, Any] = {
        "to_version": to_version,
        "from_version": "auto" if auto else fixed,
        "weight": weight,
        "policy": policy or "keep (suppressed cells stay null)",
        "min_share": float(min_share),
        "mixed": mixed,
    }
    if policy is not None:
        df, counts = apply_policy(df, policy)
        notes.update(counts)

    # ------------------------------------------------------------------ codes
    codes = pd.Series(df["region"].unique())
    us = codes[codes.str[:1].str.isdigit()]
    if len(us):
        raise UnknownNameError(
            f"harmonise converts NUTS codes; {len(us)} code(s) look like US FIPS/CBSA codes "
            f"({', '.join(us[:5])}); US geographies are not versioned here"
        )
    known = {c: registry.versions(c) for c in codes}
    unknown = [c for c in codes if not known[c] and not is_extra_regio(c)]
    if unknown:
        hints = "; ".join(f"{c} (near: {', '.join(registry.near(c)[:3]) or 'none'})" for c in sorted(unknown)[:8])
        raise UnknownNameError(f"{len(unknown)} unknown NUTS code(s): {hints}")
    if fixed is not None:
        wrong = [c for c in codes if not is_extra_regio(c) and fixed not in known[c] and len(c) > 2]
        if wrong:
            listed = "; ".join(f"{c} (valid in {', '.join(map(str, known[c]))})" for c in sorted(wrong)[:8])
            raise UnknownNameError(
                f"{len(wrong)} code(s) are not NUTS {fixed} codes: {listed}; use from_version='auto' for a "
                "panel that mixes versions"
            )

    df["country"] = df["region"].map(country_of)
    df["level"] = df["region"].str.len() - 2
    emp_in_all = df.groupby(["country", "year"])["employment"].sum()
    regions_in_rows = df.groupby("year")["region"].nunique()

    # ------------------------------------------------------------------ absent region-years
    if drop_empty:
        has = df.groupby(["region", "year"])["employment"].transform("count") > 0
        empty = df.loc[~has, ["region", "year"]].drop_duplicates()
        notes["empty_region_years_dropped"] = len(empty)
        df = df[has]
    else:
        notes["empty_region_years_dropped"] = 0

    # ------------------------------------------------------------------ version of each code
    df["special"] = df["region"].map(is_extra_regio) | (df["level"] == 0)
    regular = df[~df["special"]]
    if auto:
        assignment, versions_table = detect_versions(
            regular,
            to_version=to_version,
            registry=registry,
            conversions=conversions,
            min_share=min_share,
            mirror=mirror,
        )
    else:
        assignment = regular[["region", "year"]].drop_duplicates().assign(from_version=fixed, status="used")
        versions_table = (
            regular.groupby(["country", "level", "year"])["region"]
            .nunique()
            .rename("codes")
            .reset_index()
            .assign(version=fixed, coverage=np.nan, other_codes="", duplicates="")
        )
    df = df.merge(assignment, on=["region", "year"], how="left")
    df.loc[df["special"], "from_version"] = to_version
    df.loc[df["special"], "status"] = "used"
    df["from_version"] = df["from_version"].astype(int)
    df["weight_col"] = [weight_column(weight, y) for y in df["year"]] if weight == "population" else WEIGHTS[weight]

    dropped_parts: list[pd.DataFrame] = []
    dup = df[df["status"] == "duplicate"]
    if len(dup):
        dropped_parts.append(dup.assign(to_region="", change="dropped: duplicate territory", share=np.nan))
    df = df[df["status"] == "used"]

    # ------------------------------------------------------------------ mapping
    identity = (df["from_version"] == to_version) | df["special"]
    ident = df[identity].copy()
    ident["to_region"] = [
        level0_target(r, to_version) if lv == 0 else r for r, lv in zip(ident["region"], ident["level"], strict=True)
    ]
    ident["share"] = 1.0
    ident["change"] = np.where(ident["to_region"] == ident["region"], "identity", "recode")
    ident["weight"] = ""
    conv = df[~identity]
    parts = [ident]
    structure: list[pd.DataFrame] = []
    slivers = 0
    repaired: dict[str, str] = {}
    for (level, u, wcol), g in conv.groupby(["level", "from_version", "weight_col"], sort=True):
        m = conversion_matrix(conversions, int(level), int(u), to_version, mirror)
        s = shares(m, wcol, min_share=min_share)
        slivers += int((m[wcol] > 0).sum()) - len(s)
        s, fixed_targets = repair_targets(s, attested)
        repaired.update(fixed_targets)
        s["change"] = change_kind(s)
        s = s.assign(level=int(level), from_version=int(u), weight_col=wcol)
        structure.append(s)
        merged = g.merge(
            s[["from_code", "to_code", "share", "weight", "change"]], left_on="region", right_on="from_code", how="left"
        )
        miss = merged["to_code"].isna()
        if miss.any():
            lost = merged[miss].drop(columns=["from_code", "to_code", "share", "weight", "change"])
            valid_in_target = lost["region"].isin(attested)
            same = lost[valid_in_target].assign(to_region=lambda x: x["region"], share=1.0, change="identity")
            same["weight"] = ""
            parts.append(same)
            gone = lost[~valid_in_target]
            if len(gone):
                dropped_parts.append(
                    gone.assign(to_region="", share=np.nan, change=f"dropped: no counterpart in NUTS {to_version}")
                )
        hit = merged[~miss].rename(columns={"to_code": "to_region"}).drop(columns=["from_code"])
        parts.append(hit)
    notes["slivers_dropped"] = slivers
    notes["targets_repaired"] = ", ".join(f"{a} -> {b or 'removed'}" for a, b in sorted(repaired.items()))
    long = pd.concat(parts, ignore_index=True)
    long["part"] = long["employment"] * long["share"]
    long["to_version"] = to_version

    # ------------------------------------------------------------------ expected sources of each target
    if structure:
        st = pd.concat(structure, ignore_index=True)
        expected = st.groupby(["from_version", "weight_col", "to_code"])["from_code"].nunique().rename("expected")
        long = long.merge(
            expected.reset_index().rename(columns={"to_code": "to_region"}),
            on=["from_version", "weight_col", "to_region"],
            how="left",
        )
    else:
        long["expected"] = np.nan
    long["expected"] = long["expected"].fillna(1).astype(int)
    long.loc[long["change"] == "identity", "expected"] = 1

    # ------------------------------------------------------------------ aggregate to targets
    keys = ["to_region", "industry", "year"]
    long["null"] = long["employment"].isna()
    grp = long.groupby(keys, sort=False)
    out = grp.agg(
        employment=("part", "sum"),
        n_null=("null", "sum"),
        n_src=("region", "size"),
        share_max=("share", "max"),
    )
    for col in ("establishments", "wages"):
        val = long[col] * long["share"]
        out[col] = val.groupby([long[k] for k in keys], sort=False).sum(min_count=1)
        anynull = long[col].isna().groupby([long[k] for k in keys], sort=False).any()
        out.loc[anynull.reindex(out.index).to_numpy(), col] = np.nan
    # sources present per version group vs expected
    present = long.groupby([*keys, "from_version", "weight_col"], sort=False).agg(
        n=("region", "size"), expected=("expected", "first")
    )
    short = (present["n"] < present["expected"]).groupby(level=[0, 1, 2], sort=False).any()
    out["missing_source"] = short.reindex(out.index).fillna(False).to_numpy(bool)
    single = out["n_src"] == 1
    first = grp.first()
    out["flag"] = first["flag"].where(single, "")
    multi_rows = long[long.groupby(keys, sort=False)["region"].transform("size") > 1]
    if len(multi_rows):
        union = multi_rows.groupby(keys, sort=False)["flag"].agg(flag_union)
        out.loc[union.index, "flag"] = union
    out["size_class"] = first["size_class"].where(single & (out["share_max"] == 1.0), "")
    # a target with a suppressed input — or, without a policy, a missing source region — is suppressed itself;
    # the employment its known inputs carried is "hidden" (reported, so that totals still balance)
    nulled = out["n_null"] > 0
    if policy is None:
        nulled |= out["missing_source"]
    has_published = out["n_null"] < out["n_src"]
    out["partial"] = nulled & has_published if mixed == "published" else False
    nulled &= ~out["partial"]
    out.loc[out["partial"], "flag"] = [
        "".join(sorted(set(str(f)) | {PARTIAL_FLAG})) for f in out.loc[out["partial"], "flag"].fillna("")
    ]
    out["hidden"] = out["employment"].where(nulled, 0.0)
    out["nulled"] = nulled & (has_published | out["missing_source"])
    out.loc[nulled, "employment"] = np.nan
    out = out.reset_index().rename(columns={"to_region": "region"})

    # ------------------------------------------------------------------ complete the grid
    added = 0
    if complete and len(out):
        years = sorted(out["year"].unique())
        pairs = out[["region", "industry"]].drop_duplicates()
        grid = pairs.merge(pd.DataFrame({"year": years}), how="cross")
        before = len(out)
        out = grid.merge(out, on=["region", "industry", "year"], how="left")
        added = len(out) - before
        out["flag"] = out["flag"].fillna("")
        out["size_class"] = out["size_class"].fillna("")
        out["hidden"] = out["hidden"].fillna(0.0)
        out["nulled"] = out["nulled"].fillna(False).astype(bool)
        out["partial"] = out["partial"].fillna(False).astype(bool)
    notes["rows_added_to_complete_grid"] = added
    result = out[list(COLUMNS)].sort_values(["region", "industry", "year"], kind="stable").reset_index(drop=True)
    result["year"] = result["year"].astype("int64")

    # ------------------------------------------------------------------ change report
    moved = long[long["change"] != "identity"]
    changes = (
        moved.groupby(["year", "region", "from_version", "to_region", "to_version", "change", "weight", "share"])
        .agg(
            employment_moved=("part", "sum"),
            cells=("industry", "size"),
            cells_suppressed=("null", "sum"),
        )
        .reset_index()
        .rename(columns={"region": "from_region"})
    )
    if dropped_parts:
        d = pd.concat(dropped_parts, ignore_index=True)
        d["null"] = d["employment"].isna()
        drows = (
            d.groupby(["year", "region", "from_version", "change"])
            .agg(employment_moved=("employment", "sum"), cells=("industry", "size"), cells_suppressed=("null", "sum"))
            .reset_index()
            .rename(columns={"region": "from_region"})
            .assign(to_region="", to_version=to_version, weight="", share=np.nan)
        )
        changes = pd.concat([changes, drows], ignore_index=True)
        dropped_emp = d.groupby(["country", "year"])["employment"].sum()
    else:
        dropped_emp = pd.Series(dtype=float)
    changes = changes.reindex(columns=CHANGE_COLUMNS)
    changes["cells"] = changes["cells"].fillna(0).astype("int64")
    changes["cells_suppressed"] = changes["cells_suppressed"].fillna(0).astype("int64")
    changes = changes.sort_values(["year", "from_region", "to_region"], kind="stable").reset_index(drop=True)

    # ------------------------------------------------------------------ balance and summary
    out_country = out.assign(country=out["region"].map(country_of))
    balance = pd.DataFrame({"employment_in": emp_in_all})
    balance["dropped"] = dropped_emp.reindex(balance.index).fillna(0.0)
    balance["hidden"] = out_country.groupby(["country", "year"])["hidden"].sum().reindex(balance.index).fillna(0.0)
    balance["employment_out"] = (
        out_country.groupby(["country", "year"])["employment"].sum().reindex(balance.index).fillna(0.0)
    )
    balance["difference"] = (
        balance["employment_in"] - balance["dropped"] - balance["hidden"] - balance["employment_out"]
    )
    balance = balance.reset_index()

    with_data_in = df.groupby("year")["region"].nunique()
    has_out = out[out["employment"].notna()]
    summary = pd.DataFrame(
        {
            "regions_in_rows": regions_in_rows,
            "regions_in": with_data_in,
            "regions_out": has_out.groupby("year")["region"].nunique(),
            "regions_out_rows": out.groupby("year")["region"].nunique(),
            "employment_in": balance.groupby("year")["employment_in"].sum(),
            "employment_out": balance.groupby("year")["employment_out"].sum(),
            "employment_hidden": balance.groupby("year")["hidden"].sum(),
            "employment_dropped": balance.groupby("year")["dropped"].sum(),
            "cells_nulled": out.groupby("year")["nulled"].sum(),
            "cells_partial": out.groupby("year")["partial"].sum(),
        }
    )
    summary = summary.fillna(0).rename_axis("year").reset_index()
    for col in ("regions_in_rows", "regions_in", "regions_out", "regions_out_rows", "cells_nulled", "cells_partial"):
        summary[col] = summary[col].astype("int64")
    return Harmonisation(
        frame=like(result, template),
        changes=changes,
        versions=versions_table,
        balance=balance,
        summary=summary,
        notes=notes,
    )
