"""One error → exit code and HTTP status, declared on the error class and read by the CLI and the web app."""

from __future__ import annotations

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient

from clustermap.cli._common import fail
from clustermap.errors import ClustermapError, ParameterError, UnknownNameError, WarehouseError
from clustermap.organisations.errors import NotFoundError


@pytest.mark.parametrize(
    ("error", "exit_code", "status", "code"),
    [
        (UnknownNameError("no methodology 'x'"), 2, 404, "unknown_name"),
        (ParameterError("--year must be a year"), 2, 400, "invalid_parameter"),
        (WarehouseError("locked"), 1, 400, "invalid_parameter"),
        (NotFoundError("no organisation 7"), 2, 404, "not_found"),
    ],
)
def test_the_class_says_how_each_interface_reports_it(error: ClustermapError, exit_code, status, code) -> None:
    assert (error.exit_code, error.status_code, error.code) == (exit_code, status, code)
    with pytest.raises(typer.Exit) as raised:
        fail(error)
    assert raised.value.exit_code == exit_code


def test_the_web_app_answers_with_the_class_status() -> None:
    from clustermap.web.api.app import _install_errors  # the handlers of the site's app

    app = FastAPI()
    _install_errors(app)

    @app.get("/unknown")
    def unknown() -> None:
        raise UnknownNameError("no category set 'x'")

    @app.get("/bad")
    def bad() -> None:
        raise ParameterError("year out of range")

    client = TestClient(app)
    assert client.get("/unknown").status_code == 404
    assert client.get("/unknown").json()["error"]["code"] == "unknown_name"
    assert client.get("/bad").status_code == 400
