"""Item 5 for the registry: the password policy, the in-memory login limiter, trusted proxies only by setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from clustermap.cli.serve import proxy_options
from clustermap.organisations import security
from clustermap.organisations.errors import RateLimitError, RegistryValidationError


@pytest.fixture
def session(tmp_path: Path):
    from clustermap.organisations.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        yield s
    engine.dispose()


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short pass", "at least 12"),
        ("Password1234", "common"),
        ("correct horse battery staple", "common"),
        ("aaaaaaaaaaaaaaaa", "different characters"),
        ("abababababababab", "different characters"),
        ("x" * 1025 + "yz", "at most"),
    ],
)
def test_weak_passwords_are_refused_without_repeating_them(password: str, rule: str) -> None:
    with pytest.raises(RegistryValidationError, match=rule) as info:
        security.check_password(password)
    assert password not in str(info.value)
    assert info.value.status_code == 422 and info.value.exit_code == 2


def test_a_password_holding_the_email_is_refused() -> None:
    with pytest.raises(RegistryValidationError, match="e-mail"):
        security.check_password("marie.curie-2026!", email="Marie.Curie@example.org")


def test_a_good_password_passes() -> None:
    assert security.check_password("a long password", email="x@example.org") == "a long password"
    assert len(security.common_passwords()) >= 90


def test_create_user_and_password_changes_apply_the_policy(session: Session) -> None:
    with pytest.raises(RegistryValidationError):
        security.create_user(session, "weak@example.org", "password1234")
    with pytest.raises(RegistryValidationError):
        security.hash_password("12345678")
    user = security.create_user(session, "ok@example.org", "a long password")
    assert security.verify_password(user.password_hash, "a long password")


def test_the_login_limiter_stops_a_burst_before_hashing(session: Session) -> None:
    from clustermap.organisations.db import RegistrySettings

    # failures per address are allowed generously in the database; the in-memory limiter (10/minute) comes first
    settings = RegistrySettings(database_url="sqlite://", login_max_failures=1000, login_max_failures_per_ip=1000)
    security.create_user(session, "burst@example.org", "a long password")
    codes = []
    for _ in range(12):
        try:
            security.authenticate(session, "burst@example.org", "wrong password!", ip="10.0.0.1", settings=settings)
        except RateLimitError as exc:
            codes.append(429)
            assert exc.retry_after >= 1
        except Exception:
            codes.append(401)
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    # another address and another account are not blocked by it
    with pytest.raises(Exception) as other:
        security.authenticate(session, "other@example.org", "wrong password!", ip="10.0.0.2", settings=settings)
    assert not isinstance(other.value, RateLimitError)


def test_forwarded_headers_are_believed_only_from_configured_proxies() -> None:
    assert proxy_options("") == {"proxy_headers": False, "forwarded_allow_ips": ""}
    assert proxy_options(" 10.0.0.5 , 127.0.0.1") == {
        "proxy_headers": True,
        "forwarded_allow_ips": "10.0.0.5,127.0.0.1",
    }
    assert proxy_options()["proxy_headers"] is False  # the default setting trusts no proxy


def test_registry_csv_export_neutralises_formulas_and_round_trips(session: Session) -> None:
    from clustermap.organisations.importers import export_records, import_records

    text = 'name,level\n"=HYPERLINK(""http://x"",""y"")",national\n@SUM(A1),regional\n'
    report = import_records(session, "programme", text, fmt="csv")
    assert report.errors == [] and report.created == 2
    exported = export_records(session, "programme", "csv")
    assert "'=HYPERLINK" in exported and "'@SUM(A1)" in exported
    again = import_records(session, "programme", exported, fmt="csv")
    assert again.errors == [] and (again.created, again.updated, again.unchanged) == (0, 0, 2)
