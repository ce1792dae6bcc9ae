"""The daily digest: one e-mail per person and network with the previous day's new threads and replies of
the groups where they chose "daily digest" (the default).

Runs hourly (arq cron, or the embedded loop without Redis) and sends from DIGEST_HOUR Italian time (a day
missed by downtime goes out with the next day's run). The
DigestSent row (unique per network, person and day) and the outbox row are written in one transaction:
a second run, at the same time or after a crash, queues nothing more. Who gets what is read at the run,
so someone who left a group is not told of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import Person
from federa.groups.discussion_models import DEFAULT_MODE, DigestSent, DiscussionPreference, NoticeMode, Post, Thread
from federa.groups.discussion_notices import dispatch_batches, thread_path
from federa.groups.models import GroupMember, WorkingGroup
from federa.networks.models import Network
from federa.notifications import outbox

log = logging.getLogger("federa.digests")

ROME = ZoneInfo("Europe/Rome")
DIGEST_HOUR = 7            # the digest of a day goes out the next morning, from 7:00 in Italy
EVERY_SECONDS = 600        # the embedded loop's pace (the arq cron runs hourly)
BATCH = 200                # people per transaction batch and per delivery job
MAX_THREADS = 20           # per group in one digest: the e-mail links to the rest


@dataclass
class ThreadNews:
    thread_id: int
    title: str
    new_thread: bool = False
    replies: int = 0
    authors: set[int] = field(default_factory=set)


def due_days(now: datetime) -> list[date]:
    """The Italian days whose digests are due at `now`: yesterday once it is DIGEST_HOUR in Italy, and the
    day before (a catch-up after downtime: the digests already sent are skipped)."""
    local = now.astimezone(ROME)
    days = [local.date() - timedelta(days=2)]
    if local.hour >= DIGEST_HOUR:
        days.append(local.date() - timedelta(days=1))
    return days


def _window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), ROME)
    return start.astimezone(UTC), datetime.combine(day + timedelta(days=1), time(), ROME).astimezone(UTC)


async def send_digests(*, now: datetime | None = None, day: date | None = None) -> int:
    """Queue the digests due now (or of `day`); return how many were queued by this run."""
    queued = 0
    for due in [day] if day else due_days(now or datetime.now(UTC)):
        start, end = _window(due)
        networks = await Post.filter(created_at__gte=start, created_at__lt=end).distinct().values_list(
            "network_id", flat=True)
        for network_id in sorted({int(n) for n in networks}):  # type: ignore[call-overload]
            queued += await _network_digests(await Network.get(id=network_id), due, start, end)
    return queued


async def _news(network_id: int, start: datetime, end: datetime) -> dict[int, dict[int, list[tuple[int, bool]]]]:
    """group id → thread id → (author id, opens the thread) of each live post of the day. A thread opened that
    day has its opening post first (removed posts are read only to know which one opened it)."""
    rows = await Post.filter(network_id=network_id, created_at__gte=start, created_at__lt=end).order_by(
        "id").values_list("thread__group_id", "thread_id", "author_id", "thread__created_at", "deleted_at")
    news: dict[int, dict[int, list[tuple[int, bool]]]] = defaultdict(lambda: defaultdict(list))
    seen: set[int] = set()
    for group_id, thread_id, author_id, opened, deleted in rows:  # type: ignore[misc]
        opens = thread_id not in seen and start <= opened < end
        seen.add(thread_id)
        if deleted is None:
            news[group_id][thread_id].append((author_id or 0, opens))
    return news


async def _network_digests(network: Network, day: date, start: datetime, end: datetime) -> int:
    news = await _news(network.id, start, end)
    group_ids = list(news)
    groups = {g.id: g for g in await WorkingGroup.filter(network_id=network.id, id__in=group_ids)}
    thread_ids = [t for threads in news.values() for t in threads]
    titles = dict(await Thread.filter(network_id=network.id, id__in=thread_ids).values_list("id", "title"))
    # each member's choice per group, in one query: a person may choose differently in each group
    chosen = {(g, p): m for g, p, m in await DiscussionPreference.filter(
        network_id=network.id, group_id__in=group_ids).values_list("group_id", "person_id", "mode")}
    readers: dict[int, list[int]] = defaultdict(list)
    for person_id, group_id in await GroupMember.filter(network_id=network.id, group_id__in=group_ids,
                                                        person__is_active=True).values_list("person_id", "group_id"):
        if chosen.get((group_id, person_id), DEFAULT_MODE.value) == NoticeMode.DIGEST.value:
            readers[int(person_id)].append(int(group_id))  # type: ignore[call-overload]
    done = set(await DigestSent.filter(network_id=network.id, day=day).values_list("person_id", flat=True))
    todo = sorted(p for p in readers if p not in done)
    queued = 0
    for begin in range(0, len(todo), BATCH):
        people = {p.id: p for p in await Person.filter(id__in=todo[begin:begin + BATCH])}
        ids = []
        for person_id in todo[begin:begin + BATCH]:
            sections = _sections(network, groups, news, titles, readers[person_id], person_id)
            if sections:
                message_id = await _queue(network, day, people[person_id], sections)
                if message_id is not None:
                    ids.append(message_id)
        await dispatch_batches(ids)
        queued += len(ids)
    return queued


def _sections(network: Network, groups: dict[int, WorkingGroup], news: dict[int, dict[int, list[tuple[int, bool]]]],
              titles: dict, group_ids: list[int], person_id: int) -> list[dict]:
    """The digest's groups, each with its threads' news written by others."""
    sections = []
    for group_id in sorted(group_ids, key=lambda g: groups[g].name.lower()):
        threads = []
        for thread_id, posts in news[group_id].items():
            others = [(a, opens) for a, opens in posts if a != person_id]
            if others:
                threads.append({"title": titles.get(thread_id, ""), "new_thread": any(o for _a, o in others),
                                "replies": sum(1 for _a, o in others if not o),
                                "path": thread_path(network, group_id, thread_id)})
        if threads:
            sections.append({"group": groups[group_id].name, "threads": threads[:MAX_THREADS],
                             "more": max(0, len(threads) - MAX_THREADS),
                             "path": f"/n/{network.slug}/groups/{group_id}/discussions"})
    return sections


async def _queue(network: Network, day: date, person: Person, sections: list[dict]) -> int | None:
    try:
        async with in_transaction():
            await DigestSent.create(network_id=network.id, person_id=person.id, day=day)
            row = await outbox.add("discussion_digest", person.email, locale=person.locale, network=network,
                                   name=person.name, network_name=network.name, day=day.isoformat(),
                                   sections=sections, person_id=person.id)
            return row.id
    except IntegrityError:
        return None  # another run queued this digest first


async def run_embedded(*, every: float = EVERY_SECONDS) -> None:
    """Without Redis (no arq cron) the web process sends the digests and sweeps late posts itself."""
    from federa.groups import discussion_notices

    while True:
        try:
            await discussion_notices.sweep()
            await send_digests()
        except Exception:
            log.exception("discussion digest run failed; trying again later")
        await asyncio.sleep(every)
