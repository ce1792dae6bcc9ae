"""E-mails to group members who want each post, and batch delivery of discussion e-mails.

A new post is saved with notified_at empty. After the commit, announce() hands it to an arq job (with
Redis) or fans it out at once (embedded); the sweep fans out any post a lost job left behind. The fan-out
claims the post (notified_at) and writes one outbox row per recipient in one transaction, so it runs once
however often it is asked. Recipients are read at that moment and checked again just before sending:
someone who left the group in between is not told. The rows go to the queue in batches, one arq job per
BATCH rows (never one job per person).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from federa.groups.discussion_models import DEFAULT_MODE, DiscussionPreference, NoticeMode, Post
from federa.groups.models import GroupMember, WorkingGroup
from federa.networks.models import Network
from federa.notifications import outbox
from federa.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger("federa.discussions")

BATCH = 200
EXCERPT = 600
LATE = timedelta(minutes=2)  # a post not fanned out by then lost its job: the sweep does it
WITHHELD = "withheld: no longer a member of the group"


def wanting(network_id: int, group_ids: list[int], mode: NoticeMode) -> Q:
    """GroupMember rows of these groups whose person chose `mode` (or never chose, when it is the default)."""
    prefs = DiscussionPreference.filter(network_id=network_id, group_id__in=group_ids)
    if mode is DEFAULT_MODE:
        others = prefs.exclude(mode=mode.value).values("person_id")
        return ~Q(person_id__in=Subquery(others))
    return Q(person_id__in=Subquery(prefs.filter(mode=mode.value).values("person_id")))


def thread_path(network: Network, group_id: int, thread_id: int, post_id: int | None = None) -> str:
    base = f"/n/{network.slug}/groups/{group_id}/discussions"
    return f"{base}/posts/{post_id}" if post_id else f"{base}/{thread_id}"


def excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[:EXCERPT].rsplit(" ", 1)[0] + " …"


async def announce(post_id: int) -> None:
    """After the commit of a new post: fan it out in a job (Redis) or here; a failure leaves it to the sweep."""
    dispatcher = outbox.get_dispatcher()
    try:
        if isinstance(dispatcher, outbox.ArqDispatcher):
            await dispatcher.pool.enqueue_job("discussion_fan_out", post_id, _job_id=f"discussion-post:{post_id}")
        else:
            await fan_out(post_id)
    except Exception:  # the post is saved: its e-mails go out with the next sweep
        log.warning("could not announce discussion post %s; the sweep will", post_id, exc_info=True)


async def fan_out(post_id: int) -> int:
    """Queue the e-mails of one post to the members who want each post (not its author); once per post."""
    post = await Post.get_or_none(id=post_id).select_related("thread", "author")
    if post is None or post.notified_at is not None:
        return 0
    group = await WorkingGroup.get(id=post.thread.group_id)
    network = await Network.get(id=post.network_id)
    members = [] if post.deleted_at else await GroupMember.filter(
        wanting(network.id, [group.id], NoticeMode.EACH), network_id=network.id, group_id=group.id,
        person__is_active=True).exclude(person_id=post.author_id or 0).select_related("person").order_by("id")
    first = post.thread.post_count <= 1 and not await Post.filter(
        network_id=network.id, thread_id=post.thread_id, id__lt=post.id).exists()
    ids: list[int] = []
    async with in_transaction():
        if not await Post.filter(id=post.id, notified_at=None).update(notified_at=datetime.now(UTC)):
            return 0  # another fan-out of this post won
        for member in members:
            person = member.person
            row = await outbox.add(
                "discussion_post", person.email, locale=person.locale, network=network, name=person.name,
                network_name=network.name, group=group.name, thread=post.thread.title, new_thread=first,
                author=post.author.name if post.author else "", excerpt=excerpt(post.body),
                path=thread_path(network, group.id, post.thread_id, post.id),
                preferences_path=f"/n/{network.slug}/groups/{group.id}/discussions/preferences",
                group_id=group.id, person_id=person.id, post_id=post.id)
            ids.append(row.id)
    await dispatch_batches(ids)
    return len(ids)


async def dispatch_batches(ids: list[int]) -> None:
    """After commit: one arq job per BATCH rows; embedded, wake the drainer as for any outbox row."""
    dispatcher = outbox.get_dispatcher()
    if not isinstance(dispatcher, outbox.ArqDispatcher):
        await dispatcher.dispatch(ids)
        return
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        try:
            await dispatcher.pool.enqueue_job("deliver_discussion_batch", chunk, _job_id=f"outbox-batch:{chunk[0]}")
        except Exception:  # Redis away: the rows stay queued and the outbox sweep sends them
            log.warning("could not enqueue discussion e-mails from %s; the sweep will", chunk[0], exc_info=True)
            return


async def withhold_leavers(ids: list[int]) -> set[int]:
    """Mark failed the queued post e-mails whose recipient left the group since; return their ids."""
    rows = await OutboxMessage.filter(id__in=ids, kind="discussion_post", status=OutboxStatus.QUEUED.value
                                      ).values("id", "context")
    wanted = {(r["context"].get("group_id"), r["context"].get("person_id")): r["id"] for r in rows}
    if not wanted:
        return set()
    still = set(await GroupMember.filter(group_id__in={g for g, _p in wanted},
                                         person_id__in={p for _g, p in wanted}).values_list("group_id", "person_id"))
    gone = {message_id for key, message_id in wanted.items() if key not in still}
    if gone:
        await OutboxMessage.filter(id__in=gone, status=OutboxStatus.QUEUED.value).update(
            status=OutboxStatus.FAILED.value, last_error=WITHHELD)
    return gone


async def deliver_batch(ids: list[int], deliver: Callable[[int], Awaitable[Any]]) -> int:
    """Deliver a batch of outbox rows (each once, whoever else tries), after withholding leavers' e-mails."""
    gone = await withhold_leavers(ids)
    sent = 0
    for message_id in ids:
        if message_id not in gone:
            sent += await deliver(message_id) == OutboxStatus.SENT.value
    return sent


async def sweep(*, now: datetime | None = None, limit: int = 100) -> int:
    """Fan out the posts whose job was lost (Redis down at commit time, a dead worker)."""
    now = now or datetime.now(UTC)
    done = 0
    for network_id in await Network.all().values_list("id", flat=True):
        # network_id first: the (network_id, notified_at, created_at) index answers it
        late = await Post.filter(network_id=network_id, notified_at=None, created_at__lt=now - LATE).order_by(
            "id").limit(limit).values_list("id", flat=True)
        for post_id in late:
            done += await fan_out(int(post_id))  # type: ignore[call-overload]
    return done
