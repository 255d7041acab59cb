"""Agreement with py-ecomplexity (the reference implementation) on random panels and on the real 2012 NUTS-2 ×
NACE division SBS panel, to 1e-6 on every column."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from clustermap.complexity import complexity

ecomplexity = pytest.importorskip("ecomplexity")

CHECKED = ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog")


def _reference(frame: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity.ecomplexity(
            frame[["region", "industry", "year", "employment"]],
            {"time": "year", "loc": "region", "prod": "industry", "val": "employment"},
            verbose=False,
            check_logsupermodularity=False,
        )
    return out.dropna(subset=["mcp"])


def _compare(frame: pd.DataFrame) -> dict[str, float]:
    ours = complexity(frame).cells.astype({"region": str, "industry": str})
    ref = _reference(frame)
    both = ours.merge(ref, on=["region", "industry", "year"], suffixes=("", "_ref"), validate="1:1")
    assert len(both) == len(ours) == len(ref)
    return {c: float(np.nanmax(np.abs(both[c].astype(float) - both[f"{c}_ref"].astype(float)))) for c in CHECKED}


@pytest.mark.parametrize("seed", range(4))
def test_random_panels(seed: int) -> None:
    """Log-normal panels with a third of the cells absent; 40 industries so ARPACK (not the dense path) runs."""
    rng = np.random.default_rng(seed)
    rows = [
        (f"R{r}", f"I{i:02d}", y, float(np.round(rng.lognormal(4, 1.5))))
        for y in (2010, 2011)
        for r in range(60)
        for i in range(40)
        if rng.random() > 0.33
    ]
    diffs = _compare(pd.DataFrame(rows, columns=["region", "industry", "year", "employment"]))
    assert max(diffs.values()) < 1e-6, diffs


@pytest.mark.realdata
@pytest.mark.slow
def test_real_sbs_2012_nuts2_divisions(mirror) -> None:
    from clustermap.loaders.eurostat_tsv import load_sbs

    frame = load_sbs(mirror=mirror, years=[2012], nuts_level=2, drop_missing=True).frame
    frame = frame[frame["industry"].str.fullmatch(r"[A-Z]\d\d")]
    assert frame["region"].nunique() > 250 and frame["industry"].nunique() > 60
    diffs = _compare(frame)
    assert max(diffs.values()) < 1e-6, diffs
