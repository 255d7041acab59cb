"""``clustermap registry``: db upgrade / downgrade / current, content, users add, import (bad rows with line and
field, exit 2, nothing written), export, search."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from clustermap.cli.registry import app

runner = CliRunner()


def run(*args: str, url: str, input: str | None = None):
    return runner.invoke(app, [*args, "--database-url", url], input=input)


def test_registry_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    r = run("search", "x", url=url)
    assert r.exit_code == 1 and "no schema" in r.output
    assert "0002_search" in run("db", "upgrade", url=url).output
    assert run("db", "current", url=url).output.strip() == "0002_search"
    assert "added 26 programme" in run("content", url=url).output

    r = run("users", "add", "chief@example.org", "--role", "admin", "--password", "a long password", url=url)
    assert r.exit_code == 0 and "(admin)" in r.output
    r = run("users", "add", "chief@example.org", "--role", "admin", "--password", "a long password", url=url)
    assert r.exit_code == 1 and "exists" in r.output
    r = run("users", "add", "x@example.org", "--role", "wizard", "--password", "a long password", url=url)
    assert r.exit_code == 2 and "role" in r.output
    r = run("users", "add", "y@example.org", url=url, input="another long password\n")
    assert r.exit_code == 0

    r = run("search", "oulu", "--type", "organisation", "--json", url=url)
    assert r.exit_code == 0
    assert [h["slug"] for h in json.loads(r.output)["hits"]] == ["oulu-ict-cluster"]
    r = run("search", "", "--support-type", "finance", url=url)
    assert "czech-erdf-clusters-measure" in r.output

    out = tmp_path / "programmes.csv"
    assert run("export", "programmes", "--out", str(out), url=url).exit_code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 27
    bad = tmp_path / "bad.csv"
    bad.write_text("name,level,regions\nFine,national,\nWrong,nationwide,\nAlso wrong,regional,ES21; XX\n")
    r = run("import", "programmes", str(bad), url=url)
    assert r.exit_code == 2
    assert "line 3, field 'level'" in r.output and "line 4, field 'regions.1'" in r.output
    assert "nothing was written" in r.output
    good = tmp_path / "new.json"
    good.write_text(json.dumps([{"name": "From the CLI", "level": "regional", "regions": ["FI1D"]}]))
    r = run("import", "programmes", str(good), "--dry-run", url=url)
    assert r.exit_code == 0 and "dry run" in r.output and "1 created" in r.output
    r = run("import", "programmes", str(good), url=url)
    assert r.exit_code == 0 and "1 created" in r.output
    assert "from-the-cli" in run("export", "programmes", "--format", "json", url=url).output
    assert run("import", "widgets", str(good), url=url).exit_code == 2

    assert "0001_initial" in run("db", "downgrade", "0001_initial", url=url).output
    assert "base" in run("db", "downgrade", "base", url=url).output
    assert run("db", "current", url=url).output.strip() == "base (empty)"
