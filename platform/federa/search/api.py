"""JSON API of search: GET /api/v1/networks/{slug}/search, the page's results and facets as data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from federa.search import queries
from federa.search.schemas import FacetsOut, FacetValueOut, SearchHitOut, SearchPageOut, SearchQuery
from federa.web.api import ApiRoute
from federa.web.pages import access_of


async def search(request: Request, query: SearchQuery) -> SearchPageOut:
    """What the caller may see in the network (and what its partners share) matching q, best first.

    Snippets are HTML: the text is escaped and the matching words are wrapped in <mark>. Facet counts
    (kind, sector, network: own or partners, date) count the matches with the other facets chosen; `more`
    says there are more matches than were counted. When nothing contains the words, `similar` is true and
    the items are titles that look like them.
    """
    access = await access_of(request)
    results = await queries.search(access, query)
    facets = results.facets or {f: [] for f in queries.FACETS}
    return SearchPageOut(
        q=query.q, total=results.total, page=query.page, per_page=query.per_page, similar=results.similar,
        more=results.capped,
        items=[SearchHitOut(kind=h.kind, id=h.object_id, title=h.title, url=h.url,  # type: ignore[arg-type]
                            snippet_html=str(h.snippet), network=h.network_slug,
                            own_network=h.network_id == access.network.id, sectors=h.sectors, date=h.date)
               for h in results.hits],
        facets=FacetsOut(**{f: [FacetValueOut(value=v, count=n) for v, n in facets[f]] for f in queries.FACETS}),
    )


routes: list[BaseRoute] = [
    ApiRoute("/networks/{slug}/search", search, method="GET", summary="Search a network", tag="search",
             query=SearchQuery, response=SearchPageOut, name="api_search"),
]
