"""A network's own OpenID Connect providers (Federa as relying party) and the identities they vouch for."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class IdentityProvider(Model):
    """An OpenID Connect provider a network's people may sign in with, checked against its discovery document."""

    network_id: int
    default_cooperative_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="identity_providers",
                                          on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    issuer = fields.CharField(max_length=500)
    client_id = fields.CharField(max_length=255)
    # Fernet token, key derived from the app's secret key (federation/secrets.py)
    client_secret_sealed = fields.TextField(default="")
    scopes = fields.CharField(max_length=300, default="openid email profile")
    email_claim = fields.CharField(max_length=100, default="email")
    name_claim = fields.CharField(max_length=100, default="name")
    cooperative_claim = fields.CharField(max_length=100, default="")  # its value is a tax code
    # e-mail domain to cooperative id, for people the provider does not name a cooperative for
    cooperative_domains: Any = fields.JSONField(default=dict)
    allowed_domains: Any = fields.JSONField(default=list)  # empty: any domain
    auto_create = fields.BooleanField(default=False)
    default_cooperative: Any = fields.ForeignKeyField("models.Cooperative", related_name="identity_providers",
                                                      null=True, on_delete=fields.SET_NULL)
    enabled = fields.BooleanField(default=True)
    metadata: Any = fields.JSONField(default=dict)
    metadata_fetched_at = fields.DatetimeField(null=True)
    jwks: Any = fields.JSONField(default=dict)
    jwks_fetched_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "identity_provider"
        unique_together = (("network", "name"),)
        indexes = (("network_id", "enabled"),)

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(Model):
    """A person's identity at a provider: the pair (issuer, subject), never an e-mail address."""

    person_id: int
    provider_id: int | None

    id = fields.IntField(primary_key=True)
    person: Any = fields.ForeignKeyField("models.Person", related_name="external_identities",
                                         on_delete=fields.CASCADE)
    issuer = fields.CharField(max_length=500)
    subject = fields.CharField(max_length=255)
    # the configuration it was linked through, for the profile page (the identity outlives it)
    provider: Any = fields.ForeignKeyField("models.IdentityProvider", related_name="identities", null=True,
                                           on_delete=fields.SET_NULL)
    email = fields.CharField(max_length=254, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "external_identity"
        unique_together = (("issuer", "subject"),)
        indexes = (("person_id",),)
