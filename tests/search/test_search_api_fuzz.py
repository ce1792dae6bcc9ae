"""schemathesis on the search operation, over an index with entries of every visibility.

tests/test_openapi.py fuzzes every operation with an empty index; here the generated words, facets and
pages meet real entries (and the coordinator's token), so they reach both queries and the snippets.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import World, api_token, serve_app
from search.search_helpers import event, group, library_item, thread
from test_openapi import LiveApi, _fuzz, _schema

OPERATIONS = ("api_search",)  # the route name in search/api.py


@pytest.fixture
async def search_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    g = await group(world.alpha, "Gruppo formazione", "Formazione degli operatori", members=(world.coordinator,))
    await thread(g, "Turni di formazione", "Chi copre i turni? <script>x()</script>", "Io, \"sabato\" mattina.")
    for i, visibility in enumerate(("network", "partners", "public", "group")):
        await library_item(world.alpha, f"Scheda {i} formazione e città", "Testo & <b>markup</b> lavoratori",
                           visibility=visibility, group=g if visibility == "group" else None, sectors=",minori,")
    await event(world.alpha, "Corso di formazione", "Per educatori", sectors=",anziani,")
    headers = await api_token(world.coordinator)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {"path.slug": world.alpha.slug})


@pytest.mark.postgres_only
async def test_search_operation_conforms(search_api: LiveApi) -> None:
    schema = _schema(search_api).include(operation_id=list(OPERATIONS))
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    failures = await asyncio.to_thread(_fuzz, schema)
    assert not failures, "\n\n".join(failures)
