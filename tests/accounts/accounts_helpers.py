"""Helpers shared by the accounts and web-security tests (imported by module name, no package)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from markupsafe import escape
from starlette.routing import BaseRoute, Mount, Route

from federa.notifications.models import OutboxMessage
from federa.web import i18n

COOKIE = "federa_session"
NEW_PASSWORD = "another-long-secret-9"


def english(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Anonymous pages in English, whatever the Italian catalog says."""
    client.headers["Accept-Language"] = "en"
    return client


def text(message: str, locale: str = "en", **variables: object) -> str:
    """A message as a page in `locale` shows it (translated, then HTML-escaped)."""
    token = i18n.current_locale.set(locale)
    try:
        return str(escape(i18n.gettext(message, **variables)))
    finally:
        i18n.current_locale.reset(token)


def field_error(response: httpx.Response, field: str) -> str | None:
    """The message shown beside a form field, or None."""
    match = re.search(rf'<p class="field-error" id="e-{re.escape(field)}">([^<]*)</p>', response.text)
    return match.group(1) if match else None


async def sent(kind: str, recipient: str | None = None) -> list[OutboxMessage]:
    rows = OutboxMessage.filter(kind=kind)
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return list(await rows.order_by("id"))


def link_token(message: OutboxMessage) -> str:
    return str(message.context["path"]).rsplit("/", 1)[1]


def session_cookie(response: httpx.Response) -> str | None:
    """The Set-Cookie header of the session cookie, if the response sets it."""
    return next((h for h in response.headers.get_list("set-cookie") if h.startswith(COOKIE + "=")), None)


def walk_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    """Every Route of the app with its full path, through Mounts."""
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += walk_routes(list(route.routes or []), prefix + route.path)
        elif isinstance(route, Route):
            found.append((prefix + route.path, route))
    return found


_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def fill_path(path: str, values: dict[str, str] | None = None) -> str:
    """A concrete URL for a route path: ints → 1, action → approve, slug → a real network, else a token."""
    values = {"slug": "rete-alfa", "action": "approve", **(values or {})}

    def one(match: re.Match[str]) -> str:
        name, convertor = match.group(1), match.group(2)
        if name in values:
            return values[name]
        return "1" if convertor == "int" else "dummy-token-0123456789"

    return _PARAM.sub(one, path)


async def snapshot() -> dict[str, Any]:
    """Every row of every table, to prove that a refused request changed nothing."""
    from tortoise import Tortoise

    rows: dict[str, Any] = {}
    for app in Tortoise.apps.values():
        for model in app.values():
            rows[model._meta.db_table] = sorted(map(repr, await model.all().values()))
    return rows
