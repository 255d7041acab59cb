"""Runs are chosen, not stumbled into: the published run per region family (EU, US), ``clustermap publish``,
and the site and API opening on it whatever other runs reports and analyses store later."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import clustermap
from clustermap.errors import UnknownNameError
from clustermap.warehouse import Warehouse
from clustermap.warehouse.store import region_family


def _eu_run(lq_region: str = "DE11") -> object:
    other = "DE12" if lq_region == "DE11" else "DE11"
    frame = pd.DataFrame(
        {
            "region": [lq_region, other, lq_region, other],
            "industry": ["C29", "C29", "C10", "C10"],
            "year": 2014,
            "employment": [3000.0, 1000.0, 1000.0, 3000.0],
        }
    )
    return clustermap.map_clusters(frame, categories="eco-nace2", full=True, min_employment=0)


def _us_run() -> object:
    frame = pd.DataFrame(
        {
            "region": ["06", "48", "06", "48"],
            "industry": ["X", "X", "Y", "Y"],
            "year": 2011,
            "employment": [5000.0, 1000.0, 1000.0, 5000.0],
        }
    )
    return clustermap.map_clusters(frame, categories="none", full=True, min_employment=0)


def test_region_family() -> None:
    assert region_family(["DE11", "FR10"]) == "EU"
    assert region_family(["06", "48"]) == "US"
    assert region_family(["31080", "06"]) == "US"
    assert region_family(["06", "DE11"]) == "EU"  # not every code numeric: not a US run
    assert region_family([]) == "EU"


def test_publish_one_run_per_family(tmp_path: Path) -> None:
    with Warehouse(tmp_path / "wh.duckdb") as wh:
        assert wh.published() == {}
        eu = wh.save_run(_eu_run(), dataset="tiny-eu")
        us = wh.save_run(_us_run(), dataset="tiny-us")
        assert (wh.run_family(eu), wh.run_family(us)) == ("EU", "US")
        assert wh.publish(eu) == "EU"
        assert wh.publish(us) == "US"
        assert wh.published() == {"EU": eu, "US": us}
        eu2 = wh.save_run(_eu_run("DE12"), dataset="tiny-eu")
        assert wh.published()["EU"] == eu  # storing a run does not publish it
        wh.publish(eu2)
        assert wh.published() == {"EU": eu2, "US": us}
        with pytest.raises(UnknownNameError, match="no run 'nope'"):
            wh.publish("nope")
        assert wh.published() == {"EU": eu2, "US": us}


@pytest.fixture
def three_runs(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A warehouse where the published EU run is older than a later EU run and a later US run (what
    ``clustermap report`` leaves behind after ``clustermap run``)."""
    path = tmp_path / "wh.duckdb"
    with Warehouse(path) as wh:
        published = wh.save_run(_eu_run("DE11"), dataset="tiny-eu")
        wh.publish(published)
        later_eu = wh.save_run(_eu_run("DE12"), dataset="tiny-eu@nuts2016")
        later_us = wh.save_run(_us_run(), dataset="tiny-us")
    return path, {"published": published, "later_eu": later_eu, "later_us": later_us}


@pytest.mark.realdata
def test_site_and_api_open_on_the_published_run(three_runs, mirror: Path, tmp_path: Path) -> None:
    from clustermap.web.api.app import create_app

    path, ids = three_runs
    app = create_app(warehouse=path, data_dir=mirror, registry_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", warm=False)
    app.state.observatory.recheck_seconds = 0
    with TestClient(app) as c:
        data = c.get("/api/map-data", params={"category": "automotive"}).json()
        assert data["run_id"] == ids["published"]
        assert {v["region"]: v["lq"] for v in data["values"]} == {"DE11": 1.5, "DE12": 0.5}
        assert c.get("/api/results").json()["run_id"] == ids["published"]
        runs = {r["run_id"]: r for r in c.get("/api/runs").json()}
        assert runs[ids["published"]]["published"] and not runs[ids["later_eu"]]["published"]
        assert runs[ids["later_us"]]["family"] == "US" and runs[ids["published"]]["family"] == "EU"
        assert runs[ids["published"]]["suppression"] == "drop"
        assert c.get("/api/runs/published").json()["run_id"] == ids["published"]
        # the family, dataset and methodology choose among the runs
        assert c.get("/api/results", params={"family": "US"}).json()["run_id"] == ids["later_us"]
        assert c.get("/api/results", params={"dataset": "tiny-eu@nuts2016"}).json()["run_id"] == ids["later_eu"]
        assert c.get("/api/results", params={"dataset": "tiny-eu"}).json()["run_id"] == ids["published"]
        err = c.get("/api/results", params={"dataset": "nope"}).json()["error"]
        assert err["code"] == "unknown_dataset" and "tiny-eu" in err["allowed"]
        err = c.get("/api/results", params={"run": ids["published"], "family": "US"}).json()["error"]
        assert err["code"] == "inconsistent_parameters" and err["parameter"] == "family"
        # the page: the EU map of the published run, a run selector and an EU / US switch
        html = c.get("/").text
        assert "clusters in Europe" in html
        assert f'<option value="{ids["published"]}" selected>' in html and "· published" in html
        assert 'name="family" value="US"' in html
        assert "clusters in the United States" in c.get("/?family=US").text
        assert f'<option value="{ids["later_eu"]}" selected>' in c.get(f"/?run={ids['later_eu']}").text
        # publishing another run switches what the site opens on
        with Warehouse(path) as wh:
            wh.publish(ids["later_eu"])
        assert c.get("/api/map-data", params={"category": "automotive"}).json()["run_id"] == ids["later_eu"]


def test_cli_publish(three_runs) -> None:
    from clustermap.cli.main import app

    path, ids = three_runs
    runner = CliRunner()
    r = runner.invoke(app, ["publish", "--warehouse", str(path), "--list"])
    assert r.exit_code == 0, r.output
    assert ids["later_us"] in r.output and "US" in r.output
    r = runner.invoke(app, ["publish", ids["later_us"], "--warehouse", str(path)])
    assert r.exit_code == 0, r.output
    assert "default US run" in r.output
    r = runner.invoke(app, ["publish", "nope", "--warehouse", str(path)])
    assert r.exit_code == 2 and "no run 'nope'" in r.output
    with Warehouse(path) as wh:
        assert wh.published() == {"EU": ids["published"], "US": ids["later_us"]}


def test_map_store_does_not_publish(three_runs, tmp_path: Path) -> None:
    from clustermap.cli.main import app

    path, ids = three_runs
    src = tmp_path / "in.csv"
    src.write_text("region,industry,year,employment\nDE11,C29,2014,500\nDE12,C29,2014,900\nDE11,C10,2014,100\n")
    args = ["map", "--input", str(src), "--categories", "none", "--methodology", "eco2007", "--total-base", "input"]
    r = CliRunner().invoke(app, [*args, "--store", "--warehouse", str(path), "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 0, r.output
    with Warehouse(path) as wh:
        assert len(wh.runs()) == 4 and wh.published() == {"EU": ids["published"]}
