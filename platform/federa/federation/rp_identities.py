"""What a verified identity from a provider leads to: signing a person in, linking, or creating an account.

An identity is (issuer, subject). An e-mail address alone never signs anyone in: an existing account is linked
only after its owner confirms (password) or from the profile while signed in (ASVS 6.8.1, 10.5.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.accounts.models import Affiliation, AffiliationRole, AffiliationStatus, Person
from federa.audit.log import record
from federa.errors import Conflict, NotFound
from federa.federation.rp_models import ExternalIdentity, IdentityProvider
from federa.networks.models import Cooperative
from federa.web.i18n import gettext as _


@dataclass(frozen=True)
class Verified:
    """What the provider vouched for, after every check of the flow."""

    issuer: str
    subject: str
    email: str          # lower-cased, '' if the provider gave none
    email_verified: bool
    name: str
    claims: dict[str, Any]


@dataclass(frozen=True)
class SignedIn:
    person: Person
    created: bool = False


@dataclass(frozen=True)
class NeedsConfirmation:
    """An account has the provider's verified e-mail: its owner must confirm before the identity is linked."""

    person: Person


@dataclass(frozen=True)
class Refused:
    message: str


Outcome = SignedIn | NeedsConfirmation | Refused


def verified_identity(provider: IdentityProvider, claims: dict[str, Any]) -> Verified:
    """The identity and the mapped claims (e-mail, name) of a checked id_token + userinfo."""
    email = claims.get(provider.email_claim)
    email = email.strip().lower() if isinstance(email, str) and "@" in email and len(email) <= 254 else ""
    name = claims.get(provider.name_claim)
    name = name.strip()[:200] if isinstance(name, str) and name.strip() else email.split("@")[0]
    verified = claims.get("email_verified") in (True, "true")
    return Verified(issuer=provider.issuer, subject=str(claims["sub"]), email=email, email_verified=verified,
                    name=name, claims=claims)


async def resolve(provider: IdentityProvider, who: Verified) -> Outcome:
    """Sign in the linked person; else ask an existing account to confirm; else create one if allowed."""
    identity = await ExternalIdentity.get_or_none(issuer=who.issuer, subject=who.subject).select_related("person")
    if identity is not None:
        if not identity.person.is_active:
            return Refused(_("This account is disabled."))
        await ExternalIdentity.filter(id=identity.id).update(last_used_at=datetime.now(UTC))
        return SignedIn(identity.person)
    existing = await Person.get_or_none(email=who.email) if who.email else None
    if existing is not None:
        if who.email_verified and existing.is_active:
            return NeedsConfirmation(existing)
        return Refused(_("An account with this e-mail address exists already. Sign in to it with your password, "
                         "then link this identity from your profile."))
    return await _create(provider, who)


def _domain_allowed(provider: IdentityProvider, email: str) -> bool:
    return not provider.allowed_domains or email.rpartition("@")[2] in provider.allowed_domains


async def _cooperative_for(provider: IdentityProvider, who: Verified) -> Cooperative | None:
    """The cooperative named by the provider's claim, else by the e-mail domain, else the default one."""
    in_network = Cooperative.filter(memberships__network_id=provider.network_id)
    if provider.cooperative_claim:
        code = who.claims.get(provider.cooperative_claim)
        if isinstance(code, str) and code.strip():
            coop = await in_network.filter(tax_code=code.strip().upper()).first()
            if coop is not None:
                return coop
    coop_id = provider.cooperative_domains.get(who.email.rpartition("@")[2]) or provider.default_cooperative_id
    if coop_id is None:
        return None
    return await in_network.filter(id=coop_id).first()


async def _create(provider: IdentityProvider, who: Verified) -> Outcome:
    if not provider.auto_create:
        return Refused(_("No Federa account is linked to this identity. Sign in another way and link it from "
                         "your profile, or ask the network's administrators."))
    if not who.email or not who.email_verified:
        return Refused(_("The identity provider did not confirm an e-mail address: Federa cannot create an "
                         "account for you."))
    if not _domain_allowed(provider, who.email):
        return Refused(_("Accounts for %(domain)s addresses are not created automatically here.",
                         domain=who.email.rpartition("@")[2]))
    coop = await _cooperative_for(provider, who)
    if coop is None:
        return Refused(_("Federa could not tell which cooperative you work in. Ask the network's "
                         "administrators to add you."))
    try:
        async with in_transaction():
            person = await Person.create(email=who.email, name=who.name, password_hash=None,
                                         email_verified_at=datetime.now(UTC))
            await ExternalIdentity.create(person=person, issuer=who.issuer, subject=who.subject,
                                          provider_id=provider.id, email=who.email, last_used_at=datetime.now(UTC))
            await Affiliation.create(person=person, cooperative=coop, role=AffiliationRole.MEMBER.value,
                                     status=AffiliationStatus.ACTIVE.value)
            await record("person.created_by_provider", actor=person, network=provider.network_id, obj=person,
                         issuer=who.issuer, cooperative_id=coop.id)
    except IntegrityError:  # the same person signing in twice at once: the other attempt created them
        return Refused(_("Your account was just created by another sign-in. Please sign in again."))
    return SignedIn(person, created=True)


async def link(person: Person, provider: IdentityProvider, who: Verified, *, how: str) -> ExternalIdentity:
    """Link the identity to the person (Conflict if it belongs to someone else already)."""
    current = await ExternalIdentity.get_or_none(issuer=who.issuer, subject=who.subject)
    if current is not None:
        if current.person_id != person.id:
            raise Conflict(_("This identity is linked to another Federa account."))
        return current
    try:
        async with in_transaction():
            identity = await ExternalIdentity.create(person=person, issuer=who.issuer, subject=who.subject,
                                                     provider_id=provider.id, email=who.email,
                                                     last_used_at=datetime.now(UTC))
            await record("identity.linked", actor=person, network=provider.network_id, obj=identity,
                         issuer=who.issuer, how=how)
    except IntegrityError as exc:
        raise Conflict(_("This identity is linked to another Federa account.")) from exc
    return identity


async def unlink(person: Person, identity_id: int) -> None:
    """Remove a linked identity, unless it is the person's only way to sign in."""
    async with in_transaction():
        identity = await ExternalIdentity.get_or_none(id=identity_id, person_id=person.id)
        if identity is None:
            raise NotFound(_("No such linked identity."))
        fresh = await Person.get(id=person.id)
        others = await ExternalIdentity.filter(person_id=person.id).exclude(id=identity.id).count()
        if fresh.password_hash is None and others == 0:
            raise Conflict(_("This is your only way to sign in. Choose a password first (with \"Forgot your "
                             "password?\"), then unlink it."))
        await identity.delete()
        await record("identity.unlinked", actor=person, obj=person, issuer=identity.issuer)
