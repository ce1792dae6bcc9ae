"""Demo data of networks' own identity providers: one per network of two, an identity linked to the member.

The providers' documents are stored as if fetched (the example hosts do not exist, so nothing is fetched):
the admin pages, the sign-in page and the profile show them; signing in with them leads to the example host.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from federa.accounts.models import Person
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from federa.networks.models import Cooperative, Network

LEGACOOP_IDP = "Account Legacoop (Microsoft Entra ID)"
UMANA_IDP = "Account Umana Persone"


def _metadata(issuer: str) -> dict[str, Any]:
    return {"issuer": issuer, "authorization_endpoint": f"{issuer}/protocol/openid-connect/auth",
            "token_endpoint": f"{issuer}/protocol/openid-connect/token",
            "userinfo_endpoint": f"{issuer}/protocol/openid-connect/userinfo",
            "jwks_uri": f"{issuer}/protocol/openid-connect/certs", "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"], "id_token_signing_alg_values_supported": ["RS256"]}


async def load(nets: dict[str, Network], people: dict[str, Person]) -> None:
    """Legacoopsociali's provider (no automatic accounts), Umana Persone's (accounts into Coop21)."""
    now = datetime.now(UTC)
    legacoop = "https://login.legacoopsociali.example.org/realms/soci"
    await IdentityProvider.create(network=nets["legacoopsociali"], name=LEGACOOP_IDP, issuer=legacoop,
                                  client_id="federa", metadata=_metadata(legacoop), metadata_fetched_at=now)
    umana = "https://sso.umana-persone.example.org/realms/rete"
    coop21 = await Cooperative.get(legal_name="Coop21")
    provider = await IdentityProvider.create(
        network=nets["umana-persone"], name=UMANA_IDP, issuer=umana, client_id="federa-umana",
        metadata=_metadata(umana), metadata_fetched_at=now, auto_create=True, default_cooperative=coop21,
        allowed_domains=["umana-persone.example.org", "coop21.example.org"],
        cooperative_domains={"coop21.example.org": coop21.id})
    member = people["socio@coop21.example.org"]
    await ExternalIdentity.create(person=member, issuer=umana, subject="f3c1a2d4-socio", provider=provider,
                                  email=member.email, last_used_at=now)
