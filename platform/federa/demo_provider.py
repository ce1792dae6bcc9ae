"""Demo data of the OpenID provider: a network's learning platform, a platform-wide archive, one consent."""

from __future__ import annotations

from federa.accounts.models import Person
from federa.federation import op_services
from federa.federation.op_schemas import ClientIn
from federa.networks.access import Access
from federa.networks.models import Network

LEARNING = "Piattaforma formazione Legacoopsociali"
ARCHIVE = "Archivio documenti Federa"


async def load(nets: dict[str, Network], people: dict[str, Person]) -> None:
    """Two registered applications (their secrets are not kept: rotate one to use it) and a consent."""
    await op_services.register_client(
        Access(person=None, network=nets["legacoopsociali"]),
        ClientIn(name=LEARNING, redirect_uris=["https://formazione.legacoopsociali.example.org/oidc/callback"],
                 post_logout_redirect_uris=["https://formazione.legacoopsociali.example.org/"],
                 scopes=["openid", "profile", "email", "networks"]),
        actor=people["amministratore@legacoopsociali.example.org"], operator=True)
    archive, _secret = await op_services.register_client(
        None, ClientIn(name=ARCHIVE, redirect_uris=["https://archivio.federa.example.org/callback"],
                       scopes=["openid", "profile", "email"]),
        actor=people["admin@federa.example.org"], operator=True)
    await op_services.remember_consent(people["socio@coop21.example.org"], archive, {"openid", "profile", "email"})

