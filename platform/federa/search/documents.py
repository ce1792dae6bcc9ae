"""Per-kind builders: from objects to their index entries (text, facets, link, who may see them)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from federa.search import tokens as t

BODY_LIMIT = 20_000  # characters of text indexed per entry: enough for a long article or a document's start
# Control characters (the snippet markers among them) never reach the index.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Doc:
    """One entry as built from its object."""

    network_id: int
    kind: str
    object_id: int
    title: str
    body: str
    path: str
    tokens: set[str]
    sectors: list[str] = field(default_factory=list)
    date: datetime | None = None
    shared: bool = False
    language: str = "it"


def clean(*parts: str, limit: int = BODY_LIMIT) -> str:
    """The parts as one plain text, without control characters, at most `limit` characters."""
    return _CONTROL.sub(" ", "\n".join(p for p in parts if p))[:limit]


def sector_list(value: str) -> list[str]:
    """',minori,anziani,' → ['minori', 'anziani']."""
    return [s for s in value.split(",") if s]


Builder = Callable[[list[int]], Awaitable[list[Doc]]]


async def cooperatives(ids: list[int]) -> list[Doc]:
    """A cooperative has an entry in each network it has a membership in, seen as its page there is:
    by anyone when the membership is active and the profile public, else by the network's managers and
    the cooperative's own people."""
    from federa.networks.models import Cooperative, CooperativeSector, CooperativeService, Membership

    coops = {c.id: c for c in await Cooperative.filter(id__in=ids)}
    sectors: dict[int, list[str]] = defaultdict(list)
    for cid, sector in await CooperativeSector.filter(cooperative_id__in=ids).order_by("sector").values_list(
            "cooperative_id", "sector"):
        sectors[cid].append(sector)  # type: ignore[index]
    services: dict[int, list[str]] = defaultdict(list)
    for service in await CooperativeService.filter(cooperative_id__in=ids):
        services[service.cooperative_id].append(f"{service.name}. {service.audience}")
    docs = []
    for m in await Membership.filter(cooperative_id__in=ids):
        c = coops[m.cooperative_id]
        open_to_all = m.status == "active" and c.is_public
        docs.append(Doc(
            network_id=m.network_id, kind="cooperative", object_id=c.id, title=c.legal_name,
            body=clean(c.city, c.description, *services[c.id]), path=f"/cooperatives/{c.id}",
            tokens={t.PUBLIC} if open_to_all else {t.mgr(m.network_id), t.coop(c.id)},
            sectors=sectors[c.id], date=m.started_at or m.requested_at))
    return docs


async def events(ids: list[int]) -> list[Doc]:
    """As events/eligibility.may_see: drafts and cancelled events for managers only, published ones for
    their audience."""
    from federa.events.models import Audience, Event, EventCooperative, EventStatus

    chosen: dict[int, set[int]] = defaultdict(set)
    for event_id, coop_id in await EventCooperative.filter(event_id__in=ids).values_list("event_id",
                                                                                         "cooperative_id"):
        chosen[event_id].add(coop_id)  # type: ignore[index, arg-type]
    docs = []
    for e in await Event.filter(id__in=ids):
        n = e.network_id
        seen = e.status in (EventStatus.PUBLISHED.value, EventStatus.COMPLETED.value)
        audience = {
            Audience.PUBLIC.value: {t.PUBLIC},
            Audience.NETWORK.value: {t.net(n)},
            Audience.PARTNERS.value: {t.net(n), t.partners(n)},
            Audience.COOPERATIVES.value: {t.coop(c) for c in chosen[e.id]},
        }.get(e.audience, set()) if seen else set()
        docs.append(Doc(
            network_id=n, kind="event", object_id=e.id, title=e.title,
            body=clean(e.description, e.venue), path=f"/events/{e.id}", tokens={t.mgr(n), *audience},
            sectors=sector_list(e.sectors), date=e.starts_at,
            shared=seen and e.audience in (Audience.PARTNERS.value, Audience.PUBLIC.value)))
    return docs


async def groups(ids: list[int]) -> list[Doc]:
    """A listed group is seen by the network's members (and the partners' when open to them); a hidden
    one by its members and the network's managers."""
    from federa.groups.models import Visibility, WorkingGroup

    docs = []
    for g in await WorkingGroup.filter(id__in=ids):
        n = g.network_id
        listed = g.visibility == Visibility.LISTED.value
        seen_by = {t.net(n), *([t.partners(n)] if g.open_to_partners else [])} if listed else set()
        docs.append(Doc(
            network_id=n, kind="group", object_id=g.id, title=g.name, body=clean(g.purpose),
            path=f"/groups/{g.id}", tokens={t.mgr(n), t.grp(g.id), *seen_by},
            sectors=[g.sector] if g.sector else [], date=g.created_at,
            shared=listed and g.open_to_partners))
    return docs


async def threads(ids: list[int]) -> list[Doc]:
    """A discussion is seen by its group's members and the network's managers; its text is the title
    and every post not deleted."""
    from federa.groups.discussion_models import Post, Thread

    bodies: dict[int, list[str]] = defaultdict(list)
    for thread_id, body in await Post.filter(thread_id__in=ids, deleted_at__isnull=True).order_by(
            "created_at", "id").values_list("thread_id", "body"):
        bodies[thread_id].append(body)  # type: ignore[index, arg-type]
    docs = []
    for th in await Thread.filter(id__in=ids).select_related("group"):
        n = th.network_id
        docs.append(Doc(
            network_id=n, kind="thread", object_id=th.id, title=th.title, body=clean(*bodies[th.id]),
            path=f"/groups/{th.group_id}/discussions/{th.id}", tokens={t.mgr(n), t.grp(th.group_id)},
            sectors=[th.group.sector] if th.group.sector else [], date=th.last_post_at,
            shared=th.group.open_to_partners))
    return docs


async def library_items(ids: list[int]) -> list[Doc]:
    """An article or document, seen by its audience: a group's members, the network, the partners, or
    anyone."""
    from federa.library.models import LibraryItem, Visibility

    docs = []
    for item in await LibraryItem.filter(id__in=ids):
        n = item.network_id
        # as library/queries.may_see: a group's items are for its members only, managers included
        audience = {
            Visibility.GROUP.value: {t.grp(item.group_id)} if item.group_id else set(),
            Visibility.NETWORK.value: {t.net(n)},
            Visibility.PARTNERS.value: {t.net(n), t.partners(n)},
            Visibility.PUBLIC.value: {t.PUBLIC},
        }.get(item.visibility, set())
        docs.append(Doc(
            network_id=n, kind="library_item", object_id=item.id, title=item.title,
            body=clean(item.summary, item.body, item.extracted_text, item.tags.replace(",", " ")),
            path=f"/library/{item.id}", tokens=audience, sectors=sector_list(item.sectors),
            date=item.created_at, language=item.language or "it",
            shared=item.visibility in (Visibility.PARTNERS.value, Visibility.PUBLIC.value)))
    return docs


BUILDERS: dict[str, Builder] = {
    "cooperative": cooperatives,
    "event": events,
    "group": groups,
    "thread": threads,
    "library_item": library_items,
}


def by_object(docs: Iterable[Doc]) -> dict[int, list[Doc]]:
    grouped: dict[int, list[Doc]] = defaultdict(list)
    for doc in docs:
        grouped[doc.object_id].append(doc)
    return grouped
