"""Reads for the library: what a person may see (own items and partners' shared ones), one item, its
history and comments, and who may change what."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, RawSQL, Subquery

from federa.errors import NotFound
from federa.events.eligibility import is_member_of
from federa.groups.models import GroupMember, WorkingGroup
from federa.library.models import ArticleRevision, ItemComment, LibraryItem, UsefulMark, Visibility
from federa.library.schemas import LibraryQuery
from federa.networks.access import Access
from federa.networks.models import Cooperative, Network
from federa.networks.services import partner_ids
from federa.web.i18n import gettext as _

V = Visibility


async def access_item(network: Network, item_id: int) -> LibraryItem:
    """The item of this network, or NotFound (also when it belongs to another network)."""
    item = await LibraryItem.get_or_none(id=item_id, network_id=network.id)
    if item is None:
        raise NotFound(_("No such item in the library."))
    return item


async def is_partner_member(access: Access) -> bool:
    """Whether someone who is not a member here belongs to one of this network's active partners."""
    if access.person is None or access.is_member:
        return False
    partners = await partner_ids(access.network)
    return bool(partners) and await is_member_of(partners, access.person)


async def may_see(item: LibraryItem, access: Access) -> bool:
    """Public: anyone; group: that group's members; network: members; partners: members of the
    network and of its active partner networks. `access` is the standing in the item's network."""
    if item.visibility == V.PUBLIC.value:
        return True
    if access.person is None:
        return False
    if item.visibility == V.GROUP.value:
        return item.group_id is not None and await GroupMember.exists(group_id=item.group_id,
                                                                      person_id=access.person.id)
    if access.is_member:
        return True
    return item.visibility == V.PARTNERS.value and await is_partner_member(access)


async def visible_item(access: Access, item_id: int) -> LibraryItem:
    """The item if this person may see it; 404 for hidden and missing items alike."""
    item = await access_item(access.network, item_id)
    if not await may_see(item, access):
        raise NotFound(_("No such item in the library."))
    return item


def may_edit(item: LibraryItem, access: Access) -> bool:
    """The author, the administrators of the author's cooperative, the network's coordinators."""
    if access.person is None:
        return False
    return (access.can_manage or item.author_id == access.person.id
            or (item.author_cooperative_id is not None and item.author_cooperative_id in access.admin_of))


async def may_take_part(item: LibraryItem, access: Access) -> bool:
    """Comment and mark as useful: people the item is shared with (not any visitor of a public item)."""
    if access.person is None:
        return False
    if item.visibility == V.GROUP.value:
        return await may_see(item, access)
    return access.is_member or (item.visibility != V.NETWORK.value and await is_partner_member(access))


async def library_filter(access: Access) -> Q:
    """The items of access.network's library this person may see, plus what partners shared with it."""
    network = access.network
    open_to = Q(visibility=V.PUBLIC.value)
    person = access.person
    if person is not None:
        if access.is_member:
            open_to |= Q(visibility__in=[V.NETWORK.value, V.PARTNERS.value])
        elif await is_partner_member(access):
            open_to |= Q(visibility=V.PARTNERS.value)
        # a subquery, not a join: no duplicate rows, so no DISTINCT and the window count stays right
        groups = GroupMember.filter(person_id=person.id).values("group_id")
        open_to |= Q(visibility=V.GROUP.value, group_id__in=Subquery(groups))
    where = Q(network_id=network.id) & open_to
    partners = await partner_ids(network)
    if partners:
        shared = [V.PUBLIC.value, V.PARTNERS.value] if access.is_member else [V.PUBLIC.value]
        where |= Q(network_id__in=partners, visibility__in=shared)
    return where


def _filters(query: LibraryQuery) -> Q:
    where = Q()
    if query.q:
        where &= Q(title__icontains=query.q) | Q(summary__icontains=query.q)
    if query.kind:
        where &= Q(kind=query.kind)
    if query.sector:
        where &= Q(sectors__contains=f",{query.sector},")
    if query.tag:
        where &= Q(tags__contains=f",{query.tag.strip().lower()},")
    if query.language:
        where &= Q(language=query.language)
    if query.group_id:
        where &= Q(group_id=query.group_id)
    return where


ORDERS = {"recent": ("-created_at", "-id"), "useful": ("-useful_count", "-created_at", "-id")}


async def list_items(access: Access, query: LibraryQuery) -> tuple[list[LibraryItem], int]:
    """One page of the library, most recent or most useful first, with network and cooperative loaded."""
    base = LibraryItem.filter(await library_filter(access)).filter(_filters(query))
    items = await base.annotate(full_count=RawSQL("COUNT(*) OVER ()")).select_related(
        "network", "author_cooperative").order_by(*ORDERS[query.order]).offset(
        (query.page - 1) * query.per_page).limit(query.per_page)
    total = int(items[0].full_count) if items else (0 if query.page == 1 else await base.count())  # type: ignore[attr-defined]
    return list(items), total


async def revisions(item: LibraryItem) -> list[ArticleRevision]:
    """Every saved version of an article, newest first, with its editor."""
    return list(await ArticleRevision.filter(network_id=item.network_id, item_id=item.id).select_related(
        "editor").order_by("-number"))


async def comments(item: LibraryItem) -> list[ItemComment]:
    """The item's comments, oldest first, with their authors."""
    return list(await ItemComment.filter(network_id=item.network_id, item_id=item.id).select_related(
        "author").order_by("created_at", "id"))


async def marked_useful(item: LibraryItem, access: Access) -> bool:
    if access.person is None:
        return False
    return await UsefulMark.exists(item_id=item.id, person_id=access.person.id)


async def my_groups(access: Access) -> list[WorkingGroup]:
    """The working groups of this network the person belongs to (for the audience choice)."""
    if access.person is None:
        return []
    return list(await WorkingGroup.filter(network_id=access.network.id, archived_at__isnull=True, id__in=Subquery(
        GroupMember.filter(person_id=access.person.id).values("group_id"))).order_by("name"))


async def network_groups(network: Network) -> list[tuple[int, str]]:
    """(id, name) of the network's listed groups, for the list's filter."""
    rows = await WorkingGroup.filter(network_id=network.id, visibility="listed").order_by("name").values_list(
        "id", "name")
    return [(int(i), str(n)) for i, n in rows]


async def my_cooperatives(access: Access) -> list[Cooperative]:
    """The person's cooperatives that are active members here: an author writes on behalf of one."""
    if not access.active_coops:
        return []
    return list(await Cooperative.filter(id__in=list(access.active_coops)).order_by("legal_name"))


def split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


def labels_of(item: Any) -> dict[str, Any]:
    return {"sector_list": split(item.sectors), "tag_list": split(item.tags)}
