"""Changes to discussions: threads and replies by group members, edits and deletions of one's own posts,
and moderation by the group's coordinators and the network's coordinators and admins.

Each use case checks the person's seat in the group, then writes in one transaction (the post, the
thread's counters, the audit row, the search entry); members who want each post are told after the commit.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from federa.audit.log import record
from federa.errors import Conflict, PermissionDenied
from federa.groups import discussion_notices as notices
from federa.groups.discussion_models import DiscussionPreference, Post, Thread
from federa.groups.discussion_queries import Seat, access_post, access_thread, readable_seat, refuse, seat_in
from federa.groups.discussion_schemas import Mode, PostIn, ThreadIn, ThreadPatch
from federa.networks.access import Access
from federa.search import index
from federa.web.i18n import gettext as _
from federa.web.markdown import render_markdown


async def posting_seat(access: Access, group_id: int) -> Seat:
    """The seat of a current member of a group that is not archived; otherwise a clear refusal."""
    seat = await seat_in(access, group_id)
    if not seat.member:
        await refuse(seat, _("Only the group's members can write in its discussions: join the group first."))
    if seat.group.archived_at is not None:
        raise Conflict(_("This group is archived: its discussions are read-only."))
    return seat


async def start_thread(access: Access, group_id: int, data: ThreadIn) -> Thread:
    """A member opens a thread with its first post."""
    seat = await posting_seat(access, group_id)
    now = datetime.now(UTC)
    async with in_transaction():
        thread = await Thread.create(network_id=access.network.id, group_id=seat.group.id, title=data.title,
                                     author=access.person, last_post_at=now, post_count=1)
        post = await Post.create(network_id=access.network.id, thread_id=thread.id, author=access.person,
                                 body=data.body, body_html=render_markdown(data.body), created_at=now)
        await record("discussion.thread_started", actor=access.person, network=access.network, obj=thread,
                     group_id=seat.group.id)
        await index.refresh("thread", thread.id)
    await notices.announce(post.id)
    return thread


async def reply(access: Access, group_id: int, thread_id: int, data: PostIn) -> Post:
    """A member replies to a thread that is not locked."""
    seat = await posting_seat(access, group_id)
    thread = await access_thread(seat, thread_id)
    now = datetime.now(UTC)
    async with in_transaction():
        # The lock is checked in the UPDATE itself: a reply racing a moderator's lock cannot slip past it.
        if not await Thread.filter(id=thread.id, locked=False).update(post_count=F("post_count") + 1,
                                                                      last_post_at=now):
            raise Conflict(_("This thread is locked: it takes no more replies."))
        post = await Post.create(network_id=access.network.id, thread_id=thread.id, author=access.person,
                                 body=data.body, body_html=render_markdown(data.body), created_at=now)
        await record("discussion.replied", actor=access.person, network=access.network, obj=post,
                     thread_id=thread.id)
        await index.refresh("thread", thread.id)
    await notices.announce(post.id)
    return post


async def _own_live_post(access: Access, group_id: int, post_id: int) -> tuple[Seat, Post, Thread]:
    seat = await readable_seat(access, group_id)
    post, thread = await access_post(seat, post_id)
    if post.deleted_at is not None:
        raise Conflict(_("This post was removed."))
    return seat, post, thread


async def edit_post(access: Access, group_id: int, post_id: int, data: PostIn) -> Post:
    """The author edits their post (while a member, and the thread is not locked); the edit time is kept."""
    seat, post, thread = await _own_live_post(access, group_id, post_id)
    if access.person is None or post.author_id != access.person.id:
        raise PermissionDenied(_("You can edit only your own posts."))
    if not seat.member:
        await refuse(seat, _("Only the group's members can write in its discussions: join the group first."))
    if thread.locked:
        raise Conflict(_("This thread is locked: its posts cannot be changed."))
    async with in_transaction():
        if not await Post.filter(id=post.id, deleted_at=None).update(
                body=data.body, body_html=render_markdown(data.body), edited_at=datetime.now(UTC)):
            raise Conflict(_("This post was removed."))
        await record("discussion.post_edited", actor=access.person, network=access.network, obj=post)
        await index.refresh("thread", thread.id)
    return await Post.get(id=post.id)


async def delete_post(access: Access, group_id: int, post_id: int) -> Post:
    """The author deletes their post, or a moderator removes anyone's: its text is erased, its place stays."""
    seat, post, thread = await _own_live_post(access, group_id, post_id)
    own = access.person is not None and post.author_id == access.person.id
    if not own and not seat.moderator:
        raise PermissionDenied(_("You can delete only your own posts."))
    async with in_transaction():
        if not await Post.filter(id=post.id, deleted_at=None).update(
                body="", body_html="", deleted_at=datetime.now(UTC), deleted_by_id=access.person.id):  # type: ignore[union-attr]
            raise Conflict(_("This post was removed."))
        await record("discussion.post_deleted", actor=access.person, network=access.network, obj=post,
                     by_moderator=None if own else True, author_id=post.author_id)
        await index.refresh("thread", thread.id)
    return await Post.get(id=post.id)


async def moderating_seat(access: Access, group_id: int) -> Seat:
    seat = await readable_seat(access, group_id)
    if not seat.moderator:
        raise PermissionDenied(_("Only the group's coordinators and the network's coordinators can moderate."))
    return seat


async def moderate_thread(access: Access, group_id: int, thread_id: int, patch: ThreadPatch) -> Thread:
    """A moderator pins or unpins, locks or unlocks a thread."""
    seat = await moderating_seat(access, group_id)
    thread = await access_thread(seat, thread_id)
    changes = patch.model_dump(exclude_none=True)
    if changes:
        async with in_transaction():
            await Thread.filter(id=thread.id).update(**changes)
            await record("discussion.thread_moderated", actor=access.person, network=access.network, obj=thread,
                         **changes)
    return await Thread.get(id=thread.id)


async def delete_thread(access: Access, group_id: int, thread_id: int) -> None:
    """A moderator deletes a whole thread with its posts."""
    seat = await moderating_seat(access, group_id)
    thread = await access_thread(seat, thread_id)
    async with in_transaction():
        await Thread.filter(id=thread.id).delete()
        await record("discussion.thread_deleted", actor=access.person, network=access.network, obj=thread,
                     title=thread.title, group_id=seat.group.id)
        await index.forget("thread", thread.id)


async def set_preference(access: Access, group_id: int, mode: Mode) -> str:
    """A member chooses how to hear of new posts in the group: each post, a daily digest, or nothing."""
    seat = await seat_in(access, group_id)
    if not seat.member or access.person is None:
        await refuse(seat, _("Only the group's members choose how to hear of its discussions."))
    async with in_transaction():
        changed = await DiscussionPreference.filter(group_id=seat.group.id, person_id=access.person.id).update(
            mode=mode)
        if not changed:
            await DiscussionPreference.create(network_id=access.network.id, group_id=seat.group.id,
                                              person_id=access.person.id, mode=mode)
    return mode
