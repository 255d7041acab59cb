"""docs/SECURITY.md states every limit and default that the hardening added, with its environment variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustermap.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"
LIMITS = (
    "max_input_bytes",
    "max_decompressed_bytes",
    "max_body_bytes",
    "max_json_depth",
    "response_cache_bytes",
    "cache_max_body_bytes",
    "xlsx_max_cells",
    "cookie_secure",
    "trusted_proxies",
    "login_rate",
    "login_rate_per_ip",
)


@pytest.mark.parametrize("name", LIMITS)
def test_each_limit_is_a_setting_and_documented(name: str) -> None:
    assert name in Settings.model_fields
    assert f"CLUSTERMAP_{name.upper()}" in DOC.read_text(encoding="utf-8")


def test_the_doc_has_the_threat_model_and_the_proxy_guide() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## Registry threat model", "## Deploying behind a reverse proxy", "## Web server"):
        assert heading in text
