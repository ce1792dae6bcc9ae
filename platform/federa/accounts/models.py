"""People and what they may do: accounts, affiliations, roles, sessions, tokens."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Locale(StrEnum):
    IT = "it"
    EN = "en"


class AffiliationRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class AffiliationStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"


class NetworkRoleName(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 -- a purpose name, not a secret


class Person(Model):
    """One account across every network, e-mail stored lower-cased and unique."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    locale = fields.CharField(max_length=5, default=Locale.IT.value)
    password_hash = fields.CharField(max_length=200, null=True)
    email_verified_at = fields.DatetimeField(null=True)
    is_platform_admin = fields.BooleanField(default=False)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "person"

    def __str__(self) -> str:
        return self.name


class Affiliation(Model):
    """A person working in a cooperative, as its admin or as a member."""

    person_id: int
    cooperative_id: int
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="affiliations", on_delete=fields.CASCADE
    )
    cooperative: Any = fields.ForeignKeyField(
        "models.Cooperative", related_name="affiliations", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=10, default=AffiliationRole.MEMBER.value)
    status = fields.CharField(max_length=10, default=AffiliationStatus.ACTIVE.value)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "affiliation"
        unique_together = (("cooperative", "person"),)


class NetworkRole(Model):
    """A person's role in a network: admin or coordinator."""

    network_id: int
    person_id: int
    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="roles", on_delete=fields.CASCADE)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="network_roles", on_delete=fields.CASCADE
    )
    role = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "network_role"
        unique_together = (("network", "person", "role"),)


class Invitation(Model):
    """An e-mail invitation to join a cooperative (optionally as its admin)."""

    cooperative_id: int
    network_id: int | None
    invited_by_id: int | None
    id = fields.IntField(primary_key=True)
    cooperative: Any = fields.ForeignKeyField(
        "models.Cooperative", related_name="invitations", on_delete=fields.CASCADE
    )
    network: Any = fields.ForeignKeyField(
        "models.Network", related_name="invitations", null=True, on_delete=fields.SET_NULL
    )
    email = fields.CharField(max_length=254)
    role = fields.CharField(max_length=10, default=AffiliationRole.MEMBER.value)
    token_hash = fields.CharField(max_length=64, unique=True)
    invited_by: Any = fields.ForeignKeyField(
        "models.Person", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"


class EmailToken(Model):
    """A single-use token sent by e-mail (verification, password reset), stored hashed."""

    person_id: int
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="email_tokens", on_delete=fields.CASCADE
    )
    purpose = fields.CharField(max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "email_token"


class WebSession(Model):
    """Server-side half of a browser session, so sign-out and disabling really end it."""

    person_id: int
    id = fields.IntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "web_session"


class ApiToken(Model):
    """A personal access token for the JSON API: only its SHA-256 is stored."""

    person_id: int
    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class LoginFailure(Model):
    """One failed sign-in, counted per account for throttling."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254)
    ip = fields.CharField(max_length=45, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "login_failure"
        indexes = (("email", "created_at"),)
