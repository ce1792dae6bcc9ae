"""Pure ASGI middleware: security headers, CSRF token seeding and enforcement, locale."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federa.web import i18n
from federa.web.security import same

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths that never carry a browser session: the API takes bearer tokens only, the rest has no forms.
# A future endpoint called by another server (an OAuth token endpoint, a webhook) belongs here too.
CSRF_EXEMPT = ("/api/", "/static/", "/livez", "/readyz")
# The OpenID provider's endpoints that other sites' servers and forms call: token and userinfo (client
# credentials or a bearer token, no cookie), authorize (a form post from the client's page: it only
# validates and then asks the person) and the end-session endpoint (it only asks for confirmation).
CSRF_EXEMPT_EXACT = frozenset({"/oauth/token", "/oauth/userinfo", "/oauth/authorize", "/oauth/logout"})


def add_security_headers(headers: MutableHeaders, *, production: bool, signed_in: bool) -> None:
    """The headers every response carries (ASVS V3.4), also used by the last-resort error handler."""
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if signed_in:
        # Personal pages must not stay in a shared or back-button cache (ASVS 14.3.2).
        headers["Cache-Control"] = "no-store"
    if production:
        headers.setdefault("Strict-Transport-Security", HSTS)


class SecurityHeadersMiddleware:
    """Headers every response carries (ASVS V3.4); HSTS only in production."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                signed_in = scope.get("state", {}).get("person") is not None
                add_security_headers(MutableHeaders(scope=message), production=self.production,
                                     signed_in=signed_in)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class MachineEndpoints:
    """Send the endpoints other servers call (OpenID token, userinfo, keys, discovery) past the browser layers.

    They carry client credentials or a bearer token of their own and answer JSON: the session cookie, the
    CSRF seed, the network, the signed-in person and the locale would be work paid on every call and never
    read. It sits inside the security headers and the body limit, which these answers keep. Only a method a
    route accepts takes the short way (a 405 page is the full stack's), and never on a network's own host
    name (whose paths the tenancy middleware rewrites).
    """

    def __init__(self, app: ASGIApp, *, routes: list[Route], handlers: dict, hosts: dict[str, str]) -> None:
        self.app = app
        self.methods: dict[str, set[str]] = {route.path: route.methods or set() for route in routes}
        self.endpoints = ExceptionMiddleware(Router(routes), handlers=handlers)
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = self.methods.get(scope["path"]) if scope["type"] == "http" else None
        if methods is None or scope["method"] not in methods or (
                self.hosts and (Headers(scope=scope).get("host") or "").split(":")[0].lower() in self.hosts):
            return await self.app(scope, receive, send)
        await self.endpoints(scope, receive, send)


class CsrfSeedMiddleware:
    """Give every browser session a CSRF token, and refuse unsafe requests that do not carry it.

    The check sits here, before routing, so a view that looks an object up before reading its form
    cannot answer (or write) first. It only needs the token to be present in the body or in the
    X-CSRF-Token header: web.forms.read_form then checks that it is the csrf_token field itself.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("session")
        if scope["type"] != "http" or session is None or scope["path"].startswith(CSRF_EXEMPT) \
                or scope["path"] in CSRF_EXEMPT_EXACT:
            return await self.app(scope, receive, send)
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        if scope["method"] not in UNSAFE_METHODS:
            return await self.app(scope, receive, send)
        try:
            replay = await _carries_token(scope, receive, session["csrf"])
        except HTTPException as exc:  # the body is over the size limit
            return await _refuse(scope, receive, send, exc.status_code)
        if replay is None:
            return await _refuse(scope, receive, send, 403)
        await self.app(scope, replay, send)


def _cross_origin(scope: Scope) -> bool:
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "") == "cross-site":
        return True
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


async def _carries_token(scope: Scope, receive: Receive, token: str) -> Receive | None:
    """Read the body until the token shows up; return a receive that replays it, or None."""
    if _cross_origin(scope):
        return None
    header = Headers(scope=scope).get("x-csrf-token")
    messages: list[Message] = []
    if header is None or not same(header, token):
        needle, seen, more = token.encode(), b"", True
        while more and needle not in seen:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None
            # Keep only a tail as long as the token, so a token split across chunks is still found.
            seen = seen[-len(needle):] + message.get("body", b"")
            more = message.get("more_body", False)
        if needle not in seen:
            return None

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    from starlette.requests import Request

    from federa.web.errors import refusal

    await refusal(Request(scope, receive), status)(scope, receive, send)


class LocaleMiddleware:
    """The person's choice first, then the session's, then Accept-Language, then Italian."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        person = scope.get("state", {}).get("person")
        preference = person.locale if person is not None else scope.get("session", {}).get("locale")
        locale = i18n.choose_locale(preference, Headers(scope=scope).get("accept-language"))
        token = i18n.current_locale.set(locale)

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Language", locale)
                headers.append("Vary", "Accept-Language")
            await send(message)

        try:
            await self.app(scope, receive, send_with_language)
        finally:
            i18n.current_locale.reset(token)


def state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})  # type: ignore[no-any-return]
