"""``clustermap impute`` (the contract: --input/--policy/--out and --validate/--mask-share/--seed) and the two-way
policy inside the mapping engine on DuckDB and PySpark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from tests.conftest import panel
from tests.imputation.synthetic import nuts_panel
from typer.testing import CliRunner

from clustermap.cli.failures import SafeGroup
from clustermap.cli.impute import impute
from clustermap.methodology import get_methodology

runner = CliRunner()


def _app() -> typer.Typer:
    # registered the way clustermap.cli.main does it: app.command("impute")(impute) on a SafeGroup, which turns
    # every failure into one line and an exit status
    app = typer.Typer(cls=SafeGroup)
    app.command("impute")(impute)

    @app.command()
    def other() -> None:  # a second command, so that typer keeps "impute" as a sub-command name
        """placeholder"""

    return app


@pytest.fixture(scope="module")
def panel_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("impute") / "synthetic.csv"
    nuts_panel().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("policy", ["drop", "parent-residual", "size-class", "two-way"])
def test_impute_writes_the_rows_with_values_and_provenance(panel_file: Path, tmp_path: Path, policy: str) -> None:
    out = tmp_path / "filled.csv"
    res = runner.invoke(_app(), ["impute", "--input", str(panel_file), "--policy", policy, "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, keep_default_na=False, na_values=[""], dtype={"imputed": str})
    src = pd.read_csv(panel_file, keep_default_na=False, na_values=[""])
    assert len(got) == len(src)
    assert {"region", "industry", "year", "employment", "flag", "imputed", "low", "high"} <= set(got.columns)
    published = src["employment"].notna().to_numpy()
    assert (got.loc[published, "employment"].to_numpy() == src.loc[published, "employment"].to_numpy()).all()
    assert (got.loc[published, "imputed"].fillna("") == "").all()
    filled = got["imputed"].fillna("") == policy
    if policy in ("drop", "size-class"):  # no size classes in this input: nothing to fill
        assert not filled.any()
    else:
        assert filled.sum() > 0 and got.loc[filled, "employment"].notna().all()
    if policy == "two-way":
        assert filled.sum() == src["employment"].isna().sum()
        inside = got.loc[filled]
        assert (inside["employment"] >= inside["low"] - 1e-6).all()
        assert (inside["employment"] <= inside["high"] + 1e-6).all()


def test_validate_prints_one_line_per_policy_with_its_mdape(panel_file: Path) -> None:
    args = ["impute", "--validate", "--input", str(panel_file), "--mask-share", "0.1", "--seed", "7"]
    res = runner.invoke(_app(), args)
    assert res.exit_code == 0, res.output
    tail = res.output.split("All years")[1].strip().splitlines()[1:]
    assert [line.split()[0] for line in tail] == ["drop", "parent-residual", "two-way"]
    assert all("MdAPE" in line and "%" in line for line in tail)
    again = runner.invoke(_app(), args)
    assert again.output.split("(0.")[0] == res.output.split("(0.")[0]  # seeded


def test_bad_options_exit_with_status_2(panel_file: Path, tmp_path: Path) -> None:
    res = runner.invoke(_app(), ["impute", "--input", str(panel_file), "--policy", "mean", "--out", "x.csv"])
    assert res.exit_code == 2 and "unknown policy" in res.output
    res = runner.invoke(_app(), ["impute", "--input", str(panel_file)])
    assert res.exit_code == 2
    missing = runner.invoke(_app(), ["impute", "--input", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")])
    assert missing.exit_code != 0


def test_two_way_is_a_methodology_policy() -> None:
    assert get_methodology("eco2007").with_params(suppression="two-way")["suppression"] == "two-way"


def test_engine_maps_two_way_cells_and_marks_them_imputed(run_map) -> None:
    # region R1: C = 10,000 with C10 confidential and C11 = 2,000 → C10 = 8,000 exactly (one unknown)
    rows = [
        ("R1", "C", 2012, 10000),
        ("R1", "C10", 2012, None),
        ("R1", "C11", 2012, 2000),
        ("R2", "C", 2012, 9000),
        ("R2", "C10", 2012, 1000),
        ("R2", "C11", 2012, 8000),
        ("R3", "C", 2012, 3000),
        ("R3", "C10", 2012, 1500),
        ("R3", "C11", 2012, 1500),
    ]
    res = run_map(panel(rows, flag=["c" if r[3] is None else "" for r in rows]))
    cells = res.cells
    c10 = cells[(cells["region"] == "R1") & (cells["category"] == "C10")].iloc[0]
    assert c10["employment"] == pytest.approx(8000, abs=1e-6)
    assert bool(c10["imputed"]) and c10["imputed_employment"] == pytest.approx(8000, abs=1e-6)
    s = res.summary.iloc[0]
    assert s["cells_suppressed"] == 1 and s["cells_imputed"] == 1 and s["cells_dropped"] == 0
    assert "clusters_on_imputed_cells" in res.summary.columns


@pytest.fixture
def run_map(run_map):  # the shared fixture, with the two-way policy
    def _run(frame: pd.DataFrame, **params):
        return run_map(frame, suppression="two-way", min_employment=0, **params)

    return _run
