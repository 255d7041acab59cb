"""User-defined region sets: groupings of regions read from a file, e.g. a macro-region such as the Baltic Sea
Region (chapter 5 of SEC(2008) 2637), and the sum of a panel into them.

File format
-----------
CSV (delimiter ``,``, ``;`` or tab; gzip recognised) with a header holding at least ``region`` and ``group``;
other columns (``group_name`` …) are kept. One line per member::

    region,group,group_name
    DK,BSR,Baltic Sea Region
    SE,BSR,Baltic Sea Region
    DE8,BSR,Baltic Sea Region
    PL42,BSR,Baltic Sea Region

A member is any region code the registry knows: a NUTS code of any level or a US code. A NUTS member stands for
itself and every region below it (``DE8`` covers ``DE80``; ``SE`` covers all of Sweden), and so does a US state
for its counties; other US members (counties, CBSAs, economic areas) stand for themselves.

Errors (typed, naming file and line)
------------------------------------
* unknown code → :class:`UnknownRegionError` (a :class:`~clustermap.errors.UnknownNameError`) with near matches;
* a region covered by two groups (the same code twice, or ``DE`` in one group and ``DE8`` in another) →
  :class:`OverlappingRegionsError`, unless ``allow_overlap=True`` (then it counts fully in each group);
* a missing ``region``/``group`` column → :class:`~clustermap.errors.SchemaError`; a blank cell →
  :class:`~clustermap.errors.ValueValidationError`; the same (region, group) twice →
  :class:`~clustermap.errors.DuplicateKeyError`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.errors import (
    DuplicateKeyError,
    EmptyInputError,
    OverlappingRegionsError,
    SchemaError,
    UnknownRegionError,
    ValueValidationError,
)
from clustermap.regions.levels import Aggregation, aggregate
from clustermap.regions.registry import RegionRegistry, get_registry


def _covers(member: str, region: str) -> bool:
    """Does ``member`` stand for ``region``: equal, a NUTS code above it, or a US state above a county?"""
    if member == region:
        return True
    if member[:1].isdigit():
        return len(member) == 2 and len(region) == 5 and region.startswith(member)
    return not region[:1].isdigit() and len(region) > len(member) and region.startswith(member)


@dataclass
class RegionGroups:
    """A custom region set: ``table`` has ``region, group, line`` (1-based file line, header = 1) and any extra
    columns of the file; ``file`` names where it came from."""

    table: pd.DataFrame
    file: str | None = None
    allow_overlap: bool = False

    @property
    def groups(self) -> list[str]:
        """The group codes, in file order."""
        return list(dict.fromkeys(self.table["group"]))

    def members(self, group: str) -> list[str]:
        """The member codes of ``group`` as listed."""
        return self.table.loc[self.table["group"] == group, "region"].tolist()

    def mapping(self, regions) -> pd.DataFrame:
        """``region, group`` for the given region codes: each region with every group one of whose members
        covers it (itself, a NUTS code above it, its state)."""
        members = self.table[["region", "group"]].drop_duplicates()
        by_prefix: dict[str, list[str]] = {}
        for m, g in zip(members["region"], members["group"], strict=True):
            by_prefix.setdefault(m, []).append(g)
        rows: list[tuple[str, str]] = []
        for r in dict.fromkeys(regions):
            seen: set[str] = set()
            for k in range(2, len(r) + 1):
                for g in by_prefix.get(r[:k], ()):
                    if g not in seen and _covers(r[:k], r):
                        seen.add(g)
                        rows.append((r, g))
        out = pd.DataFrame(rows, columns=["region", "group"])
        if not self.allow_overlap:
            dup = out[out.duplicated("region", keep=False)]
            if len(dup):
                r = dup["region"].iloc[0]
                groups = dup.loc[dup["region"] == r, "group"].tolist()
                raise OverlappingRegionsError(
                    f"region {r} is in groups {', '.join(groups)}; overlapping custom regions need allow_overlap",
                    file=self.file,
                    column="region",
                    value=r,
                    more=int(dup["region"].nunique()) - 1,
                )
        return out


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    from clustermap.sources.fetch import read_text

    text = read_text(path)
    if not text.strip():
        raise EmptyInputError("empty file", file=path)
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return [c.strip() for c in rows[0]], rows[1:]


def load_groups(
    source: str | Path | pd.DataFrame,
    *,
    allow_overlap: bool = False,
    registry: RegionRegistry | None = None,
    check_codes: bool = True,
    mirror: str | Path | None = None,
) -> RegionGroups:
    """Read a custom region set (see the module docstring for the format and the errors).

    Parameters
    ----------
    source : path or pandas.DataFrame
        The CSV file, or a frame with ``region, group`` (lines are then counted as if it were a CSV file).
    allow_overlap : bool
        Allow a region to belong to several groups.
    registry : RegionRegistry, optional
        For checking codes (default :func:`get_registry`).
    check_codes : bool
        Check every code against the registry (default true).

    Returns
    -------
    RegionGroups
    """
    if isinstance(source, pd.DataFrame):
        file = None
        header = [str(c).strip() for c in source.columns]
        body = source.astype(str).to_numpy().tolist()
    else:
        file = str(source)
        header, body = _read(Path(source))
    lower = [h.casefold() for h in header]
    missing = [c for c in ("region", "group") if c not in lower]
    if missing:
        raise SchemaError.missing_columns(missing, header, file=file)
    records = []
    for i, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SchemaError(f"expected {len(header)} fields, found {len(row)}", file=file, line=i)
        rec = {lower[k] if lower[k] in ("region", "group") else header[k]: row[k].strip() for k in range(len(row))}
        rec["line"] = i
        records.append(rec)
    if not records:
        raise EmptyInputError("no data rows", file=file)
    table = pd.DataFrame(records)
    for col in ("region", "group"):
        blank = table[table[col] == ""]
        if len(blank):
            raise ValueValidationError("must not be blank", file=file, line=int(blank["line"].iloc[0]), column=col)
    dup = table[table.duplicated(["region", "group"], keep="first")]
    if len(dup):
        first = dup.iloc[0]
        raise DuplicateKeyError(
            f"region {first['region']} is listed twice in group {first['group']}",
            file=file,
            line=int(first["line"]),
            column="region",
            value=first["region"],
            more=len(dup) - 1,
        )
    if check_codes:
        registry = registry or get_registry(mirror=mirror)
        for code, line in zip(table["region"], table["line"], strict=True):
            if code not in registry:
                near = registry.near(code)
                raise UnknownRegionError(
                    "unknown region code" + (f"; near matches: {', '.join(near)}" if near else ""),
                    file=file,
                    line=int(line),
                    column="region",
                    value=code,
                )
    if not allow_overlap:
        _check_overlap(table, file)
    return RegionGroups(table=table.reset_index(drop=True), file=file, allow_overlap=allow_overlap)


def _check_overlap(table: pd.DataFrame, file: str | None) -> None:
    seen: dict[str, tuple[str, int]] = {}  # code -> (group, line) of its first listing
    below: dict[str, list[str]] = {}  # every proper prefix of a listed code -> the codes under it
    for code, group, line in zip(table["region"], table["group"], table["line"], strict=True):
        clash = None
        for k in range(2, len(code) + 1):  # the code itself or a member above it
            other = code[:k]
            if other in seen and seen[other][0] != group and _covers(other, code):
                clash = other
                break
        if clash is None:  # a member below it
            clash = next(
                (o for o in below.get(code, ()) if seen[o][0] != group and _covers(code, o)),
                None,
            )
        if clash is not None:
            g, other_line = seen[clash]
            what = "the same region" if clash == code else f"{clash} (line {other_line}) and {code} overlap"
            raise OverlappingRegionsError(
                f"region {code} of group {group} is also in group {g} ({what}); "
                "pass allow_overlap=True (--allow-overlap) to let a region count in several groups",
                file=file,
                line=int(line),
                column="region",
                value=code,
            )
        seen.setdefault(code, (group, int(line)))
        for k in range(2, len(code)):
            below.setdefault(code[:k], []).append(code)


def aggregate_groups(
    frame: Any,
    groups: RegionGroups | str | Path | pd.DataFrame,
    *,
    allow_overlap: bool | None = None,
    policy: str | None = None,
    missing: str = "ignore",
    registry: RegionRegistry | None = None,
) -> Aggregation:
    """Sum a panel into a custom region set.

    Each input region goes to every group one of whose members covers it (see the module docstring); regions in
    no group are dropped and listed in ``notes["unassigned"]``. Listed members that match no input region are
    in ``notes["members_without_data"]``. Suppression and missing members as in
    :func:`clustermap.regions.levels.aggregate`.

    Raises
    ------
    OverlappingRegionsError
        a region of the input is in two groups and overlaps are not allowed.
    """
    if not isinstance(groups, RegionGroups):
        groups = load_groups(groups, allow_overlap=bool(allow_overlap), registry=registry)
    elif allow_overlap is not None:
        groups = RegionGroups(groups.table, groups.file, allow_overlap)
    from clustermap.tables import to_pandas as _to_pandas

    df = _to_pandas(frame)
    regions = df["region"].astype(str).str.strip().unique()
    mapping = groups.mapping(regions)
    result = aggregate(frame, mapping, policy=policy, missing=missing)
    matched = {m for m in groups.table["region"] if any(_covers(m, r) for r in regions)}
    result.notes["members_without_data"] = [m for m in groups.table["region"] if m not in matched]
    result.notes["groups_file"] = groups.file
    return result


def describe(groups: RegionGroups) -> dict[str, Any]:
    """Groups and their members as a plain dict (for printing)."""
    return {g: groups.members(g) for g in groups.groups}
