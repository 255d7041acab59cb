"""The category-set record (:class:`CategorySet`) and how one is read from a CSV file with its TOML metadata.

The names a user gives (``eco-nace2``, ``uscmp``, the derived sets, a path) are resolved by
:func:`clustermap.definitions.categories.load_category_set`; this module is what every kind of set is built on.
"""

from __future__ import annotations

import csv
import json
import math
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

from clustermap.errors import (
    CorruptFileError,
    DuplicateKeyError,
    EmptyInputError,
    SchemaError,
    ValueValidationError,
)
from clustermap.provenance import sha256_file

__all__ = [
    "CROSSWALK_COLUMNS",
    "CategorySet",
    "category_set_schema",
    "identity_category_set",
    "load_packaged_set",
    "read_category_csv",
    "slugify",
]

#: Columns of :attr:`CategorySet.crosswalk`, in this order (``industry_title`` is informative, may be empty).
CROSSWALK_COLUMNS = ("industry", "category", "category_name", "traded", "share", "industry_title")


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


def _fail_inconsistent(frame: pd.DataFrame, path: Path, columns: tuple[str, ...], what: str) -> None:
    """``ValueValidationError`` at the first row whose value of one of ``columns`` differs from the one an earlier
    row of the same ``category`` gave (``what`` names the category in the message)."""
    for column in columns:
        expected = frame.groupby("category", sort=False)[column].transform("first")
        message = f"{what} has another {column} on an earlier line"
        _fail(ValueValidationError, message, path, frame, frame[column] != expected, column)


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
    _fail_inconsistent(frame, path, ("category_name", "traded"), "category")


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


def load_packaged_set(name: str) -> CategorySet:
    """A category set shipped with clustermap (``definitions/data/<name>.csv`` and its ``.toml``), by name."""
    folder = resources.files("clustermap.definitions").joinpath(_DATA)
    with (
        resources.as_file(folder.joinpath(f"{name}.csv")) as path,
        resources.as_file(folder.joinpath(f"{name}.toml")) as meta_path,
    ):
        return _load_csv_set(Path(path), default_name=name, meta_path=Path(meta_path))
