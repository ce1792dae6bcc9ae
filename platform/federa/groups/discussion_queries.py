"""Reads for discussions: who may read or post in a group's threads, thread lists, a thread's posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from tortoise.expressions import RawSQL

from federa.accounts.models import Person
from federa.errors import NotAuthenticated, NotFound, PermissionDenied
from federa.groups import queries as group_queries
from federa.groups.discussion_models import DEFAULT_MODE, DiscussionPreference, Post, Thread
from federa.groups.models import GroupMember, GroupRole, WorkingGroup
from federa.networks.access import Access
from federa.web.i18n import gettext as _

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 30


@dataclass(frozen=True)
class Seat:
    """A person's place in one group's discussions."""

    access: Access
    group: WorkingGroup
    member: bool       # a current member of the group: reads and posts
    moderator: bool    # a group coordinator, or a coordinator or admin of the network: reads and moderates

    @property
    def person(self) -> Person | None:
        return self.access.person

    @property
    def can_read(self) -> bool:
        return self.member or self.moderator

    @property
    def can_post(self) -> bool:
        return self.member and self.group.archived_at is None


async def seat_in(access: Access, group_id: int) -> Seat:
    """The group of this network with the person's standing in it, or NotFound (also for another network's)."""
    group = await WorkingGroup.get_or_none(id=group_id, network_id=access.network.id)
    if group is None:
        raise NotFound(_("No such group."))
    role = None
    if access.person is not None:
        roles = await GroupMember.filter(network_id=access.network.id, group_id=group.id,
                                         person_id=access.person.id).limit(1).values_list("role", flat=True)
        role = roles[0] if roles else None
    return Seat(access, group, member=role is not None,
                moderator=role == GroupRole.COORDINATOR.value or access.can_manage)


async def readable_seat(access: Access, group_id: int) -> Seat:
    """The seat of someone who may read the group's discussions; otherwise the answer that fits the visitor."""
    seat = await seat_in(access, group_id)
    if not seat.can_read:
        await refuse(seat, _("Only the group's members can read its discussions."))
    return seat


async def refuse(seat: Seat, message: str) -> NoReturn:
    """Sign in first; a group this person may not even see (hidden, or of a network that is not theirs)
    does not exist for them (404, as on the group pages); otherwise `message` (403)."""
    if seat.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    if not seat.can_read:
        access = seat.access
        partner = seat.group.open_to_partners and await group_queries.is_partner_member(access)
        if not group_queries.may_see(seat.group, access, None, partner=partner):
            raise NotFound(_("No such group."))
    raise PermissionDenied(message)


async def access_thread(seat: Seat, thread_id: int) -> Thread:
    """The thread of the seat's group, or NotFound (also when it belongs to another group or network)."""
    thread = await Thread.get_or_none(id=thread_id, network_id=seat.access.network.id, group_id=seat.group.id)
    if thread is None:
        raise NotFound(_("No such thread."))
    return thread


async def access_post(seat: Seat, post_id: int) -> tuple[Post, Thread]:
    """The post of a thread of the seat's group, with its thread, or NotFound."""
    post = await Post.get_or_none(id=post_id, network_id=seat.access.network.id).select_related("thread")
    if post is None or post.thread.group_id != seat.group.id:
        raise NotFound(_("No such post."))
    return post, post.thread


async def list_threads(seat: Seat, page: int = 1, per_page: int = THREADS_PER_PAGE) -> tuple[list[Thread], int]:
    """One page of the group's threads, pinned first then the latest active; authors come with them."""
    base = Thread.filter(network_id=seat.access.network.id, group_id=seat.group.id)
    rows = await base.annotate(full_count=RawSQL("COUNT(*) OVER ()")).select_related("author").order_by(
        "-pinned", "-last_post_at", "-id").offset((page - 1) * per_page).limit(per_page)
    total = int(rows[0].full_count) if rows else (0 if page == 1 else await base.count())  # type: ignore[attr-defined]
    return list(rows), total


async def recent_threads(network_id: int, group_id: int, limit: int = 5) -> list[Thread]:
    """The latest active threads of a group (for the group page's summary), authors included."""
    return list(await Thread.filter(network_id=network_id, group_id=group_id).select_related("author").order_by(
        "-last_post_at", "-id").limit(limit))


async def summary_for(access: Access, group: WorkingGroup, limit: int = 5) -> list[Thread] | None:
    """The latest threads for the group page, or None when this person may not read the discussions."""
    member = access.person is not None and await GroupMember.exists(
        network_id=group.network_id, group_id=group.id, person_id=access.person.id)
    if not member and not access.can_manage:
        return None
    return await recent_threads(group.network_id, group.id, limit)


async def thread_posts(thread: Thread, page: int = 1, per_page: int = POSTS_PER_PAGE) -> list[Post]:
    """One page of a thread's posts in the order written, authors included."""
    return list(await Post.filter(network_id=thread.network_id, thread_id=thread.id).select_related(
        "author").order_by("created_at", "id").offset((page - 1) * per_page).limit(per_page))


def pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


async def mode_of(seat: Seat) -> str:
    """The person's notification choice for the group (the default when never chosen)."""
    if seat.person is None:
        return DEFAULT_MODE.value
    modes = await DiscussionPreference.filter(network_id=seat.access.network.id, group_id=seat.group.id,
                                              person_id=seat.person.id).limit(1).values_list("mode", flat=True)
    return str(modes[0]) if modes else DEFAULT_MODE.value
