"""The discussions JSON API: members read and write, moderators pin, lock and remove, errors name the
field; and schemathesis over these operations with path values that name real objects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from conftest import World, api_token, serve_app
from test_discussions import EVIL, assert_safe, make_group, opened
from test_openapi import LiveApi, _fuzz, _schema

from federa.groups.discussion_models import Post, Thread
from federa.groups.models import GroupMember

OPERATIONS = ("api_discussion_threads", "api_discussion_thread_create", "api_discussion_thread",
              "api_discussion_thread_update", "api_discussion_posts", "api_discussion_post_create",
              "api_discussion_post_update", "api_discussion_post_delete")
API = "/api/v1/networks/rete-alfa/groups/{}"

pytestmark = pytest.mark.usefixtures("english")  # the tests read messages: the msgids


async def test_members_use_the_api(world: World, client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    base = API.format(group.id)
    member = await api_token(world.member)
    assert (await client.get(base + "/threads")).status_code == 401
    bad = await client.post(base + "/threads", json={"title": "", "body": 3}, headers=member)
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"title", "body"}
    created = await client.post(base + "/threads", json={"title": "Turni estivi", "body": EVIL}, headers=member)
    assert created.status_code == 201, created.text
    thread = created.json()
    assert (thread["post_count"], thread["can_post"], thread["can_moderate"]) == (1, True, False)
    listed = (await client.get(base + "/threads", headers=member)).json()
    assert [t["title"] for t in listed["items"]] == ["Turni estivi"] and listed["total"] == 1
    dual = await api_token(world.dual)
    reply = await client.post(f"{base}/threads/{thread['id']}/posts", json={"body": "Ci sono"}, headers=dual)
    assert reply.status_code == 201 and reply.json()["author"]["name"] == "Doppio"
    posts = (await client.get(f"{base}/threads/{thread['id']}/posts", headers=member)).json()
    assert posts["total"] == 2
    assert_safe(posts["items"][0]["body_html"])
    first = posts["items"][0]["id"]
    assert (await client.patch(f"{base}/posts/{first}", json={"body": "x"}, headers=dual)).status_code == 403
    edited = await client.patch(f"{base}/posts/{first}", json={"body": "Corretto"}, headers=member)
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    assert (await client.delete(f"{base}/posts/{first}", headers=dual)).status_code == 403
    assert (await client.delete(f"{base}/posts/{first}", headers=member)).status_code == 204
    gone = (await client.get(f"{base}/threads/{thread['id']}/posts", headers=dual)).json()["items"][0]
    assert (gone["deleted"], gone["body"], gone["body_html"]) == (True, None, None)


async def test_moderation_and_refusals(world: World, client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    base = API.format(group.id)
    thread = await opened(world, group)
    coordinator, member = await api_token(world.coordinator), await api_token(world.member)
    assert (await client.patch(f"{base}/threads/{thread.id}", json={"locked": True}, headers=member)).status_code == 403
    bad = await client.patch(f"{base}/threads/{thread.id}", json={"locked": "yes"}, headers=coordinator)
    assert bad.status_code == 422 and "locked" in bad.json()["errors"]
    locked = await client.patch(f"{base}/threads/{thread.id}", json={"locked": True, "pinned": True},
                                headers=coordinator)
    assert locked.status_code == 200 and (locked.json()["locked"], locked.json()["pinned"]) == (True, True)
    refused = await client.post(f"{base}/threads/{thread.id}/posts", json={"body": "Ancora"}, headers=member)
    assert refused.status_code == 409 and "locked" in refused.json()["detail"]
    # the coordinator reads and moderates but is not a member: no posting
    assert (await client.post(base + "/threads", json={"title": "Dall'alto", "body": "x"},
                              headers=coordinator)).status_code == 403
    await GroupMember.filter(group_id=group.id, person_id=world.dual.id).delete()
    left = await client.post(base + "/threads", json={"title": "Ci sono?", "body": "x"},
                             headers=await api_token(world.dual))
    assert left.status_code == 403 and "join the group first" in left.json()["detail"]
    outsider = await api_token(world.outsider)  # another network's person does not even see the group
    assert (await client.get(base + "/threads", headers=outsider)).status_code == 404
    stranger = await api_token(world.stranger)
    assert (await client.get(base + "/threads", headers=stranger)).status_code == 404
    assert (await client.get(f"/api/v1/networks/rete-beta/groups/{group.id}/threads",
                             headers=outsider)).status_code == 404
    assert await Thread.all().count() == 1 and await Post.all().count() == 1


@pytest.fixture
async def discussions_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    group = await make_group(world.alpha, members=(world.member,), coordinators=(world.coordinator,))
    thread = await opened(world, group, person=world.coordinator)
    post = await Post.get(thread_id=thread.id)
    headers = await api_token(world.coordinator)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {"path.slug": world.alpha.slug, "path.group_id": group.id,
                                     "path.thread_id": thread.id, "path.post_id": post.id})


@pytest.mark.postgres_only
async def test_discussion_operations_conform(discussions_api: LiveApi) -> None:
    schema = _schema(discussions_api).include(operation_id=list(OPERATIONS))
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    failures = await asyncio.to_thread(_fuzz, schema)
    assert not failures, "\n\n".join(failures)
