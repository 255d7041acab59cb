"""The overview report: every analysis of chapter 2 of SEC(2008) 2637 on the latest data, each statistic next
to the figure the reference publishes and the reasons they differ.

One module per part of the chapter, each holding the section builders ``(study, headline) -> Section | None``
(a builder may add its key comparisons to ``headline``): :mod:`.presence`, :mod:`.portfolios`,
:mod:`.concentration`, :mod:`.relations`, :mod:`.change`.
"""

from __future__ import annotations

from clustermap.reports._common import report_meta
from clustermap.reports.model import Comparison, Report
from clustermap.reports.overview.change import change_section
from clustermap.reports.overview.concentration import concentration_section, eu_us_section, figure9_section
from clustermap.reports.overview.portfolios import employment_section, portfolio_section
from clustermap.reports.overview.presence import (
    automotive_section,
    clusters_section,
    data_section,
    differences_section,
)
from clustermap.reports.overview.relations import innovation_section, prosperity_section
from clustermap.reports.study import Study

__all__ = ["build_overview"]

#: the sections in the order of the report
SECTIONS = (
    data_section,
    differences_section,
    clusters_section,
    portfolio_section,
    employment_section,
    figure9_section,
    concentration_section,
    eu_us_section,
    innovation_section,
    prosperity_section,
    change_section,
    automotive_section,
)


def build_overview(study: Study) -> Report:
    """The overview :class:`~clustermap.reports.model.Report` of a :class:`~clustermap.reports.study.Study`."""
    eu, us, year = study.eu, study.us, study.year
    report = Report(
        kind="overview",
        stem="overview",
        title="Regional clusters in Europe and the United States",
        subtitle=(
            f"The statistical results of SEC(2008) 2637, chapter 2, recomputed: {eu.label}, {year}"
            + (f"; {us.label}" if us is not None else "")
            + f"; European Cluster Observatory star method ({eu.methodology}) on {study.n_categories} categories."
        ),
        meta=report_meta(study),
    )
    headline: list[Comparison] = []
    for build in SECTIONS:
        section = build(study, headline)
        if section is not None:
            report.sections.append(section)
    report.meta["headline"] = headline
    report.notes = list(study.missing)
    report.sources = study.sources()
    return report
