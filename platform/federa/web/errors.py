"""One answer per error: JSON under /api/, an error page (or a sign-in redirect) elsewhere."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from federa.errors import FederaError, Invalid
from federa.web.api import NotAuthenticated
from federa.web.i18n import choose_locale, current_locale, lazy
from federa.web.i18n import gettext as _
from federa.web.middleware import add_security_headers

log = logging.getLogger("federa.errors")

_TITLES = {
    400: lazy("The request could not be understood."),
    401: lazy("Please sign in to continue."),
    403: lazy("You are not allowed to do this."),
    404: lazy("This page does not exist."),
    405: lazy("This action is not available here."),
    409: lazy("This conflicts with the current state."),
    413: lazy("What you sent is too large."),
    415: lazy("This kind of content is not accepted."),
    422: lazy("Some of what you entered is not valid."),
    429: lazy("Too many attempts. Please wait a few minutes and try again."),
    500: lazy("Something went wrong on our side."),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _render(request: Request, status: int, detail: str = "", errors: dict | None = None) -> Response:
    title = _(_TITLES.get(status, "Error"))
    if _is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": detail or title, "errors": errors or {}}, status_code=status,
                            headers=headers)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status
    )


async def federa_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FederaError)
    if isinstance(exc, NotAuthenticated) and not _is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
    errors = exc.fields if isinstance(exc, Invalid) else None
    return _render(request, exc.status_code, str(exc) if exc.args else "", errors)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code not in _TITLES else ""
    response = _render(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    response = _render(request, 500)
    # Starlette sends this from its outermost middleware, past SecurityHeadersMiddleware.
    add_security_headers(response.headers, production=request.app.state.settings.production, signed_in=True)
    return response


def refusal(request: Request, status: int) -> Response:
    """The answer of a middleware that stops a request before routing (CSRF, body too large)."""
    session = request.scope.get("session") or {}
    token = current_locale.set(choose_locale(session.get("locale"), request.headers.get("accept-language")))
    try:
        detail = _("The form has expired or did not come from this site. Please try again.") \
            if status == 403 else ""
        return _render(request, status, detail)
    finally:
        current_locale.reset(token)


handlers = {FederaError: federa_error, HTTPException: http_error, Exception: server_error}
