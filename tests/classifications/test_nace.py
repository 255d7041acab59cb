"""NACE Rev. 2 titles and SBS code conversion."""

from __future__ import annotations

import pytest

from clustermap.classifications import from_sbs_code, nace_titles, to_sbs_code
from clustermap.errors import UnknownNameError


def test_sbs_codes_on_the_small_mirror(fake_mirror) -> None:
    assert to_sbs_code("29", mirror=fake_mirror) == "C29"
    assert to_sbs_code("47.1", mirror=fake_mirror) == "G471"
    assert to_sbs_code("471", mirror=fake_mirror) == "G471"
    assert to_sbs_code("29.10", mirror=fake_mirror) == "C2910"
    assert to_sbs_code("C29", mirror=fake_mirror) == "C29"
    assert to_sbs_code("G", mirror=fake_mirror) == "G"
    assert from_sbs_code("C29", mirror=fake_mirror) == "29"
    assert from_sbs_code("g471", mirror=fake_mirror) == "47.1"
    assert from_sbs_code("G471", dotted=False, mirror=fake_mirror) == "471"
    assert from_sbs_code("C", mirror=fake_mirror) == "C"
    with pytest.raises(UnknownNameError, match="aggregate"):
        from_sbs_code("B-N_X_K", mirror=fake_mirror)
    with pytest.raises(UnknownNameError):
        to_sbs_code("99.99", mirror=fake_mirror)
    with pytest.raises(UnknownNameError, match="NACE level"):
        nace_titles("subclass", mirror=fake_mirror)


@pytest.mark.realdata
def test_nace_rev2_structure(mirror) -> None:
    titles = nace_titles(mirror=mirror)
    assert titles.groupby("level").size().to_dict() == {1: 21, 2: 88, 3: 272, 4: 615}
    divisions = nace_titles("division", mirror=mirror).set_index("code")
    assert divisions.loc["29", "title"] == "Manufacture of motor vehicles, trailers and semi-trailers"
    assert divisions.loc["29", "sbs_code"] == "C29"
    # every SBS code of the eco-nace2 category set is a NACE Rev. 2 code and round-trips
    from clustermap.definitions.categories import load_category_set

    for code in load_category_set("eco-nace2").industries:
        assert to_sbs_code(from_sbs_code(code, mirror=mirror), mirror=mirror) == code
    assert from_sbs_code("G471", mirror=mirror) == "47.1"
    assert to_sbs_code("10.11", mirror=mirror) == "C1011"
