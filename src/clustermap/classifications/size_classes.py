"""Employment-size classes of withheld County Business Patterns cells.

When the US Census Bureau withholds a CBP employment figure to protect an establishment, it publishes ``emp = 0``
and a letter (``empflag``) giving the range of the true number of employees: A 0–19, B 20–99, C 100–249,
E 250–499, F 500–999, G 1,000–2,499, H 2,500–4,999, I 5,000–9,999, J 10,000–24,999, K 25,000–49,999,
L 50,000–99,999, M 100,000 or more (there is no class D). The ``size-class`` policy of the engine replaces a
withheld cell by a value inside its range; the bounds live in ``classifications/data/cbp_size_classes.csv``.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from clustermap.errors import ValueValidationError
from clustermap.schema import CBP_SIZE_CLASSES

__all__ = ["engine_size_classes", "load_size_classes"]

_FILE = "cbp_size_classes.csv"


def load_size_classes() -> pd.DataFrame:
    """The CBP employment-size classes A–M with their bounds and the value used for a withheld cell.

    Returns
    -------
    pandas.DataFrame
        One row per class, in order A, B, C, E … M:

        - ``size_class`` (str): the CBP ``empflag`` letter;
        - ``low`` (int64), ``high`` (Int64): inclusive bounds of the class in employees (mid-March employment);
          ``high`` is missing for the open-ended class M (100,000 or more);
        - ``cmp_value`` (float64, employees): the value the ``size-class`` policy puts in a withheld cell. It is
          the midpoint ``(low + high) / 2`` of the class (the lower bound, 100,000, for M), **not** a value of
          the US Cluster Mapping Project: no fixed per-class values of theirs could be verified;
        - ``note`` (str): how ``cmp_value`` was chosen.

    Raises
    ------
    ValueValidationError
        the packaged file is inconsistent (unknown letters, a gap or overlap between classes).
    """
    path = resources.files(__package__).joinpath("data", _FILE)
    with resources.as_file(path) as local:
        frame = pd.read_csv(local, dtype=str, keep_default_na=False)
    out = pd.DataFrame(
        {
            "size_class": frame["size_class"].astype(str),
            "low": pd.to_numeric(frame["low"]).astype("int64"),
            "high": pd.to_numeric(frame["high"].replace("", None)).astype("Int64"),
            "cmp_value": pd.to_numeric(frame["cmp_value"]).astype("float64"),
            "note": frame["note"].astype(str),
        }
    )
    if set(out["size_class"]) != set(CBP_SIZE_CLASSES) or out["size_class"].duplicated().any():
        raise ValueValidationError("size classes must be the CBP letters A–M without D", file=_FILE)
    following = out["low"].iloc[1:].to_numpy()
    if not (out["high"].iloc[:-1].to_numpy() + 1 == following).all() or out["high"].iloc[:-1].isna().any():
        raise ValueValidationError("size classes must be contiguous, in increasing order", file=_FILE)
    inside = (out["cmp_value"] >= out["low"]) & (out["high"].isna() | (out["cmp_value"] <= out["high"]))
    if not inside.all():
        bad = out.loc[~inside, "size_class"].iloc[0]
        raise ValueValidationError("cmp_value outside its class", file=_FILE, column="cmp_value", value=bad)
    return out


def engine_size_classes(classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The size classes (default :func:`load_size_classes`) as the engine's ``size-class`` policy reads them:
    ``size_class``, ``low``, ``high`` (employees; ``high`` NaN for the open class M), ``cmp_value`` (employees),
    the bounds as float64."""
    classes = load_size_classes() if classes is None else classes
    return classes[["size_class", "low", "high", "cmp_value"]].astype(
        {"low": "float64", "high": "float64", "cmp_value": "float64"}
    )
