"""The web pages: search with facets, record pages, programmes with the survey figures, matchmaking with
explanations, expressions of interest, the self-assessment questionnaire and its printable result, optimistic
locking on the edit form, CSRF on every form; labelled controls, landmarks, no external resources."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from clustermap.organisations.assessment import load_questionnaire
from clustermap.organisations.content import load_content

from .conftest import PASSWORD


class _Controls(HTMLParser):
    """Collects form controls and labels, to check that every control has an accessible name."""

    def __init__(self) -> None:
        super().__init__()
        self.label_depth = 0
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.external: list[str] = []
        self.forms: list[dict[str, str | None]] = []
        self.hidden: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea"):
            if a.get("type") == "hidden":
                self.hidden.append(a)
            elif a.get("type") != "submit":
                self.controls.append({**a, "wrapped": "yes" if self.label_depth else None})
        if tag == "form":
            self.forms.append(a)
        for key in ("src", "href"):
            value = a.get(key) or ""
            if tag in ("script", "link", "img") and value.startswith(("http:", "https:", "//")):
                self.external.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def check_page(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    assert '<html lang="en">' in html
    assert 'href="#content"' in html and '<main id="content"' in html
    for control in parser.controls:
        named = control.get("wrapped") or (control.get("id") and control["id"] in parser.label_for)
        named = named or control.get("aria-label")
        assert named, f"control without a label: {control}"
    assert not parser.external, parser.external
    return parser


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(reg, who: str) -> None:
    page = reg.client.get("/registry/login")
    r = reg.client.post(
        "/registry/login",
        data={"email": f"{who}@example.org", "password": PASSWORD, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303


@pytest.fixture
def content(reg):
    with reg.session() as s:
        load_content(s)
    return reg


def test_search_page_with_facets(content) -> None:
    r = content.client.get("/registry/", params={"q": "oulu", "type": "organisation"})
    assert r.status_code == 200
    page = check_page(r.text)
    assert "Cluster category" in r.text and 'aria-pressed="true"' in r.text
    assert 'href="/registry/organisations/oulu-ict-cluster"' in r.text
    assert page.forms[0]["method"] == "get"
    # a facet link toggles the filter
    assert "type=organisation" not in re.search(r'<a href="([^"]+)" aria-pressed="true"', r.text).group(1)


def test_record_and_programme_pages(content) -> None:
    r = content.client.get("/registry/programmes/basque-country-competitiveness-programme")
    assert r.status_code == 200
    check_page(r.text)
    assert "from section 3.1 (box) of SEC(2008) 2637" in r.text
    assert "ES21 País Vasco" in r.text
    assert "Basque Technology Network" in r.text  # organisations taking part
    r = content.client.get("/registry/programmes")
    assert "69 national" in r.text and "88 regional" in r.text
    check_page(r.text)
    assert content.client.get("/registry/organisations/no-such-thing").status_code == 404
    assert content.client.get("/registry/widgets/x").status_code == 404


def test_matchmaking_page_explains(content) -> None:
    r = content.client.get(
        "/registry/matchmaking",
        params={"submitted": "1", "region": "ES21", "category": "automotive", "needs": "technology-transfer"},
    )
    assert r.status_code == 200
    check_page(r.text)
    assert "same category: Automotive" in r.text
    assert "km from your region" in r.text
    assert "score" in r.text and "weighted mean" in r.text
    bad = content.client.get("/registry/matchmaking", params={"submitted": "1", "region": "XX99"})
    assert bad.status_code == 422 and "unknown region code" in html.unescape(bad.text)


def test_assessment_form_and_printable_result(reg) -> None:
    org = reg.client.post("/api/registry/organisations", json={"name": "Web Cluster"}, headers=reg.h("manager")).json()
    assert reg.client.get("/registry/assessment", follow_redirects=False).status_code == 303  # log in first
    login(reg, "manager")
    form = reg.client.get(f"/registry/assessment?organisation_id={org['id']}")
    assert form.status_code == 200
    parser = check_page(form.text)
    booleans = [i for i in load_questionnaire().indicators if i.type == "boolean"]
    assert len([c for c in parser.controls if c.get("type") == "radio"]) == 2 * len(booleans) == 14
    assert "not the official" in form.text
    answers = {"organisation_id": str(org["id"]), "csrf_token": csrf(form.text), "is_public": "yes"}
    for ident in ("G1", "G3", "G5", "F5", "V6", "M3", "A5"):
        answers[ident] = "yes"
    for ident, value in {"S1": "40", "S2": "80", "S3": "60", "S4": "3", "S5": "90", "G2": "3", "G4": "60"}.items():
        answers[ident] = value
    assert (
        reg.client.post(
            "/registry/assessment", data={k: v for k, v in answers.items() if k != "csrf_token"}
        ).status_code
        == 403
    )
    bad = reg.client.post("/registry/assessment", data={**answers, "S1": "lots"})
    assert bad.status_code == 422 and "S1: 'lots' is not a number" in html.unescape(bad.text)
    r = reg.client.post("/registry/assessment", data=answers, follow_redirects=False)
    assert r.status_code == 303
    result = reg.client.get(r.headers["location"])
    assert result.status_code == 200
    check_page(result.text)
    text = " ".join(result.text.split())
    assert "14 of 31 indicators" in text and "Bronze level (self-assessed)" in text
    assert "This is a self-assessment computed by clustermap from your own answers. It is not the official" in text
    assert "@media print" in result.text


def test_edit_form_optimistic_locking(reg) -> None:
    org = reg.client.post("/api/registry/organisations", json={"name": "Editable"}, headers=reg.h("manager")).json()
    login(reg, "manager")
    form = reg.client.get(f"/registry/organisations/{org['slug']}/edit")
    assert form.status_code == 200
    check_page(form.text)
    token = csrf(form.text)
    # someone else saves first
    assert (
        reg.client.patch(
            f"/api/registry/organisations/{org['id']}", json={"version": 1, "founded": 2001}, headers=reg.h("admin")
        ).status_code
        == 200
    )
    stale = reg.client.post(
        f"/registry/organisations/{org['slug']}/edit",
        data={"csrf_token": token, "version": "1", "name": "Edited", "kind": "cluster-organisation"},
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.text and 'value="2"' in stale.text
    ok = reg.client.post(
        f"/registry/organisations/{org['slug']}/edit",
        follow_redirects=False,
        data={"csrf_token": token, "version": "2", "name": "Edited", "kind": "cluster-organisation", "founded": "2001"},
    )
    assert ok.status_code == 303
    assert reg.client.get(f"/api/registry/organisations/{org['id']}").json()["name"] == "Edited"
    other = reg.client.post("/api/registry/organisations", json={"name": "Not mine"}, headers=reg.h("manager2")).json()
    assert reg.client.get(f"/registry/organisations/{other['slug']}/edit").status_code == 403


def test_express_interest_through_the_pages(reg) -> None:
    mine = reg.client.post(
        "/api/registry/members", json={"name": "Page SME", "region": "ES21"}, headers=reg.h("member")
    )
    theirs = reg.client.post("/api/registry/members", json={"name": "Target SME"}, headers=reg.h("member2")).json()
    assert mine.status_code == 201
    login(reg, "member")
    page = reg.client.get(f"/registry/members/{theirs['slug']}")
    assert "Express interest" in page.text
    check_page(page.text)
    r = reg.client.post(
        "/registry/interests",
        data={
            "csrf_token": csrf(page.text),
            "from_member_id": str(mine.json()["id"]),
            "to_member_id": str(theirs["id"]),
            "message": "Hola",
        },
    )
    assert r.status_code == 200 and "Interest sent" in r.text
    reg.client.cookies.clear()
    login(reg, "member2")
    notes = reg.client.get("/registry/notifications")
    assert "Page SME is interested in cooperating with Target SME" in notes.text
    assert "(1 unread)" in notes.text
    check_page(notes.text)
