"""Labels read as prose (no backticks, ``|R|``, ``<=`` or Markdown pipes) and numbers are formatted by kind."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from clustermap.reports.model import Table
from clustermap.reports.render import column_kind, format_table
from clustermap.reports.text import readable


def test_markup_becomes_prose() -> None:
    assert readable("star iff ``rank <= focus_share x |R| x |C|``") == (
        "star iff rank ≤ focus_share x number of regions x number of categories"
    )
    assert readable("`category` ranks it; **bold**; a != b; x >= 1") == "category ranks it; bold; a ≠ b; x ≥ 1"
    assert readable("Automotive | Chemicals") == "Automotive, Chemicals"
    # mathematics stays: an absolute value is not a set size
    assert readable("½ Σ_r |E[r,c]/E[.,c] − T[r]/T|") == "½ Σ_r |E[r,c]/E[.,c] − T[r]/T|"
    html = Markup("<code>`kept`</code>")
    assert readable(html) is html and readable(3) == 3 and readable(None) is None


@given(st.text(alphabet=st.sampled_from(list("abc `*|<>=!RC "))))
def test_prose_has_no_backticks_or_set_bars(text: str) -> None:
    out = readable(text)
    assert "``" not in out and "|R|" not in out and "|C|" not in out and "<=" not in out
    assert readable(out) == readable(readable(out))  # stable once applied


def test_numbers_formatted_by_kind() -> None:
    assert column_kind("employment_in_clusters") == "persons"
    assert column_kind("wages_per_person") == "eur"
    assert column_kind("share_in_clusters") is None and column_kind("employment_share") is None
    assert column_kind("year") == "year"
    frame = pd.DataFrame({"year": [2014.0], "employment": [1234.567], "wages_per_person": [31234.4], "lq": [1.23456]})
    rows = format_table(Table("t", "T", frame))["rows"]
    assert rows == [["2014", "1,235", "EUR 31,234", "1.235"]]
