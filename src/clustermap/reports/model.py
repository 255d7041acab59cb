"""What a report is made of, independent of how it is rendered (HTML with plotly, or PDF with matplotlib when no
browser is there): sections of text, comparisons with the reference, charts, tables and definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Chart", "Comparison", "Report", "Section", "Table"]


@dataclass
class Chart:
    """A chart described by its data, drawable by plotly (HTML) and matplotlib (PDF fallback).

    Attributes
    ----------
    key : str
        Identifier, unique in the report.
    title : str
        Title shown above the chart.
    kind : str
        ``bar`` (vertical), ``barh`` (horizontal), ``hist`` (pre-binned: ``bin_low, bin_high, count``),
        ``scatter``, ``heatmap`` (``data`` is the matrix) or ``choropleth``.
    data : pandas.DataFrame
        The values drawn.
    x, y : str or None
        Columns (for ``barh``, ``x`` is the value and ``y`` the label).
    options : dict
        Kind-specific: ``series`` (column that splits bars into groups), ``color`` (column with colours or values),
        ``stack`` (stack the series' bars), ``text`` (bar labels), ``label`` (point labels), ``highlight`` (bool
        column: labelled points), ``fit`` (``slope``, ``intercept``, ``log_y``), ``log_y``, ``xlabel``, ``ylabel``,
        ``percent_x``/``percent_y``,
        ``hlines``/``vlines`` (list of ``(value, label)``), ``geojson`` (dict), ``value`` (choropleth column),
        ``hover`` (column), ``scope`` (``europe``/``usa``), ``colorscale``, ``height``.
    caption : str
        Text under the chart (source, what it shows).
    """

    key: str
    title: str
    kind: str
    data: pd.DataFrame
    x: str | None = None
    y: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    caption: str = ""


@dataclass
class Table:
    """A table shown in the report and written as CSV and XLSX.

    Attributes
    ----------
    key : str
        Identifier (file stem of the CSV/XLSX).
    title : str
        Caption title.
    frame : pandas.DataFrame
        The full table (files hold every row).
    caption : str
        Text under the table.
    formats : dict
        Column → ``pct`` (share 0-1 shown as %), ``int``, ``num`` (thousands separators), ``f1``, ``f2``, ``f3``.
    max_rows : int
        Rows shown in HTML/PDF (files hold all).
    show : list of str or None
        Columns shown in HTML/PDF (default all; files hold all).
    """

    key: str
    title: str
    frame: pd.DataFrame
    caption: str = ""
    formats: dict[str, str] = field(default_factory=dict)
    max_rows: int = 40
    show: list[str] | None = None


@dataclass
class Comparison:
    """One statistic next to the figure the reference publishes.

    Attributes
    ----------
    statistic : str
        What is compared.
    ours : str
        clustermap's value, formatted.
    reference : str
        The reference's wording, verbatim.
    where : str
        Where in the reference (section, figure).
    why : str
        Why the two differ.
    """

    statistic: str
    ours: str
    reference: str
    where: str
    why: str = ""


@dataclass
class Section:
    """A titled part of a report: paragraphs, comparisons, charts, tables and the definitions of its
    statistics (keys of :data:`clustermap.analyses.DEFINITIONS`)."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    """A whole report.

    Attributes
    ----------
    kind : str
        ``overview``, ``region`` or ``category``.
    stem : str
        File stem (``overview``, the region code, the category slug).
    title, subtitle : str
        Headings.
    sections : list of Section
    sources : list of dict
        Data sources with provenance (``name, publisher, dataset, file, sha256, detail, licence``).
    notes : list of str
        Notes shown at the top (e.g. inputs that were missing).
    meta : dict
        ``created``, ``code_version``, run ids …
    """

    kind: str
    stem: str
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        """Every table of every section, in order."""
        return [t for s in self.sections for t in s.tables]

    @property
    def charts(self) -> list[Chart]:
        """Every chart of every section, in order."""
        return [c for s in self.sections for c in s.charts]
