"""Europe and the United States side by side (SEC(2008) 2637 Figures 8 and 9), from the same functions on both
mappings.

For the comparison to mean anything both sides need the same categories and the same method: the US CBP state
data are mapped on the common category set ``eco-nace2-naics<vintage>`` (US NAICS put on the ``eco-nace2``
categories through ISIC Rev. 4; :mod:`clustermap.classifications.eu_us`) with the EU's star method and cut-offs,
as the reference says it did ("the same methodology and cut-off points").

Like for like (:func:`like_for_like`, :func:`robustness`)
--------------------------------------------------------
Three more things decide the answer before any difference between the continents does:

* **Region units.** Gini and Hoover rise as a territory is cut into more, smaller regions, so NUTS-2 (≈ 280)
  against US states (51) or CBSAs (≈ 930) mostly measures the region sets. Every label names its units
  (:func:`units_label`); the verdict is repeated on pairs of similar size — EU NUTS-1 (≈ 100) with US states,
  EU NUTS-2 with CBSAs, and EU NUTS-2 with the 179 BEA economic areas when a county CBP file is given
  (:func:`clustermap.loaders.load_cbp_economic_areas`) — and with the Ellison–Glaeser index, whose expected
  value does not depend on the region set.
* **Years.** The same year on both sides, or the nearest, said (:func:`match_year`).
* **Suppression.** The same handling on both sides: imputed values on both (EU two-way imputation, US
  size-class values; ``imputed="keep"``) or neither (``imputed="exclude"``: imputed and confidential cells
  leave the category's measures on both sides). A confidential or missing cell is never a 0 in a Gini.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clustermap.analyses._base import MissingInputError, define
from clustermap.analyses.employment_shares import share_distribution

__all__ = [
    "LIKE_FOR_LIKE_MEASURES",
    "compare_concentration",
    "compare_strong_shares",
    "concentration_verdict",
    "like_for_like",
    "map_at_nuts_level",
    "match_year",
    "robustness",
    "units_label",
    "us_economic_area_cells",
]

define(
    "more_concentrated_in_us",
    "More concentrated in the US",
    "A category whose concentration measure (default the locational Gini) is higher over the US region set "
    "than over the EU one, each named with its units (e.g. US states against EU NUTS-2 regions). Figure 8 of "
    "SEC(2008) 2637: 32 of 38 categories.",
)

#: the measures :func:`like_for_like` compares: two that depend on the region set, one that should not
LIKE_FOR_LIKE_MEASURES = ("gini", "hoover", "eg")

_UNITS = {
    "nuts0": "EU countries (NUTS-0)",
    "nuts1": "EU NUTS-1 regions",
    "nuts2": "EU NUTS-2 regions",
    "nuts3": "EU NUTS-3 regions",
    "state": "US states",
    "cbsa": "US metropolitan and micropolitan areas (CBSAs)",
    "economic_area": "US BEA economic areas",
    "county": "US counties",
}


def units_label(level: str | int, *, count: int | None = None) -> str:
    """The name of a region set for labels: ``units_label(2)`` → ``"EU NUTS-2 regions"``, ``units_label("cbsa",
    count=933)`` → ``"US metropolitan and micropolitan areas (CBSAs), 933"``.

    ``level``: a NUTS level (0–3 or ``"nuts2"``) or a US kind (``state``, ``cbsa``, ``economic_area``,
    ``county``)."""
    key = f"nuts{level}" if isinstance(level, int) or str(level).isdigit() else str(level).lower().replace("-", "_")
    if key not in _UNITS:
        from clustermap.errors import UnknownNameError

        raise UnknownNameError(f"unknown region units {level!r}; use a NUTS level 0-3 or {', '.join(list(_UNITS)[4:])}")
    return _UNITS[key] + (f", {count}" if count is not None else "")


def match_year(eu_years: Any, us_year: int, *, complete: Any = None) -> dict[str, Any]:
    """The EU year to set against a US year: the same year when the EU side has it (and it is complete), else
    the nearest complete one (later on ties), with a sentence saying which.

    Parameters
    ----------
    eu_years : iterable of int
        Years with EU mapping results.
    us_year : int
        The US year.
    complete : iterable of int, optional
        The EU years with (nearly) all regions (e.g. :func:`~clustermap.analyses.latest_complete_year`'s rule);
        default every EU year.

    Returns
    -------
    dict
        ``eu_year``, ``us_year``, ``gap`` (years, EU − US), ``note``.
    """
    years = sorted(int(y) for y in eu_years)
    usable = sorted(int(y) for y in complete) if complete is not None else years
    usable = [y for y in usable if y in years] or years
    if not usable:
        raise MissingInputError("EU mapping years")
    eu_year = min(usable, key=lambda y: (abs(y - int(us_year)), -y))
    gap = eu_year - int(us_year)
    if gap == 0:
        note = f"same year on both sides ({eu_year})"
    else:
        why = (
            f"{us_year} is not in the EU data ({years[0]}-{years[-1]})"
            if int(us_year) not in years
            else f"EU {us_year} is incomplete"
        )
        note = f"EU {eu_year} against US {us_year}, the nearest complete EU year ({why}; {abs(gap)} years apart)"
    return {"eu_year": eu_year, "us_year": int(us_year), "gap": gap, "note": note}


def like_for_like(
    eu_cells: Any,
    us_cells: Any,
    *,
    eu_units: str,
    us_units: str,
    eu_year: int | None = None,
    us_year: int | None = None,
    imputed: str = "keep",
    measures: tuple[str, ...] = LIKE_FOR_LIKE_MEASURES,
    eu_policy: str | None = None,
    us_policy: str | None = None,
) -> dict[str, Any]:
    """Figure 8 on one pair of region sets, with the units, years and suppression handling stated.

    Parameters
    ----------
    eu_cells, us_cells
        Mapping results of both sides on the same category set.
    eu_units, us_units : str
        What the regions are (:func:`units_label`); they go into every label.
    eu_year, us_year : int, optional
        The years (default: the latest of each; pick them with :func:`match_year`).
    imputed : {"keep", "exclude"}
        The same on both sides: imputed cells' values used (EU two-way, US size-class) or imputed cells left
        out of the category's measures as unknown (never 0).
    measures : tuple of str
        Columns of :func:`~clustermap.analyses.concentration.category_concentration` to compare.
    eu_policy, us_policy : str, optional
        The suppression policy each side was mapped with (``Mapped.parameters["suppression"]``). With
        ``imputed="keep"`` a side mapped with ``drop`` reads its confidential cells as absent (0) while an imputing
        side gives them values: ``suppression_note`` says so and ``like_for_like`` is False.

    Returns
    -------
    dict
        ``label`` ("US states (2011) vs EU NUTS-1 regions (2011)"), ``eu_units``, ``us_units``, ``eu_year``,
        ``us_year``, ``eu_regions``, ``us_regions``, ``imputed``, ``eu_cells_unknown`` / ``us_cells_unknown``
        (region × category cells left out as unknown), ``eu_cells_imputed`` / ``us_cells_imputed``,
        ``comparisons`` (measure → :func:`compare_concentration` table), ``verdicts`` (a table: ``measure,
        categories, more_concentrated_in_us, more_concentrated_in_eu, equal, share_us, text``),
        ``suppression_note`` and ``like_for_like`` (False when the two sides treat confidential cells
        differently).
    """
    from clustermap.analyses._base import cells_frame, select_year
    from clustermap.analyses.concentration import category_concentration

    sides = {}
    for side, cells, year in (("eu", eu_cells, eu_year), ("us", us_cells, us_year)):
        frame = cells_frame(cells)
        y = select_year(frame, year)
        part = frame[frame["year"] == y]
        conc = category_concentration(part, year=y, imputed=imputed)
        n_imputed = int(part["imputed"].fillna(False).astype(bool).sum()) if "imputed" in part.columns else 0
        sides[side] = (y, conc, int(part["region"].nunique()), n_imputed)
    comparisons = {
        m: compare_concentration(sides["eu"][1], sides["us"][1], measure=m, eu_units=eu_units, us_units=us_units)
        for m in measures
    }
    verdicts = pd.DataFrame([{"measure": m, **concentration_verdict(c)} for m, c in comparisons.items()])
    label = f"{us_units} ({sides['us'][0]}) vs {eu_units} ({sides['eu'][0]})"
    imputing = {"two-way", "size-class", "parent-residual"}
    same = True
    if imputed == "exclude":
        note = "imputed and confidential cells left out of the measures on both sides (unknown, never 0)"
    elif eu_policy is None or us_policy is None:
        note = "imputed cells' values used on both sides (suppression policies not stated)"
    else:
        same = (eu_policy in imputing) == (us_policy in imputing)
        note = (
            f"imputed cells' values used on both sides (EU {eu_policy}, US {us_policy})"
            if same
            else f"not like for like: EU {eu_policy} vs US {us_policy} (one side drops confidential cells, "
            "which then count as absent, the other imputes them)"
        )
    return {
        "label": label,
        "eu_units": eu_units,
        "us_units": us_units,
        "eu_year": sides["eu"][0],
        "us_year": sides["us"][0],
        "eu_regions": sides["eu"][2],
        "us_regions": sides["us"][2],
        "imputed": imputed,
        "eu_cells_unknown": int(sides["eu"][1]["regions_unknown"].sum()),
        "us_cells_unknown": int(sides["us"][1]["regions_unknown"].sum()),
        "eu_cells_imputed": sides["eu"][3],
        "us_cells_imputed": sides["us"][3],
        "comparisons": comparisons,
        "verdicts": verdicts,
        "eu_policy": eu_policy,
        "us_policy": us_policy,
        "suppression_note": note,
        "like_for_like": same,
    }


def robustness(results: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per pair of region sets (each a :func:`like_for_like` result) and measure: ``pair``, ``eu_units``,
    ``eu_year``, ``eu_regions``, ``us_units``, ``us_year``, ``us_regions``, ``imputed``, ``measure``,
    ``categories``, ``more_concentrated_in_us``, ``share_us``. A verdict that flips between pairs of similar
    size is about the region sets, not about Europe and the US."""
    rows = []
    for r in results:
        for v in r["verdicts"].itertuples(index=False):
            rows.append(
                {
                    "pair": r["label"],
                    "eu_units": r["eu_units"],
                    "eu_year": r["eu_year"],
                    "eu_regions": r["eu_regions"],
                    "us_units": r["us_units"],
                    "us_year": r["us_year"],
                    "us_regions": r["us_regions"],
                    "imputed": r["imputed"],
                    "suppression": r.get("suppression_note", ""),
                    "measure": v.measure,
                    "categories": int(v.categories),
                    "more_concentrated_in_us": int(v.more_concentrated_in_us),
                    "share_us": float(v.share_us),
                }
            )
    return pd.DataFrame(rows)


def compare_concentration(
    eu: pd.DataFrame,
    us: pd.DataFrame,
    *,
    measure: str = "gini",
    tolerance: float = 1e-9,
    eu_units: str = "EU regions",
    us_units: str = "US regions",
) -> pd.DataFrame:
    """Per category: a concentration measure in the EU and in the US, from
    :func:`~clustermap.analyses.concentration.category_concentration` of each side (one year each).

    Returns
    -------
    pandas.DataFrame
        ``category, category_name, eu_<measure>, us_<measure>, difference`` (US − EU),
        ``more_concentrated_in`` (``US``, ``EU`` or ``equal``), ``eu_strong_share``, ``us_strong_share``,
        ``eu_employment``, ``us_employment``; categories on both sides only, sorted by difference.
        ``attrs``: ``measure``, ``eu_units``, ``us_units`` (for labels: which regions each side has).

    Raises
    ------
    MissingInputError
        the two sides share no category (different category sets).
    """
    for side, frame in (("EU", eu), ("US", us)):
        if measure not in frame.columns:
            raise MissingInputError(f"{measure} of the {side} categories", [measure])
    cols = list(dict.fromkeys(["category", measure, "strong_share", "employment"]))
    m = eu[["category", "category_name", *cols[1:]]].merge(us[cols], on="category", suffixes=("_eu", "_us"))
    if m.empty:
        raise MissingInputError(
            "categories common to the EU and US results",
            hint="map both sides on the same category set (e.g. eco-nace2 and eco-nace2-naics2007)",
        )
    out = pd.DataFrame(
        {
            "category": m["category"],
            "category_name": m["category_name"],
            f"eu_{measure}": m[f"{measure}_eu"],
            f"us_{measure}": m[f"{measure}_us"],
        }
    )
    out["difference"] = out[f"us_{measure}"] - out[f"eu_{measure}"]
    out["more_concentrated_in"] = np.select(
        [out["difference"] > tolerance, out["difference"] < -tolerance], ["US", "EU"], default="equal"
    )
    out["eu_strong_share"] = m["strong_share_eu"]
    out["us_strong_share"] = m["strong_share_us"]
    out["eu_employment"] = m["employment_eu"]
    out["us_employment"] = m["employment_us"]
    out = out.sort_values(["difference", "category"], ascending=[False, True], ignore_index=True)
    out.attrs.update(measure=measure, eu_units=eu_units, us_units=us_units)
    return out


def concentration_verdict(comparison: pd.DataFrame) -> dict[str, Any]:
    """Counts behind Figure 8: ``categories``, ``more_concentrated_in_us``, ``more_concentrated_in_eu``,
    ``equal``, ``share_us`` (of the categories), and ``text``, a sentence naming the measure and both region
    sets (from the comparison's ``attrs``)."""
    counts = comparison["more_concentrated_in"].value_counts()
    n = len(comparison)
    us = int(counts.get("US", 0))
    a = comparison.attrs
    text = (
        f"{us} of {n} categories are more concentrated over {a.get('us_units', 'the US regions')} than over "
        f"{a.get('eu_units', 'the EU regions')} ({a.get('measure', 'gini')})"
    )
    return {
        "categories": n,
        "more_concentrated_in_us": us,
        "more_concentrated_in_eu": int(counts.get("EU", 0)),
        "equal": int(counts.get("equal", 0)),
        "share_us": us / n if n else float("nan"),
        "text": text,
    }


def compare_strong_shares(
    eu_shares: pd.DataFrame, us_shares: pd.DataFrame, *, column: str = "strong_share_traded"
) -> dict[str, Any]:
    """Figure 9: the distribution of the regions' strong-cluster shares in the EU and the US.

    Returns
    -------
    dict
        ``eu`` and ``us`` (each ``n, max, mean, median, min, p25, p75, std, weighted_mean, argmax, argmin``),
        ``mean_gap`` = 1 − EU mean / US mean ("a quarter lower" in the reference), ``median_gap`` (same for the
        medians; "about a third"), ``eu_histogram``, ``us_histogram``.
    """
    eu_stats, eu_hist = share_distribution(eu_shares, column)
    us_stats, us_hist = share_distribution(us_shares, column)
    return {
        "eu": eu_stats,
        "us": us_stats,
        "mean_gap": 1 - eu_stats["mean"] / us_stats["mean"] if us_stats["mean"] else float("nan"),
        "median_gap": 1 - eu_stats["median"] / us_stats["median"] if us_stats["median"] else float("nan"),
        "eu_histogram": eu_hist,
        "us_histogram": us_hist,
    }


def map_at_nuts_level(
    observations: Any,
    level: int,
    *,
    version: int | None = None,
    categories: Any = "eco-nace2",
    methodology: str = "eco2007",
    mirror: Any = None,
    **params: Any,
) -> pd.DataFrame:
    """Sum EU observations (NUTS-2, one NUTS version) up to NUTS ``level`` (0 or 1) and map them with the same
    method: the EU region set of a size like US states (NUTS-1: ≈ 100 regions of 3–7 million people).

    A NUTS-1 cell whose NUTS-2 inputs include a confidential (null) one is confidential itself — unless the
    methodology's suppression policy (e.g. ``suppression="two-way"``) imputes it; nothing is summed as 0.

    Returns
    -------
    pandas.DataFrame
        The mapping cells (:data:`clustermap.mapping.STARS_COLUMNS`).
    """
    from clustermap.api import map_clusters
    from clustermap.regions.levels import aggregate_nuts

    agg = aggregate_nuts(observations, int(level), version=version, mirror=mirror)
    frame = agg.frame if isinstance(agg.frame, pd.DataFrame) else pd.DataFrame(agg.frame)
    return map_clusters(frame, categories=categories, methodology=methodology, **params)


def us_economic_area_cells(
    county_file: Any,
    *,
    year: int | None = None,
    categories: Any = None,
    methodology: str = "eco2007",
    mirror: Any = None,
    **params: Any,
) -> pd.DataFrame:
    """US mapping cells on the 179 BEA economic areas from a Census county CBP file (``cbpYYco.txt``; the data
    mirror has none): counties summed to economic areas with withheld cells at their size-class value
    (:func:`clustermap.loaders.load_cbp_economic_areas`), mapped on the common category set of the file's year
    (:func:`clustermap.analyses.inputs.us_category_set`) with the EU's method — the US region units the
    reference's US Cluster Mapping used, between states and CBSAs in size.

    Returns
    -------
    pandas.DataFrame
        Mapping cells; ``region`` = 3-character economic-area code.
    """
    from clustermap.analyses.inputs import us_category_set
    from clustermap.api import map_clusters
    from clustermap.loaders.cbp import load_cbp_economic_areas

    loaded = load_cbp_economic_areas(county_file, year=year, mirror=mirror)
    if loaded.frame.empty:
        raise MissingInputError("county rows that belong to a BEA economic area", [str(county_file)])
    y = int(loaded.frame["year"].max())
    cats = us_category_set(y, categories=categories, mirror=mirror)
    return map_clusters(loaded.frame, categories=cats, methodology=methodology, **params)
