"""The search benchmark's baseline: bare starlette + asyncpg running the same SQL as Federa's search.

GET /search?q=...&person=<id>&network_id=<id> runs, on a pool of Federa's size, the same four statements as
GET /api/v1/networks/{slug}/search (the person's standing in the network, their search tokens, the facet
counts, one page of ranked results with snippets; the SQL text comes from federa.search and
federa.networks.access, so it cannot drift) and answers the ids, titles and total as JSON. No API token,
tenancy, ORM, pydantic or HTML escaping of snippets. Run: uvicorn bench.baseline_search:app (the database
comes from BENCH_DATABASE_URL).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.networks.access import _STANDING_SQL as ACCESS_SQL
from federa.networks.access import Access
from federa.search import engine_postgres
from federa.search.queries import MATCH_CAP, count_facets, scope_for
from federa.search.schemas import SearchQuery
from federa.search.tokens import standing_sql, viewer_from

POOL_SIZE = 20  # federa.db.tortoise_config(pool_max=20)
ACCESS = ACCESS_SQL.format(p1="$1", p2="$2")
STANDING = standing_sql("postgres")


async def _access(con: asyncpg.Connection, network_id: int, person_id: int) -> Access:
    rows = await con.fetch(ACCESS, network_id, person_id)
    return Access(person=SimpleNamespace(id=person_id),  # type: ignore[arg-type]
                  network=SimpleNamespace(id=network_id),  # type: ignore[arg-type]
                  roles=frozenset(r["value"] for r in rows if r["kind"] == "role"),
                  active_coops=frozenset(r["cooperative_id"] for r in rows
                                         if r["kind"] == "coop" and r["status"] == "active"))


async def search(request: Request) -> Response:
    query = SearchQuery.model_validate(dict(request.query_params))
    network_id, person_id = int(request.query_params["network_id"]), int(request.query_params["person"])
    async with request.app.state.pool.acquire() as con:
        access = await _access(con, network_id, person_id)
        viewer = viewer_from(access, [dict(r) for r in await con.fetch(STANDING, network_id, person_id)])
        scope = scope_for(viewer, query)
        sql, values = engine_postgres.facet_sql(scope)
        found = [engine_postgres.facet_row(r) for r in await con.fetch(sql, *values)]
        more = sum(r.n for r in found) > MATCH_CAP or any(r.bounded for r in found)
        rows = [r for r in found if r.n]
        total, _facets = count_facets(rows, scope.filters)
        hits: list[Any] = []
        if total:
            sql, values = engine_postgres.page_sql(scope, query.per_page, (query.page - 1) * query.per_page)
            hits = [{"kind": r["kind"], "id": r["object_id"], "title": r["title"], "snippet": r["snippet"]}
                    for r in await con.fetch(sql, *values)]
    body = {"total": total, "more": more, "items": hits}
    return Response(json.dumps(body), media_type="application/json")


async def livez(request: Request) -> Response:
    return Response("ok")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=1, max_size=POOL_SIZE)
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(routes=[Route("/search", search), Route("/livez", livez)], lifespan=lifespan)
