"""The region registry built from the real NUTS and US files of the data mirror."""

from __future__ import annotations

import pytest

from clustermap.errors import UnknownNameError
from clustermap.regions import NUTS_VERSIONS, RegionRegistry, load_nuts_table, load_us_table

pytestmark = pytest.mark.realdata


def test_build_from_both_tables(mirror) -> None:
    """How long the build takes is measured in benchmarks/bench_loaders.py, not here."""
    reg = RegionRegistry(nuts=load_nuts_table(mirror=mirror), us=load_us_table(mirror=mirror))
    assert reg.get("DE11").name == "Stuttgart" and reg.get("06").name == "California"


def test_stuttgart_and_its_family(registry) -> None:
    r = registry.get("DE11")
    assert (r.name, r.level, r.parent, r.country, r.versions) == ("Stuttgart", 2, "DE1", "DE", NUTS_VERSIONS)
    assert registry.parent("DE11").name == "Baden-Württemberg"
    kids = registry.children("DE11", 2016)
    assert len(kids) == 13 and all(k.parent == "DE11" and k.level == 3 for k in kids)
    assert registry.get("DE", 2016).level == 0


def test_french_regions_across_versions(registry) -> None:
    fr71 = registry.get("FR71", 2010)
    assert fr71.name == "Rhône-Alpes" and fr71.versions == (2006, 2010, 2013)
    frk2 = registry.get("FRK2", 2016)
    assert frk2.name == "Rhône-Alpes" and frk2.versions == (2016, 2021, 2024) and frk2.parent == "FRK"
    with pytest.raises(UnknownNameError, match=r"FR71 is not a NUTS 2016 code \(valid in 2006, 2010, 2013\)"):
        registry.get("FR71", 2016)
    assert registry.versions("FRA1") == (2013,)
    assert registry.versions("FR91") == (2006, 2010)


def test_greek_and_uk_recodes(registry) -> None:
    assert registry.get("GR11").country == "EL"
    assert registry.get("EL11", 2010).name == "Anatoliki Makedonia, Thraki"  # Latin form borrowed from GISCO
    assert registry.versions("UKI1") == (2006, 2010) and 2013 in registry.versions("UKI3")


def test_unknown_codes_and_versions_list_near_matches(registry) -> None:
    with pytest.raises(UnknownNameError, match="near matches: DE1"):
        registry.get("DE1X")
    with pytest.raises(UnknownNameError, match="unknown NUTS version 2011"):
        registry.get("DE11", 2011)


def test_list_counts_per_version(registry) -> None:
    n2 = {v: len(registry.list(level=2, version=v)) for v in NUTS_VERSIONS}
    # EU + EFTA (+ candidate countries from GISCO from 2016), extra-regio xxZZ codes where the tables list them
    assert 300 < n2[2013] < 400 and 330 < n2[2016] < 420 and 290 < n2[2024] < 360
    de = registry.list(level=1, version=2016, country="DE")
    assert len(de) == 16 + 1 and "DE1" in set(de["code"])  # 16 Länder and DEZ


def test_us_states_counties_areas(registry) -> None:
    ca = registry.get("06")
    assert (ca.name, ca.kind, ca.level_name, ca.parent) == ("California", "state", "state", None)
    la = registry.get("06037")
    assert la.name == "Los Angeles" and la.parent == "06" and registry.parent("06037").name == "California"
    assert len(registry.children("06")) == 58
    assert registry.get("41860").kind == "cbsa"
    assert registry.get("001", kind="economic_area").name == "Aberdeen, SD"
    assert len(registry.list(level="state")) == 56 and len(registry.list(level="economic_area")) == 179


def test_search(registry) -> None:
    assert registry.search("stuttgart")[0].code == "DE11"
    assert registry.search("california")[0].code == "06"
    assert registry.search("RHONE-ALPES")[0].code in {"FR71", "FRK2"}  # accents ignored
