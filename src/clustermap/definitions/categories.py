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
:mod:`clustermap.classifications.size_classes`. The record and the CSV reader are in :mod:`.category_set`, the US
Cluster Mapping reader in :mod:`.uscmp`, the sets derived from classification tables in :mod:`.derived`, the
cluster relatedness in :mod:`.relatedness`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from clustermap.classifications.size_classes import load_size_classes
from clustermap.definitions.category_set import (
    _NONE_HINT,
    _USCMP,
    CROSSWALK_COLUMNS,
    CategorySet,
    _load_csv_set,
    _packaged_names,
    category_set_schema,
    identity_category_set,
    load_packaged_set,
    read_category_csv,
    slugify,
)
from clustermap.definitions.derived import DERIVED_CATEGORY_SETS, derived_category_set
from clustermap.definitions.uscmp import USCMP_CREDIT, load_uscmp
from clustermap.errors import (
    SourceError,
    UnknownNameError,
)

__all__ = [
    "CROSSWALK_COLUMNS",
    "USCMP_CREDIT",
    "CategorySet",
    "available_category_sets",
    "category_set_schema",
    "identity_category_set",
    "load_category_set",
    "load_size_classes",
    "load_uscmp",
    "read_category_csv",
    "resolve_categories",
    "slugify",
]


def available_category_sets() -> list[str]:
    """Names :func:`load_category_set` resolves: the packaged sets and ``"uscmp"``.

    ``"none"`` (no grouping) is not a stored set; build it with :func:`identity_category_set`.
    """
    return sorted({*_packaged_names(), _USCMP, *DERIVED_CATEGORY_SETS})


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
    derived = derived_category_set(name_or_path, mirror=mirror)
    if derived is not None:
        return derived
    known = available_category_sets()
    if isinstance(name_or_path, str) and name_or_path in known:
        if name_or_path == _USCMP:
            return load_uscmp(mirror)
        return load_packaged_set(name_or_path)
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
