"""Access tokens: who may see an index entry, and which tokens a viewer holds.

An entry lists the tokens of the people who may see it; a viewer sees it when one of their tokens is in
the list. The tokens:

    pub             anyone, signed in or not
    net:<n>         members of network n (a network role, or an active cooperative there)
    mgr:<n>         coordinators and admins of network n
    partners:<n>    members of the networks that are active partners of network n
    coop:<c>        people of cooperative c (an active affiliation)
    grp:<g>         members of working group g
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise import connections

from federa.networks.access import Access

PUBLIC = "pub"


def net(network_id: int) -> str:
    return f"net:{network_id}"


def mgr(network_id: int) -> str:
    return f"mgr:{network_id}"


def partners(network_id: int) -> str:
    return f"partners:{network_id}"


def coop(cooperative_id: int) -> str:
    return f"coop:{cooperative_id}"


def grp(group_id: int) -> str:
    return f"grp:{group_id}"


def joined(tokens: set[str]) -> str:
    """The stored form: space-delimited on both sides, so ' net:1 ' never matches inside ' net:12 '."""
    return " " + " ".join(sorted(tokens)) + " "


@dataclass(frozen=True)
class Viewer:
    """What search needs of a person in a network: the networks searched and the tokens held."""

    network_id: int
    partner_ids: tuple[int, ...]
    tokens: frozenset[str]


# Everything in one round trip: the network's partners, and for a signed-in person their cooperatives,
# groups and the networks they are a member of.
_STANDING_SQL = """
SELECT 'partner' AS kind, CASE WHEN network_id = {n} THEN partner_id ELSE network_id END AS value
  FROM partnership WHERE (network_id = {n} OR partner_id = {n}) AND status = 'active'
UNION ALL
SELECT 'coop', cooperative_id FROM affiliation WHERE person_id = {p} AND status = 'active'
UNION ALL
SELECT 'group', group_id FROM group_member WHERE person_id = {p}
UNION ALL
SELECT 'member_of', m.network_id FROM membership m JOIN affiliation a ON a.cooperative_id = m.cooperative_id
 WHERE a.person_id = {p} AND a.status = 'active' AND m.status = 'active'
UNION ALL
SELECT 'member_of', network_id FROM network_role WHERE person_id = {p}
"""


def standing_sql(dialect: str) -> str:
    """The standing query with the dialect's placeholders: $1/? the network id, $2/? the person id."""
    mark = "$" if dialect == "postgres" else "?"
    return _STANDING_SQL.format(n=f"{mark}1", p=f"{mark}2")


async def viewer(access: Access) -> Viewer:
    """The tokens this person holds in access.network (one query; none for visitors but the partners)."""
    conn = connections.get("default")
    person_id = access.person.id if access.person is not None else 0  # no person has id 0
    rows = await conn.execute_query_dict(standing_sql(conn.capabilities.dialect), [access.network.id, person_id])
    return viewer_from(access, rows)


def viewer_from(access: Access, rows: list[dict]) -> Viewer:
    """The tokens from the rows of the standing query."""
    found: dict[str, set[int]] = {"partner": set(), "coop": set(), "group": set(), "member_of": set()}
    for row in rows:
        found[row["kind"]].add(int(row["value"]))
    n = access.network.id
    held = {PUBLIC}
    if access.person is not None:
        if access.can_manage:
            held.add(mgr(n))
        if access.is_member:
            held.add(net(n))
            held |= {partners(p) for p in found["partner"]}
        if found["partner"] & found["member_of"]:
            held.add(partners(n))
        held |= {coop(c) for c in found["coop"]}
        held |= {grp(g) for g in found["group"]}
    return Viewer(network_id=n, partner_ids=tuple(sorted(found["partner"])), tokens=frozenset(held))
