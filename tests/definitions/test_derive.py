"""Derived cluster definitions: a planted structure is recovered, the scores and the adjusted Rand index match
hand computations, suppressed cells are never zeros, and the result is a category set ``map`` can use."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from clustermap.cli.main import app
from clustermap.definitions.categories import load_category_set
from clustermap.definitions.derive import (
    METHODS,
    Similarity,
    adjusted_rand_index,
    as_category_csv,
    cluster,
    colocation_similarity,
    derive,
    validation_scores,
)
from clustermap.errors import ParameterError

runner = CliRunner()


def planted(seed: int = 1, groups: int = 4, per_group: int = 5, regions: int = 60) -> tuple[pd.DataFrame, pd.Series]:
    """Regions whose industries of one group rise and fall together (a log-normal factor per region and group)."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(regions):
        size = rng.lognormal(8, 1)
        factor = rng.lognormal(0, 1.0, groups)
        for g in range(groups):
            for j in range(per_group):
                emp = float(np.round(size * factor[g] * rng.lognormal(0, 0.2)))
                rows.append((f"R{r:02d}", f"I{g}{j}", 2020, emp, float(np.ceil(emp / 20))))
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "establishments"])
    truth = pd.Series({f"I{g}{j}": f"group-{g}" for g in range(groups) for j in range(per_group)})
    return frame, truth


@pytest.mark.parametrize("method", METHODS)
def test_planted_structure_is_recovered(method: str) -> None:
    frame, truth = planted()
    result = derive(frame, k=4, method=method, reference=truth)
    assert result.agreement is not None and result.agreement["adjusted_rand_index"] == pytest.approx(1.0)
    assert result.scores["vs_cluster"] == 1.0 and result.scores["vs_industry"] == 1.0
    assert result.similarity.sources == ["employment", "establishments"]
    assert (result.overlap["share_in_best"] == 1.0).all()


def test_validation_scores_by_hand() -> None:
    # a = {0,1}, b = {2,3}: WCR(a) = 0.8, WCR(b) = 0.2, BCR(a,b) = mean(.1,.3,.5,.1) = 0.25
    s = np.array([[1, 0.8, 0.1, 0.3], [0.8, 1, 0.5, 0.1], [0.1, 0.5, 1, 0.2], [0.3, 0.1, 0.2, 1]])
    sim = Similarity(industries=list("pqrs"), matrix=s)
    scores = validation_scores(sim, pd.Series([0, 0, 1, 1], index=list("pqrs")))
    assert scores["vs_cluster"] == 0.5  # WCR(a) > BCR; WCR(b) = 0.2 < 0.25
    assert scores["mean_wcr"] == pytest.approx(0.5) and scores["mean_bcr"] == pytest.approx(0.25)
    # p: own 0.8 > a's other mean(.1, .3) = 0.2; q: 0.8 > mean(.5, .1) = 0.3; r: own 0.2 < mean(.1, .5) = 0.3;
    # s: own 0.2, cluster a mean(.3, .1) = 0.2 — a tie is not "more related"
    assert scores["vs_industry"] == 0.5


def test_adjusted_rand_index_by_hand() -> None:
    a = pd.Series([0, 0, 1, 1], index=list("wxyz"))
    assert adjusted_rand_index(a, a.map({0: "u", 1: "v"})) == 1.0
    # contingency [[2,0,0],[0,1,1]]: index 1, rows 2, cols 1, expected 1/3, max 1.5 → 4/7
    assert adjusted_rand_index(a, pd.Series([0, 0, 1, 2], index=list("wxyz"))) == pytest.approx(4 / 7)


def test_suppressed_cells_are_left_out_not_zero() -> None:
    frame, _ = planted(groups=2, per_group=2, regions=20)
    frame = frame.drop(columns="establishments")
    hidden = frame.copy()
    hidden.loc[(hidden["region"] == "R03") & (hidden["industry"] == "I00"), "employment"] = np.nan
    zero = hidden.fillna({"employment": 0.0})
    s_nan = colocation_similarity(hidden, min_regions=5)
    s_zero = colocation_similarity(zero, min_regions=5)
    assert not np.allclose(s_nan.matrix, s_zero.matrix)
    # the pair I00–I01 is the correlation over the other 19 regions' shares
    wide = hidden.pivot(index="region", columns="industry", values="employment")
    shares = wide.div(wide.sum(axis=1), axis=0).drop(index="R03")
    i, j = s_nan.industries.index("I00"), s_nan.industries.index("I01")
    assert s_nan.matrix[i, j] == pytest.approx(shares["I00"].corr(shares["I01"]))


def test_bad_parameters() -> None:
    frame, _ = planted()
    sim = colocation_similarity(frame)
    with pytest.raises(ParameterError):
        cluster(sim, 0)
    with pytest.raises(ParameterError):
        cluster(sim, 3, method="kmeans")  # type: ignore[arg-type]


def test_result_is_a_category_set_map_can_use(tmp_path: Path, run_map) -> None:
    frame, _ = planted()
    result = derive(frame, k=4)
    path = tmp_path / "derived.csv"
    as_category_csv(result.labels, similarity=result.similarity).to_csv(path, index=False)
    cats = load_category_set(path)
    assert len(cats.traded_categories) == 4 and sorted(cats.industries) == sorted(frame["industry"].unique())
    mapped = run_map(frame, categories=path)
    assert set(mapped.cells["category"]) == set(cats.traded_categories)


def test_cli_on_a_file(tmp_path: Path) -> None:
    frame, _ = planted()
    src = tmp_path / "panel.csv"
    frame.to_csv(src, index=False)
    out, report = tmp_path / "set.csv", tmp_path / "report.md"
    r = runner.invoke(
        app, ["definitions", "derive", "--input", str(src), "--k", "4", "--out", str(out), "--report", str(report)]
    )
    assert r.exit_code == 0, r.output
    assert "20 industries in 4 clusters" in r.output
    assert load_category_set(out).categories["traded"].all()
    assert report.read_text().startswith("## Derived cluster definitions")
    bad = runner.invoke(
        app, ["definitions", "derive", "--input", str(src), "--k", "4", "--out", str(out), "--method", "x"]
    )
    assert bad.exit_code == 2
    no_k = runner.invoke(app, ["definitions", "derive", "--input", str(src), "--out", str(out)])
    assert no_k.exit_code == 2


@pytest.mark.realdata
@pytest.mark.slow
def test_real_cbp_states_against_uscmp(data_mirror: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "cbp.csv", tmp_path / "cbp.md"
    r = runner.invoke(
        app,
        ["definitions", "derive", "--source", "cbp-state", "--mirror", str(data_mirror), "--out", str(out),
         "--report", str(report)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    cats = load_category_set(out)
    assert len(cats.industries) > 300
    text = report.read_text()
    assert "| uscmp |" in text and "Adjusted Rand index" in text
    ari = float(text.split("Adjusted Rand index ")[1].split()[0])
    assert 0.05 < ari < 1.0  # related to the US CMP clusters, not the same partition
