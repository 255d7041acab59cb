"""The markdown section ``clustermap definitions derive --report`` writes: input, parameters, validation scores of
the derived set next to the reference set's on the same similarity, agreement, and the overlap per category."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from clustermap.definitions.derive import Derivation


def _num(value: Any, digits: int = 3) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def derivation_markdown(
    result: Derivation,
    *,
    input_description: str,
    reference_name: str | None = None,
    category_names: dict[str, str] | None = None,
    top: int = 10,
) -> str:
    """A self-contained markdown section (level-2 heading) describing ``result``."""
    names = category_names or {}
    lines = [
        "## Derived cluster definitions",
        "",
        f"Input: {input_description}. Similarity: correlation across regions of the industries' shares of regional "
        f"{' and '.join(result.similarity.sources)} (co-location, Delgado, Porter & Stern 2016); "
        f"{len(result.similarity.industries):,} industries. Clustering: `{result.method}`, k = {result.k}.",
        "",
        "### Validation scores",
        "",
        "vs_cluster: share of ordered cluster pairs (c, c') whose within-cluster relatedness exceeds their "
        "between-cluster relatedness; vs_industry: share of industries more related, on average, to their own "
        "cluster than to any other; WCR / BCR: mean within / between-cluster similarity.",
        "",
    ]
    keys = ("clusters", "singletons", "vs_cluster", "vs_industry", "mean_wcr", "mean_bcr")
    header = "| set | " + " | ".join(keys) + " |"
    lines += [header, "|" + "---|" * (len(keys) + 1)]
    lines.append("| derived | " + " | ".join(_num(result.scores[k]) for k in keys) + " |")
    if result.reference_scores is not None:
        lines.append(
            f"| {reference_name or 'reference'} | " + " | ".join(_num(result.reference_scores[k]) for k in keys) + " |"
        )
    if result.agreement is not None and result.overlap is not None:
        a = result.agreement
        lines += [
            "",
            f"### Agreement with {reference_name or 'the reference set'}",
            "",
            f"Adjusted Rand index {a['adjusted_rand_index']:.3f} over {a['industries_compared']:,} industries in "
            f"{a['reference_categories']} reference categories (1 = the same partition, about 0 = unrelated).",
            "",
            f"Best and worst reproduced categories (of {len(result.overlap)}): the derived cluster holding most of "
            "the category's industries, that share, and the Jaccard index of the two sets.",
            "",
            "| category | industries | best cluster | share in it | Jaccard |",
            "|---|---|---|---|---|",
        ]
        ov = result.overlap
        shown = ov if len(ov) <= 2 * top else pd.concat([ov.head(top), ov.tail(top)])
        for row in shown.itertuples():
            name = names.get(str(row.reference_category), str(row.reference_category))
            lines.append(
                f"| {name} | {row.industries} | {row.best_cluster + 1} | {row.share_in_best:.2f} | {row.jaccard:.2f} |"
            )
        lines += ["", f"Mean share in the best cluster: {ov['share_in_best'].mean():.3f}; mean Jaccard: "
                  f"{ov['jaccard'].mean():.3f}."]  # fmt: skip
    return "\n".join(lines) + "\n"
