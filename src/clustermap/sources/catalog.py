"""The source catalog: which publisher files clustermap reads, where they live, and how to credit them.

The catalog is data (``datasets.toml`` next to this module), read once with :mod:`tomllib` into frozen
:class:`Dataset` records. Look a dataset up with :func:`get`; list them with :func:`datasets` or :func:`ids`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

from clustermap.errors import ParameterError, UnknownNameError

#: formats a catalog entry may declare (of its mirror file, or of what its URL returns)
FORMATS = frozenset(
    {
        "eurostat-tsv",
        "sdmx-csv",
        "cbp-state-csv",
        "cbp-state-raw",
        "cbp-cbsa-csv",
        "cbp-msa-raw",
        "csv",
        "xlsx",
        "json",
        "parquet",
    }
)


@dataclass(frozen=True)
class Dataset:
    """One publisher file known to clustermap.

    Attributes
    ----------
    id : str
        ``"<publisher>:<code>"``, e.g. ``"eurostat:sbs_r_nuts06_r2"``.
    title : str
        The publisher's title.
    publisher : str
        Who publishes the data.
    licence : str
        The reuse terms, in short.
    citation : str
        The credit line to print next to any result derived from the dataset.
    mirror_path : str
        POSIX path of the file inside a local data mirror (see :meth:`clustermap.settings.Settings.mirror`).
    url : str
        Where the publisher serves the file.
    format : str
        Format of the mirror file (one of :data:`FORMATS`).
    url_format : str or None
        Format of what ``url`` returns when it differs from ``format`` (e.g. a zip of the raw Census layout).
    url_template : str or None
        The same publisher file for another year, with ``{year}`` / ``{yy}`` placeholders.
    notes : str
        Vintage, gaps, discontinued addresses … anything a user must know.
    """

    id: str
    title: str
    publisher: str
    licence: str
    citation: str
    mirror_path: str
    url: str
    format: str
    url_format: str | None = None
    url_template: str | None = None
    notes: str = ""

    @property
    def code(self) -> str:
        """The publisher's dataset code: the part of :attr:`id` after the colon."""
        return self.id.split(":", 1)[-1]

    @property
    def safe_id(self) -> str:
        """:attr:`id` made safe as a directory name (``eurostat:sbs_r_nuts06_r2`` → ``eurostat_sbs_r_nuts06_r2``)."""
        return sanitise(self.id)

    def url_for(self, year: int) -> str:
        """The publisher URL of this dataset's file for ``year`` (needs :attr:`url_template`).

        Raises
        ------
        ParameterError
            the dataset has no per-year files.
        """
        if not self.url_template:
            raise ParameterError(f"dataset {self.id} has no per-year URL template; its URL is {self.url}")
        return self.url_template.format(year=int(year), yy=f"{int(year) % 100:02d}")

    def file_name(self, url: str | None = None) -> str:
        """The file name a download of ``url`` (default :attr:`url`) is stored under.

        Taken from a ``file=`` query parameter (Eurostat bulk listing), else from the URL path; when that has no
        extension, one is derived from ``format=`` / ``compressed=`` query parameters (Eurostat API).
        """
        return file_name_from_url(url or self.url, fallback=self.code)


def sanitise(name: str) -> str:
    """``name`` with every character outside ``[A-Za-z0-9._-]`` replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._") or "dataset"


def file_name_from_url(url: str, *, fallback: str = "download") -> str:
    """A safe local file name for what ``url`` returns (see :meth:`Dataset.file_name`)."""
    parts = urlsplit(url)
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    name = ""
    for key in ("file", "downfile"):
        if query.get(key):
            name = PurePosixPath(query[key]).name
            break
    if not name:
        name = PurePosixPath(parts.path).name
    name = sanitise(name) if name else sanitise(fallback)
    if "." not in name:
        fmt = query.get("format", "").lower()
        ext = {"tsv": ".tsv", "sdmx-csv": ".csv", "csv": ".csv", "json": ".json"}.get(fmt, "")
        if query.get("compressed", "").lower() == "true":
            ext += ".gz"
        name += ext
    return name


def _parse(text: str, source: str) -> dict[str, Dataset]:
    data = tomllib.loads(text)
    known = {f.name for f in fields(Dataset)}
    out: dict[str, Dataset] = {}
    for i, entry in enumerate(data.get("dataset", []), start=1):
        unknown = set(entry) - known
        missing = {f.name for f in fields(Dataset) if f.default is MISSING} - set(entry)
        if unknown or missing:
            raise ParameterError(
                f"{source}: dataset #{i} ({entry.get('id', '?')}): "
                + (f"unknown field(s) {sorted(unknown)} " if unknown else "")
                + (f"missing field(s) {sorted(missing)}" if missing else "")
            )
        for key in ("format", "url_format"):
            if entry.get(key) is not None and entry[key] not in FORMATS:
                raise ParameterError(f"{source}: dataset {entry['id']}: unknown {key} {entry[key]!r}")
        if entry["id"] in out:
            raise ParameterError(f"{source}: dataset id {entry['id']} appears twice")
        out[entry["id"]] = Dataset(**entry)
    return out


@lru_cache(maxsize=1)
def _catalog() -> Mapping[str, Dataset]:
    text = resources.files("clustermap.sources").joinpath("datasets.toml").read_text(encoding="utf-8")
    return _parse(text, "datasets.toml")


def datasets() -> tuple[Dataset, ...]:
    """Every dataset in the catalog, in file order."""
    return tuple(_catalog().values())


def ids() -> tuple[str, ...]:
    """The ids of every dataset in the catalog."""
    return tuple(_catalog())


def get(dataset_id: str | Dataset) -> Dataset:
    """The catalog entry of ``dataset_id`` (a :class:`Dataset` is returned unchanged).

    Raises
    ------
    UnknownNameError
        no such dataset; the message lists the known ids.
    """
    if isinstance(dataset_id, Dataset):
        return dataset_id
    catalog = _catalog()
    try:
        return catalog[dataset_id]
    except KeyError:
        raise UnknownNameError(
            f"unknown dataset {dataset_id!r}; known datasets: {', '.join(sorted(catalog))}"
        ) from None
