"""Rendering a hand-made report with every chart kind: offline HTML with plotly inlined, the PDF printed by
Chromium and the matplotlib fallback (pages rendered to images and checked non-blank), tables as CSV and XLSX."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.reports.conftest import offline_problems, pdf_pages_ink

from clustermap.reports import Chart, Comparison, Report, Section, Table, write_report
from clustermap.reports.pdf import find_chromium

SQUARES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": code,
            "properties": {"id": code, "name": code},
            "geometry": {"type": "Polygon", "coordinates": [[[x, 50], [x + 5, 50], [x + 5, 55], [x, 55], [x, 50]]]},
        }
        for code, x in (("AA11", 0.0), ("BB22", 6.0))
    ],
}


def hand_report() -> Report:
    bars = pd.DataFrame(
        {"label": ["a", "b", "a", "b"], "value": [1.0, 2.0, 1.5, 0.5], "series": ["EU", "EU", "US", "US"]}
    )
    hist = pd.DataFrame({"bin_low": [0.0, 0.5], "bin_high": [0.5, 1.0], "count": [3, 1], "share": [0.75, 0.25]})
    pts = pd.DataFrame(
        {
            "region": list("ABCDE"),
            "x": [1, 2, 3, 4, 5],
            "y": [2.0, 4.1, 5.9, 8.2, 30.0],
            "hl": [False, False, False, False, True],
        }
    )
    matrix = pd.DataFrame([[5, 1], [2, 7]], index=["0 stars", "1 star"], columns=["0 stars", "1 star"])
    regions = pd.DataFrame({"region": ["AA11", "BB22"], "v": [0.2, 0.8]})
    charts = [
        Chart("bar", "Grouped bars", "bar", bars, x="label", y="value", options={"series": "series"}),
        Chart(
            "barh",
            "Horizontal bars",
            "barh",
            bars[bars["series"] == "EU"],
            x="value",
            y="label",
            options={"vlines": [(1.0, "one")]},
        ),
        Chart("hist", "Histogram", "hist", hist, y="count", options={"percent_x": True}),
        Chart(
            "scatter",
            "Scatter with fit",
            "scatter",
            pts,
            x="x",
            y="y",
            options={"label": "region", "highlight": "hl", "fit": {"slope": 2.0, "intercept": 0.0}},
        ),
        Chart("heatmap", "Transitions", "heatmap", matrix),
        Chart(
            "map",
            "Map",
            "choropleth",
            regions,
            x="region",
            y="v",
            options={"geojson": SQUARES, "value": "v", "percent": True, "zmin": 0, "zmax": 1},
        ),
    ]
    table = Table(
        "numbers",
        "Numbers",
        pd.DataFrame(
            {"region": ["A", "B"], "share": [0.25, 0.5], "year": [2014, 2014], "employment": [1234567.0, 89.0]}
        ),
        formats={"share": "pct", "employment": "int"},
    )
    return Report(
        kind="overview",
        stem="handmade",
        title="A hand-made report",
        subtitle="every chart kind",
        sections=[
            Section(
                "one",
                "One",
                ["A paragraph with <b>markup</b> that must be escaped."],
                comparisons=[Comparison("share", "25%", "Average region: 21%", "Figure 9", "granularity")],
                charts=charts,
                tables=[table],
                definitions=["lq", "gini"],
            )
        ],
        sources=[{"name": "test", "dataset": "none", "file": "none", "sha256": "0" * 64, "detail": "", "licence": ""}],
        meta={"created": "today", "code_version": "test", "headline": []},
    )


def test_html_is_offline_with_plotly_inlined(tmp_path) -> None:
    files = write_report(hand_report(), tmp_path, pdf=False)
    html = files.html.read_text("utf-8")
    assert offline_problems(html) == []
    assert len(html) > 3_000_000 and "Plotly.newPlot" in html  # plotly.js and the charts are in the file
    assert "PlotlyGeoAssets" in html  # no base-map topojson is fetched for the map
    assert "&lt;b&gt;markup&lt;/b&gt;" in html  # text is escaped
    assert "Location quotient LQ" in html and "Locational Gini" in html  # definitions next to the section
    assert "1,234,567" in html and "25.0%" in html and ">2014<" in html


def test_tables_as_csv_and_xlsx(tmp_path) -> None:
    files = write_report(hand_report(), tmp_path, pdf=False)
    csv = tmp_path / "tables" / "handmade_numbers.csv"
    xlsx = tmp_path / "tables" / "handmade_numbers.xlsx"
    assert csv in files.tables and xlsx in files.tables and (tmp_path / "tables" / "handmade_tables.xlsx").is_file()
    pd.testing.assert_frame_equal(pd.read_csv(csv), pd.read_excel(xlsx), check_dtype=False)


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install -y chromium")
def test_pdf_printed_by_chromium(tmp_path) -> None:
    files = write_report(hand_report(), tmp_path)
    assert files.pdf_method == "chromium"
    ink = pdf_pages_ink(files.pdf)
    assert ink and all(share > 0.005 for share in ink)


def test_pdf_without_a_browser(tmp_path) -> None:
    files = write_report(hand_report(), tmp_path, chromium=None)
    assert files.pdf_method == "matplotlib"
    ink = pdf_pages_ink(files.pdf)
    assert len(ink) >= 8 and all(share > 0.001 for share in ink)  # text page, 6 charts, table, sources


def test_count_rows_of_a_statistics_table_print_as_counts(capsys) -> None:
    """Figure 9's table holds shares and the number of regions in one column: n = 288 printed "288", not
    "28800.0 %", in reports and on the command line."""
    from clustermap.cli.analyse.output import print_table
    from clustermap.reports.render import format_table

    frame = pd.DataFrame({"statistic": ["max", "mean", "n"], "eu": [0.74, 0.21, 288.0], "us": [0.7, 0.3, 51.0]})
    rows = format_table(Table("fig9", "Figure 9", frame, formats={"eu": "pct", "us": "pct"}))["rows"]
    assert rows == [["max", "74.0%", "70.0%"], ["mean", "21.0%", "30.0%"], ["n", "288", "51"]]
    print_table(frame, "Figure 9", formats={"eu": "pct", "us": "pct"}, top=2)
    printed = capsys.readouterr().out
    assert "74.0%" in printed and "21.0%" in printed and "288" not in printed and "(first 2 of 3)" in printed
    print_table(frame, "Figure 9", formats={"eu": "pct", "us": "pct"}, columns=["statistic", "eu"])
    printed = capsys.readouterr().out
    assert "288" in printed and "28800" not in printed and "70.0%" not in printed
    # an ordinary table (no statistic column) keeps its column formats
    plain = pd.DataFrame({"region": ["A"], "share": [0.5]})
    assert format_table(Table("t", "t", plain, formats={"share": "pct"}))["rows"] == [["A", "50.0%"]]


def test_pdf_without_a_browser_prints_at_8pt_or_more(tmp_path) -> None:
    """The matplotlib PDF: charts, a 15-column table (split over landscape pages, first column repeated) and
    every text at 8 pt or more, nothing beyond the page edge."""
    from tests.reports.conftest import off_the_page, pdf_chars, small_text
    from tests.reports.test_pdf_layout import _chart_report, _wide_report

    report = _chart_report()
    report.sections += _wide_report().sections
    files = write_report(report, tmp_path, chromium=None)
    assert files.pdf_method == "matplotlib"
    chars = pdf_chars(files.pdf)
    text = "".join(c[1] for c in chars)
    assert "3★" in text and "employmentincategory13" in text and "Regionwithalongnamenumber29" in text
    assert small_text(chars) == {}
    assert off_the_page(chars) == ""
