"""Category sets: which industries make up which cluster category, and which categories are traded.

A *category set* maps industry codes, exactly as the employment data publish them (NACE Rev. 2 SBS codes such as
``C29`` or ``G471``, 6-digit NAICS such as ``336411``), to categories. Employment of category ``c`` in region
``r`` is ``E[r, c] = Σ_i share[i, c] · E[r, i]`` over the industries ``i`` of ``c`` (persons employed or employees,
as the source counts them). Traded categories are the ones a cluster map ranks; local categories count in the
regional totals ``T[r]`` only.

Three kinds of set are known:

``"eco-nace2"``
    the project's own approximation of the European Cluster Observatory's 38 traded categories (2007) on the
    NACE Rev. 2 codes of Eurostat's regional SBS, shipped with clustermap (CC BY 4.0). See
    ``definitions/data/eco-nace2.toml`` for what the approximation loses.
``"uscmp"``
    the US Cluster Mapping benchmark definitions on NAICS 2012 (51 traded and 16 local clusters), read from the
    data mirror or the publisher, never shipped (personal, non-commercial licence). See :func:`load_uscmp`.
a path to a CSV file
    a user's own set with the columns of ``definitions/data/category_set.schema.json``, optionally with a TOML
    file of the same stem next to it for metadata (name, version, source, licence …).

``--categories none`` is :func:`identity_category_set`: every industry its own traded category.
:func:`load_size_classes` (CBP withheld-cell size classes) is re-exported here from
:mod:`clustermap.definitions.size_classes`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.definitions.size_classes import load_size_classes
from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    SchemaError,
    SourceError,
    UnknownNameError,
    ValueValidationError,
)
from clustermap.provenance import sha256_file
from clustermap.settings import get_settings

__all__ = [
    "CROSSWALK_COLUMNS",
    "USCMP_CREDIT",
    "CategorySet",
    "available_category_sets",
    "category_set_schema",
    "identity_category_set",
    "load_category_set",
    "load_cluster_relatedness",
    "load_size_classes",
    "load_uscmp",
    "read_category_csv",
    "resolve_categories",
    "slugify",
]

#: Columns of :attr:`CategorySet.crosswalk`, in this order (``industry_title`` is informative, may be empty).
CROSSWALK_COLUMNS = ("industry", "category", "category_name", "traded", "share", "industry_title")

#: Credit line the US Cluster Mapping terms of use require next to anything derived from its data.
USCMP_CREDIT = (
    "Source: U.S. Cluster Mapping, Institute for Strategy and Competitiveness, Harvard Business School. "
    "Copyright © 2018 President and Fellows of Harvard College. All rights reserved."
)
USCMP_LICENCE = (
    "U.S. Cluster Mapping Terms of Use: a personal, non-commercial, limited licence; no redistribution without "
    "consent. clustermap does not ship or redistribute these definitions: it reads them from the local data "
    "mirror or the publisher at run time."
)
USCMP_SOURCE = (
    "U.S. Cluster Mapping Project (clustermapping.us), Institute for Strategy and Competitiveness, Harvard "
    "Business School: benchmark cluster definitions on NAICS 2012 (Delgado, M., Porter, M. E. and Stern, S. "
    "(2016), Defining clusters of related industries, Journal of Economic Geography 16(1): 1-38)"
)

_DATA = "data"
_USCMP = "uscmp"
_NONE_HINT = "none"
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
#: tolerance on "shares of one industry sum to at most 1" (shares are decimal text)
_SHARE_TOLERANCE = 1e-9


# ---------------------------------------------------------------------------------------------- the record


def _empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})


@dataclass(frozen=True, eq=False, repr=False)
class CategorySet:
    """A named, versioned mapping of industry codes to cluster categories.

    Attributes
    ----------
    name : str
        Identifier of the set (``"eco-nace2"``, ``"uscmp"``, ``"none"``, or a user file's stem).
    version : str
        Version of the definition (e.g. ``"2026.1"``); for a user file without metadata, ``"sha256:<12 hex>"``.
    crosswalk : pandas.DataFrame
        One row per (industry, category) with the columns :data:`CROSSWALK_COLUMNS`: ``industry`` (str, the
        code as published), ``category`` (str, slug), ``category_name`` (str), ``traded`` (bool), ``share``
        (float in (0, 1]: fraction of the industry's employment counted in the category; the shares of one
        industry sum to at most 1) and ``industry_title`` (str, informative, may be empty).
    categories : pandas.DataFrame
        One row per category: ``category``, ``category_name``, ``traded``; sets add informative columns
        (``merged_from`` and ``partial`` for eco-nace2, ``cluster_code`` for uscmp).
    source : str
        Where the definition comes from (publication, dataset, file).
    licence : str
        Reuse terms of the definition.
    credit : str or None
        Credit line to print next to any result derived from the set, when its licence requires one.
    industry_classification : str
        Classification of the ``industry`` codes, e.g. ``"NACE Rev. 2 (SBS codes)"`` or ``"NAICS 2012"``.
    title, description, citation : str
        Human-readable metadata (may be empty).
    originals : tuple of str
        Categories of the source definition this set approximates (the 38 ECO 2007 categories for eco-nace2);
        each is in the ``merged_from`` of one category or listed in ``uncovered``. Empty when not applicable.
    uncovered : pandas.DataFrame
        ``original``, ``reason``: source categories this set cannot represent (e.g. no data for their codes).
    skipped : pandas.DataFrame
        ``industry``, ``industry_title``, ``reason``: rows of the source file that are not in the crosswalk (e.g.
        industries the US Cluster Mapping leaves unassigned); ``len(skipped)`` is their count.
    checksum : str or None
        SHA-256 of the file the crosswalk was read from.
    """

    name: str
    version: str
    crosswalk: pd.DataFrame
    categories: pd.DataFrame
    source: str
    licence: str
    credit: str | None = None
    industry_classification: str = ""
    title: str = ""
    description: str = ""
    citation: str = ""
    originals: tuple[str, ...] = ()
    uncovered: pd.DataFrame = field(default_factory=lambda: _empty_frame(("original", "reason")))
    skipped: pd.DataFrame = field(default_factory=lambda: _empty_frame(("industry", "industry_title", "reason")))
    checksum: str | None = None

    @property
    def traded_categories(self) -> list[str]:
        """Slugs of the traded categories, in the set's order."""
        return self.categories.loc[self.categories["traded"], "category"].tolist()

    @property
    def local_categories(self) -> list[str]:
        """Slugs of the local (non-traded) categories, in the set's order."""
        return self.categories.loc[~self.categories["traded"], "category"].tolist()

    @property
    def industries(self) -> list[str]:
        """Industry codes the crosswalk uses, each once, in crosswalk order."""
        return self.crosswalk["industry"].drop_duplicates().tolist()

    def provenance(self) -> dict[str, object]:
        """What a result must record about the category set it used (JSON-serialisable)."""
        return {
            "name": self.name,
            "version": self.version,
            "industry_classification": self.industry_classification,
            "source": self.source,
            "licence": self.licence,
            "credit": self.credit,
            "checksum": self.checksum,
            "industries": len(self.industries),
            "categories": len(self.categories),
            "traded_categories": len(self.traded_categories),
            "skipped_rows": len(self.skipped),
        }

    def __repr__(self) -> str:
        return (
            f"CategorySet(name={self.name!r}, version={self.version!r}, "
            f"industry_classification={self.industry_classification!r}, industries={len(self.industries)}, "
            f"traded={len(self.traded_categories)}, local={len(self.local_categories)})"
        )


# ---------------------------------------------------------------------------------------------- helpers


def slugify(text: str) -> str:
    """A lower-case ASCII slug: ``"Aerospace Vehicles and Defense"`` → ``"aerospace-vehicles-and-defense"``.

    Accents are dropped, ``&`` becomes ``and``, every run of other characters becomes one hyphen.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("&", " and ").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


@lru_cache(maxsize=1)
def category_set_schema() -> dict[str, Any]:
    """The JSON schema of a category-set file (``definitions/data/category_set.schema.json``)."""
    text = resources.files(__package__).joinpath(_DATA, "category_set.schema.json").read_text("utf-8")
    return json.loads(text)


def _packaged_names() -> list[str]:
    folder = resources.files(__package__).joinpath(_DATA)
    return sorted(
        entry.name[: -len(".toml")]
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and folder.joinpath(entry.name[: -len(".toml")] + ".csv").is_file()
    )


def available_category_sets() -> list[str]:
    """Names :func:`load_category_set` resolves: the packaged sets and ``"uscmp"``.

    ``"none"`` (no grouping) is not a stored set; build it with :func:`identity_category_set`.
    """
    from clustermap.classifications import DERIVED_CATEGORY_SETS

    return sorted({*_packaged_names(), _USCMP, *DERIVED_CATEGORY_SETS})


def _parse_bool(text: str) -> bool | None:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return None


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------------- CSV files


def _read_records(path: Path) -> tuple[list[str], int, list[list[str]], list[int]]:
    """Header, header line, data records and their 1-based first lines; blank lines are skipped."""
    header: list[str] | None = None
    header_line = 1
    records: list[list[str]] = []
    lines: list[int] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            start = 1
            try:
                for record in reader:
                    line, start = start, reader.line_num + 1
                    if not any(cell.strip() for cell in record):
                        continue
                    if header is None:
                        header, header_line = [cell.strip() for cell in record], line
                        continue
                    if len(record) != len(header):
                        raise SchemaError(
                            f"row has {len(record)} cells but the header has {len(header)} columns",
                            file=path,
                            line=line,
                        )
                    records.append([cell.strip() for cell in record])
                    lines.append(line)
            except csv.Error as exc:
                raise CorruptFileError(f"not a readable CSV file ({exc})", file=path, line=start) from exc
    except UnicodeDecodeError as exc:
        raise CorruptFileError("not UTF-8 text", file=path) from exc
    if header is None:
        raise EmptyInputError("empty file: no header line", file=path)
    return header, header_line, records, lines


def _fail(
    cls: type, message: str, path: Path, frame: pd.DataFrame, mask: pd.Series, column: str, value: object = None
) -> None:
    """Raise ``cls`` at the first row of ``mask`` (in file order), counting the others of the same kind."""
    if not mask.any():
        return
    first = mask[mask].index[0]
    raise cls(
        message,
        file=path,
        line=int(frame.at[first, "_line"]),
        column=column,
        value=frame.at[first, column] if value is None else value,
        more=int(mask.sum()) - 1,
    )


def read_category_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a category-set CSV against :func:`category_set_schema`.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, header line first; a byte-order mark is accepted).

    Returns
    -------
    pandas.DataFrame
        Every schema column (absent optional ones filled with their defaults; ``category_name`` defaults to
        ``category``), typed: ``traded`` bool, ``share`` float64, the rest str; plus ``_line``, the 1-based file
        line of each row.

    Raises
    ------
    EmptyInputError
        no header or no data rows.
    SchemaError
        a required column is missing, a column is unknown or repeated, a row has the wrong number of cells.
    ValueValidationError
        a blank or malformed code, ``traded`` not a boolean, ``share`` not a number in (0, 1], the shares of one
        industry summing to more than 1, or a category with two names or two traded values.
    DuplicateKeyError
        two rows share (industry, category).
    CorruptFileError
        the file is not UTF-8 text or not CSV.
    """
    path = Path(path)
    schema = category_set_schema()
    items = schema["items"]
    properties: dict[str, dict[str, Any]] = items["properties"]
    required: list[str] = list(items["required"])
    header, header_line, records, lines = _read_records(path)

    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SchemaError("column appears twice in the header", file=path, line=header_line, column=name)
        seen.add(name)
    missing = [c for c in required if c not in header]
    if missing:
        raise SchemaError(
            f"missing required column(s) {', '.join(missing)}; found {', '.join(header) or 'none'}",
            file=path,
            line=header_line,
            column=missing[0],
        )
    unknown = [c for c in header if c not in properties]
    if unknown and items.get("additionalProperties") is False:
        raise SchemaError(
            f"unknown column; a category-set file has the columns {', '.join(properties)}",
            file=path,
            line=header_line,
            column=unknown[0],
        )
    if not records:
        raise EmptyInputError("no data rows", file=path)

    raw = pd.DataFrame(records, columns=header, dtype=object)
    raw["_line"] = lines
    out = pd.DataFrame({"_line": raw["_line"]})
    for column, spec in properties.items():
        present = column in raw.columns
        text = raw[column] if present else pd.Series("", index=raw.index, dtype=object)
        blank = text == ""
        kind = spec.get("type")
        if column in required:
            _fail(ValueValidationError, "must not be blank", path, raw, blank, column)
        if kind == "string":
            if "minLength" in spec and column in required:
                _fail(ValueValidationError, "too short", path, raw, text.str.len() < spec["minLength"], column)
            if "pattern" in spec:
                bad = ~blank & ~text.str.fullmatch(spec["pattern"])
                _fail(ValueValidationError, f"must match {spec['pattern']}", path, raw, bad, column)
            out[column] = text.where(~blank, spec.get("default", "")).astype(str)
        elif kind == "boolean":
            parsed = text.map(_parse_bool)
            _fail(ValueValidationError, "not a boolean (true/false or 1/0)", path, raw, parsed.isna(), column)
            out[column] = parsed.astype(bool)
        elif kind == "number":
            default = spec.get("default")
            parsed = text.map(lambda t, d=default: _parse_number(t) if t else d)
            _fail(ValueValidationError, "not a number", path, raw, parsed.isna(), column)
            values = parsed.astype("float64")
            low, high = spec.get("exclusiveMinimum"), spec.get("maximum")
            if low is not None:
                _fail(ValueValidationError, f"must be greater than {low}", path, raw, values <= low, column)
            if high is not None:
                _fail(ValueValidationError, f"must be at most {high}", path, raw, values > high, column)
            out[column] = values
        else:  # pragma: no cover - the packaged schema only uses the three types above
            raise SchemaError(f"unsupported schema type {kind!r}", column=column)
    blank_name = out["category_name"] == ""
    out.loc[blank_name, "category_name"] = out.loc[blank_name, "category"]
    _check_table_rules(out, path, schema)
    return out


def _check_table_rules(frame: pd.DataFrame, path: Path, schema: Mapping[str, Any]) -> None:
    """The array-level rules: unique key, per-industry share sum, one name and one traded value per category."""
    key = list(schema.get("x-unique", ("industry", "category")))
    dup = frame.duplicated(key, keep="first")
    if dup.any():
        first = dup[dup].index[0]
        raise DuplicateKeyError(
            "duplicate key (" + ", ".join(f"{k}={frame.at[first, k]}" for k in key) + ")",
            file=path,
            line=int(frame.at[first, "_line"]),
            column=key[0],
            value=frame.at[first, key[0]],
            more=int(dup.sum()) - 1,
        )
    rule = schema.get("x-max-sum", {"group_by": "industry", "column": "share", "maximum": 1.0})
    running = frame.groupby(rule["group_by"], sort=False)[rule["column"]].cumsum()
    over = running > rule["maximum"] + _SHARE_TOLERANCE
    if over.any():
        first = over[over].index[0]
        group = frame.at[first, rule["group_by"]]
        raise ValueValidationError(
            f"the {rule['column']}s of {rule['group_by']} {group!r} sum to {running[first]:g}, "
            f"more than {rule['maximum']:g}",
            file=path,
            line=int(frame.at[first, "_line"]),
            column=rule["column"],
            value=frame.at[first, rule["column"]],
        )
    for column in ("category_name", "traded"):
        expected = frame.groupby("category", sort=False)[column].transform("first")
        _fail(
            ValueValidationError,
            f"category has another {column} on an earlier line",
            path,
            frame,
            frame[column] != expected,
            column,
        )


def _crosswalk_from(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(CROSSWALK_COLUMNS)].reset_index(drop=True).copy()
    for column in ("industry", "category", "category_name", "industry_title"):
        out[column] = out[column].astype(str)
    out["traded"] = out["traded"].astype(bool)
    out["share"] = out["share"].astype("float64")
    return out


def _categories_from(crosswalk: pd.DataFrame) -> pd.DataFrame:
    return crosswalk.drop_duplicates("category")[["category", "category_name", "traded"]].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- metadata


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CorruptFileError(f"not valid TOML ({exc})", file=path) from exc


def _apply_metadata(
    meta: Mapping[str, Any], meta_path: Path, frame: pd.DataFrame, crosswalk: pd.DataFrame
) -> tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame]:
    """Check the sidecar's categories, originals and uncovered lists against the CSV; build the frames."""
    categories = _categories_from(crosswalk)
    listed = meta.get("categories")
    if listed:
        rows = []
        for position, entry in enumerate(listed, start=1):
            for needed in ("slug", "name", "traded"):
                if needed not in entry:
                    raise SchemaError(
                        f"[[categories]] entry {position} has no {needed!r}", file=meta_path, column=needed
                    )
            if not isinstance(entry["traded"], bool):
                raise SchemaError(
                    f"[[categories]] entry {position}: traded must be true or false (a TOML boolean)",
                    file=meta_path,
                    column="traded",
                    value=entry["traded"],
                )
            rows.append(
                {
                    "category": str(entry["slug"]),
                    "category_name": str(entry["name"]),
                    "traded": bool(entry["traded"]),
                    "merged_from": "|".join(entry.get("merged_from", [])),
                    "partial": str(entry.get("partial", "")),
                }
            )
        listed_frame = pd.DataFrame(rows)
        if listed_frame["category"].duplicated().any():
            slug = listed_frame.loc[listed_frame["category"].duplicated(), "category"].iloc[0]
            raise DuplicateKeyError("category listed twice", file=meta_path, column="slug", value=slug)
        in_csv, in_toml = set(categories["category"]), set(listed_frame["category"])
        if in_csv != in_toml:
            odd = sorted(in_csv ^ in_toml)
            raise ValueValidationError(
                "the categories of the TOML file and of the CSV file differ", file=meta_path, value=odd[0]
            )
        merged = categories.merge(listed_frame, on="category", suffixes=("", "_toml"))
        for column in ("category_name", "traded"):
            bad = merged[column] != merged[f"{column}_toml"]
            if bad.any():
                slug = merged.loc[bad, "category"].iloc[0]
                raise ValueValidationError(
                    f"category {slug!r} has another {column} in the CSV file", file=meta_path, value=slug
                )
        if (frame["merged_from"] != "").any():
            csv_merged = frame.drop_duplicates("category").set_index("category")["merged_from"]
            bad = merged["merged_from"] != merged["category"].map(csv_merged)
            if bad.any():
                slug = merged.loc[bad, "category"].iloc[0]
                raise ValueValidationError(
                    f"category {slug!r} has another merged_from in the CSV file", file=meta_path, value=slug
                )
        categories = listed_frame
    uncovered = pd.DataFrame(
        [{"original": str(u["original"]), "reason": str(u.get("reason", ""))} for u in meta.get("uncovered", [])],
        columns=["original", "reason"],
    ).astype(str)
    originals = tuple(str(o) for o in meta.get("originals", ()))
    if originals:
        accounted: list[str] = [o for m in categories.get("merged_from", []) for o in m.split("|") if o]
        accounted += uncovered["original"].tolist()
        twice = sorted({o for o in accounted if accounted.count(o) > 1})
        if twice:
            raise ValueValidationError("an original category is accounted for twice", file=meta_path, value=twice[0])
        if set(accounted) != set(originals):
            odd = sorted(set(accounted) ^ set(originals))
            raise ValueValidationError(
                "originals, merged_from and uncovered do not match", file=meta_path, value=odd[0]
            )
    return categories.reset_index(drop=True), originals, uncovered


def _load_csv_set(path: Path, *, default_name: str | None = None, meta_path: Path | None = None) -> CategorySet:
    """A category set from a CSV file and its optional TOML metadata (default: same stem, next to it)."""
    frame = read_category_csv(path)
    crosswalk = _crosswalk_from(frame)
    meta_path = meta_path if meta_path is not None else path.with_suffix(".toml")
    meta = _read_toml(meta_path) if meta_path.is_file() else {}
    categories, originals, uncovered = _apply_metadata(meta, meta_path, frame, crosswalk)
    checksum = sha256_file(path)
    return CategorySet(
        name=str(meta.get("name", default_name or path.stem)),
        version=str(meta.get("version", f"sha256:{checksum[:12]}")),
        crosswalk=crosswalk,
        categories=categories,
        source=str(meta.get("source", str(path))),
        licence=str(meta.get("licence", "unknown (user-supplied file)")),
        credit=meta.get("credit"),
        industry_classification=str(meta.get("industry_classification", "unknown")),
        title=str(meta.get("title", "")),
        description=str(meta.get("description", "")).strip(),
        citation=str(meta.get("citation", "")),
        originals=originals,
        uncovered=uncovered,
        checksum=checksum,
    )


# ---------------------------------------------------------------------------------------------- entry points


def load_category_set(name_or_path: str | Path, *, mirror: Path | None = None) -> CategorySet:
    """Load a category set by name or from a CSV file.

    Parameters
    ----------
    name_or_path : str or Path
        ``"eco-nace2"`` (packaged with clustermap), ``"uscmp"`` (US Cluster Mapping, from the data mirror or the
        publisher; see :func:`load_uscmp`), or the path of a CSV file laid out as
        ``definitions/data/category_set.schema.json`` describes (metadata in an optional TOML file of the same
        stem).
    mirror : Path, optional
        Data mirror to read ``"uscmp"`` from; default: the configured mirror
        (:meth:`clustermap.settings.Settings.mirror`).

    Returns
    -------
    CategorySet

    Raises
    ------
    UnknownNameError
        ``name_or_path`` is neither a known name nor looks like a file path; the message lists the known names.
    SourceError
        the file does not exist, or the uscmp source is neither in the mirror nor downloadable.
    SchemaError, ValueValidationError, DuplicateKeyError, EmptyInputError, CorruptFileError
        the file breaks the schema (the message names file, line, column and value).
    """
    # category sets derived at load time from public classification tables in the mirror (EU-US common set…)
    from clustermap.classifications import derived_category_set

    derived = derived_category_set(name_or_path, mirror=mirror)
    if derived is not None:
        return derived
    known = available_category_sets()
    if isinstance(name_or_path, str) and name_or_path in known:
        if name_or_path == _USCMP:
            return load_uscmp(mirror)
        folder = resources.files(__package__).joinpath(_DATA)
        with (
            resources.as_file(folder.joinpath(f"{name_or_path}.csv")) as path,
            resources.as_file(folder.joinpath(f"{name_or_path}.toml")) as meta_path,
        ):
            return _load_csv_set(Path(path), default_name=name_or_path, meta_path=Path(meta_path))
    text = str(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, Path)
        or text.lower().endswith(".csv")
        or "/" in text
        or os.sep in text
        or Path(text).exists()
    )
    if not looks_like_path:
        hint = (
            "; for no grouping (each industry its own category) use identity_category_set()"
            if text.lower() == _NONE_HINT
            else ""
        )
        raise UnknownNameError(
            f"unknown category set {text!r}; known: {', '.join(known)}, or the path of a CSV file{hint}"
        )
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        raise SourceError(f"category-set file not found: {path}")
    return _load_csv_set(path)


def resolve_categories(categories: Any, industries: Iterable[str], *, mirror: Path | None = None) -> Any:
    """A category set from a name (``eco-nace2``, ``uscmp``), a file path, ``none`` (each industry its own
    category) or a :class:`~clustermap.definitions.categories.CategorySet`."""
    if isinstance(categories, CategorySet):
        return categories
    if categories is None or str(categories) == "none":
        return identity_category_set(industries)
    return load_category_set(categories, mirror=mirror)


def identity_category_set(industries: Iterable[str]) -> CategorySet:
    """The trivial set behind ``--categories none``: every industry is its own traded category (share 1).

    Parameters
    ----------
    industries : iterable of str
        Industry codes as the data publish them; repeated codes are kept once, in first-seen order.

    Returns
    -------
    CategorySet
        ``name="none"``, ``category == category_name == industry``, ``traded`` True, ``share`` 1.0.

    Raises
    ------
    ValueValidationError
        an industry code is blank or not a string.
    EmptyInputError
        no industries were given.
    """
    codes: list[str] = []
    seen: set[str] = set()
    for position, code in enumerate(industries, start=1):
        if not isinstance(code, str) or not code.strip():
            raise ValueValidationError(
                f"industry code number {position} is blank or not a string", column="industry", value=code
            )
        code = code.strip()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    if not codes:
        raise EmptyInputError("no industries to build the identity category set from")
    crosswalk = pd.DataFrame(
        {
            "industry": codes,
            "category": codes,
            "category_name": codes,
            "traded": True,
            "share": 1.0,
            "industry_title": "",
        }
    )
    crosswalk = _crosswalk_from(crosswalk)
    return CategorySet(
        name="none",
        version="1",
        crosswalk=crosswalk,
        categories=_categories_from(crosswalk),
        source="identity: each industry is its own traded category (--categories none)",
        licence="not applicable",
        industry_classification="as the input",
    )


# ---------------------------------------------------------------------------------------------- US CMP


def _resolve_source(dataset_id: str, mirror_path: str, mirror: Path | None, download: bool | None) -> Path:
    """A local file for a catalog dataset: through clustermap.sources.fetch when it exists, else the mirror."""
    try:
        from clustermap.sources.fetch import resolve
    except ImportError:
        resolve = None
    if resolve is not None:
        return Path(resolve(dataset_id, mirror=mirror, download=download))
    base = mirror if mirror is not None else get_settings().mirror()
    if base is None:
        raise SourceError(f"{dataset_id}: no data mirror configured (set CLUSTERMAP_DATA_DIR) and no downloader")
    path = Path(base) / mirror_path
    if not path.is_file():
        raise SourceError(f"{dataset_id}: {mirror_path} is not in the data mirror {base}")
    return path


_USCMP_XLSX_COLUMNS = {
    "NAICS": "naics",
    "TradedLocal": "traded_local",
    "Cluster": "cluster_name",
    "SubclusterName": "subcluster_name",
    "EmsiSpecificNAICS (non standard)": "non_standard_naics",
    "Description": "naics_title",
}


def _read_uscmp_table(path: Path) -> pd.DataFrame:
    """The NAICS → cluster table as strings: the mirror CSV, or the publisher's NoCo REDI workbook."""
    if path.suffix.lower() in {".xlsx", ".xls"}:
        try:
            table = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl").fillna("")
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise CorruptFileError(f"not a readable workbook ({exc})", file=path) from exc
        table.columns = [str(c).strip() for c in table.columns]
        table = table.rename(columns=_USCMP_XLSX_COLUMNS)
    else:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise CorruptFileError(f"not a readable CSV file ({exc})", file=path) from exc
    table = table.apply(lambda s: s.astype(str).str.strip())
    table["_line"] = range(2, len(table) + 2)
    return table


def load_uscmp(
    mirror: Path | None = None, *, include_non_standard: bool = False, download: bool | None = None
) -> CategorySet:
    """The US Cluster Mapping benchmark cluster definitions as a category set (NAICS 2012, 6-digit).

    Reads ``us/clusters/cmp_naics2012_to_cluster.csv`` of the data mirror, or the publisher's workbook through
    :func:`clustermap.sources.fetch.resolve` (dataset ``uscmp:naics2012_to_cluster``). Nothing is shipped with
    clustermap: the definitions are licensed for personal, non-commercial use and must be credited with
    :data:`USCMP_CREDIT`.

    Parameters
    ----------
    mirror : Path, optional
        Data mirror; default: the configured one.
    include_non_standard : bool, default False
        Also map the 37 non-standard rows the NoCo REDI authors added (NAICS 2017 codes that replaced 2012 ones,
        farming aggregates, rail, postal, funds, government education and hospitals), so that NAICS 2017 data
        (e.g. CBP 2017+) map completely. Government rows without a CMP cluster stay out (``skipped``).
    download : bool, optional
        Allow a download from the publisher when the mirror lacks the file (default: the ``download`` setting).

    Returns
    -------
    CategorySet
        ``name="uscmp"``; ``industry`` = 6-digit NAICS, ``category`` = slug of the cluster name (e.g.
        ``aerospace-vehicles-and-defense``), ``traded`` = the cluster is traded (51 traded, 16 local clusters),
        ``share`` 1.0. ``categories`` carries the CMP ``cluster_code`` (traded 1–51, local 101–116; missing when
        read from the publisher's workbook, which has no codes). ``skipped`` lists the rows left out: unassigned
        industries (814110 Private Households) and, by default, the non-standard rows.

    Raises
    ------
    SourceError
        the file is neither in the mirror nor downloadable.
    SchemaError, ValueValidationError, DuplicateKeyError
        the file is not laid out as expected.
    """
    path = _resolve_source("uscmp:naics2012_to_cluster", "us/clusters/cmp_naics2012_to_cluster.csv", mirror, download)
    table = _read_uscmp_table(path)
    needed = ("naics", "naics_title", "traded_local", "cluster_name", "non_standard_naics")
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=1, column=missing[0])
    has_codes = "cluster_code" in table.columns
    non_standard = table["non_standard_naics"].str.lower().isin(_TRUE)
    unassigned = table["cluster_name"] == ""
    if has_codes:
        unassigned |= table["cluster_code"] == ""
    else:  # the workbook names government groupings that are not CMP clusters
        unassigned |= table["cluster_name"].str.endswith("Government Services")
    skip_non_standard = non_standard & ~include_non_standard
    skip_unassigned = unassigned & ~skip_non_standard
    skipped = pd.concat(
        [
            table.loc[skip_non_standard, ["naics", "naics_title"]].assign(
                reason="non-standard code (NAICS 2017 or government extra of the NoCo REDI workbook)"
            ),
            table.loc[skip_unassigned, ["naics", "naics_title"]].assign(reason="not assigned to a CMP cluster"),
        ]
    ).rename(columns={"naics": "industry", "naics_title": "industry_title"})
    kept = table.loc[~(skip_non_standard | skip_unassigned)].copy()

    _fail(
        ValueValidationError,
        "not a 6-digit NAICS code",
        path,
        kept,
        ~kept["naics"].str.fullmatch(r"\d{6}"),
        "naics",
    )
    _fail(
        ValueValidationError,
        "must be Traded or Local",
        path,
        kept,
        ~kept["traded_local"].isin(["Traded", "Local"]),
        "traded_local",
    )
    dup = kept["naics"].duplicated()
    _fail(DuplicateKeyError, "NAICS code appears twice", path, kept, dup, "naics")
    kept["category"] = kept["cluster_name"].map(slugify)
    kept["traded"] = kept["traded_local"] == "Traded"
    for column in ("traded", "cluster_name"):
        expected = kept.groupby("category", sort=False)[column].transform("first")
        _fail(
            ValueValidationError,
            f"cluster has another {column} on an earlier line",
            path,
            kept,
            kept[column] != expected,
            column,
        )

    crosswalk = _crosswalk_from(
        kept.rename(columns={"naics": "industry", "cluster_name": "category_name", "naics_title": "industry_title"})
        .assign(share=1.0)
        .sort_values("industry", kind="stable")
    )
    categories = kept.drop_duplicates("category")[["category", "cluster_name", "traded"]].rename(
        columns={"cluster_name": "category_name"}
    )
    if has_codes:
        codes = kept.drop_duplicates("category").set_index("category")["cluster_code"]
        categories["cluster_code"] = categories["category"].map(codes).astype("Int64")
        categories = categories.sort_values("cluster_code", kind="stable")
    else:
        categories["cluster_code"] = pd.array([pd.NA] * len(categories), dtype="Int64")
        categories = categories.sort_values(["traded", "category"], ascending=[False, True], kind="stable")
    return CategorySet(
        name=_USCMP,
        version="naics2012+nonstandard" if include_non_standard else "naics2012",
        crosswalk=crosswalk,
        categories=categories.reset_index(drop=True),
        source=USCMP_SOURCE,
        licence=USCMP_LICENCE,
        credit=USCMP_CREDIT,
        industry_classification=(
            "NAICS 2012 (with NAICS 2017 replacements and extras)" if include_non_standard else "NAICS 2012"
        ),
        title="U.S. Cluster Mapping benchmark clusters (51 traded, 16 local)",
        description=(
            "Delgado, Porter and Stern (2016) benchmark cluster definitions as published by the U.S. Cluster "
            "Mapping Project on 6-digit NAICS 2012."
        ),
        citation=USCMP_CREDIT,
        skipped=skipped.reset_index(drop=True).astype(str),
        checksum=sha256_file(path),
    )


def load_cluster_relatedness(
    mirror: Path | None = None, *, include_self: bool = False, download: bool | None = None
) -> pd.DataFrame:
    """US Cluster Mapping relatedness of pairs of traded clusters (the "related clusters" of the CMP site).

    Reads ``us/clusters/cmp_related_clusters.csv`` of the data mirror, or the publisher's JSON through
    :func:`clustermap.sources.fetch.resolve` (dataset ``uscmp:related_clusters``). Credit with
    :data:`USCMP_CREDIT` (also in ``frame.attrs["credit"]``); never redistribute.

    Parameters
    ----------
    mirror : Path, optional
        Data mirror; default: the configured one.
    include_self : bool, default False
        Keep the 51 pairs of a cluster with itself (the source lists all 51 × 51 ordered pairs).
    download : bool, optional
        Allow a download from the publisher when the mirror lacks the file.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair, both directions (the measure is symmetric up to rounding in the source):
        ``cluster_a``, ``cluster_b`` (slugs as in :func:`load_uscmp`), ``cluster_code_a``, ``cluster_code_b``
        (int64, CMP codes 1–51), ``related`` (bool, CMP's ``rel_all_90_v3``: related at the 90th-percentile cut),
        ``score`` (float, ``cr_all``: overall relatedness from co-location, input–output and occupation links,
        unitless) and ``percentile`` (float 0–100, ``cr_all_pc``: percentile of ``score`` among all pairs).

    Raises
    ------
    SourceError
        the file is neither in the mirror nor downloadable.
    SchemaError, ValueValidationError
        the file is not laid out as expected.
    """
    path = _resolve_source("uscmp:related_clusters", "us/clusters/cmp_related_clusters.csv", mirror, download)
    try:
        if path.suffix.lower() == ".json":
            table = pd.DataFrame(json.loads(path.read_text("utf-8"))).astype(str)
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(f"not a readable table ({exc})", file=path) from exc
    table["_line"] = range(2, len(table) + 2)
    needed = ("cluster_code", "cluster_name", "cluster_code_2", "cluster_name_2", "rel_all_90_v3", "cr_all")
    needed += ("cr_all_pc",)
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(f"missing column(s) {', '.join(missing)}", file=path, line=1, column=missing[0])
    numbers = {}
    for column in ("cluster_code", "cluster_code_2", "rel_all_90_v3", "cr_all", "cr_all_pc"):
        numbers[column] = pd.to_numeric(table[column].str.strip(), errors="coerce")
        _fail(ValueValidationError, "not a number", path, table, numbers[column].isna(), column)
    _fail(
        ValueValidationError,
        "must be 0 or 1",
        path,
        table,
        ~numbers["rel_all_90_v3"].isin([0, 1]),
        "rel_all_90_v3",
    )
    out = pd.DataFrame(
        {
            "cluster_a": table["cluster_name"].map(slugify),
            "cluster_b": table["cluster_name_2"].map(slugify),
            "cluster_code_a": numbers["cluster_code"].astype("int64"),
            "cluster_code_b": numbers["cluster_code_2"].astype("int64"),
            "related": numbers["rel_all_90_v3"] == 1,
            "score": numbers["cr_all"].astype("float64"),
            "percentile": numbers["cr_all_pc"].astype("float64"),
        }
    )
    if not include_self:
        out = out[out["cluster_code_a"] != out["cluster_code_b"]]
    out = out.sort_values(["cluster_code_a", "cluster_code_b"], kind="stable").reset_index(drop=True)
    out.attrs.update({"credit": USCMP_CREDIT, "licence": USCMP_LICENCE, "file": str(path), "sha256": sha256_file(path)})
    return out
