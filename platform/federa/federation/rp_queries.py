"""Reads about identity providers and the identities linked to people."""

from __future__ import annotations

from federa.accounts.models import Person
from federa.accounts.queries import my_networks
from federa.errors import NotFound
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from federa.networks.models import Cooperative, Membership, Network
from federa.web.i18n import gettext as _


async def access_provider(network: Network, provider_id: int, *, enabled_only: bool = False) -> IdentityProvider:
    """The network's provider, or NotFound (also when it belongs to another network)."""
    query = IdentityProvider.filter(id=provider_id, network_id=network.id)
    if enabled_only:
        query = query.filter(enabled=True)
    provider = await query.first()
    if provider is None:
        raise NotFound(_("No such sign-in provider."))
    return provider


async def list_providers(network: Network) -> list[IdentityProvider]:
    """Every provider of the network, for its admins (with the default cooperative, in one query)."""
    return await IdentityProvider.filter(network_id=network.id).select_related("default_cooperative").order_by(
        "name")


async def sign_in_providers(network: Network) -> list[IdentityProvider]:
    """The providers a visitor of the network may sign in with."""
    return await IdentityProvider.filter(network_id=network.id, enabled=True).order_by("name")


async def network_cooperatives(network: Network) -> list[Cooperative]:
    """The cooperatives with a membership in the network, for the provider form's choices."""
    ids = Membership.filter(network_id=network.id).values_list("cooperative_id", flat=True)
    return await Cooperative.filter(id__in=await ids).order_by("legal_name")


async def identities_of(person: Person) -> list[ExternalIdentity]:
    """The identities linked to a person, with the provider (and its network) they came through."""
    return await ExternalIdentity.filter(person_id=person.id).select_related(
        "provider", "provider__network").order_by("created_at")


async def linkable_providers(person: Person) -> list[IdentityProvider]:
    """Enabled providers of the networks the person belongs to (through a role or a cooperative)."""
    slugs = [n.slug for n in await my_networks(person)]
    if not slugs:
        return []
    return await IdentityProvider.filter(network__slug__in=slugs, enabled=True).select_related(
        "network").order_by("network__name", "name")
