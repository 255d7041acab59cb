"""Item 7 on the web: schemathesis over the **whole** REST API as served — the statistics API and the registry
mounted together behind the hardening middleware (the suites of tests/web and tests/registry each test one part,
without it): no 5xx for valid or invalid requests; and the server's memory stays bounded under 1,000 distinct
requests."""

from __future__ import annotations

import contextlib
import gc
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

EXAMPLES = 4  # per operation and mode: ~90 operations x 2 modes x 4 = ~700 requests


def test_no_server_error_anywhere_in_the_api(tiny_app) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", tiny_app)
    ops = [r.ok() for r in schema.get_all_operations()]
    assert any(op.path.startswith("/api/registry") for op in ops)
    assert sum(not op.path.startswith("/api/registry") for op in ops) >= 20
    failures: list[str] = []
    for op in ops:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            with contextlib.suppress(Unsatisfiable):
                _drive(op, mode, failures)
    assert not failures, "\n\n".join(failures[:10])


def _drive(op, mode: GenerationMode, failures: list[str]) -> None:
    @given(op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=2 if op.path.startswith("/api/analyses/") else EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case) -> None:
        try:
            case.call_and_validate(checks=[not_a_server_error])
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # collect every failure (FailureGroup is a BaseExceptionGroup)
            failures.append(f"{op.label}: {exc}"[:800])

    run()


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    pytest.skip("no /proc/self/status here")
    return 0


def test_rss_stays_bounded_under_1000_distinct_requests(tiny_app) -> None:
    from fastapi.testclient import TestClient

    from clustermap.web.api.cache import ResponseCache

    limit = 256 << 10  # far below what 1,000 distinct answers take: the cache must evict
    tiny_app.state.observatory.cache = ResponseCache(max_bytes=limit, max_entry_bytes=64 << 10)
    cache = tiny_app.state.observatory.cache
    with TestClient(tiny_app) as c:
        for i in range(100):  # warm up: imports, first snapshot, allocator pools
            c.get(f"/api/results?limit={1 + i}&format=csv")
        gc.collect()
        before = _rss_bytes()
        served = 0
        for i in range(1000):
            path = ("/api/results", "/api/downloads/results", "/api/datasets", "/api/runs")[i % 4]
            r = c.get(f"{path}?limit={1 + i % 500}&offset={i}&ignored={'x' * (i % 200)}{i}")
            assert r.status_code < 500
            served += len(r.content)
        gc.collect()
        grown = _rss_bytes() - before
    print(
        f"RSS grew by {grown / 2**20:.1f} MiB over 1,000 distinct requests; "
        f"cache holds {cache.bytes:,} bytes of {served:,} served"
    )
    assert served > 4 * limit
    assert cache.bytes <= limit
    assert grown < 64 << 20, f"RSS grew by {grown / 2**20:.1f} MiB over 1,000 distinct requests"
