"""Every run is drawn: codes of older NUTS versions are drawn with the 2016 shapes of the same territory (recode,
split) or, when their boundaries changed, approximately with the 2016 regions mostly inside them, saying so;
only merged regions stay undrawn, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.realdata


def test_redrawn_regions_are_drawn_approximately(mirror: Path) -> None:
    from clustermap.web.api.geo import result_layer

    layer = result_layer(["UKM2", "UKM3", "FR71", "DE11", "DE41", "DE42", "IE01", "IE02"], mirror=mirror)
    props = {f["id"]: f["properties"] for f in layer["features"]}
    assert props["DE11"]["shape"] == "exact"
    assert (props["FR71"]["shape"], props["FR71"]["drawn_as"]) == ("recode", ["FRK2"])
    # NUTS 2013 -> 2016: UKM2 lies wholly over UKM7 and over 30 % of UKM9; UKM3 over UKM8 and 70 % of UKM9
    assert (props["UKM2"]["shape"], props["UKM2"]["drawn_as"]) == ("approximate", ["UKM7"])
    assert (props["UKM3"]["shape"], props["UKM3"]["drawn_as"]) == ("approximate", ["UKM8", "UKM9"])
    assert "redrawn" in props["UKM2"]["note"] and "UKM9" in props["UKM2"]["note"]
    # Ireland in 2010 codes is drawn, no 2016 region twice
    drawn = [p for code in ("IE01", "IE02") for p in props[code]["drawn_as"]]
    assert len(drawn) == len(set(drawn)) and drawn
    # a merge has no shape of its own: said why, not painted as another region
    missing = {m["region"]: m for m in layer["missing"]}
    assert set(missing) == {"DE41", "DE42"} and "merged" in missing["DE41"]["fix"]


def test_map_says_which_regions_are_approximate(client) -> None:
    data = client.get("/api/map-data", params={"year": 2013, "category": "automotive"}).json()
    codes = {v["region"] for v in data["values"]}
    approx = sorted(c for c in ("UKM2", "UKM3") if c in codes)
    if not approx:
        pytest.skip("the run has no UKM2 / UKM3 cells in 2013")
    assert "drawn approximately" in data["summary"] and approx[0] in data["summary"]
    assert not set(approx) & set(data["regions_without_shape"])
