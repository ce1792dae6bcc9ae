"""schemathesis on the library operations with path values that name real objects: a document and an
article of network alpha, a comment of the caller (the member, the author), so bodies reach the services.

The member's token is used: the member writes, edits and deletes. DELETE of the item runs among the
cases, so later cases may find it gone (404, documented)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import World, api_token, serve_app
from library_helpers import make_item
from test_openapi import LiveApi, _fuzz, _schema

from federa.library.models import ItemComment

OPERATIONS = ("api_library", "api_library_article_create", "api_library_document_upload", "api_library_item",
              "api_library_item_update", "api_library_item_delete", "api_library_item_download",
              "api_library_revisions", "api_library_comments", "api_library_comment_add",
              "api_library_comment_edit", "api_library_comment_delete", "api_library_useful_mark",
              "api_library_useful_unmark")  # the route names in library/api.py


@pytest.fixture
async def library_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    item = await make_item(world.alpha, "Articolo fuzz", author=world.member, cooperative=world.coop,
                           visibility="partners", sectors=",minori,", tags=",prova,")
    comment = await ItemComment.create(network=world.alpha, item=item, author=world.member, body="Ciao",
                                       body_html="<p>Ciao</p>")
    headers = await api_token(world.member)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {"path.slug": world.alpha.slug, "path.item_id": item.id,
                                     "path.comment_id": comment.id})


@pytest.mark.postgres_only
async def test_library_operations_conform(library_api: LiveApi) -> None:
    schema = _schema(library_api).include(operation_id=list(OPERATIONS))
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    failures = await asyncio.to_thread(_fuzz, schema)
    assert not failures, "\n\n".join(failures)
