"""Accounts, sessions, API tokens, roles and ownership, CSRF, and rate-limited login.

Passwords are hashed with argon2id (``argon2-cffi``'s defaults, RFC 9106 low-memory profile) and re-hashed on
login when the parameters change. The web uses a **session**: a random token in an ``HttpOnly``,
``SameSite=Lax`` cookie (``clustermap_session``), its SHA-256 in the database, a CSRF token per session that
every form posts back. The API uses **bearer tokens** (``Authorization: Bearer cmr_…``): shown once, stored as
SHA-256, named, expiring and revocable; ``POST /api/registry/auth/login`` issues a short-lived one. The API also
accepts the session cookie, but then a write must send the session's CSRF token in ``X-CSRF-Token``.

Roles, lowest first: ``visitor`` (reads), ``member`` (own member profiles, matchmaking, interests),
``manager`` (organisation manager: own organisations, case studies, self-assessments), ``admin`` (all). Who may
write what is the table :data:`PERMISSIONS`; "owner" means the user who created the record (``owner_id``) while
still holding a role that may create it — or an administrator.

Login is rate-limited in the database (so that it holds across processes): after ``login_max_failures``
failures for one e-mail address, or ``login_max_failures_per_ip`` from one client address, within
``login_window_minutes``, every further attempt gets :class:`~.errors.RateLimitError` (HTTP 429, ``Retry-After``)
until the window has passed — even with the right password. In front of it, an in-memory limiter (the
``limits`` library, moving window) allows ``login_rate`` attempts — right or wrong — per e-mail address
(``CLUSTERMAP_LOGIN_RATE``, default ``10/minute``) and ``login_rate_per_ip`` per client address (default
``100/minute``), checked before the password is hashed
so that a flood of logins cannot keep the CPU busy with argon2.

Passwords follow :func:`check_password`: at least :data:`MIN_PASSWORD_LENGTH` (12) characters, not one of the
common passwords of ``registry/data/common_passwords.txt``, not one repeated character, not the e-mail address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from clustermap.registry.db import RegistrySettings, get_registry_settings
from clustermap.registry.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RegistryValidationError,
)
from clustermap.registry.models import ApiToken, LoginAttempt, RegistryMeta, User, WebSession, utcnow
from clustermap.registry.vocabulary import ROLES

__all__ = [
    "OWNER",
    "PERMISSIONS",
    "SESSION_COOKIE",
    "Identity",
    "authenticate",
    "authorize",
    "check_csrf",
    "check_password",
    "create_session",
    "create_user",
    "end_session",
    "hash_password",
    "identity_for_session",
    "identity_for_token",
    "issue_token",
    "may",
    "registry_secret",
    "revoke_token",
    "verify_password",
]

SESSION_COOKIE = "clustermap_session"
ANON_COOKIE = "clustermap_anon"
TOKEN_PREFIX = "cmr_"
#: marker in :data:`PERMISSIONS`: the record's owner (with a role that may create it) or an administrator
OWNER = "owner"

#: (kind of record, action) → roles that may, or :data:`OWNER`
PERMISSIONS: dict[tuple[str, str], frozenset[str] | str] = {
    ("organisation", "create"): frozenset({"manager", "admin"}),
    ("organisation", "update"): OWNER,
    ("organisation", "delete"): OWNER,
    ("programme", "create"): frozenset({"admin"}),
    ("programme", "update"): frozenset({"admin"}),
    ("programme", "delete"): frozenset({"admin"}),
    ("case_study", "create"): frozenset({"manager", "admin"}),
    ("case_study", "update"): OWNER,
    ("case_study", "delete"): OWNER,
    ("member", "create"): frozenset({"member", "manager", "admin"}),
    ("member", "update"): OWNER,
    ("member", "delete"): OWNER,
    ("match", "create"): frozenset({"member", "manager", "admin"}),
    ("match", "delete"): OWNER,
    ("interest", "create"): frozenset({"member", "manager", "admin"}),
    ("interest", "update"): OWNER,
    ("assessment", "create"): frozenset({"manager", "admin"}),
    ("assessment", "delete"): frozenset({"admin"}),
    ("user", "create"): frozenset({"admin"}),
    ("user", "update"): frozenset({"admin"}),
    ("import", "create"): frozenset({"admin"}),
    ("token", "create"): frozenset(ROLES),
    ("session", "delete"): frozenset(ROLES),
    ("audit", "read"): frozenset({"admin"}),
    ("token", "delete"): OWNER,
    ("notification", "update"): OWNER,
}

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


# -------------------------------------------------------------------------------------------- passwords, users


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case, without spaces)."""
    text = (files("clustermap.registry") / "data" / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str, *, email: str | None = None) -> str:
    """``password`` if the policy accepts it, else :class:`RegistryValidationError` (HTTP 422, CLI exit 2) saying
    which rule it breaks — never repeating the password."""
    problem = None
    folded = "".join(password.lower().split())
    local = (email or "").split("@", 1)[0].lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    elif len(password) > MAX_PASSWORD_LENGTH:
        problem = f"a password has at most {MAX_PASSWORD_LENGTH} characters"
    elif folded in common_passwords():
        problem = "this password is on the list of common passwords; choose another"
    elif len(set(folded)) <= 2:
        problem = "a password needs more than two different characters"
    elif len(local) >= 4 and local in folded:
        problem = "a password must not contain the e-mail address"
    if problem:
        raise RegistryValidationError(problem, field="password")
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, which must pass :func:`check_password`."""
    return _hasher.hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches the argon2 ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def create_user(session: Session, email: str, password: str, *, role: str = "member", name: str = "") -> User:
    """Create an account; :class:`ConflictError` when the e-mail address is taken."""
    email = email.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError(f"an account for {email} exists", reason="duplicate", entity="user")
    check_password(password, email=email)
    user = User(email=email, name=name, password_hash=hash_password(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -------------------------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class Identity:
    """Who makes a request: the user, and how they proved it (``token`` or ``session``)."""

    user_id: int
    email: str
    role: str
    via: str
    session_id: int | None = None
    csrf_token: str | None = None
    token_id: int | None = None

    @classmethod
    def of(cls, user: User, via: str, **kw: Any) -> Identity:
        return cls(user_id=user.id, email=user.email, role=user.role, via=via, **kw)


def _window(settings: RegistrySettings) -> datetime:
    return utcnow() - timedelta(minutes=settings.login_window_minutes)


def _check_rate(session: Session, email: str, ip: str, settings: RegistrySettings) -> None:
    since = _window(settings)
    failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, ~LoginAttempt.success)
    by_email = session.execute(failures.where(LoginAttempt.email == email)).scalar_one()
    by_ip = session.execute(failures.where(LoginAttempt.ip == ip)).scalar_one() if ip else 0
    if by_email >= settings.login_max_failures or by_ip >= settings.login_max_failures_per_ip:
        retry = settings.login_window_minutes * 60
        raise RateLimitError(
            f"too many failed logins; try again in {settings.login_window_minutes} minutes", retry_after=retry
        )


#: one in-memory limiter per registry (per settings object: an application, or a test's own registry)
_LIMITERS: dict[int, tuple[Any, Any, Any]] = {}


def _burst_limiter(settings: RegistrySettings) -> tuple[Any, Any, Any]:
    found = _LIMITERS.get(id(settings))
    if found is None:
        from limits import parse
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        from clustermap.settings import get_settings

        if len(_LIMITERS) >= 16:
            _LIMITERS.pop(next(iter(_LIMITERS)))
        cm = get_settings()
        limiter = MovingWindowRateLimiter(MemoryStorage())
        found = _LIMITERS[id(settings)] = (limiter, parse(cm.login_rate), parse(cm.login_rate_per_ip))
    return found


def _check_burst(email: str, ip: str, settings: RegistrySettings) -> None:
    """At most ``login_rate`` attempts per e-mail address and ``login_rate_per_ip`` per client address."""
    limiter, per_email, per_ip = _burst_limiter(settings)
    for rate, key in ((per_ip, f"ip:{ip}" if ip else None), (per_email, f"email:{email}")):
        if key is not None and not limiter.hit(rate, "login", key):
            reset = limiter.get_window_stats(rate, "login", key).reset_time
            retry = max(1, int(reset - time.time()) + 1)
            raise RateLimitError(f"too many login attempts; try again in {retry} seconds", retry_after=retry)


def authenticate(
    session: Session, email: str, password: str, *, ip: str = "", settings: RegistrySettings | None = None
) -> User:
    """The active user with this e-mail and password.

    Every attempt is recorded; the caller must commit even when this raises, so that failures count.

    Raises
    ------
    RateLimitError
        too many recent failures for this address or client (checked before the password).
    AuthenticationError
        wrong e-mail or password, or the account is switched off (one message for all three).
    """
    settings = settings or get_registry_settings()
    email = email.strip().lower()[:320]
    ip = (ip or "")[:64]
    _check_burst(email, ip, settings)
    _check_rate(session, email, ip, settings)
    user = session.scalars(select(User).where(User.email == email)).one_or_none()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password) and bool(user and user.active)
    session.add(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok or user is None:
        session.flush()
        raise AuthenticationError("wrong e-mail address or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)  # the password in use, whatever today's policy
    # successful logins clear the failures of this address (old attempts are pruned too)
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email, ~LoginAttempt.success))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < _window(settings) - timedelta(days=1)))
    session.flush()
    return user


def issue_token(
    session: Session, user: User, *, name: str = "api", expires: timedelta | None = timedelta(days=90)
) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``: the record and the token text (shown once, only its hash is kept)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_digest(raw),
        prefix=raw[:12],
        expires_at=utcnow() + expires if expires else None,
    )
    session.add(token)
    session.flush()
    return token, raw


def identity_for_token(session: Session, raw: str) -> Identity | None:
    """The identity a bearer token proves, or ``None`` (unknown, revoked, expired, user switched off)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(raw))).one_or_none()
    now = utcnow()
    if token is None or token.revoked or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return Identity.of(token.user, "token", token_id=token.id)


def revoke_token(session: Session, identity: Identity, token_id: int) -> None:
    """Revoke one of the caller's tokens (administrators: anyone's)."""
    token = session.get(ApiToken, token_id) if 0 < token_id <= 2_147_483_647 else None
    if token is None:
        raise NotFoundError(f"no token {token_id}")
    if token.user_id != identity.user_id and identity.role != "admin":
        raise PermissionDeniedError("you can revoke only your own tokens")
    token.revoked = True


def create_session(session: Session, user: User, *, settings: RegistrySettings | None = None) -> tuple[WebSession, str]:
    """A new web session for ``user``: the record and the cookie value."""
    settings = settings or get_registry_settings()
    session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))  # prune expired sessions
    raw = secrets.token_urlsafe(32)
    web = WebSession(
        token_hash=_digest(raw),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=settings.session_hours),
    )
    session.add(web)
    session.flush()
    return web, raw


def identity_for_session(session: Session, raw: str) -> Identity | None:
    """The identity a session cookie proves, or ``None`` (unknown or expired session, user switched off)."""
    if not raw or len(raw) > 200:
        return None
    web = session.scalars(select(WebSession).where(WebSession.token_hash == _digest(raw))).one_or_none()
    if web is None or web.expires_at <= utcnow() or not web.user.active:
        return None
    return Identity.of(web.user, "session", session_id=web.id, csrf_token=web.csrf_token)


def end_session(session: Session, raw: str) -> None:
    """Log out: delete the session of this cookie value."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(raw or "")))


# -------------------------------------------------------------------------------------------- CSRF


def registry_secret(session: Session, settings: RegistrySettings | None = None) -> str:
    """The secret that signs anonymous CSRF tokens: the setting, or one generated and kept in the database."""
    settings = settings or get_registry_settings()
    if settings.secret:
        return settings.secret
    row = session.get(RegistryMeta, "secret")
    if row is None:
        row = RegistryMeta(key="secret", value=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.value


def anonymous_csrf(secret: str, nonce: str) -> str:
    """The CSRF token of an anonymous visitor's forms: HMAC-SHA256 of their ``clustermap_anon`` cookie nonce."""
    return hmac.new(secret.encode(), ("csrf:" + nonce).encode(), hashlib.sha256).hexdigest()


def check_csrf(sent: str | None, *, identity: Identity | None, secret: str, nonce: str | None) -> None:
    """Accept the CSRF token ``sent`` with a form or header, or raise :class:`PermissionDeniedError`.

    Logged-in users must send their session's token; anonymous visitors (the login form) the HMAC of their
    nonce cookie.
    """
    if not sent:
        raise PermissionDeniedError("missing CSRF token; reload the form and try again", reason="csrf")
    if identity is not None and identity.csrf_token is not None:
        expected = identity.csrf_token
    elif nonce:
        expected = anonymous_csrf(secret, nonce)
    else:
        raise PermissionDeniedError("CSRF check failed (no session); reload the form and try again", reason="csrf")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDeniedError("CSRF check failed; reload the form and try again", reason="csrf")


# -------------------------------------------------------------------------------------------- permissions


def may(identity: Identity | None, entity: str, action: str, owner_id: int | None = None) -> bool:
    """Whether ``identity`` may do ``action`` on a record of kind ``entity`` owned by ``owner_id``."""
    if identity is None:
        return False
    rule = PERMISSIONS.get((entity, action))
    if rule is None:
        return identity.role == "admin"
    if identity.role == "admin":
        return True
    if rule == OWNER:
        creators = PERMISSIONS.get((entity, "create"), frozenset())
        return owner_id is not None and owner_id == identity.user_id and identity.role in creators
    return identity.role in rule


def authorize(identity: Identity | None, entity: str, action: str, owner_id: int | None = None) -> Identity:
    """The identity, when it may do ``action`` on ``entity``.

    Raises
    ------
    AuthenticationError
        no identity (HTTP 401).
    PermissionDeniedError
        wrong role or not the owner (HTTP 403).
    """
    if identity is None:
        raise AuthenticationError("log in or send a bearer token to change the registry")
    if not may(identity, entity, action, owner_id):
        rule = PERMISSIONS.get((entity, action))
        needs = "the owner or an administrator" if rule == OWNER else "role " + " or ".join(sorted(rule or {"admin"}))
        raise PermissionDeniedError(
            f"{action} {entity.replace('_', ' ')}: needs {needs}; you are {identity.role}",
            entity=entity,
            action=action,
            role=identity.role,
        )
    return identity
