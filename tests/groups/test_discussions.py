"""Discussion rules: who reads, posts, edits, deletes and moderates; refusals change nothing; Markdown is
stored and shown safe."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from conftest import World

from federa.accounts.models import Person
from federa.audit.models import AuditEntry
from federa.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from federa.groups import discussion_queries as queries
from federa.groups import discussions as services
from federa.groups.discussion_models import DiscussionPreference, Post, Thread
from federa.groups.discussion_schemas import PostIn, ThreadIn, ThreadPatch
from federa.groups.models import GroupMember, WorkingGroup
from federa.networks.access import Access, access_in
from federa.networks.models import Network

EVIL = ("Ciao <script>alert('x')</script> **forte**\n\n<img src=x onerror=alert(1)>\n\n"
        "[clicca](javascript:alert(2)) e [sito](https://example.org)")

pytestmark = pytest.mark.usefixtures("english")  # the tests read messages: the msgids


async def make_group(network: Network, *, members: tuple[Person, ...] = (), coordinators: tuple[Person, ...] = (),
                     name: str = "Gruppo minori", **kw: Any) -> WorkingGroup:
    """A working group with its members (rows written directly: the groups part has its own tests)."""
    group = await WorkingGroup.create(network=network, name=name, member_count=len(members) + len(coordinators),
                                      **kw)
    for person in members:
        await GroupMember.create(network=network, group=group, person=person, role="member")
    for person in coordinators:
        await GroupMember.create(network=network, group=group, person=person, role="coordinator")
    return group


async def who(world: World, person: Person | None, network: Network | None = None) -> Access:
    return await access_in(network or world.alpha, person)


async def opened(world: World, group: WorkingGroup, person: Person | None = None, body: str = "Primo messaggio",
                 title: str = "Turni estivi") -> Thread:
    return await services.start_thread(await who(world, person or world.member), group.id,
                                       ThreadIn(title=title, body=body))


async def snapshot() -> tuple[Any, ...]:
    return (await Thread.all().order_by("id").values(), await Post.all().order_by("id").values())


async def test_members_start_threads_and_reply(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    thread = await opened(world, group)
    assert (thread.post_count, thread.author_id, thread.group_id) == (1, world.member.id, group.id)
    reply = await services.reply(await who(world, world.dual), group.id, thread.id, PostIn(body="D'accordo"))
    thread = await Thread.get(id=thread.id)
    assert thread.post_count == 2 and thread.last_post_at >= thread.created_at
    assert reply.body_html == "<p>D'accordo</p>\n"
    seat = await queries.readable_seat(await who(world, world.dual), group.id)
    assert [p.author.name for p in await queries.thread_posts(thread)] == ["Socio", "Doppio"]
    assert await AuditEntry.filter(action__startswith="discussion.").count() == 2
    assert (await queries.list_threads(seat))[1] == 1


async def test_outsiders_ex_members_and_visitors_are_refused_and_nothing_changes(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member, world.coop_admin))
    hidden = await make_group(world.alpha, members=(world.member,), name="Riservato", visibility="hidden")
    thread = await opened(world, group)
    before = await snapshot()
    with pytest.raises(NotAuthenticated):
        await services.reply(await who(world, None), group.id, thread.id, PostIn(body="x"))
    with pytest.raises(PermissionDenied, match="members"):
        await services.reply(await who(world, world.dual), group.id, thread.id, PostIn(body="x"))
    with pytest.raises(NotFound):  # a hidden group does not exist for those outside it
        await queries.readable_seat(await who(world, world.dual), hidden.id)
    # left the group: reading and writing stop at once
    await GroupMember.filter(group_id=group.id, person_id=world.coop_admin.id).delete()
    with pytest.raises(PermissionDenied, match="join the group first"):
        await services.reply(await who(world, world.coop_admin), group.id, thread.id, PostIn(body="Ci sono ancora?"))
    with pytest.raises(PermissionDenied):
        await services.start_thread(await who(world, world.coop_admin), group.id, ThreadIn(title="Nuovo", body="x"))
    with pytest.raises(PermissionDenied):
        await queries.readable_seat(await who(world, world.coop_admin), group.id)
    # another network's person, and the group through another network: 404
    with pytest.raises(NotFound):
        await services.reply(await who(world, world.outsider), group.id, thread.id, PostIn(body="x"))
    with pytest.raises(NotFound):
        await services.reply(await who(world, world.outsider, world.beta), group.id, thread.id, PostIn(body="x"))
    assert await snapshot() == before


async def test_network_coordinators_read_and_moderate_but_post_only_as_members(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    thread = await opened(world, group)
    coordinator = await who(world, world.coordinator)
    seat = await queries.readable_seat(coordinator, group.id)
    assert (seat.member, seat.moderator, seat.can_post) == (False, True, False)
    with pytest.raises(PermissionDenied):
        await services.reply(coordinator, group.id, thread.id, PostIn(body="Da coordinatrice"))
    thread = await services.moderate_thread(coordinator, group.id, thread.id, ThreadPatch(pinned=True, locked=True))
    assert (thread.pinned, thread.locked) == (True, True)
    with pytest.raises(PermissionDenied):  # a plain member does not moderate
        await services.moderate_thread(await who(world, world.member), group.id, thread.id, ThreadPatch(locked=False))


async def test_a_locked_thread_takes_no_reply_and_a_group_coordinator_unlocks_it(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,), coordinators=(world.coop_admin,))
    thread = await opened(world, group)
    lead = await who(world, world.coop_admin)
    await services.moderate_thread(lead, group.id, thread.id, ThreadPatch(locked=True))
    before = await snapshot()
    for person in (world.member, world.coop_admin):
        with pytest.raises(Conflict, match="locked"):
            await services.reply(await who(world, person), group.id, thread.id, PostIn(body="Ancora una cosa"))
    assert await snapshot() == before
    await services.moderate_thread(lead, group.id, thread.id, ThreadPatch(locked=False))
    await services.reply(await who(world, world.member), group.id, thread.id, PostIn(body="Ancora una cosa"))
    assert (await Thread.get(id=thread.id)).post_count == 2


async def test_authors_edit_and_delete_their_own_posts_only(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    thread = await opened(world, group)
    post = await Post.get(thread_id=thread.id)
    member, dual = await who(world, world.member), await who(world, world.dual)
    with pytest.raises(PermissionDenied):
        await services.edit_post(dual, group.id, post.id, PostIn(body="Riscritto da altri"))
    with pytest.raises(PermissionDenied):
        await services.delete_post(dual, group.id, post.id)
    edited = await services.edit_post(member, group.id, post.id, PostIn(body="Messaggio *corretto*"))
    assert edited.body_html == "<p>Messaggio <em>corretto</em></p>\n" and edited.edited_at is not None
    removed = await services.delete_post(member, group.id, post.id)
    assert removed.deleted_at is not None and (removed.body, removed.body_html) == ("", "")
    assert removed.deleted_by_id == world.member.id
    with pytest.raises(Conflict):
        await services.edit_post(member, group.id, post.id, PostIn(body="Torno"))
    assert (await Thread.get(id=thread.id)).post_count == 1  # the removed post keeps its place


async def test_moderators_remove_any_post_and_delete_threads(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,), coordinators=(world.coop_admin,))
    thread = await opened(world, group)
    post = await Post.get(thread_id=thread.id)
    removed = await services.delete_post(await who(world, world.coop_admin), group.id, post.id)
    assert removed.deleted_by_id == world.coop_admin.id
    await services.delete_thread(await who(world, world.network_admin), group.id, thread.id)
    assert not await Thread.exists(id=thread.id) and not await Post.exists(id=post.id)


async def test_threads_of_another_group_or_network_are_not_found(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    other = await make_group(world.alpha, members=(world.member,), name="Altro")
    beta_group = await make_group(world.beta, members=(world.outsider,))
    thread = await opened(world, group)
    member = await who(world, world.member)
    with pytest.raises(NotFound):
        await services.reply(member, other.id, thread.id, PostIn(body="Nel gruppo sbagliato"))
    with pytest.raises(NotFound):
        await queries.readable_seat(member, beta_group.id)
    post = await Post.get(thread_id=thread.id)
    with pytest.raises(NotFound):
        await services.edit_post(member, other.id, post.id, PostIn(body="x"))


async def test_an_archived_group_is_read_only(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    thread = await opened(world, group)
    await WorkingGroup.filter(id=group.id).update(archived_at=datetime.now(UTC))
    with pytest.raises(Conflict, match="archived"):
        await services.reply(await who(world, world.member), group.id, thread.id, PostIn(body="x"))


async def test_markdown_is_stored_safe(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    thread = await opened(world, group, body=EVIL)
    html = (await Post.get(thread_id=thread.id)).body_html
    assert "<strong>forte</strong>" in html and '<a href="https://example.org"' in html
    assert_safe(html)
    assert "&lt;script&gt;" in html  # what was typed shows as text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_safe(html: str) -> None:
    """No script or image element, no event handler attribute, no javascript: link, as a browser parses it."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in ("script", "img", "iframe"), tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            assert not (value or "").strip().lower().startswith("javascript:"), value


async def test_each_member_chooses_how_to_hear(world: World) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    member = await who(world, world.member)
    seat = await queries.readable_seat(member, group.id)
    assert await queries.mode_of(seat) == "digest"  # the default
    assert await services.set_preference(member, group.id, "each") == "each"
    assert await services.set_preference(member, group.id, "none") == "none"
    assert await DiscussionPreference.filter(group_id=group.id).count() == 1
    assert await queries.mode_of(seat) == "none"
    with pytest.raises(PermissionDenied):
        await services.set_preference(await who(world, world.coordinator), group.id, "each")
