"""Resolve the network of a request once, at the edge: /n/<slug>/, the API path, or its own host."""

from __future__ import annotations

import re
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from federa.networks.models import Network

_PATH = re.compile(r"^/(?:n|api/v1/networks)/(?P<slug>[a-z0-9][a-z0-9-]{0,59})(?:/|$)")
_CACHE_SECONDS = 5.0
# Paths that stay platform-wide on a network's own host name: these first segments, whole
# (a bare prefix "/me" would also take the network's "/memberships").
_PLATFORM_SEGMENTS = frozenset({"n", "api", "static", "account", "signin", "signout", "signup", "livez",
                                "readyz", "dev", "admin", "me", "favicon.ico", "language", "invitations",
                                "calendar", "certificates", "oauth", ".well-known"})


def _platform_path(path: str) -> bool:
    return path[1:].partition("/")[0] in _PLATFORM_SEGMENTS


class NetworkCache:
    """Networks by slug and host for a few seconds: read on every request, changed rarely."""

    def __init__(self) -> None:
        self._by_slug: dict[str, tuple[float, Network | None]] = {}

    async def by_slug(self, slug: str) -> Network | None:
        hit = self._by_slug.get(slug)
        now = time.monotonic()
        if hit and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
        network = await Network.get_or_none(slug=slug)
        self._by_slug[slug] = (now, network)
        return network

    def forget(self) -> None:
        self._by_slug.clear()


network_cache = NetworkCache()


class TenancyMiddleware:
    def __init__(self, app: ASGIApp, *, hosts: dict[str, str]) -> None:
        self.app = app
        self.hosts = hosts  # configured host name → network slug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        state["network"] = None
        path = scope["path"]
        host = (Headers(scope=scope).get("host") or "").split(":")[0].lower()
        host_slug = self.hosts.get(host)
        if host_slug and not _platform_path(path):
            # A network's own host serves its pages at the root: route them as /n/<slug>/...
            path = f"/n/{host_slug}{path}"
            scope["path"] = path
            scope["raw_path"] = path.encode()
        match = _PATH.match(path)
        if match:
            state["network"] = await network_cache.by_slug(match["slug"])
        await self.app(scope, receive, send)
