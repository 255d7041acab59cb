"""Indicator inputs on the real mirror: values against the files, NUTS conversion, and typed errors that name
what is missing."""

from __future__ import annotations

import pandas as pd
import pytest

from clustermap.analyses import MissingInputError, inputs

pytestmark = pytest.mark.realdata


def test_eu_patents(mirror) -> None:
    p = inputs.eu_patents([2010, 2011, 2012], mirror=mirror)
    raw = pd.read_csv(mirror / inputs.EU_PATENTS_FILE)
    nr = raw[(raw["unit"] == "NR") & (raw["time"] == 2011)].set_index("geo")["values"]
    got = p[p["year"] == 2011].set_index("region")["patents"]
    # an unchanged region: the sum of its NUTS-3 regions is the published NUTS-2 value
    assert got["DE11"] == pytest.approx(nr["DE11"], rel=0.01)
    # NUTS 2010 FR71 is NUTS 2016 FRK2 (a recode)
    assert got["FRK2"] == pytest.approx(nr["FR71"], rel=0.01)
    assert p["region"].nunique() > 270
    with pytest.raises(MissingInputError, match=r"2014.*1977-2012"):
        inputs.eu_patents([2014], mirror=mirror)


def test_eu_population_and_gdp(mirror) -> None:
    pop = inputs.eu_population([2014], mirror=mirror).set_index("region")["population"]
    assert pop["DE11"] > 3.5e6
    gdp = inputs.eu_gdp([2014], mirror=mirror).set_index("region")
    assert gdp.loc["AT11", "gdp_per_capita"] == pytest.approx(26500, rel=0.001)
    assert gdp.loc["FRK2", "gdp_per_capita"] == pytest.approx(32000, rel=0.001)  # FR71 in the file


def test_us_inputs(mirror) -> None:
    pat = inputs.us_patents([2011], mirror=mirror).set_index("region")["patents"]
    raw = pd.read_csv(mirror / inputs.US_PATENTS_FILE, dtype={"stco_code": str})
    ca = raw[(raw["year"] == 2011) & raw["stco_code"].str.zfill(5).str.startswith("06")]["patents_issued"].sum()
    assert pat["06"] == ca and "00" not in pat.index
    econ = inputs.us_economy([2011], mirror=mirror)
    assert len(econ) == 51 and econ["gdp_per_capita"].gt(0).all()


def test_missing_files_are_named(tmp_path) -> None:
    with pytest.raises(MissingInputError, match="pat_ep_rtot"):
        inputs.eu_patents([2010], mirror=tmp_path)
    with pytest.raises(MissingInputError, match="bea_state"):
        inputs.us_economy([2011], mirror=tmp_path)


def test_warehouse_runs_are_reused(real) -> None:
    from clustermap.warehouse import Warehouse

    with Warehouse(real["warehouse"]) as wh:
        again = inputs.eu_mapping(wh, mirror=real["mirror"])
        us = inputs.us_mapping(wh, mirror=real["mirror"])
    assert again.reused and us.reused
    assert again.run_id == real["eu"].run_id
    assert len(again.cells) == len(real["eu"].cells)
    assert again.provenance["load_notes"]["harmonised_from"] == "sbs_r_nuts06_r2"
