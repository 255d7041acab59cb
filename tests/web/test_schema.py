"""Schemathesis against the application's own OpenAPI schema: no 5xx, and every answer matches the schema (status
code, content type, body). Bounded: ``MAX_EXAMPLES`` generated requests per operation, derandomised. Invalid
requests (negative generation) must get a 4xx, never a 5xx. The registry's operations (``/api/registry/…``)
are left to the registry's own suite.

The schemathesis pytest plugin is not used (it does not run under pytest 9); each operation's hypothesis strategy
is driven directly and every failure of every operation is reported together.
"""

from __future__ import annotations

import contextlib

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode  # noqa: E402

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

POSITIVE_CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
MAX_EXAMPLES = 20


@pytest.fixture(scope="module")
def operations(web_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    ops = [result.ok() for result in schema.get_all_operations()]
    mine = [op for op in ops if not op.path.startswith("/api/registry")]
    assert len(mine) >= 20, [op.label for op in mine]
    return mine


def _drive(op, mode: GenerationMode, checks, examples: int) -> list[str]:
    failures: list[str] = []
    if mode == GenerationMode.NEGATIVE and not list(op.iter_parameters()):
        return failures  # nothing to make invalid
    if op.path.startswith("/api/analyses/"):
        examples = min(examples, 6)  # each answer runs an analysis (seconds for innovation); the rest is cached

    @given(op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )
    def run(case) -> None:
        try:
            case.call_and_validate(checks=checks)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # collect (FailureGroup is a BaseExceptionGroup), report all at the end
            failures.append(f"{op.label} {case.path_parameters or ''} {case.query or ''}: {exc}"[:1500])

    with contextlib.suppress(Unsatisfiable):  # e.g. only enum path parameters: no invalid request exists
        run()
    return failures


def test_valid_requests_conform_to_the_schema(operations) -> None:
    failures = [f for op in operations for f in _drive(op, GenerationMode.POSITIVE, POSITIVE_CHECKS, MAX_EXAMPLES)]
    assert not failures, "\n\n".join(failures[:20])


def test_invalid_requests_get_a_4xx_not_a_5xx(operations) -> None:
    failures = [f for op in operations for f in _drive(op, GenerationMode.NEGATIVE, (not_a_server_error,), 10)]
    assert not failures, "\n\n".join(failures[:20])
