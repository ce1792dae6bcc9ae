"""E-mails about discussions, delivered to a real SMTP server: each post for those who want it, a daily
digest for the others (by the function and by an arq worker's cron on real Redis), nothing for "none",
never to the author, never to someone who left the group, each digest once."""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from conftest import REDIS_URL, World
from test_discussions import make_group, opened, who

from federa.accounts.models import Person
from federa.app import create_app
from federa.groups import digests, discussion_notices
from federa.groups import discussions as services
from federa.groups.discussion_models import DigestSent, DiscussionPreference, Post, Thread
from federa.groups.discussion_schemas import PostIn
from federa.groups.models import GroupMember, WorkingGroup
from federa.notifications import outbox
from federa.notifications.courier import Courier
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from tests.notifications.outbox_harness import parts, run_burst, wait_for
from workers.main import WorkerSettings

ROME_9AM = datetime(2030, 3, 13, 8, 0, tzinfo=UTC)  # 9:00 in Italy, the day after DAY
DAY = date(2030, 3, 12)


async def choose(world: World, group: WorkingGroup, person: Any, mode: str) -> None:
    await services.set_preference(await who(world, person), group.id, mode)  # type: ignore[arg-type]


def to(received: list, address: str) -> list:
    return [m for m in received if address in str(m["To"])]


async def trio(world: World) -> WorkingGroup:
    """A group where the member wants each post, the coop admin a digest (the default), dual nothing."""
    group = await make_group(world.alpha, members=(world.member, world.coop_admin, world.dual))
    # English readers: the Italian catalog is the translator's (Italian is the default locale)
    await Person.filter(id__in=[world.member.id, world.coop_admin.id, world.dual.id]).update(locale="en")
    await choose(world, group, world.member, "each")
    await choose(world, group, world.dual, "none")
    return group


async def test_each_post_goes_to_those_who_want_it_but_not_to_the_author(world: World, courier: Courier,
                                                                         smtp_server: Any) -> None:
    _url, received = smtp_server
    group = await trio(world)
    thread = await opened(world, group, person=world.coop_admin, title="Turni estivi", body="Chi copre *agosto*?")
    await courier.drain()
    [first] = to(received, "member@example.org")
    assert first["Subject"] == "New thread in Gruppo minori: Turni estivi"
    text, html = parts(first)
    assert "Chi copre *agosto*?" in text and "Coop Admin" in text
    post = await Post.get(thread_id=thread.id)
    assert f'href="http://testserver/n/rete-alfa/groups/{group.id}/discussions/posts/{post.id}"' in html, html
    assert f"/groups/{group.id}/discussions/preferences" in html
    # the member's own reply tells nobody who wants each post (they are the only one); the author's own
    # thread was not sent to its author, and "digest" and "none" get nothing now
    await services.reply(await who(world, world.member), group.id, thread.id, PostIn(body="Io"))
    await services.reply(await who(world, world.dual), group.id, thread.id, PostIn(body="Anche io <b>forse</b>"))
    await courier.drain()
    assert [m["Subject"] for m in to(received, "member@example.org")][1:] == [
        "New reply in Gruppo minori: Turni estivi"]
    assert not to(received, "coopadmin@example.org") and not to(received, "dual@example.org")
    assert await Post.filter(notified_at=None).count() == 0


async def test_someone_who_left_is_not_told(world: World, courier: Courier, smtp_server: Any) -> None:
    _url, received = smtp_server
    group = await trio(world)
    await choose(world, group, world.dual, "each")
    thread = await opened(world, group, person=world.coop_admin)
    # queued for both; then dual leaves before the batch is sent: the batch job re-checks and withholds
    ids = list(await OutboxMessage.filter(kind="discussion_post").order_by("id").values_list("id", flat=True))
    assert len(ids) == 2
    await GroupMember.filter(group_id=group.id, person_id=world.dual.id).delete()
    assert await discussion_notices.deliver_batch(ids, courier.deliver) == 1
    assert [str(m["To"]) for m in received] == ["Socio <member@example.org>"]
    assert (await OutboxMessage.get(id=ids[1])).last_error == discussion_notices.WITHHELD
    # a post whose fan-out runs after the member left: not even queued
    await GroupMember.filter(group_id=group.id, person_id=world.member.id).delete()
    reply = await services.reply(await who(world, world.coop_admin), group.id, thread.id, PostIn(body="Ok"))
    assert (await Post.get(id=reply.id)).notified_at is not None
    assert await OutboxMessage.filter(kind="discussion_post").count() == 2


async def test_the_sweep_fans_out_posts_whose_job_was_lost(world: World) -> None:
    group = await trio(world)
    thread = await opened(world, group, person=world.coop_admin)
    post = await Post.get(thread_id=thread.id)
    await OutboxMessage.all().delete()
    await Post.filter(id=post.id).update(notified_at=None)
    assert await discussion_notices.sweep() == 0  # too recent: its own job may still come
    assert await discussion_notices.sweep(now=datetime.now(UTC) + timedelta(minutes=5)) == 1
    assert await discussion_notices.sweep(now=datetime.now(UTC) + timedelta(minutes=5)) == 0
    assert await discussion_notices.fan_out(post.id) == 0  # once per post, whoever asks again


async def yesterday(world: World, group: WorkingGroup) -> None:
    """Threads and replies of DAY in the group (and one of the day before, not in the digest)."""
    thread = await opened(world, group, person=world.member, title="Turni estivi")
    await services.reply(await who(world, world.dual), group.id, thread.id, PostIn(body="Ci sono"))
    await services.reply(await who(world, world.coop_admin), group.id, thread.id, PostIn(body="Anche io"))
    old = await opened(world, group, person=world.dual, title="Vecchia questione")
    noon = datetime(2030, 3, 12, 11, 0, tzinfo=UTC)
    await Post.filter(thread_id=thread.id).update(created_at=noon)
    await Post.filter(thread_id=old.id).update(created_at=noon - timedelta(days=3))  # no digest is due for it
    await Thread.filter(id=thread.id).update(created_at=noon)
    await OutboxMessage.all().delete()


async def test_the_daily_digest_tells_each_person_once(world: World, courier: Courier, smtp_server: Any) -> None:
    _url, received = smtp_server
    group = await trio(world)
    quiet = await make_group(world.alpha, members=(world.coop_admin,), name="Gruppo tranquillo")
    await yesterday(world, group)
    before = DAY - timedelta(days=1)
    assert digests.due_days(ROME_9AM.replace(hour=5)) == [before]  # 6:00 in Italy: only the catch-up day
    assert digests.due_days(ROME_9AM) == [before, DAY]
    assert await digests.send_digests(now=ROME_9AM) == 1  # the coop admin only: each/none chose otherwise
    assert await digests.send_digests(now=ROME_9AM + timedelta(hours=1)) == 0
    assert await DigestSent.filter(day=DAY).count() == 1
    await courier.drain()
    [digest] = received
    assert "coopadmin@example.org" in str(digest["To"])
    assert digest["Subject"] == "Discussions of Rete Alfa: what is new"
    text, html = parts(digest)
    assert "Turni estivi" in text and "new thread" in text and "1 reply" in text  # not their own
    assert "Vecchia questione" not in text and quiet.name not in text
    assert f"/n/rete-alfa/groups/{group.id}/discussions" in html


async def test_the_digest_leaves_out_who_left_and_what_was_their_own(world: World) -> None:
    group = await trio(world)
    await choose(world, group, world.member, "digest")
    await yesterday(world, group)
    await GroupMember.filter(group_id=group.id, person_id=world.coop_admin.id).delete()
    assert await digests.send_digests(now=ROME_9AM) == 1
    [row] = await OutboxMessage.filter(kind="discussion_digest")
    assert row.recipient == "member@example.org"
    [section] = row.context["sections"]
    # the member opened the thread: only the others' replies are news to them
    assert section["threads"] == [{"title": "Turni estivi", "new_thread": False, "replies": 2,
                                   "path": section["threads"][0]["path"]}]


async def two_days_ago(world: World) -> WorkingGroup:
    """A thread of the network admin two days ago in a group of four: three digests are due at any hour."""
    group = await make_group(world.alpha, members=(world.member, world.coop_admin, world.dual, world.network_admin))
    when = (datetime.now(digests.ROME) - timedelta(days=2)).replace(hour=12)
    thread = await opened(world, group, person=world.network_admin)
    await Post.filter(thread_id=thread.id).update(created_at=when)
    await Thread.filter(id=thread.id).update(created_at=when)
    await OutboxMessage.all().delete()
    return group


async def test_the_worker_cron_sends_the_digest_in_one_batch_job(world: World, settings: Settings,
                                                                 courier: Courier, smtp_server: Any,
                                                                 queue: ArqRedis) -> None:
    _url, received = smtp_server
    await two_days_ago(world)
    [cron_job] = [c for c in WorkerSettings.cron_jobs if c.name == "cron:send_discussion_digests"]
    assert (cron_job.minute, cron_job.unique, cron_job.run_at_startup) == ({5}, True, True)
    worker = Worker(
        functions=cast(Any, WorkerSettings.functions), cron_jobs=[replace(cron_job, next_run=None)],
        on_startup=WorkerSettings.on_startup, on_shutdown=WorkerSettings.on_shutdown,
        keep_result=WorkerSettings.keep_result, redis_settings=RedisSettings.from_dsn(REDIS_URL), burst=True,
        handle_signals=False, poll_delay=0.05,
        ctx={"settings": settings, "database_open": True, "courier": courier},
    )
    try:
        await worker.async_run()
    finally:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
            await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)  # the cron, then one batch of three e-mails
    assert sorted(str(m["To"]) for m in received) == ["Coop Admin <coopadmin@example.org>",
                                                      "Doppio <dual@example.org>", "Socio <member@example.org>"]
    assert await DigestSent.all().count() == 3
    assert await digests.send_digests() == 0


async def test_without_redis_the_web_process_sends_the_digests(world: World, settings: Settings,
                                                               smtp_server: Any) -> None:
    url, received = smtp_server
    await two_days_ago(world)
    app = create_app(replace(settings, run_drainer=True, smtp_url=url), own_database=False)
    async with LifespanManager(app):
        await wait_for(lambda: len(received) == 3, timeout=15)
        for _ in range(100):  # the rows are marked sent just after the SMTP exchange
            if await OutboxMessage.filter(kind="discussion_digest", status="sent").count() == 3:
                break
            await asyncio.sleep(0.05)
    assert await OutboxMessage.filter(kind="discussion_digest", status="sent").count() == 3


async def test_with_redis_a_post_is_fanned_out_by_a_job_and_sent_in_a_batch(world: World, settings: Settings,
                                                                           courier: Courier, smtp_server: Any,
                                                                           queue: ArqRedis) -> None:
    _url, received = smtp_server
    group = await trio(world)
    await choose(world, group, world.coop_admin, "each")
    outbox.set_dispatcher(outbox.ArqDispatcher(queue))
    thread = await opened(world, group, person=world.dual)
    assert (await Post.get(thread_id=thread.id)).notified_at is None  # the job does it, not the request
    worker = await run_burst(REDIS_URL, {"settings": settings, "database_open": True, "courier": courier})
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)  # the fan-out, then one batch of two e-mails
    assert sorted(str(m["To"]) for m in received) == ["Coop Admin <coopadmin@example.org>",
                                                      "Socio <member@example.org>"]
    assert await DiscussionPreference.filter(mode="each").count() == 2
