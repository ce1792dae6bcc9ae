"""The search page of a network: ranked results with highlighted snippets, facets and pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from federa.errors import Invalid
from federa.networks.reference import SECTORS
from federa.search import queries
from federa.search.schemas import MAX_QUERY, SearchQuery
from federa.web.forms import validate
from federa.web.i18n import lazy
from federa.web.pages import access_of, render

KINDS: dict[str, str] = {
    "cooperative": lazy("Cooperative"),
    "event": lazy("Training event"),
    "group": lazy("Working group"),
    "thread": lazy("Discussion"),
    "library_item": lazy("Library"),
}
SIDES: dict[str, str] = {"own": lazy("This network"), "partners": lazy("Partner networks")}
PERIODS: dict[str, str] = {
    "upcoming": lazy("Coming up"),
    "month": lazy("This month"),
    "year": lazy("This year"),
    "older": lazy("Earlier"),
}


async def search_page(request: Request) -> Response:
    access = await access_of(request)
    params = {k: v.replace("\x00", "") for k, v in request.query_params.items()}
    try:
        query = validate(SearchQuery, params)
    except Invalid as exc:  # a query too long, an unknown facet value: say which, search nothing
        return render(request, "search/search.html", {**_labels(), "query": SearchQuery(), "q": params.get(
            "q", "")[:MAX_QUERY], "errors": exc.fields, "results": None, "filters": {}}, status=422)
    results = await queries.search(access, query)
    filters = query.filters()
    pages = max(1, -(-results.total // query.per_page))

    def qs(**changes: Any) -> str:
        """The query string of this search with some parameters changed ('' removes one)."""
        merged = {"q": query.q, **filters, **{k: v for k, v in changes.items()}}
        return urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    return render(request, "search/search.html", {
        **_labels(), "query": query, "q": query.q, "errors": {}, "results": results, "filters": filters,
        "pages": pages, "qs": qs, "access": access,
    })


def _labels() -> dict[str, Any]:
    return {"kinds": KINDS, "sides": SIDES, "periods": PERIODS, "sectors": SECTORS, "max_query": MAX_QUERY}


routes: list[BaseRoute] = [Route("/search", search_page, name="search")]  # mounted under /n/{slug}
account_routes: list[BaseRoute] = []  # mounted at the top level
