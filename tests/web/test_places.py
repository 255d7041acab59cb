"""Places found as people type them: folding, ranking on hand-made indexes, properties, and the real gazetteer
behind ``/api/regions?q=``."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustermap.web.api.places import fold, search_places


def _names() -> pd.DataFrame:
    rows = [
        ("DE2", "Bayern", "name", 1, True),
        ("DE2", "Bavaria", "English name", 1, True),
        ("DE21", "Oberbayern", "name", 2, True),
        ("DE21", "Upper Bavaria", "English name", 2, True),
        ("DE212", "München, Kreisfreie Stadt", "name", 3, True),
        ("DE21H", "München, Landkreis", "name", 3, True),
        ("FR10", "Île-de-France", "name", 2, True),
        ("FR71", "Rhône-Alpes", "name", 2, False),
    ]
    frame = pd.DataFrame(rows, columns=["code", "label", "source", "level", "current"])
    frame["key"] = frame["label"].map(fold)
    return frame


def _cities() -> pd.DataFrame:
    rows = [
        (1, "Munich", 1_500_000, "DE212", "munich"),
        (1, "Munich", 1_500_000, "DE212", "munchen"),
        (2, "Mönchengladbach", 260_000, "DEA15", "monchengladbach"),
        (3, "Wolfsburg", 123_000, "DE913", "wolfsburg"),
    ]
    return pd.DataFrame(rows, columns=["geonameid", "city", "population", "nuts3", "key"])


def _codes(query: str, n: int = 5) -> list[str]:
    return [h.code for h in search_places(query, _names(), _cities(), limit=n)]


def test_fold() -> None:
    assert fold("Île-de-France") == fold("ile de france") == fold("ILE DE FRANCE") == "ile de france"
    assert fold("Provence-Alpes-Côte d'Azur") == "provence alpes cote d azur"
    assert fold("Straße") == "strasse" and fold("  ") == ""


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("ile de france", ["FR10"]),
        ("Île-de-France!", ["FR10"]),
        ("bavaria", ["DE2", "DE21"]),  # English names; the region itself before the one whose name contains it
        ("BAYERN", ["DE2", "DE21"]),
        ("munich", ["DE21", "DE212", "DE2"]),  # a city answers its NUTS-2 region first, then NUTS-3, then NUTS-1
        ("münchen", ["DE21", "DE212", "DE2"]),  # the city outranks the districts whose names start with it
        ("wolfsburg", ["DE91", "DE913", "DE9"]),
        ("de212", ["DE212"]),
        ("fr71", ["FR71"]),  # a code of an older NUTS version is still found
    ],
)
def test_ranking(query: str, first: list[str]) -> None:
    assert _codes(query)[: len(first)] == first


def test_prefix_and_substring_come_after_exact_matches() -> None:
    assert _codes("münchen", 10) == ["DE21", "DE212", "DE2", "DE21H"]  # then the district named after it
    assert _codes("monchen") == ["DEA1", "DEA15", "DEA"]  # a city's name prefix
    assert _codes("bayern")[:2] == ["DE2", "DE21"]
    assert _codes("xyz") == [] and _codes("  ") == []


def test_without_a_gazetteer_names_still_answer() -> None:
    assert [h.code for h in search_places("bavaria", _names(), None)] == ["DE2", "DE21"]
    assert search_places("wolfsburg", _names(), None) == []


@given(st.text(max_size=30))
def test_fold_ignores_case_accents_and_punctuation(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert fold(text.upper()) == fold(text.lower()) or "ß" in text.lower() or "ı" in text.lower()
    assert all(c.isalnum() or c == " " for c in once)
    assert "  " not in once and once == once.strip()
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    assert fold(stripped) == once


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("ile de france", "FR10"),
        ("munich", "DE21"),
        ("münchen", "DE21"),
        ("muenchen", "DE21"),
        ("bavaria", "DE2"),
        ("wolfsburg", "DE91"),
        ("Lombardy", "ITC4"),
    ],
)
def test_api_finds_places_in_the_first_five(client, query: str, code: str) -> None:
    body = client.get("/api/regions", params={"q": query, "limit": 5}).json()
    codes = [i["code"] for i in body["items"]]
    assert code in codes, codes
    assert next(i for i in body["items"] if i["code"] == code)["match"]


@pytest.mark.realdata
def test_search_page_without_javascript_finds_cities(client) -> None:
    html = client.get("/regions", params={"q": "wolfsburg"}).text
    assert "(DE91)" in html and "city Wolfsburg" in html and "GeoNames" in html


# ---------------------------------------------------------------------------------------------- old NUTS codes


def _with_former(successors: pd.DataFrame) -> pd.DataFrame:
    from clustermap.web.api.places import name_index

    nuts = pd.DataFrame(
        [
            ("FR24", 2013, "Centre"),
            ("FRB0", 2016, "Centre — Val de Loire"),
            ("UKM2", 2013, "Eastern Scotland"),
            ("UKM7", 2021, "Eastern Scotland"),
            ("UKM9", 2021, "Southern Scotland"),
        ],
        columns=["code", "version", "name"],
    ).assign(name_national=lambda f: f["name"], level=2)
    return name_index(nuts, successors=successors)


def test_an_old_code_answers_todays_region_first_with_a_note() -> None:
    succ = pd.DataFrame(
        [
            ("FR24", "2006–2013", "FRB0", 2024, 1.0, "recode"),
            ("UKM2", "2006–2013", "UKM7", 2021, 0.94, "split"),
            ("UKM2", "2006–2013", "UKM9", 2021, 0.06, "split"),
        ],
        columns=["code", "versions", "successor", "to_version", "share", "change"],
    )
    names = _with_former(succ)
    hits = search_places("fr24", names, None)
    assert [(h.code, h.match) for h in hits] == [("FRB0", "formerly FR24 (NUTS 2006–2013)"), ("FR24", "code")]
    hits = search_places("UKM2", names, None)
    assert [h.code for h in hits] == ["UKM7", "UKM9", "UKM2"]  # the largest share first, the old code last
    assert hits[0].match == "includes 94 % of the former UKM2 (NUTS 2006–2013, split)"
    # a code valid today answers itself only; an old code is not a name ("ukm" finds no former code)
    assert [h.code for h in search_places("FRB0", names, None)] == ["FRB0"]
    assert all(h.match != "formerly FR24 (NUTS 2006–2013)" for h in search_places("fr2", names, None))


def test_without_successors_an_old_code_answers_itself() -> None:
    empty = pd.DataFrame(columns=["code", "versions", "successor", "to_version", "share", "change"])
    assert [(h.code, h.match) for h in search_places("FR24", _with_former(empty), None)] == [("FR24", "code")]


@pytest.mark.realdata
def test_successors_on_the_jrc_matrices(mirror) -> None:
    from clustermap.regions import get_registry
    from clustermap.regions.successors import successors

    succ = successors(get_registry(mirror=mirror).nuts_table, mirror=mirror)
    got = {c: g for c, g in succ.groupby("code")}
    fr24 = got["FR24"]
    assert fr24[["successor", "to_version", "change"]].values.tolist() == [["FRB0", 2024, "recode"]]
    ukm2 = got["UKM2"]  # the United Kingdom's today is NUTS 2021
    assert ukm2["successor"].tolist() == ["UKM7", "UKM9"] and set(ukm2["to_version"]) == {2021}
    assert ukm2["share"].iloc[0] > 0.9 and set(ukm2["change"]) == {"split"}
    assert got["DE41"]["successor"].tolist() == ["DE40"] and got["DE41"]["change"].iloc[0] == "merge"
    assert got["GR11"]["change"].iloc[0] == "recode"  # EL51 since 2013; EL11 (2010) is the same region
    assert succ.groupby("code")["share"].sum().between(0.999, 1.001).all()
    assert "FRB0" not in got and "DE21" not in got  # codes valid today have no successor


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("old", "new", "note"),
    [("FR24", "FRB0", "formerly FR24"), ("UKM2", "UKM7", "of the former UKM2"), ("de41", "DE40", "former DE41")],
)
def test_api_answers_the_current_code_of_an_old_one(client, old: str, new: str, note: str) -> None:
    body = client.get("/api/regions", params={"q": old, "limit": 5}).json()
    first = body["items"][0]
    assert first["code"] == new and note in first["match"], body["items"]
    assert old.upper() in [i["code"] for i in body["items"]]


@pytest.mark.realdata
def test_region_page_of_todays_code_leads_to_the_runs_old_code(client, cells) -> None:
    assert "FR24" in set(cells["region"]) and "FRB0" not in set(cells["region"])  # the run is in NUTS 2013 codes
    page = client.get("/region/FRB0")
    assert page.status_code == 200
    assert 'href="/region/FR24?run=' in page.text and "formerly FR24 (NUTS 2006–2013)" in page.text
    assert client.get("/region/XX99").status_code == 404


@settings(deadline=None, max_examples=25)
@given(st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=1, max_size=4))
def test_successors_come_first_largest_share_first(weights: list[float]) -> None:
    """Whatever the split, an old code answers its successors by decreasing share, then itself."""
    shares = [w / sum(weights) for w in weights]
    new = [f"XXA{i}" for i in range(len(shares))]
    succ = pd.DataFrame(
        {
            "code": "XX11",
            "versions": "2006",
            "successor": new,
            "to_version": 2024,
            "share": shares,
            "change": "split" if len(new) > 1 else "recode",
        }
    )
    from clustermap.web.api.places import name_index

    nuts = pd.DataFrame(
        [("XX11", 2006, "Old"), *[(c, 2024, f"New {i}") for i, c in enumerate(new)]],
        columns=["code", "version", "name"],
    ).assign(name_national=lambda f: f["name"], level=2)
    hits = search_places("xx11", name_index(nuts, successors=succ), None)
    order = sorted(range(len(new)), key=lambda i: (-shares[i], new[i]))
    assert [h.code for h in hits] == [new[i] for i in order] + ["XX11"]
