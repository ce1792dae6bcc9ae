# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for signing in with a network's identity provider (issue 5, relying party).

Each network has a provider (fresh cached metadata, so starting a sign-in fetches nothing and answers 303 to the
provider) and its member has a linked identity. Probes that could change the seeded rows stop short:
- deleting a provider needs the Delete button's confirm=yes: a bare POST is 303 back with a message;
- the enable/disable route is probed with "enable" (the provider is enabled already);
- a callback without state is a 400 error page (audited for alpha, nothing else written);
- there is nothing to confirm without a pending link in the session: 404;
- linking is for the network's members (303 to the provider), 403 for others; the provider of another network 404;
- signing out there too needs the button's confirm=yes: a bare POST is 303 back to the sign-in page, still signed in;
- an identity can be unlinked by its own person only (the member has a password, so 303), 404 for everyone else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from isolation_matrix import E, Entry

from federa.federation.rp_models import ExternalIdentity, IdentityProvider

OBJECT_PARAMS = ("provider_id", "identity_id")


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """An enabled provider of the network (metadata cached) and an identity of the member linked through it."""
    issuer = f"https://idp.{network.slug}.example.org"
    provider = await IdentityProvider.create(
        network=network, name=f"IdP {network.name}", issuer=issuer, client_id="federa",
        metadata={"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
                  "jwks_uri": f"{issuer}/jwks"}, metadata_fetched_at=datetime.now(UTC))
    identity = await ExternalIdentity.create(person=member, issuer=issuer, subject=f"sub-{member.id}", provider=provider)
    return {"provider_id": provider.id, "identity_id": identity.id}


def beta_rows(beta_id: int) -> list[Any]:
    return [
        IdentityProvider.filter(network_id=beta_id).order_by("id").values(),
        ExternalIdentity.filter(provider__network_id=beta_id).order_by("id").values(),
    ]


# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/me/identities"): E("in 200 200 200 200 200 200 200"),
    ("POST", "/me/identities/{identity_id:int}/unlink"): E("in 404 303 404 404 404 404 404", cross="in 303 404 404 404 404 404 404", touches_beta=("outsider",)),
    ("GET", "/n/{slug}/manage/identity-providers"): E("in 403 403 403 403 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("GET", "/n/{slug}/manage/identity-providers/new"): E("in 403 403 403 403 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/manage/identity-providers/new"): E("in 403 403 403 403 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("GET", "/n/{slug}/manage/identity-providers/{provider_id:int}"): E("in 403 403 403 403 200 403 200", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/manage/identity-providers/{provider_id:int}"): E("in 403 403 403 403 422 403 422", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/manage/identity-providers/{provider_id:int}/delete"): E("in 403 403 403 403 303 403 303", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/manage/identity-providers/{provider_id:int}/{action:str}"): E("in 403 403 403 403 303 403 303", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404", params={"action": "enable"}),
    ("GET", "/n/{slug}/signin"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/signin/oidc/confirm"): E("404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/signin/oidc/confirm"): E("404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/signin/oidc/{provider_id:int}"): E("303 303 303 303 303 303 303 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("GET", "/n/{slug}/signin/oidc/{provider_id:int}/callback"): E("400 400 400 400 400 400 400 400", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
    ("POST", "/n/{slug}/signin/oidc/{provider_id:int}/link"): E("in 403 303 303 303 303 303 303", cross="in 403 404 404 404 404 404 404", reverse="in 404 403 403 403 403 404 404"),
    ("POST", "/n/{slug}/signin/oidc/{provider_id:int}/signout"): E("303 303 303 303 303 303 303 303", cross="404 404 404 404 404 404 404 404", reverse="404 404 404 404 404 404 404 404"),
}
