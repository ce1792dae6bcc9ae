"""Changes to a network's identity providers: add, edit, enable or disable, delete, refresh their metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.audit.log import record
from federa.errors import Invalid
from federa.federation import secrets
from federa.federation.discovery import FetchError, FetchPolicy, discover, fetch_jwks
from federa.federation.rp_models import IdentityProvider
from federa.federation.rp_queries import access_provider
from federa.federation.rp_schemas import ProviderIn
from federa.networks.access import Access
from federa.networks.models import Cooperative, Membership, Network
from federa.web.i18n import gettext as _

METADATA_MAX_AGE = timedelta(hours=24)


async def _cooperative_ids(network: Network, data: ProviderIn) -> dict[str, int]:
    """The domain mapping with cooperatives of this network in place of tax codes (or Invalid)."""
    if data.default_cooperative_id is not None and not await Membership.exists(
            network_id=network.id, cooperative_id=data.default_cooperative_id):
        raise Invalid.field("default_cooperative_id", _("Choose a cooperative of the network."))
    codes = set(data.cooperative_domains.values())
    found = dict(await Cooperative.filter(tax_code__in=list(codes), memberships__network_id=network.id)
                 .values_list("tax_code", "id")) if codes else {}
    missing = sorted(codes - set(found))
    if missing:
        raise Invalid.field("cooperative_domains", _("No cooperative of the network has the tax code %(code)s.",
                                                     code=missing[0]))
    return {domain: int(found[code]) for domain, code in data.cooperative_domains.items()}  # type: ignore[call-overload]


async def _fetch(issuer: str, policy: FetchPolicy) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checked discovery document and key set, or Invalid on the issuer field."""
    try:
        metadata = await discover(issuer, policy)
        return metadata, await fetch_jwks(metadata["jwks_uri"], policy)
    except FetchError as exc:
        raise Invalid.field("issuer", str(exc)) from exc


def _columns(data: ProviderIn, domains: dict[str, int]) -> dict[str, Any]:
    return {"name": data.name, "issuer": data.issuer, "client_id": data.client_id, "scopes": data.scopes,
            "email_claim": data.email_claim, "name_claim": data.name_claim,
            "cooperative_claim": data.cooperative_claim, "allowed_domains": data.allowed_domains,
            "cooperative_domains": domains, "auto_create": data.auto_create,
            "default_cooperative_id": data.default_cooperative_id}


async def save_provider(access: Access, provider_id: int | None, data: ProviderIn, *, secret_key: str,
                        policy: FetchPolicy) -> IdentityProvider:
    """Add or edit a provider; it is saved only if its discovery document and keys check out."""
    access.require_admin()
    network = access.network
    provider = await access_provider(network, provider_id) if provider_id is not None else None
    domains = await _cooperative_ids(network, data)
    metadata, jwks = await _fetch(data.issuer, policy)
    now = datetime.now(UTC)
    columns = _columns(data, domains) | {"metadata": metadata, "metadata_fetched_at": now, "jwks": jwks,
                                         "jwks_fetched_at": now}
    if data.client_secret or provider is None:  # a blank secret on the edit form keeps the stored one
        columns["client_secret_sealed"] = secrets.seal(secret_key, data.client_secret)
    try:
        async with in_transaction():
            if provider is None:
                provider = await IdentityProvider.create(network_id=network.id, **columns)
                await record("identity_provider.created", actor=access.person, network=network, obj=provider,
                             issuer=data.issuer)
            else:
                await IdentityProvider.filter(id=provider.id).update(**columns)
                await record("identity_provider.updated", actor=access.person, network=network, obj=provider,
                             issuer=data.issuer)
    except IntegrityError as exc:
        raise Invalid.field("name", _("Another provider of the network has this name.")) from exc
    return await IdentityProvider.get(id=provider.id)


async def set_enabled(access: Access, provider_id: int, enabled: bool) -> IdentityProvider:
    """Offer the provider on the sign-in page again, or stop offering it (linked identities stay)."""
    access.require_admin()
    provider = await access_provider(access.network, provider_id)
    async with in_transaction():
        await IdentityProvider.filter(id=provider.id).update(enabled=enabled)
        await record("identity_provider.enabled" if enabled else "identity_provider.disabled",
                     actor=access.person, network=access.network, obj=provider)
    provider.enabled = enabled
    return provider


async def delete_provider(access: Access, provider_id: int) -> None:
    """Remove a provider; identities linked through it keep working wherever their issuer is configured."""
    access.require_admin()
    provider = await access_provider(access.network, provider_id)
    async with in_transaction():
        await record("identity_provider.deleted", actor=access.person, network=access.network, obj=provider,
                     issuer=provider.issuer)
        await provider.delete()


async def refresh_metadata(provider: IdentityProvider, policy: FetchPolicy) -> None:
    """Fetch the discovery document again when the cached one is a day old (a cache: no audit row)."""
    fetched = provider.metadata_fetched_at
    if provider.metadata and fetched is not None and datetime.now(UTC) - fetched < METADATA_MAX_AGE:
        return
    provider.metadata = await discover(provider.issuer, policy)
    provider.metadata_fetched_at = datetime.now(UTC)
    await IdentityProvider.filter(id=provider.id).update(metadata=provider.metadata,
                                                         metadata_fetched_at=provider.metadata_fetched_at)


async def refresh_jwks(provider: IdentityProvider, policy: FetchPolicy) -> None:
    """Fetch the provider's keys again (a token signed with an unknown kid: the keys may have rotated)."""
    provider.jwks = await fetch_jwks(provider.metadata["jwks_uri"], policy)
    provider.jwks_fetched_at = datetime.now(UTC)
    await IdentityProvider.filter(id=provider.id).update(jwks=provider.jwks, jwks_fetched_at=provider.jwks_fetched_at)
