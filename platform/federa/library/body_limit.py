"""The request body cap, raised for the document upload form only.

The global cap (settings.max_body_size) is checked on every read of a body, and the CSRF middleware reads
a form's body before routing: a route's own max_body_size would come too late for an upload larger than
the global cap. This middleware takes the global cap's place and raises it for the upload form's path
(the upload route then applies its own exact cap); every other request keeps the global one.
"""

from __future__ import annotations

import re

from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from federa.library.editor_views import UPLOAD_BODY_LIMIT

# /n/<slug>/library/documents/new, or /library/documents/new on a network's own host name
UPLOAD_FORM = re.compile(r"(?:/n/[a-z0-9][a-z0-9-]{0,59})?/library/documents/new")


class BodyLimitMiddleware:
    """RequestBodyLimitMiddleware with a larger cap for the upload form."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.default = RequestBodyLimitMiddleware(app, max_body_size=max_body_size)
        self.upload = RequestBodyLimitMiddleware(app, max_body_size=max(max_body_size, UPLOAD_BODY_LIMIT))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        upload = scope["type"] == "http" and UPLOAD_FORM.fullmatch(scope["path"]) is not None
        await (self.upload if upload else self.default)(scope, receive, send)
