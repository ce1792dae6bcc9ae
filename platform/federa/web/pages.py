"""Helpers shared by the HTML views: who is asking, in which network, rendering and redirects."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from federa.accounts.models import Person
from federa.errors import Conflict, NotFound
from federa.networks.access import Access, access_in
from federa.networks.models import Network
from federa.web.api import NotAuthenticated
from federa.web.i18n import gettext as _


def person_of(request: Request) -> Person | None:
    return getattr(request.state, "person", None)


def require_person(request: Request) -> Person:
    person = person_of(request)
    if person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    return person


def network_of(request: Request) -> Network:
    network = getattr(request.state, "network", None)
    if network is None:
        raise NotFound(_("No such network."))
    return network


async def access_of(request: Request) -> Access:
    """The person's standing in the request's network, computed once per request."""
    cached = getattr(request.state, "access", None)
    if cached is None:
        cached = await access_in(network_of(request), person_of(request))
        request.state.access = cached
    return cached


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> Response:
    context = dict(context or {})
    context.setdefault("flashes", request.session.pop("flash", []) if "session" in request.scope else [])
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def flash(request: Request, message: str, kind: str = "success") -> None:
    request.session.setdefault("flash", []).append({"message": message, "kind": kind})


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def act(request: Request, action: Awaitable[object], *, done: str, then: str) -> RedirectResponse:
    """Finish a POST button: say how it went (a Conflict becomes an error message) and redirect."""
    try:
        await action
        flash(request, done)
    except Conflict as exc:
        flash(request, str(exc), "error")
    return redirect(then)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths: no open redirects."""
    if not target:
        return default
    parts = urlsplit(target)
    # Browsers drop tabs and newlines from URLs and read "\\" as "/": "/\t/evil" would become "//evil".
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ch.isspace() or ord(ch) < 32 for ch in target):
        return default
    return target
