"""Region levels: sum a panel up a hierarchy — NUTS 2 → NUTS 1 / NUTS 0 by code prefix within one version, US
counties → states, BEA economic areas or CBSAs — or into any grouping (see :mod:`clustermap.regions.custom`).

Suppression
-----------
A sum with any null (suppressed) input is null: ``E[g] = Σ_r E[r]`` only when every member's cell is published.
The :class:`Aggregation` report counts, per group and year, how many cells came out null that way. Run an engine
suppression policy first (``policy="drop"`` sums the published cells, ``"parent-residual"`` fills what it can)
to get sums instead — the counts of that policy are in ``notes``.

Missing members
---------------
A member with no row at all for an industry and year is *missing* (not suppressed): ``missing="ignore"``
(default) sums the members present — right for files that omit empty cells, such as US County Business
Patterns, where an absent county has no establishment in the industry — and ``missing="null"`` makes the group
cell null. Either way the report counts such cells (``cells_incomplete``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from clustermap.errors import ParameterError, UnknownNameError
from clustermap.regions.nuts import is_extra_regio
from clustermap.regions.registry import RegionRegistry, get_registry
from clustermap.regions.suppression import POLICIES, apply_policy, flag_union
from clustermap.schema import COLUMNS, validate_observations
from clustermap.tables import like as _like
from clustermap.tables import to_pandas as _to_pandas

REPORT_COLUMNS = [
    "group",
    "year",
    "members",
    "members_with_data",
    "cells",
    "cells_null",
    "cells_null_input",
    "cells_incomplete",
    "employment",
]


@dataclass
class Aggregation:
    """What the aggregation functions return; unpacks as ``frame, report = aggregate_...(...)``.

    Attributes
    ----------
    frame
        Canonical observations with ``region`` = the group code (type of the input).
    report : pandas.DataFrame
        Per ``group, year``: ``members`` (regions the group expects), ``members_with_data`` (with at least one
        published cell), ``cells`` (group × industry cells), ``cells_null`` (null output cells),
        ``cells_null_input`` (null because a member's cell is suppressed), ``cells_incomplete`` (a member had
        no row), ``employment`` (persons, sum of the published group cells).
    notes : dict
        ``unassigned`` (input regions in no group, dropped), policy counts, the version used …
    """

    frame: Any
    report: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)

    def __iter__(self):
        yield self.frame
        yield self.report


def aggregate(
    frame: Any,
    mapping: pd.DataFrame,
    *,
    policy: str | None = None,
    missing: str = "ignore",
) -> Aggregation:
    """Sum a panel into groups.

    Parameters
    ----------
    frame
        Canonical observations (pandas, polars or pyarrow); ``employment`` in persons, null = suppressed.
    mapping : pandas.DataFrame
        ``region, group``: the members each group expects. A region in several groups counts fully in each.
    policy : str, optional
        Engine suppression policy to run first: ``drop``, ``parent-residual`` or ``size-class``. Default: none,
        a null input makes the sum null.
    missing : str
        ``ignore`` (sum the members present) or ``null`` (a group cell with a member without a row is null).

    Returns
    -------
    Aggregation
    """
    if missing not in ("ignore", "null"):
        raise ParameterError(f"missing must be 'ignore' or 'null', not {missing!r}")
    if policy is not None and policy not in POLICIES:
        raise UnknownNameError(f"unknown suppression policy {policy!r}; use {', '.join(POLICIES)}")
    template = frame
    df = validate_observations(_to_pandas(frame))
    notes: dict[str, Any] = {"policy": policy or "none (a null input makes the sum null)", "missing": missing}
    if policy is not None:
        df, counts = apply_policy(df, policy)
        notes.update(counts)
    m = mapping[["region", "group"]].astype(str).drop_duplicates()
    expected = m.groupby("group")["region"].nunique().rename("expected")
    unassigned = sorted(set(df["region"]) - set(m["region"]))
    notes["unassigned"] = unassigned
    notes["unassigned_rows"] = int(df["region"].isin(unassigned).sum())
    j = df.merge(m, on="region", how="inner")
    keys = ["group", "industry", "year"]
    j["null"] = j["employment"].isna()
    g = j.groupby(keys, sort=True)
    out = g.agg(
        employment=("employment", "sum"),
        n_null=("null", "sum"),
        n=("region", "nunique"),
    )
    for col in ("establishments", "wages"):
        out[col] = g[col].sum(min_count=1)
        anynull = j[col].isna().groupby([j[k] for k in keys], sort=True).any()
        out.loc[anynull.reindex(out.index).to_numpy(bool), col] = np.nan
    out = out.join(expected, on="group")
    out["incomplete"] = out["n"] < out["expected"]
    null_input = out["n_null"] > 0
    nulled = null_input | (out["incomplete"] if missing == "null" else False)
    out.loc[nulled, "employment"] = np.nan
    out["null_input"] = null_input
    flags = g["flag"].agg(flag_union)
    out["flag"] = flags
    out["size_class"] = ""
    out = out.reset_index()

    has = j[~j["null"]].groupby(["group", "year"])["region"].nunique().rename("members_with_data")
    rep = out.groupby(["group", "year"]).agg(
        cells=("industry", "size"),
        cells_null=("employment", lambda s: int(s.isna().sum())),
        cells_null_input=("null_input", "sum"),
        cells_incomplete=("incomplete", "sum"),
        employment=("employment", "sum"),
    )
    rep = rep.join(expected.rename("members"), on="group").join(has, how="left")
    rep["members_with_data"] = rep["members_with_data"].fillna(0).astype("int64")
    rep = rep.reset_index()[REPORT_COLUMNS]
    for col in ("cells_null_input", "cells_incomplete", "cells_null", "members"):
        rep[col] = rep[col].astype("int64")
    notes["cells_null_input"] = int(rep["cells_null_input"].sum())
    notes["cells_incomplete"] = int(rep["cells_incomplete"].sum())
    result = out.rename(columns={"group": "region"})[list(COLUMNS)]
    return Aggregation(frame=_like(result, template), report=rep, notes=notes)


# ---------------------------------------------------------------------------------------------- NUTS


def common_version(codes, registry: RegionRegistry, version: int | None = None) -> int:
    """The NUTS version all ``codes`` are valid in (``version`` if given, else the latest such version).

    Raises
    ------
    UnknownNameError
        unknown codes.
    ParameterError
        no single version holds every code (the panel mixes versions: harmonise it first).
    """
    codes = [c for c in dict.fromkeys(codes) if not is_extra_regio(c)]
    validity = {c: set(registry.versions(c)) for c in codes}
    unknown = [c for c, v in validity.items() if not v]
    if unknown:
        hints = "; ".join(f"{c} (near: {', '.join(registry.near(c)[:3]) or 'none'})" for c in sorted(unknown)[:8])
        raise UnknownNameError(f"{len(unknown)} unknown NUTS code(s): {hints}")
    if version is not None:
        version = RegionRegistry._check_version(version)
        wrong = sorted(c for c, v in validity.items() if version not in v)
        if wrong:
            listed = "; ".join(f"{c} (valid in {', '.join(map(str, sorted(validity[c])))})" for c in wrong[:8])
            raise ParameterError(
                f"{len(wrong)} code(s) are not NUTS {version} codes: {listed}; "
                f"convert the panel first (clustermap regions convert --to {version})"
            )
        return version
    common = set.intersection(*validity.values()) if validity else set()
    if not common:
        by_version: dict[int, int] = {}
        for v in validity.values():
            for x in v:
                by_version[x] = by_version.get(x, 0) + 1
        best = max(by_version, key=lambda x: (by_version[x], x)) if by_version else None
        odd = sorted(c for c, v in validity.items() if best not in v)
        listed = "; ".join(f"{c} (valid in {', '.join(map(str, sorted(validity[c])))})" for c in odd[:6])
        raise ParameterError(
            "the regions are not all codes of one NUTS version, so summing by code prefix would mix versions; "
            f"harmonise the panel first (clustermap regions convert --from auto --to <version>). Not NUTS {best}: "
            + listed
        )
    return max(common)


def aggregate_nuts(
    frame: Any,
    to_level: int,
    *,
    version: int | None = None,
    registry: RegionRegistry | None = None,
    policy: str | None = None,
    missing: str = "ignore",
    mirror: str | Path | None = None,
) -> Aggregation:
    """Sum NUTS regions of one level up to NUTS level ``to_level`` (0, 1 or 2) by code prefix, within one version.

    The members a group expects are the registry's codes of the input level in that version (extra-regio codes
    ``xxZZ`` go to their prefix group but are not expected). Extra-regio codes keep their ``Z`` form
    (``DEZZ`` → ``DEZ``).

    Parameters
    ----------
    frame
        Canonical observations whose regions are NUTS codes of one level, all valid in one version.
    to_level : int
        Target NUTS level, below the input's.
    version : int, optional
        The NUTS version of the codes (default: the latest version they are all valid in).

    Raises
    ------
    ParameterError
        mixed levels, a target level not above the input's, or codes of several versions.
    UnknownNameError
        unknown codes.
    """
    registry = registry or get_registry(mirror=mirror)
    df = validate_observations(_to_pandas(frame))
    to_level = int(to_level)
    if to_level not in (0, 1, 2):
        raise ParameterError(f"to_level must be 0, 1 or 2, not {to_level}")
    codes = pd.Series(df["region"].unique())
    if codes.str[:1].str.isdigit().any():
        raise ParameterError("aggregate_nuts sums NUTS codes; use aggregate_us for US FIPS codes")
    levels = set(codes.str.len() - 2)
    if len(levels) != 1:
        raise ParameterError(
            f"the input mixes NUTS levels {sorted(levels)}; keep one level (summing two would double count)"
        )
    level = levels.pop()
    if to_level >= level:
        raise ParameterError(f"to_level {to_level} is not above the input's NUTS level {level}")
    v = common_version(codes, registry, version)
    t = registry.nuts_table
    members = t[(t["version"] == v) & (t["level"] == level) & ~t["code"].map(is_extra_regio)]["code"]
    mapping = pd.DataFrame({"region": members, "group": members.str[: to_level + 2]})
    extra = codes[codes.map(is_extra_regio)]
    if len(extra):
        mapping = pd.concat([mapping, pd.DataFrame({"region": extra, "group": extra.str[: to_level + 2]})])
    # only groups the input touches: a country absent from the input is not an (empty) group
    mapping = mapping[mapping["group"].isin(set(codes.str[: to_level + 2]))]
    result = aggregate(df, mapping, policy=policy, missing=missing)
    result.frame = _like(_to_pandas(result.frame), frame)
    result.notes.update(version=v, from_level=level, to_level=to_level)
    return result


# ---------------------------------------------------------------------------------------------- US


def aggregate_us(
    frame: Any,
    to: str,
    *,
    delineation: str | Path | pd.DataFrame | None = None,
    registry: RegionRegistry | None = None,
    policy: str | None = None,
    missing: str = "ignore",
    mirror: str | Path | None = None,
) -> Aggregation:
    """Sum US counties (5-digit FIPS) into states, BEA economic areas or CBSAs.

    Parameters
    ----------
    frame
        Canonical observations whose regions are county FIPS codes.
    to : str
        ``state`` (first two digits), ``economic_area`` (BEA 2004 county list of the mirror) or ``cbsa``.
    delineation : path or DataFrame, optional
        For ``cbsa``: a Census delineation file (``list1_<year>.xls``) or a ``county_fips, cbsa_code`` table.
        **The mirror holds no county → CBSA list**, so ``cbsa`` needs it.

    Raises
    ------
    ParameterError
        non-county codes, or ``cbsa`` without a delineation.
    UnknownNameError
        unknown ``to``.
    """
    from clustermap.regions.registry import normalise_kind
    from clustermap.regions.us import load_cbsa_delineation, load_economic_areas

    kind = normalise_kind(to)
    df = validate_observations(_to_pandas(frame))
    codes = pd.Series(df["region"].unique())
    bad = codes[~codes.str.fullmatch(r"\d{5}")]
    if len(bad):
        raise ParameterError(
            f"aggregate_us sums county FIPS codes (5 digits); found {', '.join(bad[:5])}"
            + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        )
    registry = registry or get_registry(mirror=mirror)
    if kind == "state":
        counties = registry.us_table
        counties = counties[counties["kind"] == "county"].drop_duplicates("code")
        mapping = pd.DataFrame({"region": counties["code"], "group": counties["code"].str[:2]})
        extra = codes[~codes.isin(set(mapping["region"]))]
        mapping = pd.concat([mapping, pd.DataFrame({"region": extra, "group": extra.str[:2]})])
    elif kind == "economic_area":
        ea = load_economic_areas(mirror=mirror)
        mapping = pd.DataFrame({"region": ea["county_fips"], "group": ea["ea_code"]})
    elif kind == "cbsa":
        if delineation is None:
            raise ParameterError(
                "no county → CBSA list is in the data mirror: pass a Census delineation file "
                "(list1_<year>.xls from census.gov, 'Delineation files') or a county_fips, cbsa_code table"
            )
        table = delineation if isinstance(delineation, pd.DataFrame) else load_cbsa_delineation(delineation)
        mapping = pd.DataFrame({"region": table["county_fips"].astype(str), "group": table["cbsa_code"].astype(str)})
    else:
        raise ParameterError(f"counties aggregate to state, economic_area or cbsa, not {to!r}")
    mapping = mapping[mapping["group"].isin(set(mapping.loc[mapping["region"].isin(set(codes)), "group"]))]
    result = aggregate(df, mapping, policy=policy, missing=missing)
    result.frame = _like(_to_pandas(result.frame), frame)
    result.notes.update(to=kind)
    return result
