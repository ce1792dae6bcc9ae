"""Objects for the search tests, written as rows and indexed the way the services do (index.refresh)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from federa.accounts.models import Person
from federa.events.models import Event
from federa.groups.discussion_models import Post, Thread
from federa.groups.models import GroupMember, WorkingGroup
from federa.library.models import LibraryItem
from federa.networks.models import Network
from federa.search import index


async def library_item(network: Network, title: str, body: str = "", *, visibility: str = "network",
                       refresh: bool = True, **kw: Any) -> LibraryItem:
    item = await LibraryItem.create(network=network, kind=kw.pop("kind", "article"), title=title, body=body,
                                    visibility=visibility, **kw)
    if refresh:
        await index.refresh("library_item", item.id)
    return item


async def group(network: Network, name: str, purpose: str = "", *, members: tuple[Person, ...] = (),
                **kw: Any) -> WorkingGroup:
    g = await WorkingGroup.create(network=network, name=name, purpose=purpose, **kw)
    for person in members:
        await GroupMember.create(network=network, group=g, person=person)
    await index.refresh("group", g.id)
    return g


async def thread(g: WorkingGroup, title: str, *posts: str) -> Thread:
    now = datetime.now(UTC)
    th = await Thread.create(network_id=g.network_id, group=g, title=title, last_post_at=now)
    for body in posts:
        await Post.create(network_id=g.network_id, thread=th, body=body)
    await index.refresh("thread", th.id)
    return th


async def event(network: Network, title: str, description: str = "", **kw: Any) -> Event:
    kw.setdefault("status", "published")
    e = await Event.create(network=network, title=title, description=description, capacity=20, **kw)
    await index.refresh("event", e.id)
    return e
