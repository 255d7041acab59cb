"""Errors of the registry, on the project's one tree (:class:`clustermap.errors.ClustermapError`).

Each carries the HTTP status the API answers with and a machine-readable ``code``; :meth:`RegistryError.body`
is the JSON body (``{"error": code, "detail": message, ...extra}``).
"""

from __future__ import annotations

from typing import Any

from clustermap.errors import ClustermapError


class RegistryError(ClustermapError):
    """Root of the registry's errors."""

    status_code: int = 400
    code: str = "registry_error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """The JSON body the API answers with."""
        return {"error": self.code, "detail": self.message, **self.extra}


class NotFoundError(RegistryError, LookupError):
    """No record with that id or slug."""

    status_code = 404
    code = "not_found"
    exit_code = 2


class AuthenticationError(RegistryError, PermissionError):
    """The request carries no valid session or token."""

    status_code = 401
    code = "authentication_required"


class PermissionDeniedError(RegistryError, PermissionError):
    """The user's role or ownership does not allow this."""

    status_code = 403
    code = "forbidden"


class ConflictError(RegistryError, RuntimeError):
    """A stale update (optimistic locking) or a duplicate key; ``extra`` says which record and versions."""

    status_code = 409
    code = "conflict"


class RateLimitError(RegistryError, RuntimeError):
    """Too many failed logins; ``retry_after`` seconds to wait."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, retry_after=retry_after, **extra)
        self.retry_after = retry_after


class RegistryValidationError(RegistryError, ValueError):
    """Input that fails a rule the schema cannot express (unknown region code, unknown category …)."""

    status_code = 422
    code = "validation_error"
    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None, value: Any = None, **extra: Any) -> None:
        errors = [{"field": field, "message": message, "value": value}] if field else []
        super().__init__(message, errors=errors, **extra)
        self.field = field
        self.value = value
