"""Domain errors raised by services and queries; the web layer maps them to responses."""

from __future__ import annotations


class FederaError(Exception):
    status_code = 400


class NotFound(FederaError):
    """Does not exist, or belongs to another network: the same answer for both."""

    status_code = 404


class NotAuthenticated(FederaError):
    """Nobody is signed in: pages redirect to the sign-in form, the API answers 401."""

    status_code = 401


class PermissionDenied(FederaError):
    status_code = 403


class Throttled(FederaError):
    status_code = 429


class Conflict(FederaError):
    status_code = 409


class Invalid(FederaError):
    """Input that breaks a rule; `fields` maps each bad field to its message."""

    status_code = 422

    def __init__(self, fields: dict[str, str] | None = None, message: str = "") -> None:
        self.fields = fields or {}
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.fields.items()))

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls({name: message})
