"""JSON API of this part under /api/v1 (placeholder: filled by its owner)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
