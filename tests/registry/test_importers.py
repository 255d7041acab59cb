"""Imports report every bad row with its line and field, and write nothing (or, with the option, the good rows
only); dry runs write nothing; exports import back unchanged."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from clustermap.organisations import repository
from clustermap.organisations.importers import export_records, import_records
from clustermap.organisations.models import Organisation, Programme

BAD_CSV = """name,level,regions,support_type,start_year,end_year,target_groups
Good One,national,,finance,2001,2005,smes; businesses
Bad Level,galactic,,,,,
Good Two,regional,ES21; ES22,both,,,
Bad Years,regional,ES21,,2010,2001,
"Bad Region, with a comma",regional,XX99,,,,
Bad Target,national,,,,,smes; aliens
Good Three,european,,,,,
"""


def count(reg, model) -> int:
    with reg.rt.transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_bad_rows_are_all_reported_and_nothing_is_written(reg) -> None:
    with reg.session("admin") as s:
        report = import_records(s, "programme", BAD_CSV, fmt="csv")
    assert not report.applied and report.rows == 7 and report.valid == 3
    got = [(e.line, e.field) for e in report.errors]
    assert got == [(3, "level"), (5, None), (6, "regions.0"), (7, "target_groups.1")]
    assert report.bad_lines == [3, 5, 6, 7]
    assert "end_year is before start_year" in report.errors[1].message
    assert report.errors[2].value == "XX99" and report.errors[3].value == "aliens"
    assert str(report.errors[0]).startswith("line 3, field 'level': Input should be")
    assert count(reg, Programme) == 0


def test_partial_import_writes_only_the_good_rows(reg) -> None:
    with reg.session("admin") as s:
        report = import_records(s, "programme", BAD_CSV, fmt="csv", partial=True, owner_id=reg.users["admin"])
    assert report.applied and report.created == 3 and len(report.bad_lines) == 4
    with reg.rt.transaction() as s:
        names = set(s.scalars(select(Programme.name)))
        good = s.scalars(select(Programme).where(Programme.name == "Good One")).one()
    assert names == {"Good One", "Good Two", "Good Three"}
    assert good.target_groups == ["smes", "businesses"] and good.start_year == 2001


def test_dry_run_writes_nothing(reg) -> None:
    good = "\n".join(BAD_CSV.splitlines()[:2]) + "\n"
    with reg.session("admin") as s:
        report = import_records(s, "programme", good, fmt="csv", dry_run=True)
    assert report.applied and report.dry_run and report.created == 1
    assert "would be written" in report.summary()
    assert count(reg, Programme) == 0


def test_file_level_problems(reg) -> None:
    with reg.session("admin") as s:
        unknown = import_records(s, "programme", "name,level,colour\nX,national,red\n", fmt="csv")
        missing = import_records(s, "programme", "name\nX\n", fmt="csv")
        cells = import_records(s, "programme", "name,level\nX,national,extra\n", fmt="csv")
        empty = import_records(s, "programme", "", fmt="csv")
        binary = import_records(s, "programme", b"\xff\xfe\x00bad", fmt="csv")
    assert [(e.line, e.field) for e in unknown.errors] == [(1, "colour")]
    assert [(e.line, e.field, e.message) for e in missing.errors] == [(1, "level", "required column is missing")]
    assert [(e.line, e.message) for e in cells.errors] == [(2, "3 cells, the header has 2")]
    assert empty.errors[0].line == 1
    assert binary.errors and not binary.applied


def test_multiline_cells_keep_line_numbers(reg) -> None:
    text = 'name,level,description\n"First",national,"two\nlines"\nSecond,bogus,x\n'
    with reg.session("admin") as s:
        report = import_records(s, "programme", text, fmt="csv")
    assert [(e.line, e.field) for e in report.errors] == [(4, "level")]


def test_json_import_lines_duplicates_and_references(reg) -> None:
    records = [
        {"name": "Org A", "slug": "org-a", "regions": ["ES21"]},
        {"name": "Org B", "slug": "org-a"},
        {"name": "Org C", "programmes": ["missing-programme"]},
        {"name": "Org D", "founded": "long ago"},
        "not an object",
    ]
    text = "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n"
    with reg.session("admin") as s:
        report = import_records(s, "organisation", text)
    assert report.format == "json"
    assert [(e.line, e.field) for e in report.errors] == [(3, "slug"), (4, "programmes"), (5, "founded"), (6, None)]
    assert count(reg, Organisation) == 0
    with reg.session("admin") as s:
        bad = import_records(s, "organisation", '[{"name": "x"}, {"name": ', fmt="json")
    assert bad.errors[-1].message.startswith("invalid JSON")


def test_existing_slugs_are_updated_and_export_round_trips(reg) -> None:
    with reg.session("admin") as s:
        repository.create(s, "programme", {"name": "Existing", "slug": "existing", "level": "national"}, owner_id=None)
    text = "slug,name,level,regions\nexisting,Existing renamed,regional,ES21\n,Brand new,national,\n"
    with reg.session("admin") as s:
        report = import_records(s, "programme", text, fmt="csv")
    assert (report.created, report.updated) == (1, 1)
    for fmt in ("csv", "json"):
        with reg.rt.transaction() as s:
            exported = export_records(s, "programme", fmt)
        with reg.session("admin") as s:
            again = import_records(s, "programme", exported, fmt=fmt)
        assert again.errors == [] and (again.created, again.updated, again.unchanged) == (0, 0, 2), fmt
    with reg.rt.transaction() as s:
        renamed = s.scalars(select(Programme).where(Programme.slug == "existing")).one()
        assert renamed.name == "Existing renamed" and renamed.regions == ["ES21"] and renamed.version == 2


def test_import_and_export_api(reg) -> None:
    h = reg.h("admin") | {"Content-Type": "text/csv"}
    r = reg.client.post("/api/registry/import/programmes", content=BAD_CSV.encode(), headers=h)
    assert r.status_code == 400
    body = r.json()
    assert body["applied"] is False and body["bad_lines"] == [3, 5, 6, 7]
    assert body["errors"][0] == {
        "line": 3,
        "field": "level",
        "message": body["errors"][0]["message"],
        "value": "galactic",
        "text": body["errors"][0]["text"],
    }
    r = reg.client.post("/api/registry/import/programmes?partial=true", content=BAD_CSV.encode(), headers=h)
    assert r.status_code == 200 and r.json()["created"] == 3
    r = reg.client.post("/api/registry/import/programmes?dry_run=true", content=b"name,level\nZ,national\n", headers=h)
    assert r.status_code == 200 and r.json()["dry_run"] and count(reg, Programme) == 3
    csv_text = reg.client.get("/api/registry/export/programmes").text
    assert csv_text.splitlines()[0].startswith("name,slug,level")
    assert len(csv_text.splitlines()) == 4
    as_json = reg.client.get("/api/registry/export/programmes?format=json").json()
    assert {p["name"] for p in as_json} == {"Good One", "Good Two", "Good Three"}
