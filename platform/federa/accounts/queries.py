"""Reads about people: their networks (through roles and cooperatives)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from federa.accounts.models import Affiliation, AffiliationStatus, EmailToken, NetworkRole, Person, TokenPurpose
from federa.accounts.schemas import MyNetworkOut
from federa.networks.models import Membership, MembershipStatus, Network
from federa.web.security import hash_token


async def email_token_usable(token: str, purpose: TokenPurpose) -> bool:
    """Whether an e-mailed link can still be used (not used, not expired), without using it."""
    return await EmailToken.filter(token_hash=hash_token(token), purpose=purpose.value, used_at=None,
                                   expires_at__gt=datetime.now(UTC)).exists()


async def my_networks(person: Person | None) -> list[MyNetworkOut]:
    """Every network the person belongs to, by a role or through an active cooperative."""
    if person is None:
        return []
    roles: dict[int, list[str]] = defaultdict(list)
    for network_id, role in await NetworkRole.filter(person_id=person.id).values_list("network_id", "role"):
        roles[network_id].append(role)  # type: ignore[index]
    coops = await Affiliation.filter(person_id=person.id, status=AffiliationStatus.ACTIVE.value).values_list(
        "cooperative_id", flat=True)
    via: dict[int, list[str]] = defaultdict(list)
    if coops:
        for network_id, name in await Membership.filter(
                cooperative_id__in=list(coops), status=MembershipStatus.ACTIVE.value).values_list(
                "network_id", "cooperative__legal_name"):
            via[network_id].append(name)  # type: ignore[index]
    ids = set(roles) | set(via)
    if person.is_platform_admin:
        ids |= set(await Network.all().values_list("id", flat=True))  # type: ignore[arg-type]
    networks = await Network.filter(id__in=list(ids)).order_by("name") if ids else []
    return [MyNetworkOut(slug=n.slug, name=n.name, roles=sorted(roles[n.id]), via_cooperatives=sorted(via[n.id]))
            for n in networks]
