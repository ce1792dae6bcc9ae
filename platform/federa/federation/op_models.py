"""Federa as an OpenID provider: signing keys, registered clients, codes, tokens and consents."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class SigningKey(Model):
    """An RS256 key pair for id_tokens, the private half encrypted with a key derived from the app's secret."""

    id = fields.IntField(primary_key=True)
    kid = fields.CharField(max_length=64, unique=True)
    alg = fields.CharField(max_length=10, default="RS256")
    private_jwk = fields.TextField()  # AES-GCM nonce + ciphertext of the private JWK, base64
    public_jwk: Any = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "op_signing_key"


class OAuthClient(Model):
    """An application that signs people in with Federa: a network's tool, or a platform-wide one."""

    network_id: int | None
    created_by_id: int | None
    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="oauth_clients", null=True,
                                          on_delete=fields.CASCADE)
    client_id = fields.CharField(max_length=64, unique=True)
    secret_hash = fields.CharField(max_length=64)  # SHA-256 of a 256-bit random secret, shown once
    name = fields.CharField(max_length=100)
    redirect_uris: Any = fields.JSONField(default=list)
    post_logout_redirect_uris: Any = fields.JSONField(default=list)
    scopes = fields.CharField(max_length=200, default="openid profile email")
    created_by: Any = fields.ForeignKeyField("models.Person", related_name="oauth_clients_created", null=True,
                                             on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    secret_rotated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "op_client"
        indexes = (("network_id", "name"),)


class AuthorizationCode(Model):
    """A single-use authorization code (stored hashed), bound to its client, redirect URI and PKCE challenge."""

    client_id: int
    person_id: int
    id = fields.IntField(primary_key=True)
    client: Any = fields.ForeignKeyField("models.OAuthClient", related_name="codes", on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="oauth_codes", on_delete=fields.CASCADE)
    code_hash = fields.CharField(max_length=64, unique=True)
    subject = fields.CharField(max_length=64)
    redirect_uri = fields.CharField(max_length=500)
    scope = fields.CharField(max_length=200)
    nonce = fields.CharField(max_length=255, null=True)
    code_challenge = fields.CharField(max_length=128)
    code_challenge_method = fields.CharField(max_length=10, default="S256")
    auth_time = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "op_authorization_code"


class OAuthToken(Model):
    """An access token and its refresh token (both hashed). A refresh makes a new row of the same family."""

    client_id: int
    person_id: int
    code_id: int | None
    id = fields.IntField(primary_key=True)
    client: Any = fields.ForeignKeyField("models.OAuthClient", related_name="tokens", on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="oauth_tokens", on_delete=fields.CASCADE)
    code: Any = fields.ForeignKeyField("models.AuthorizationCode", related_name="tokens", null=True,
                                       on_delete=fields.SET_NULL)
    family = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64)
    access_hash = fields.CharField(max_length=64, unique=True)
    refresh_hash = fields.CharField(max_length=64, unique=True, null=True)
    scope = fields.CharField(max_length=200)
    auth_time = fields.DatetimeField()
    issued_at = fields.DatetimeField()
    access_expires_at = fields.DatetimeField()
    refresh_expires_at = fields.DatetimeField(null=True)
    refreshed_at = fields.DatetimeField(null=True)  # its refresh token was used (rotated)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "op_token"
        indexes = (("family",), ("person_id", "client_id"))


class Subject(Model):
    """The stable, opaque `sub` a person has towards every client."""

    person_id: int
    id = fields.IntField(primary_key=True)
    person: Any = fields.OneToOneField("models.Person", related_name="oidc_subject", on_delete=fields.CASCADE)
    sub = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "op_subject"


class Consent(Model):
    """What a person allowed a client to know: asked once, remembered, revocable from the profile."""

    person_id: int
    client_id: int
    id = fields.IntField(primary_key=True)
    person: Any = fields.ForeignKeyField("models.Person", related_name="oauth_consents", on_delete=fields.CASCADE)
    client: Any = fields.ForeignKeyField("models.OAuthClient", related_name="consents", on_delete=fields.CASCADE)
    scopes = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "op_consent"
        unique_together = (("person", "client"),)
