"""Places found as people type them: folding, ranking on hand-made indexes, properties, and the real gazetteer
behind ``/api/regions?q=``."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from hypothesis import given
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
