"""Who is asking: a browser session (signed cookie + server-side row) or an API bearer token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from federa.accounts.models import ApiToken, Person, WebSession
from federa.web.security import hash_token

SESSION_IDLE = timedelta(days=14)
SESSION_ABSOLUTE = timedelta(days=30)  # a stolen cookie stops working even if kept busy (ASVS 7.3.2)
_TOUCH_EVERY = timedelta(minutes=5)


async def person_from_session(session: dict) -> Person | None:
    """The person of a browser session, or None (and the dead key dropped) if it has ended."""
    key = session.get("sid")
    if not key:
        return None
    row = await WebSession.get_or_none(key_hash=hash_token(key)).select_related("person")
    now = datetime.now(UTC)
    if row is None or not row.person.is_active or now - row.last_seen_at > SESSION_IDLE \
            or now - row.created_at > SESSION_ABSOLUTE:
        if row is not None:
            await WebSession.filter(id=row.id).delete()
        session.pop("sid", None)
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        await WebSession.filter(id=row.id).update(last_seen_at=now)
    return row.person


async def person_from_bearer(header: str | None) -> Person | None:
    """The owner of a live personal access token, or None."""
    if not header or not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    row = await ApiToken.get_or_none(token_hash=hash_token(token), revoked_at=None).select_related("person")
    if row is None or not row.person.is_active:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return row.person


class IdentityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        if scope["path"].startswith("/api/"):
            # The API authenticates by bearer token only: no cookies, so no CSRF exposure.
            state["person"] = await person_from_bearer(Headers(scope=scope).get("authorization"))
        elif scope["path"].startswith("/static/"):
            state["person"] = None
        else:
            state["person"] = await person_from_session(scope.get("session", {}))
        await self.app(scope, receive, send)
