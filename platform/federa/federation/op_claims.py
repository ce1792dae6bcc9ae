"""The claims a client receives about a person, by scope: openid, profile, email and Federa's `networks`."""

from __future__ import annotations

from typing import Any

from federa.accounts.models import Affiliation, AffiliationStatus, NetworkRole
from federa.federation.op_queries import AccessGrant
from federa.networks.models import Membership, MembershipStatus
from federa.web.i18n import lazy

SCOPES = ("openid", "profile", "email", "networks")
SCOPE_CLAIMS = {"openid": ("sub",), "profile": ("name", "locale"), "email": ("email", "email_verified"),
                "networks": ("networks",)}
SCOPE_LABELS = {"openid": lazy("Sign-in (an identifier that does not change)"), "profile": lazy("Name and language"),
                "email": lazy("E-mail address"), "networks": lazy("Networks, cooperatives and roles")}
CLAIMS_SUPPORTED = sorted({c for claims in SCOPE_CLAIMS.values() for c in claims})


async def networks_claim(person_id: int) -> list[dict[str, Any]]:
    """The person's networks, with their roles there and the cooperatives (and role) that make them members."""
    entries: dict[str, dict[str, Any]] = {}

    def entry(slug: str, name: str) -> dict[str, Any]:
        return entries.setdefault(slug, {"slug": slug, "name": name, "roles": [], "cooperatives": []})

    for slug, name, role in await NetworkRole.filter(person_id=person_id).values_list(
            "network__slug", "network__name", "role"):
        entry(str(slug), str(name))["roles"].append(role)
    affiliations = {coop_id: (coop_name, role) for coop_id, coop_name, role in await Affiliation.filter(
        person_id=person_id, status=AffiliationStatus.ACTIVE.value).values_list(
        "cooperative_id", "cooperative__legal_name", "role")}
    if affiliations:
        for coop_id, slug, name in await Membership.filter(
                cooperative_id__in=list(affiliations), status=MembershipStatus.ACTIVE.value).values_list(
                "cooperative_id", "network__slug", "network__name"):
            coop_name, role = affiliations[coop_id]  # type: ignore[index]
            entry(str(slug), str(name))["cooperatives"].append({"name": coop_name, "role": role})
    for item in entries.values():
        item["roles"].sort()
        item["cooperatives"].sort(key=lambda c: c["name"])
    return sorted(entries.values(), key=lambda e: e["slug"])


async def claims_for(grant: AccessGrant) -> dict[str, Any]:
    """The userinfo answer for a live access token: only the claims of the scopes it was granted."""
    scopes = set(grant.scope.split())
    claims: dict[str, Any] = {"sub": grant.subject}
    if "profile" in scopes:
        claims.update(name=grant.name, locale=grant.locale)
    if "email" in scopes:
        claims.update(email=grant.email, email_verified=grant.email_verified)
    if "networks" in scopes:
        claims["networks"] = await networks_claim(grant.person_id)
    return claims
