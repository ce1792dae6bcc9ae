"""Factories for the working group tests: a group with its coordinators and members, a person's standing."""

from __future__ import annotations

from typing import Any

from federa.accounts.models import Person
from federa.groups.models import GroupMember, WorkingGroup
from federa.networks.access import Access, access_in
from federa.networks.models import Network, Partnership


async def make_group(network: Network, *, coordinators: tuple[Person, ...] = (), members: tuple[Person, ...] = (),
                     **kw: Any) -> WorkingGroup:
    """A group of `network` (listed, on request unless told otherwise) with these people in it."""
    kw.setdefault("name", "Gruppo di lavoro")
    kw.setdefault("purpose", "Lavoriamo insieme.")
    kw.setdefault("purpose_html", "<p>Lavoriamo insieme.</p>")
    group = await WorkingGroup.create(network=network, member_count=len(coordinators) + len(members), **kw)
    for person in coordinators:
        await GroupMember.create(network=network, group=group, person=person, role="coordinator")
    for person in members:
        await GroupMember.create(network=network, group=group, person=person, role="member")
    return group


async def standing(network: Network, person: Person | None) -> Access:
    return await access_in(network, person)


async def partners(a: Network, b: Network) -> Partnership:
    return await Partnership.create(network=a, partner=b, status="active")


async def roles(group: WorkingGroup) -> dict[int, str]:
    """person id → role, as stored."""
    return {m.person_id: m.role for m in await GroupMember.filter(group_id=group.id)}


def t(message: str, **variables: object) -> str:
    """A message as the (Italian, the default) page says it; compare it with shown(response)."""
    from federa.web import i18n

    token = i18n.current_locale.set("it")
    try:
        return i18n.gettext(message, **variables)
    finally:
        i18n.current_locale.reset(token)


def shown(response: Any) -> str:
    """The page with HTML entities resolved (flashes and field messages are escaped, templates are not)."""
    import html

    return html.unescape(response.text)
