# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for the discussions part (see tests/isolation_matrix.py for the columns and hooks).

The thread (by the network's member, made a member of the group) is in the group the groups part seeds;
it has one post. Only members read and write (the member, 200/303); the network's coordinators and admins read
and moderate (200), nobody else reads (403); other networks' groups and threads are 404 (never 403).
Routes sort API first: the member has left the group through the groups part's /leave before reaching
these routes, so the member column shows an ex-member's refusals (403); the network admin, a member of the
seeded group, shows a member's writes (201/303). A moderator's DELETE of the post through the API runs
before the pages: afterwards the post shows as removed (editing it is a 409, deleting it again says so and
303). Deleting the whole thread takes the confirming button (confirm=yes), which the probes do not send.
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry
from tortoise.expressions import F

from federa.groups.discussion_models import DigestSent, DiscussionPreference, Post, Thread
from federa.groups.models import GroupMember, WorkingGroup

OBJECT_PARAMS = ("group_id", "thread_id", "post_id")
THREAD = {"title": "Prova di matrice", "body": "Testo della prova"}
BODY = {"body": "Una risposta"}


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """A thread by `member` with its first post, in the group the groups part seeded (it runs first and
    owns the group_id value) or, without one, in a listed group of our own; `member` is made a member."""
    found: dict[str, Any] = {}
    group = await WorkingGroup.filter(network_id=network.id).order_by("id").first()
    if group is None:
        group = await WorkingGroup.create(network=network, name=f"Gruppo {network.name}")
        found["group_id"] = group.id
    if not await GroupMember.exists(group_id=group.id, person_id=member.id):
        await GroupMember.create(network=network, group=group, person=member, role="member")
        await WorkingGroup.filter(id=group.id).update(member_count=F("member_count") + 1)
    thread = await Thread.create(network=network, group=group, title="Argomento", author=member,
                                 last_post_at=group.created_at, post_count=1)
    post = await Post.create(network=network, thread=thread, author=member, body="Ciao", body_html="<p>Ciao</p>",
                             notified_at=group.created_at)
    return {**found, "thread_id": thread.id, "post_id": post.id}


def beta_rows(beta_id: int) -> list[Any]:
    return [
        Thread.filter(network_id=beta_id).order_by("id").values(),
        Post.filter(network_id=beta_id).order_by("id").values(),
        DiscussionPreference.filter(network_id=beta_id).order_by("id").values(),
        DigestSent.filter(network_id=beta_id).order_by("id").values(),
    ]


# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("DELETE", "/api/v1/networks/{slug}/groups/{group_id:int}/posts/{post_id:int}"): E("401 404 403 403 204 204 403 204", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("PATCH", "/api/v1/networks/{slug}/groups/{group_id:int}/posts/{post_id:int}"): E("401 404 403 403 409 409 403 409", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data=BODY),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/threads"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/threads"): E("401 404 403 403 403 201 403 403", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data=THREAD),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/threads/{thread_id:int}"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("PATCH", "/api/v1/networks/{slug}/groups/{group_id:int}/threads/{thread_id:int}"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("GET", "/api/v1/networks/{slug}/groups/{group_id:int}/threads/{thread_id:int}/posts"): E("401 404 403 403 200 200 403 200", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/networks/{slug}/groups/{group_id:int}/threads/{thread_id:int}/posts"): E("401 404 403 403 403 201 403 403", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404", data=BODY),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions"): E("in 404 403 403 200 200 403 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions/new"): E("in 404 403 403 403 200 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/new"): E("in 404 403 403 403 303 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404", data=THREAD),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions/posts/{post_id:int}"): E("in 404 403 403 303 303 403 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/posts/{post_id:int}/delete"): E("in 404 403 403 303 303 403 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions/posts/{post_id:int}/edit"): E("in 404 403 403 403 403 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/posts/{post_id:int}/edit"): E("in 404 403 403 403 403 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404", data=BODY),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions/preferences"): E("in 404 403 403 200 200 403 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/preferences"): E("in 404 403 403 403 303 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404", data={"mode": "each"}),
    ("GET", "/n/{slug}/groups/{group_id:int}/discussions/{thread_id:int}"): E("in 404 403 403 200 200 403 200", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/{thread_id:int}/delete"): E("in 404 403 403 303 303 403 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/{thread_id:int}/reply"): E("in 404 403 403 403 303 403 403", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404", data=BODY),
    ("POST", "/n/{slug}/groups/{group_id:int}/discussions/{thread_id:int}/{action:str}"): E("in 404 403 403 303 303 403 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404", params={"action": "pin"}),
}
