"""Accounts: logging in and out, API tokens, users, notifications."""

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from clustermap.organisations import repository, schemas, security
from clustermap.organisations.db import RegistrySettings
from clustermap.organisations.errors import NotFoundError, PermissionDeniedError, RegistryError
from clustermap.organisations.models import Notification, User, WebSession, utcnow

__all__ = ["create_token", "log_in", "log_out", "mark_read", "me", "patch_user"]


def _token_out(token: Any, raw: str) -> dict[str, Any]:
    return {"id": token.id, "name": token.name, "token": raw, "expires_at": token.expires_at}


def log_in(session: Session, email: str, password: str, *, ip: str, settings: RegistrySettings) -> dict[str, Any]:
    """A bearer token (valid ``settings.login_token_hours`` hours) for e-mail and password.

    Raises
    ------
    AuthenticationError, RateLimitError
        a wrong pair, or too many failures; the failed attempt is committed so that it counts.
    """
    try:
        user = security.authenticate(session, email, password, ip=ip, settings=settings)
    except RegistryError:
        session.commit()  # the failed attempt must count
        raise
    token, raw = security.issue_token(session, user, name="login", expires=timedelta(hours=settings.login_token_hours))
    return _token_out(token, raw)


def log_out(session: Session, identity: security.Identity) -> None:
    """Revoke the bearer token used, or end the web session."""
    if identity.token_id is not None:
        security.revoke_token(session, identity, identity.token_id)
    elif identity.session_id is not None:
        web = session.get(WebSession, identity.session_id)
        if web is not None:
            session.delete(web)


def me(session: Session, identity: security.Identity) -> dict[str, Any]:
    """The caller's account, how they are authenticated and (web session) the CSRF token."""
    return {"user": session.get(User, identity.user_id), "via": identity.via, "csrf_token": identity.csrf_token}


def create_token(session: Session, identity: security.Identity, body: schemas.TokenIn) -> dict[str, Any]:
    """A new named API token for the caller (``expires_days`` days, or no expiry); its text is shown once."""
    user = session.get(User, identity.user_id)
    expires = timedelta(days=body.expires_days) if body.expires_days else None
    token, raw = security.issue_token(session, user, name=body.name, expires=expires)
    return _token_out(token, raw)


def patch_user(session: Session, user_id: int, body: schemas.UserPatch) -> User:
    """Change an account's name, role, activity or password, with optimistic locking (409 on a stale version)."""
    user = repository.by_id(session, User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    repository.check_version("user", user, body.version)
    for key in ("name", "role", "active"):
        value = getattr(body, key)
        if value is not None:
            setattr(user, key, value)
    if body.password is not None:
        user.password_hash = security.hash_password(body.password)
    repository.flush(session, "user", user, body.version)
    return user


def mark_read(session: Session, identity: security.Identity, notification_id: int) -> Notification:
    """Mark one of the caller's notifications as read (administrators: anyone's)."""
    note = repository.by_id(session, Notification, notification_id)
    if note is None:
        raise NotFoundError(f"no notification {notification_id}")
    if note.user_id != identity.user_id and identity.role != "admin":
        raise PermissionDeniedError("this notification is someone else's")
    if note.read_at is None:
        note.read_at = utcnow()
    session.flush()
    return note
