"""Pages of this part (placeholder: filled by its owner)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []          # mounted under /n/{slug}
account_routes: list[BaseRoute] = []  # mounted at the top level
