# ruff: noqa: E501
"""Isolation matrix entries for the OpenID provider (see tests/isolation_matrix.py for the columns and hooks).

Each side has a registered application and a consent of its member (alpha: member, beta: outsider). The
protocol endpoints answer everyone alike: without a valid request (no client, no token) they refuse with
400/401 and write nothing. The paths sort ".../delete" before ".../rotate", so an admin's delete removes the
seeded application first and the rotate that follows finds nothing (404); rotation itself is tested in
tests/federation/test_op_manage.py. Revoking a consent is for its own person: the member for alpha's,
the outsider for beta's (the cross variant, through the platform-wide /me URL). The sign-out confirmation
carries a post_logout_redirect_uri nobody registered, so it is refused (400) and nobody is signed out.
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry

from federa.federation.op_models import Consent, OAuthClient, OAuthToken

OBJECT_PARAMS: tuple[str, ...] = ("client_pk", "consent_id")


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """An application of the network and the member's consent to it."""
    client = await OAuthClient.create(network=network, client_id=f"fc_matrix_{network.slug}", secret_hash="0" * 64,
                                      name=f"App {network.name}", redirect_uris=["https://app.example.org/cb"],
                                      created_by=organiser)
    consent = await Consent.create(person=member, client=client, scopes="openid profile")
    return {"client_pk": client.id, "consent_id": consent.id}


def beta_rows(beta_id: int) -> list[Any]:
    """Queries over this part's rows of beta (compared before and after each write)."""
    return [
        OAuthClient.filter(network_id=beta_id).order_by("id").values(),
        Consent.filter(client__network_id=beta_id).order_by("id").values(),
        OAuthToken.filter(client__network_id=beta_id).order_by("id").values(),
    ]


NO_RETURN = {"post_logout_redirect_uri": "https://evil.example.org/"}

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/.well-known/openid-configuration"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/admin/apps"): E("in 403 403 403 403 403 403 200"),
    ("POST", "/admin/apps"): E("in 403 403 403 403 403 403 422"),
    ("POST", "/admin/apps/{client_pk:int}/delete"): E("in 403 403 403 403 403 403 404", cross="in 403 403 403 403 403 403 404"),
    ("POST", "/admin/apps/{client_pk:int}/rotate"): E("in 403 403 403 403 403 403 404", cross="in 403 403 403 403 403 403 404"),
    ("GET", "/me/apps"): E("in 200 200 200 200 200 200 200"),
    ("POST", "/me/apps/{consent_id:int}/revoke"): E("in 404 303 404 404 404 404 404", cross="in 303 404 404 404 404 404 404", touches_beta=("outsider",)),
    ("GET", "/n/{slug}/manage/apps"): E("in 403 403 403 403 200 403 200", reverse="in 403 403 403 403 403 403 200"),
    ("POST", "/n/{slug}/manage/apps"): E("in 403 403 403 403 422 403 422", reverse="in 403 403 403 403 403 403 422"),
    ("POST", "/n/{slug}/manage/apps/{client_pk:int}/delete"): E("in 403 403 403 403 303 403 303", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("POST", "/n/{slug}/manage/apps/{client_pk:int}/rotate"): E("in 403 403 403 403 404 403 404", cross="in 403 403 403 403 404 403 404", reverse="in 403 403 403 403 403 403 404"),
    ("GET", "/oauth/authorize"): E("400 400 400 400 400 400 400 400"),
    ("POST", "/oauth/authorize"): E("400 400 400 400 400 400 400 400"),
    ("POST", "/oauth/consent"): E("400 400 400 400 400 400 400 400"),
    ("GET", "/oauth/jwks"): E("200 200 200 200 200 200 200 200"),
    ("GET", "/oauth/logout"): E("200 200 200 200 200 200 200 200"),
    ("POST", "/oauth/logout"): E("400 400 400 400 400 400 400 400", data=NO_RETURN),
    ("POST", "/oauth/logout/confirm"): E("400 400 400 400 400 400 400 400", data=NO_RETURN),
    ("POST", "/oauth/token"): E("400 400 400 400 400 400 400 400"),
    ("GET", "/oauth/userinfo"): E("401 401 401 401 401 401 401 401"),
    ("POST", "/oauth/userinfo"): E("401 401 401 401 401 401 401 401"),
}
