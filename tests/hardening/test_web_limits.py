"""Items 3-5 on the web: request body and JSON depth limits (413, never echoing the body), HEAD wherever GET,
Secure cookies by default, the byte-bounded response cache keyed on declared parameters, XLSX bounded, CSV
formulas neutralised, no file-system paths in public answers."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from fastapi import FastAPI, Response
from fastapi.testclient import TestClient

from clustermap.csv_safety import neutralise, neutralise_cell, restore
from clustermap.settings import Settings
from clustermap.web.api.cache import ResponseCache
from clustermap.web.api.middleware import LimitsMiddleware, json_depth_exceeds


def test_a_body_over_the_limit_is_413_and_not_echoed(tiny_client: TestClient) -> None:
    secret = "S3cr3t-" * 300_000  # ~2 MB
    r = tiny_client.post("/api/registry/auth/login", json={"email": "a@b.c", "password": secret})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    assert "S3cr3t" not in r.text and len(r.content) < 1000


def test_a_chunked_body_over_the_limit_is_413(tiny_client: TestClient) -> None:
    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    r = tiny_client.post("/api/registry/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_100000_deep_json_body_is_413_not_500(tiny_client: TestClient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    r = tiny_client.post("/api/registry/auth/login", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "deeper" in r.json()["error"]["message"]


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert not json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[["}', 3)
    assert json_depth_exceeds(b'{"a": [[[1]]]}', 3)
    assert not json_depth_exceeds(b'{"a": [[1]], "b": [[2]]}', 3)
    assert not json_depth_exceeds(b'{"a\\"[[[[": 1}', 1)


def test_a_long_value_in_a_422_is_not_echoed(tiny_client: TestClient) -> None:
    password = "p" * 500_000  # under the body limit, over the field's 1,024 characters
    r = tiny_client.post("/api/registry/auth/login", json={"email": "a@b.c", "password": password})
    assert r.status_code == 422
    assert "ppppp" not in r.text


@pytest.mark.parametrize("path", ["/", "/api", "/api/results", "/api/datasets", "/openapi.json"])
def test_head_is_answered_wherever_get_is(tiny_client: TestClient, path: str) -> None:
    get = tiny_client.get(path)
    head = tiny_client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers.get("content-type") == get.headers.get("content-type")


def _cookie_app(mode: str) -> FastAPI:
    app = FastAPI()

    @app.get("/set")
    def set_cookie() -> Response:
        r = Response("ok")
        r.set_cookie("clustermap_session", "v", httponly=True, samesite="lax")
        return r

    app.add_middleware(LimitsMiddleware, max_body_bytes=1000, max_json_depth=8, cookie_secure=mode)
    return app


@pytest.mark.parametrize(
    ("mode", "base", "secure"),
    [
        ("auto", "http://example.org", True),
        ("auto", "https://example.org", True),
        ("auto", "http://localhost:8000", False),
        ("auto", "http://127.0.0.1", False),
        ("always", "http://localhost", True),
        ("never", "https://example.org", False),
    ],
)
def test_cookies_are_secure_unless_plain_http_on_localhost(mode: str, base: str, secure: bool) -> None:
    with TestClient(_cookie_app(mode), base_url=base) as c:
        header = c.get("/set").headers["set-cookie"]
    assert ("secure" in header.lower()) is secure
    assert header.lower().count("secure") <= 1


def test_the_cache_is_bounded_by_bytes_and_skips_large_bodies() -> None:
    cache = ResponseCache(max_bytes=20_000, max_entry_bytes=5_000)
    for i in range(200):
        cache.put(("k", i), bytes([i % 251]) * 1000, "application/octet-stream")
    assert cache.bytes <= 20_000
    assert len(cache) < 20
    assert cache.get(("k", 199)) is not None and cache.get(("k", 0)) is None
    big = cache.put("big", b"x" * 10_000, "application/octet-stream")
    assert big.etag and cache.get("big") is None


def test_ignored_parameters_do_not_grow_the_cache(tiny_client: TestClient, tiny_app) -> None:
    cache = tiny_app.state.observatory.cache
    tiny_client.get("/api/results")
    before = len(cache)
    etags = {tiny_client.get(f"/api/results?junk={i}").headers["etag"] for i in range(300)}
    assert len(cache) == before
    assert len(etags) == 1
    tiny_client.get("/api/results?limit=7")
    assert len(cache) == before + 1


def test_xlsx_is_bounded(tiny_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import clustermap.web.api.routes.downloads as downloads

    monkeypatch.setattr(downloads, "get_settings", lambda: Settings(xlsx_max_cells=10))
    r = tiny_client.get("/api/downloads/results?format=xlsx")
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large_for_xlsx"
    assert tiny_client.get("/api/downloads/results?format=csv").status_code == 200


def test_csv_formulas_are_neutralised() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1+2", "-cmd", "@SUM(A1)", "\tx", "plain", "-3.5"], "n": [1, -2, 3, 4, 5, 6, 7]}
    )
    out = neutralise(frame)
    assert out["name"].tolist() == ['\'=HYPERLINK("x")', "'+1+2", "'-cmd", "'@SUM(A1)", "'\tx", "plain", "-3.5"]
    assert out["n"].tolist() == [1, -2, 3, 4, 5, 6, 7]
    for v in frame["name"]:
        assert restore(str(neutralise_cell(v))) == v


def test_csv_downloads_go_through_the_neutraliser() -> None:
    from clustermap.web.api.routes.results import to_csv

    text = to_csv(pd.DataFrame({"region": ["=1+1", "DE11"], "employment": [-5.0, 3.0]})).decode()
    rows = list(pd.read_csv(io.StringIO(text), dtype=str)["region"])
    assert rows == ["'=1+1", "DE11"]
    assert "-5.0" in text


def test_datasets_show_no_file_system_paths(tiny_client: TestClient) -> None:
    data = tiny_client.get("/api/datasets").json()
    assert data and data[0]["file"] == "tiny.csv"
    assert data[0]["sha256"] == "ab" * 32
    runs = tiny_client.get("/api/runs").text
    assert "/home/someone" not in runs and "/home/someone" not in json.dumps(data)


def test_from_year_after_to_year_is_a_400(tiny_client: TestClient) -> None:
    r = tiny_client.get("/api/analyses/change?from_year=2012&to_year=2011")
    if r.status_code == 404:  # the analyses are not installed here
        pytest.skip(r.json()["error"]["message"])
    assert r.status_code == 400
    assert r.json()["error"]["parameter"] == "from_year"


def test_the_xlsx_413_is_in_the_schema(tiny_client: TestClient) -> None:
    responses = tiny_client.get("/openapi.json").json()["paths"]["/api/downloads/{table}"]["get"]["responses"]
    assert "413" in responses
