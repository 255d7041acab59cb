"""Cluster definitions derived from the data: industry × industry similarity from co-location across regions,
a clustering of it, validation scores, and agreement with an existing category set.

After Delgado, Porter & Stern (2016, "DPS"), steps 1–4 of their algorithm with the co-location similarity
matrices only (input–output and occupation matrices are not in the data mirror):

1. **Similarity** ``S[i,j]``: the Pearson correlation across regions of the employment of industries ``i`` and
   ``j`` relative to region size, ``E[r,i] / T[r]`` (``T[r]`` the region's employment over the industries of the
   input). Correlating these shares is the same as correlating location quotients (``LQ[r,i]`` is the share times
   a constant of ``i``). With ``establishments`` in the input, the same correlation of establishment shares is
   averaged with it (DPS's LC_emp and LC_est; a pair with only one of the two defined takes that one). Cells
   without a value (suppressed) are left out of the pair's correlation (pairwise complete), never read as zero;
   absent cells are zero (no establishment).
2. **Clustering** of the distance ``1 − S`` into ``k`` groups: ``hierarchical`` (average linkage, scipy),
   ``kmedoids`` (alternating k-medoids with a k-means++ start, seeded) or ``spectral`` (normalised affinity
   ``max(S, 0)``, its ``k`` leading eigenvectors, k-means).
3. **Validation scores** per similarity matrix (DPS section 3): within-cluster relatedness ``WCR(c)`` = mean
   ``S`` over pairs of distinct industries of ``c``; between-cluster relatedness ``BCR(c, c')`` = mean ``S`` over
   pairs across ``c`` and ``c'``. ``vs_cluster`` = share of ordered pairs of clusters ``(c, c')`` with
   ``WCR(c) > BCR(c, c')``; ``vs_industry`` = share of industries whose mean similarity to the other industries
   of their own cluster exceeds their mean similarity to the industries of every other cluster. Singleton
   clusters have no WCR and are left out of both. This is our reading of DPS's definitions (their paper is not
   in the project's reference set).
4. **Agreement** with a reference set on the industries both cover: adjusted Rand index (Hubert & Arabie 1985)
   and, per reference category, the derived cluster holding most of its industries, that share and the Jaccard
   index of the two.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.cluster.vq import kmeans2
from scipy.spatial.distance import squareform

from clustermap.errors import InputError, ParameterError

Method = Literal["hierarchical", "kmedoids", "spectral"]
METHODS: tuple[str, ...] = ("hierarchical", "kmedoids", "spectral")


@dataclass
class Similarity:
    """An industry × industry similarity matrix (``matrix[i, j]`` for ``industries[i]``, ``industries[j]``)."""

    industries: list[str]
    matrix: np.ndarray
    sources: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """Long table ``industry_1, industry_2, similarity`` (upper triangle, i < j)."""
        i, j = np.triu_indices(len(self.industries), k=1)
        ind = np.asarray(self.industries, dtype=object)
        return pd.DataFrame({"industry_1": ind[i], "industry_2": ind[j], "similarity": self.matrix[i, j]})


def _share_correlation(frame: pd.DataFrame, column: str, min_regions: int) -> pd.DataFrame:
    """Pairwise-complete correlation across regions of ``column[r,i] / Σ_i column[r,i]``."""
    keyed = frame.set_index(["region", "industry"])
    wide = keyed[column].unstack()
    exists = keyed[column].notna() | keyed[column].isna()  # every row exists; only absent cells are missing
    wide = wide.where(exists.unstack().notna(), 0.0)  # no row: no establishment, a true zero; null stays NaN
    totals = wide.sum(axis=1, skipna=True)  # over the published cells (a lower bound where cells are suppressed)
    shares = wide.div(totals.where(totals > 0), axis=0)
    return shares.corr(method="pearson", min_periods=min_regions)


def colocation_similarity(frame: pd.DataFrame, *, min_regions: int = 10) -> Similarity:
    """Co-location similarity of the industries of one year's ``region, industry, employment[, establishments]``.

    Industries with no variation across regions, or fewer than ``min_regions`` regions with a value, have no
    correlation and are left out (reported in ``sources``). See the module docstring for the definition.
    """
    if frame.empty:
        raise InputError("no rows to build a similarity from")
    if frame.duplicated(["region", "industry"]).any():
        raise InputError("several rows per region × industry: give one year (or aggregate first)")
    mats = []
    sources = []
    for column in ("employment", "establishments"):
        if column in frame.columns and frame[column].notna().any():
            mats.append(_share_correlation(frame, column, min_regions))
            sources.append(column)
    if not mats:
        raise InputError("no employment or establishments values to correlate", column="employment")
    # the mean of the correlations a pair has (employment may be suppressed where establishments are not)
    stack = np.stack([m.reindex(index=mats[0].index, columns=mats[0].columns).to_numpy() for m in mats])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pairs stay NaN
        corr = pd.DataFrame(np.nanmean(stack, axis=0), index=mats[0].index, columns=mats[0].columns)
    keep = corr.notna().sum(axis=1) == len(corr)  # industries correlated with every other one
    while not keep.all():
        # drop the industry with the most undefined pairs until the matrix is complete
        worst = corr.isna().sum(axis=1).idxmax()
        corr = corr.drop(index=worst, columns=worst)
        keep = corr.notna().sum(axis=1) == len(corr)
    if len(corr) < 2:
        raise InputError("fewer than two industries have a defined co-location correlation")
    matrix = corr.to_numpy(dtype=np.float64, copy=True)
    np.fill_diagonal(matrix, 1.0)
    return Similarity(industries=[str(c) for c in corr.columns], matrix=matrix, sources=sources)


# ------------------------------------------------------------------------------------------------- clustering


def _kmedoids(dist: np.ndarray, k: int, seed: int, max_iter: int = 100) -> np.ndarray:
    """Alternating k-medoids (Park & Jun 2009) with a k-means++ start on a distance matrix."""
    rng = np.random.default_rng(seed)
    n = len(dist)
    medoids = [int(rng.integers(n))]
    for _ in range(1, k):
        d2 = np.min(dist[:, medoids], axis=1) ** 2
        total = d2.sum()
        probs = d2 / total if total > 0 else np.full(n, 1 / n)
        medoids.append(int(rng.choice(n, p=probs)))
    medoids_arr = np.array(medoids)
    labels = np.argmin(dist[:, medoids_arr], axis=1)
    for _ in range(max_iter):
        new = medoids_arr.copy()
        for c in range(k):
            members = np.flatnonzero(labels == c)
            if len(members):
                new[c] = members[np.argmin(dist[np.ix_(members, members)].sum(axis=1))]
        new_labels = np.argmin(dist[:, new], axis=1)
        if np.array_equal(new, medoids_arr):
            break
        medoids_arr, labels = new, new_labels
    return labels


def _spectral(sim: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Normalised spectral clustering (Ng, Jordan & Weiss 2002) on the affinity ``max(S, 0)``."""
    affinity = np.clip(sim, 0.0, None)
    np.fill_diagonal(affinity, 0.0)
    deg = affinity.sum(axis=1)
    inv = np.where(deg > 0, 1.0 / np.sqrt(np.where(deg > 0, deg, 1.0)), 0.0)
    norm = inv[:, None] * affinity * inv[None, :]
    _, vecs = np.linalg.eigh(norm)
    emb = vecs[:, -k:]
    lengths = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = emb / np.where(lengths > 0, lengths, 1.0)
    _, labels = kmeans2(emb, k, minit="++", seed=seed)
    return labels


def cluster(similarity: Similarity, k: int, *, method: Method = "hierarchical", seed: int = 0) -> pd.Series:
    """Cluster labels (0-based int, indexed by industry) of ``k`` groups of the similarity's industries."""
    n = len(similarity.industries)
    if method not in METHODS:
        raise ParameterError(f"unknown clustering method {method!r}; use one of {', '.join(METHODS)}")
    if not 1 <= k <= n:
        raise ParameterError(f"k must be between 1 and the number of industries ({n}), got {k}")
    dist = np.clip(1.0 - similarity.matrix, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2
    if method == "hierarchical":
        tree = linkage(squareform(dist, checks=False), method="average")
        labels = fcluster(tree, t=k, criterion="maxclust") - 1
    elif method == "kmedoids":
        labels = _kmedoids(dist, k, seed)
    else:
        labels = _spectral(similarity.matrix, k, seed)
    # renumber by first appearance in industry order, so labels are stable across runs
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(labels.max() + 1, dtype=np.int64)
    remap[np.unique(labels)[order]] = np.arange(len(order))
    return pd.Series(remap[labels], index=pd.Index(similarity.industries, name="industry"), name="cluster")


# ------------------------------------------------------------------------------------------------ scores


def validation_scores(similarity: Similarity, labels: pd.Series) -> dict[str, float]:
    """DPS-style validation scores of ``labels`` on ``similarity`` (see the module docstring): ``vs_cluster``,
    ``vs_industry`` (shares, 0–1), ``mean_wcr``, ``mean_bcr`` and the counts they are taken over."""
    lab = labels.reindex(similarity.industries).to_numpy()
    s = similarity.matrix.copy()
    ids = np.unique(lab)
    onehot = (lab[:, None] == ids[None, :]).astype(np.float64)
    sizes = onehot.sum(axis=0)
    np.fill_diagonal(s, 0.0)
    sums = onehot.T @ s @ onehot  # Σ S over ordered pairs between clusters (diagonal: within, i ≠ j)
    pairs = np.outer(sizes, sizes)
    np.fill_diagonal(pairs, sizes * (sizes - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums / pairs
    wcr = np.diag(mean)
    multi = sizes > 1
    off = ~np.eye(len(ids), dtype=bool)
    comp = (wcr[:, None] > mean) & off & multi[:, None]
    n_pairs = int((off & multi[:, None]).sum())
    # industry level: mean similarity to each cluster (own cluster without the industry itself)
    to_cluster = s @ onehot
    counts = np.broadcast_to(sizes, to_cluster.shape).copy()
    own = np.searchsorted(ids, lab)
    counts[np.arange(len(lab)), own] -= 1
    with np.errstate(divide="ignore", invalid="ignore"):
        avg = to_cluster / counts
    own_avg = avg[np.arange(len(lab)), own]
    others = avg.copy()
    others[np.arange(len(lab)), own] = -np.inf
    eligible = counts[np.arange(len(lab)), own] > 0
    best_other = others.max(axis=1) if len(ids) > 1 else np.full(len(lab), -np.inf)
    ok = (own_avg > best_other) & eligible
    return {
        "clusters": len(ids),
        "industries": len(lab),
        "singletons": int((~multi).sum()),
        "vs_cluster": float(comp.sum() / n_pairs) if n_pairs else float("nan"),
        "vs_industry": float(ok.sum() / eligible.sum()) if eligible.any() else float("nan"),
        "mean_wcr": float(np.nanmean(wcr[multi])) if multi.any() else float("nan"),
        "mean_bcr": float(mean[off].mean()) if off.any() else float("nan"),
    }


def adjusted_rand_index(a: pd.Series, b: pd.Series) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985); 1 = identical partitions,
    about 0 for independent ones."""
    a, b = a.align(b, join="inner")
    table = pd.crosstab(a.to_numpy(), b.to_numpy()).to_numpy().astype(np.float64)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    n = table.sum()
    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def overlap(derived: pd.Series, reference: pd.Series) -> pd.DataFrame:
    """Per reference category: its industries (on the common ones), the derived cluster holding most of them,
    that share and the Jaccard index of the two industry sets."""
    derived, reference = derived.align(reference, join="inner")
    rows = []
    for cat, members in reference.groupby(reference):
        counts = derived[members.index].value_counts()
        best = counts.index[0]
        size_best = int((derived == best).sum())
        inter = int(counts.iloc[0])
        rows.append(
            {
                "reference_category": cat,
                "industries": len(members),
                "best_cluster": int(best),
                "share_in_best": inter / len(members),
                "jaccard": inter / (len(members) + size_best - inter),
            }
        )
    return pd.DataFrame(rows).sort_values(["share_in_best", "industries"], ascending=[False, False], ignore_index=True)


# ------------------------------------------------------------------------------------------------ category set


def as_category_csv(
    labels: pd.Series, *, prefix: str = "derived", similarity: Similarity | None = None
) -> pd.DataFrame:
    """The clustering as a category-set table (``definitions/data/category_set.schema.json``): ``industry,
    category, category_name, traded, share, rationale``; every cluster traded, share 1."""
    frame = labels.rename("cluster").reset_index()
    frame["category"] = [f"{prefix}-{c + 1:03d}" for c in frame["cluster"]]
    frame["category_name"] = [f"Derived cluster {c + 1}" for c in frame["cluster"]]
    frame["traded"] = "true"
    frame["share"] = 1.0
    basis = f" of {' and '.join(similarity.sources)}" if similarity else ""
    frame["rationale"] = f"co-location{basis} across regions (clustermap definitions derive)"
    return frame[["industry", "category", "category_name", "traded", "share", "rationale"]].sort_values(
        ["category", "industry"], ignore_index=True
    )


@dataclass
class Derivation:
    """A derived category set with its similarity, scores and, if compared, its agreement with a reference."""

    labels: pd.Series
    similarity: Similarity
    scores: dict[str, float]
    method: str
    k: int
    agreement: dict[str, Any] | None = None
    overlap: pd.DataFrame | None = None
    reference_scores: dict[str, float] | None = None


def derive(
    frame: pd.DataFrame,
    *,
    k: int,
    method: Method = "hierarchical",
    reference: pd.Series | None = None,
    min_regions: int = 10,
    seed: int = 0,
) -> Derivation:
    """Derive ``k`` clusters of the industries of ``frame`` (one year: ``region, industry, employment[,
    establishments]``); with ``reference`` (industry → category), restrict to its industries and compare.

    The reference's own validation scores on the same similarity are returned too, so a derived set can be
    judged against it on DPS's terms.
    """
    if reference is not None:
        frame = frame[frame["industry"].isin(reference.index)]
        if frame.empty:
            raise InputError("no industry of the input is in the reference category set")
    sim = colocation_similarity(frame, min_regions=min_regions)
    labels = cluster(sim, k, method=method, seed=seed)
    out = Derivation(labels=labels, similarity=sim, scores=validation_scores(sim, labels), method=method, k=k)
    if reference is not None:
        ref = reference.reindex(sim.industries)
        ref_codes = pd.Series(pd.factorize(ref)[0], index=ref.index)
        out.agreement = {
            "adjusted_rand_index": float(adjusted_rand_index(labels, ref)),
            "industries_compared": len(sim.industries),
            "reference_categories": int(ref.nunique()),
        }
        out.overlap = overlap(labels, ref)
        out.reference_scores = validation_scores(sim, ref_codes)
    return out
