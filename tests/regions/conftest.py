"""A tiny made-up NUTS world (country ``QQ``, versions 2010 and 2013) for exact harmonisation tests, and the real
data used by the real-data tests (loaded once per module)."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap.regions import RegionRegistry

#: NUTS 2 codes of QQ: QQ11 unchanged, QQ12 -> QQ15 recoded, QQ13 -> QQ16 + QQ17 split, QQ21 + QQ22 -> QQ20 merged
CODES = {
    2010: ["QQ", "QQ1", "QQ2", "QQ11", "QQ12", "QQ13", "QQ21", "QQ22"],
    2013: ["QQ", "QQ1", "QQ2", "QQ11", "QQ15", "QQ16", "QQ17", "QQ20"],
}

#: intersections of 2010 and 2013 regions: area km², residents 2011 / 2021, built-up volume
MATRIX = pd.DataFrame(
    [
        ("QQ11", "QQ11", 50.0, 1000.0, 1000.0, 500.0),
        ("QQ11", "QQ15", 0.001, 0.0, 0.0, 0.0),  # a sliver of the GIS overlay
        ("QQ12", "QQ15", 40.0, 800.0, 900.0, 400.0),
        ("QQ13", "QQ16", 10.0, 300.0, 200.0, 100.0),
        ("QQ13", "QQ17", 30.0, 100.0, 200.0, 300.0),
        ("QQ21", "QQ20", 5.0, 50.0, 50.0, 10.0),
        ("QQ22", "QQ20", 5.0, 70.0, 70.0, 10.0),
    ],
    columns=["from_code", "to_code", "areaKm", "pop11", "pop21", "bu_vol"],
)


@pytest.fixture(scope="session")
def tiny_registry() -> RegionRegistry:
    rows = [(c, v) for v, codes in CODES.items() for c in codes]
    us = pd.DataFrame(
        {
            "code": ["06", "06001", "06003", "32", "32003"],
            "version": 2017,
            "kind": ["state", "county", "county", "state", "county"],
            "name": ["California", "Alameda", "Alpine", "Nevada", "Clark"],
            "parent": ["", "06", "06", "", "32"],
        }
    )
    return RegionRegistry(nuts=pd.DataFrame(rows, columns=["code", "version"]), us=us)


@pytest.fixture(scope="session")
def tiny_conversions() -> dict:
    return {(2, 2010, 2013): MATRIX}


# ---------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="session")
def registry(mirror):
    from clustermap.regions import get_registry

    return get_registry(mirror=mirror)


@pytest.fixture(scope="session")
def sbs(mirror) -> pd.DataFrame:
    """The real SBS panel: persons employed (V16110), NUTS 2 x NACE Rev. 2, 2008-2015, NUTS 2006/2010/2013 mixed."""
    from clustermap.loaders.eurostat import load_sbs

    return load_sbs(mirror=mirror, nuts_level=2).frame


@pytest.fixture(scope="session")
def sbs_2013(sbs, registry, mirror):
    from clustermap.regions import harmonise

    return harmonise(sbs, to_version=2013, registry=registry, mirror=mirror)


@pytest.fixture(scope="session")
def sbs_2016(sbs, registry, mirror):
    from clustermap.regions import harmonise

    return harmonise(sbs, to_version=2016, registry=registry, mirror=mirror)
