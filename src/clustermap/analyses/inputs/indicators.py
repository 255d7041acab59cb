"""The regional indicators the analyses set clusters against — patents, population, GDP — read from the data
mirror, put on the mapping's region codes, with provenance."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from clustermap.analyses._base import MissingInputError
from clustermap.analyses.inputs.eu import DEFAULT_NUTS_VERSION
from clustermap.analyses.inputs.mirror import mirror_file, mirror_root
from clustermap.errors import ClustermapError, ParameterError
from clustermap.provenance import LoadProvenance, sha256_file

log = logging.getLogger(__name__)

__all__ = [
    "EU_PATENTS_FILE",
    "EU_POPULATION_FILE",
    "US_ECONOMY_FILE",
    "US_PATENTS_FILE",
    "eu_gdp",
    "eu_patents",
    "eu_population",
    "us_economy",
    "us_patents",
]

EU_PATENTS_FILE = "eu/regional/pat_ep_rtot_from_ropensci_nuts.csv.gz"
EU_POPULATION_FILE = "classifications/eu_population_nuts2_tgs00096_2008_2019.csv"
US_PATENTS_FILE = "us/patents/uspto_patents_by_county_2000_2015.csv"
US_ECONOMY_FILE = "us/econ/bea_state_gdp_income_population_1997_2021.csv"


def _provenance(source: str, dataset: str, path: Path, read: int, kept: int, **notes: Any) -> dict[str, Any]:
    return LoadProvenance(
        source=source,
        dataset=dataset,
        file=str(path),
        sha256=sha256_file(path),
        rows_read=read,
        rows_kept=kept,
        notes=notes,
    ).as_dict()


def _check_years(available: Iterable[int], years: Iterable[int] | None, what: str, path: Path) -> list[int]:
    have = sorted({int(y) for y in available})
    if years is None:
        return have
    wanted = sorted({int(y) for y in years})
    missing = [y for y in wanted if y not in have]
    if missing:
        span = f"{have[0]}-{have[-1]}" if have else "none"
        raise MissingInputError(what, missing, f"The mirror's {path.name} has the years {span}")
    return wanted


def _harmonise_values(
    frame: pd.DataFrame, columns: list[str], *, to_version: int, from_version: Any, mirror: Any
) -> pd.DataFrame:
    """Convert additive regional values (``region, year`` + ``columns``) to NUTS ``to_version``."""
    from clustermap.regions import harmonise

    long = frame.melt(id_vars=["region", "year"], value_vars=columns, var_name="industry", value_name="employment")
    long = long.dropna(subset=["employment"])
    long["employment"] = long["employment"].astype("float64").clip(lower=0.0)
    from clustermap.regions import get_registry

    valid = get_registry(mirror=mirror_root(mirror)).validity(long["region"].unique())
    unknown = sorted(code for code, versions in valid.items() if not versions)
    if unknown:
        log.info(
            "left out %d codes that are in no NUTS version (e.g. not-regionalised xxXX): %s",
            len(unknown),
            ", ".join(unknown[:10]),
        )
        long = long[~long["region"].isin(unknown)]
    h = harmonise(
        long, to_version=int(to_version), from_version=from_version, complete=False, mirror=mirror_root(mirror)
    )
    out = h.frame.pivot_table(index=["region", "year"], columns="industry", values="employment", aggfunc="sum")
    out = out.reset_index()
    out.columns.name = None
    return out


def eu_patents(
    years: Iterable[int] | None = None, *, nuts_version: int = DEFAULT_NUTS_VERSION, mirror: str | Path | None = None
) -> pd.DataFrame:
    """EPO patent applications by NUTS-2 region and priority year, on NUTS ``nuts_version`` codes.

    The mirror's table (Eurostat ``pat_ep_rtot``, unit NR: fractional counts by inventor's region, NUTS 2010)
    is converted at NUTS-3 with :func:`clustermap.regions.harmonise` (population weights for splits) and summed
    to NUTS-2 (the first four characters); a NUTS-2 region without any NUTS-3 row takes its published NUTS-2
    value.

    Returns
    -------
    pandas.DataFrame
        ``region, year, patents`` (applications, fractional counts); ``attrs["provenance"]``.

    Raises
    ------
    MissingInputError
        the file is not in the mirror, or lacks some of ``years`` (priority years 1977–2012).
    """
    what = "EPO patent applications (Eurostat pat_ep_rtot)"
    path = mirror_file(EU_PATENTS_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"unit": str, "geo": str})
    nr = raw[raw["unit"] == "NR"].rename(columns={"geo": "region", "time": "year", "values": "patents"})
    chosen = _check_years(nr["year"], years, what + ", priority years", path)
    nr = nr[nr["year"].isin(chosen) & nr["region"].str.len().isin([4, 5]) & ~nr["region"].str.endswith("Z")]
    nr = nr[["region", "year", "patents"]]
    conv = _harmonise_values(nr, ["patents"], to_version=nuts_version, from_version="auto", mirror=mirror)
    conv["level"] = conv["region"].str.len() - 2
    n3 = conv[conv["level"] == 3].assign(region=lambda d: d["region"].str[:4])
    n3 = n3.groupby(["region", "year"], as_index=False)["patents"].sum()
    n2 = conv[conv["level"] == 2][["region", "year", "patents"]]
    n2 = n2.merge(n3[["region", "year"]], on=["region", "year"], how="left", indicator=True)
    n2 = n2[n2["_merge"] == "left_only"].drop(columns="_merge")
    out = pd.concat([n3, n2], ignore_index=True).sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = _provenance(
        "eurostat",
        "pat_ep_rtot",
        path,
        len(raw),
        len(out),
        unit="NR (applications, fractional counts)",
        nuts_version=nuts_version,
        years=chosen,
        method="NUTS-3 converted with JRC weights, summed to NUTS-2",
    )
    return out


def eu_population(
    years: Iterable[int] | None = None, *, nuts_version: int = DEFAULT_NUTS_VERSION, mirror: str | Path | None = None
) -> pd.DataFrame:
    """Population on 1 January by NUTS-2 region (Eurostat ``tgs00096``, NUTS 2016), on ``nuts_version`` codes.

    Returns
    -------
    pandas.DataFrame
        ``region, year, population`` (persons); ``attrs["provenance"]``.
    """
    what = "EU population by NUTS-2 region (Eurostat tgs00096)"
    path = mirror_file(EU_POPULATION_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"geo": str})
    raw = raw.rename(columns={"geo": "region"})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen) & (raw["region"].str.len() == 4) & ~raw["region"].str.endswith("X")]
    d = d[["region", "year", "population"]]
    if int(nuts_version) != 2016:
        d = _harmonise_values(d, ["population"], to_version=nuts_version, from_version=2016, mirror=mirror)
    out = d.sort_values(["region", "year"], ignore_index=True)
    out.attrs["provenance"] = _provenance(
        "eurostat", "tgs00096", path, len(raw), len(out), unit="persons", nuts_version=nuts_version, years=chosen
    )
    return out


def eu_gdp(
    years: Iterable[int] | None = None,
    *,
    unit: str = "EUR_HAB",
    nuts_version: int = DEFAULT_NUTS_VERSION,
    mirror: str | Path | None = None,
) -> pd.DataFrame:
    """Regional GDP at current market prices and per inhabitant (Eurostat ``nama_10r_2gdp``), on
    ``nuts_version`` codes.

    GDP per inhabitant is not additive, so GDP (``MIO_EUR`` or ``MIO_PPS``) and the population implied by
    GDP / GDP per inhabitant are converted separately and divided again.

    Parameters
    ----------
    unit : {"EUR_HAB", "PPS_HAB"}
        Euro or purchasing power standards per inhabitant.

    Returns
    -------
    pandas.DataFrame
        ``region, year, gdp`` (million EUR or PPS), ``population`` (implied, persons), ``gdp_per_capita`` (EUR or
        PPS per inhabitant); ``attrs["provenance"]``.
    """
    from clustermap.loaders.eurostat import load_eurostat

    if unit not in ("EUR_HAB", "PPS_HAB"):
        raise ParameterError(f"GDP unit must be EUR_HAB or PPS_HAB, not {unit!r}")
    total_unit = "MIO_EUR" if unit == "EUR_HAB" else "MIO_PPS"
    what = "regional GDP (Eurostat nama_10r_2gdp)"
    path = mirror_file("eu/regional/nama_10r_2gdp.tsv.gz", mirror, what)
    frames = {}
    prov = None
    for u in (total_unit, unit):
        try:
            r = load_eurostat(
                path,
                dataset="nama_10r_2gdp",
                industry_dim=None,
                industry=u,
                value_filters={"unit": u},
                nuts_level=2,
                drop_missing=True,
            )
        except ClustermapError as exc:
            raise MissingInputError(what + f", unit {u}", hint=str(exc)) from exc
        frames[u] = r.frame[["region", "year", "employment"]].rename(columns={"employment": u})
        prov = prov or r.provenance
    d = frames[total_unit].merge(frames[unit], on=["region", "year"], how="inner")
    chosen = _check_years(d["year"], years, what, path)
    d = d[d["year"].isin(chosen) & (d[unit] > 0)]
    d["population"] = d[total_unit] * 1e6 / d[unit]
    d = d.rename(columns={total_unit: "gdp"})[["region", "year", "gdp", "population"]]
    conv = _harmonise_values(d, ["gdp", "population"], to_version=nuts_version, from_version="auto", mirror=mirror)
    conv["gdp_per_capita"] = conv["gdp"] * 1e6 / conv["population"]
    out = conv[["region", "year", "gdp", "population", "gdp_per_capita"]].sort_values(
        ["region", "year"], ignore_index=True
    )
    out.attrs["provenance"] = _provenance(
        "eurostat",
        "nama_10r_2gdp",
        path,
        int(prov.rows_read) if prov else 0,
        len(out),
        unit=f"{total_unit} and {unit}",
        nuts_version=nuts_version,
        years=chosen,
    )
    return out


def us_patents(years: Iterable[int] | None = None, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """USPTO utility patents granted, by first-named inventor's state (sum of the county table).

    Returns
    -------
    pandas.DataFrame
        ``region`` (2-digit state FIPS), ``year``, ``patents``; ``attrs["provenance"]``.
    """
    what = "USPTO patents by county (PTMT)"
    path = mirror_file(US_PATENTS_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"stco_code": str})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen)].copy()
    d["region"] = d["stco_code"].str.zfill(5).str[:2]
    d = d[d["region"] != "00"]  # "Undetermined County" of no state; xx000 (state known, county not) is kept
    out = (
        d.groupby(["region", "year"], as_index=False)["patents_issued"]
        .sum()
        .rename(columns={"patents_issued": "patents"})
    )
    out.attrs["provenance"] = _provenance(
        "uspto",
        "patents_by_county",
        path,
        len(raw),
        len(out),
        unit="utility patents granted",
        years=chosen,
        method="county counts summed to states (xx000 'Undetermined County' rows included; 00000 left out)",
    )
    return out


def us_economy(years: Iterable[int] | None = None, *, mirror: str | Path | None = None) -> pd.DataFrame:
    """BEA state GDP (current USD million), population and GDP per capita (USD).

    Returns
    -------
    pandas.DataFrame
        ``region`` (2-digit state FIPS), ``year``, ``gdp`` (USD million), ``population``, ``gdp_per_capita``
        (USD); ``attrs["provenance"]``.
    """
    what = "BEA state GDP and population"
    path = mirror_file(US_ECONOMY_FILE, mirror, what)
    raw = pd.read_csv(path, dtype={"state_fips": str})
    chosen = _check_years(raw["year"], years, what, path)
    d = raw[raw["year"].isin(chosen) & (raw["state_fips"] != "00")]
    out = pd.DataFrame(
        {
            "region": d["state_fips"].str.zfill(2),
            "year": d["year"].astype("int64"),
            "gdp": d["gdp_musd_current"].astype("float64"),
            "population": d["population"].astype("float64"),
            "gdp_per_capita": d["gdp_per_capita_usd"].astype("float64"),
        }
    ).reset_index(drop=True)
    out.attrs["provenance"] = _provenance(
        "bea",
        "SAGDP/SAINC1",
        path,
        len(raw),
        len(out),
        years=chosen,
        unit="USD million (current), persons, USD per person",
    )
    return out
