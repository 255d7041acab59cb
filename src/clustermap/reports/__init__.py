"""Reports a policy maker can read: self-contained HTML (Jinja2 templates, interactive plotly charts with plotly.js
inlined, so they open offline), a PDF of it (headless Chromium, or matplotlib when no browser is installed),
and every table as CSV and XLSX.

====================================  =======================================================================
function                              writes
====================================  =======================================================================
:func:`make_overview`                 ``DIR/overview.html``, ``DIR/overview.pdf``, ``DIR/tables/overview_*``
:func:`make_region_report`            ``DIR/<code>.html``, ``DIR/<code>.pdf``, ``DIR/tables/<code>_*``
:func:`make_category_report`          ``DIR/<slug>.html``, ``DIR/<slug>.pdf``, ``DIR/tables/<slug>_*``
:func:`write_report`                  any :class:`~clustermap.reports.model.Report`
====================================  =======================================================================

The material comes from :func:`clustermap.reports.study.load_study`: the warehouse's latest matching runs, or
the data mapped now (and stored) when there are none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustermap.reports.model import Chart, Comparison, Report, Section, Table
from clustermap.reports.study import Study, load_study

log = logging.getLogger(__name__)

__all__ = [
    "Chart",
    "Comparison",
    "Report",
    "ReportFiles",
    "Section",
    "Study",
    "Table",
    "load_study",
    "make_category_report",
    "make_overview",
    "make_region_report",
    "write_report",
]


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    html, pdf : Path
        The report and its PDF.
    tables : list of Path
        Every table as CSV and XLSX (and one workbook with all of them).
    pdf_method : str
        ``chromium`` (the HTML printed) or ``matplotlib`` (drawn without a browser).
    report : Report
        The report object.
    """

    html: Path
    pdf: Path | None
    tables: list[Path] = field(default_factory=list)
    pdf_method: str = ""
    report: Report | None = None


def write_report(report: Report, out_dir: str | Path, *, pdf: bool = True, chromium: Any = "auto") -> ReportFiles:
    """Write ``DIR/<stem>.html``, ``DIR/<stem>.pdf`` and ``DIR/tables/<stem>_<table>.csv|.xlsx``.

    Parameters
    ----------
    pdf : bool
        Also write the PDF.
    chromium : "auto", path or None
        Browser for the PDF; None draws it with matplotlib.
    """
    from clustermap.reports.pdf import write_pdf
    from clustermap.reports.render import render_html, write_tables

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path = out / f"{report.stem}.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    tables = write_tables(report, out / "tables")
    files = ReportFiles(html=html_path, pdf=None, tables=tables, report=report)
    if pdf:
        pdf_path = out / f"{report.stem}.pdf"
        files.pdf_method = write_pdf(report, html_path, pdf_path, chromium=chromium)
        files.pdf = pdf_path
    return files


def _study(study: Study | None, **kw: Any) -> Study:
    return study if study is not None else load_study(**kw)


def make_overview(
    out_dir: str | Path, *, study: Study | None = None, pdf: bool = True, chromium: Any = "auto", **study_kw: Any
) -> ReportFiles:
    """Build and write the overview report (see :func:`clustermap.reports.study.load_study` for ``study_kw``:
    ``warehouse``, ``mirror``, ``year``, ``us_year``, ``nuts_version``)."""
    from clustermap.reports.overview import build_overview

    return write_report(build_overview(_study(study, **study_kw)), out_dir, pdf=pdf, chromium=chromium)


def make_region_report(
    code: str,
    out_dir: str | Path,
    *,
    study: Study | None = None,
    pdf: bool = True,
    chromium: Any = "auto",
    **study_kw: Any,
) -> ReportFiles:
    """Build and write the report of region ``code`` (NUTS code of the results, or US state FIPS)."""
    from clustermap.reports.profiles import build_region_report

    return write_report(build_region_report(_study(study, **study_kw), code), out_dir, pdf=pdf, chromium=chromium)


def make_category_report(
    slug: str,
    out_dir: str | Path,
    *,
    study: Study | None = None,
    pdf: bool = True,
    chromium: Any = "auto",
    **study_kw: Any,
) -> ReportFiles:
    """Build and write the report of category ``slug``."""
    from clustermap.reports.profiles import build_category_report

    return write_report(build_category_report(_study(study, **study_kw), slug), out_dir, pdf=pdf, chromium=chromium)
