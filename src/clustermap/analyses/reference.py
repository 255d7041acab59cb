"""The figures SEC(2008) 2637 publishes, quoted verbatim, so that every statistic clustermap computes can be
printed next to the one in the reference.

European Commission (2008), *The concept of clusters and cluster policies and their role for competitiveness
and innovation: main statistical results and lessons learned*, Commission Staff Working Document SEC(2008)
2637. Quotes keep the document's wording (line breaks joined with one space).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIFFERENCES", "DIFFERENCE_LABELS", "REFERENCE", "REFERENCE_TITLE", "Quote"]

REFERENCE_TITLE = (
    "European Commission (2008), The concept of clusters and cluster policies and their role for competitiveness "
    "and innovation: main statistical results and lessons learned, Commission Staff Working Document "
    "SEC(2008) 2637"
)


@dataclass(frozen=True)
class Quote:
    """A published figure: where it is (``where``), its wording (``text``, verbatim) and its value(s)."""

    key: str
    where: str
    text: str
    value: float | None = None


def _q(key: str, where: str, text: str, value: float | None = None) -> Quote:
    return Quote(key, where, text, value)


REFERENCE: dict[str, Quote] = {
    q.key: q
    for q in (
        _q("fig2_3star", "Section 1.4, Figure 2", "3 star clusters 155 7.68 % 1.58%", 155),
        _q("fig2_2star", "Section 1.4, Figure 2", "2 star clusters 524 25.98% 5.34%", 524),
        _q("fig2_1star", "Section 1.4, Figure 2", "1 star clusters 1338 66.34% 13.65%", 1338),
        _q(
            "fig2_total",
            "Section 1.4, Figure 2",
            "Total number of regional clusters (1-3 stars) 2017 100% 20.57%",
            2017,
        ),
        _q(
            "fig2_potential",
            "Section 1.4, Figure 2, footnote 39",
            "The total number of potential areas of cluster development is calculated by multiplying the 258 "
            "regions analysed at NUTS 2 level (within the EU-27 countries, Iceland, Israel, Norway, Switzerland "
            "and Turkey) by the number of 38 cluster categories applied",
            9804,
        ),
        _q(
            "stars_text",
            "Section 1.4",
            "155 regional clusters register three stars (8%), 524 regional clusters two stars (26%), and 1338 one "
            "star (66%).",
        ),
        _q(
            "fig6",
            "Section 2.1, Figure 6",
            "7 out of 19 regions having a strong cluster portfolio (i.e. the highest total number of stars, "
            "equalling 25 stars or more as listed in Figure 6) are among the top third most innovative regions",
            19,
        ),
        _q(
            "fig6_top_third",
            "Section 2.1",
            "(i.e. among the top 33 most innovative regions out of 203 for which data were available)",
            7,
        ),
        _q(
            "fig5",
            "Section 2.1, Figure 5",
            "all EU regions without clusters (i.e. evenly spread out employment across all sectors) are also "
            "characterised by a low level of patent activity. Reversely, all regions with many strong clusters are "
            "among top performers with respect to patents.",
        ),
        _q(
            "sec22_share",
            "Section 2.2",
            "roughly 38% of all European employees work in enterprises that are part of a cluster",
            0.38,
        ),
        _q(
            "sec22_range",
            "Section 2.2",
            "In some regions, this share goes up to over 50% while in others it is only about 25%",
        ),
        _q(
            "sec22_strong",
            "Section 2.2",
            "About one fifth (21%) of these employees are employed in regions that are more than twice as "
            "specialised in a particular cluster category as the average region.",
            0.21,
        ),
        _q(
            "sec22_category",
            "Section 2.2",
            "While on average 32% of employment in a cluster category is more than twice as specialised in a "
            "particular cluster category, individual cluster categories differ significantly in the level of "
            "employment concentration, ranging from a share of below 10% to over 70%.",
            0.32,
        ),
        _q(
            "sec22_examples",
            "Section 2.2",
            "Employment in cluster categories with a relatively small overall number of employees, like footwear "
            "and aerospace, is concentrated in a few clusters that account for far more than 50% of all European "
            "employment in their category. On the other hand, employment in construction or education as sectors "
            "with much larger absolute employment numbers are much more dispersed across Europe.",
        ),
        _q(
            "fig8",
            "Section 2.2, Figure 8",
            "Out of the 38 cluster categories analysed, 32 are more geographically concentrated in the U.S. "
            "compared to Europe.",
            32,
        ),
        _q("fig9_eu_max", "Section 2.2, Figure 9 (European Regions)", "Most specialised region: 74%", 0.74),
        _q("fig9_eu_mean", "Section 2.2, Figure 9 (European Regions)", "Average region: 21%", 0.21),
        _q("fig9_eu_median", "Section 2.2, Figure 9 (European Regions)", "Median region: 18%", 0.18),
        _q("fig9_eu_min", "Section 2.2, Figure 9 (European Regions)", "Least specialised region: 0%", 0.0),
        _q("fig9_us_max", "Section 2.2, Figure 9 (U.S. Regions)", "Most specialised region: 70%", 0.70),
        _q("fig9_us_median", "Section 2.2, Figure 9 (U.S. Regions)", "Median region: 27%", 0.27),
        _q("fig9_us_min", "Section 2.2, Figure 9 (U.S. Regions)", "Least specialised region: 0%", 0.0),
        _q(
            "fig9_text",
            "Section 2.2",
            "For the average region, Europe’s share of employment in strong clusters is a quarter lower than in "
            "the United States. For the median region, the gap is even larger and about a third.",
        ),
        _q(
            "fig10",
            "Section 2.3, Figure 10",
            "Regions with a higher share of employment in industries that belong to strong clusters are generally "
            "more prosperous (see Figure 10).",
        ),
        _q(
            "fig10_note",
            "Section 2.3, Figure 10 note",
            "Strong clusters defined by a Localisation Quotient (LQ)>2; NUTS Regions excluding Portugal and Greece.",
        ),
        _q(
            "change",
            "Section 1.4",
            "between 2001 and 2004 a “three star” cluster in Poland newly emerged whereas such a top cluster in "
            "Hungary disappeared. Even greater changes could be observed for “one star” and “two star” clusters",
        ),
        _q(
            "fig3",
            "Section 1.4, Figure 3",
            "A comparison between the allocation of stars and employment for the automotive sector shows, for "
            "example, that a number of important regional clusters in terms of employment are not amongst the "
            "3-star regions",
        ),
        _q(
            "fig7",
            "Section 2.2, footnote 69",
            "16 regional cluster were assigned 3 stars and 23 regional clusters were attributed 2 stars, while "
            "there an additional 8 regional clusters assigned 1 star out of a total of 259 regions.",
        ),
    )
}

#: short names of the reasons in :data:`DIFFERENCES`
DIFFERENCE_LABELS: dict[str, str] = {
    "year": "year",
    "granularity": "classification granularity",
    "regions": "region set",
    "base": "total base",
    "us": "US data and regions",
    "patents": "innovation measure",
}

#: why clustermap's numbers differ from the reference's, by topic (printed once; comparisons name the topics)
DIFFERENCES: dict[str, str] = {
    "year": "Year: the reference used the European Cluster Observatory's first dataset (June 2007, employment of the "
    "mid-2000s); this report uses Eurostat regional SBS for its latest complete year, US CBP states for 2011 and US "
    "CBSAs for 2019.",
    "granularity": "Classification granularity: the reference's 38 categories are built from 4-digit NACE Rev. 1.1 "
    "classes; Eurostat publishes regional SBS only at division level (groups in trade), so eco-nace2 has 29 "
    "division-level categories (several merged, some partial). Coarser categories mix specialised with "
    "unspecialised activities, which lowers LQs, stars and concentration.",
    "regions": "Region set: the reference mapped 258-259 NUTS-2 regions of the EU-27, Iceland, Israel, Norway, "
    "Switzerland and Turkey; SBS covers the EU-28 and Norway, without the regions whose employment is not "
    "published, harmonised here to one NUTS version.",
    "base": "Total base: the reference relates clusters to the region's total employment; SBS covers only the business "
    "economy (B-N and S95 without K), so T[r] here excludes agriculture, finance, public services, education, "
    "health and arts; shares of total employment are shares of business-economy employment.",
    "us": "US side: CBP counts paid employees of establishments (no self-employed, farms, rail or government) on "
    "6-digit NAICS put on the same 30 categories through ISIC Rev. 4; the mirror's CBP state file ends in 2011 and "
    "keeps ~630 six-digit codes; withheld cells are valued at their size-class midpoint. The reference does not "
    "name its US regions (the US Cluster Mapping of the time used 179 economic areas): 51 large states are less "
    "specialised, 933 metropolitan and micropolitan areas more specialised than such areas.",
    "patents": "Innovation measure: the reference compared stars with the 2006 Regional Innovation Scoreboard (a "
    "composite of 7 indicators over 203 regions); here patents per million inhabitants (EPO applications, "
    "priority years up to 2012, the last in the mirror) stand in for it.",
}
