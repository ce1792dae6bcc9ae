"""Networks (the tenants), cooperatives, and the memberships between them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class NetworkKind(StrEnum):
    ASSOCIATION = "association"
    CONSORTIUM = "consortium"
    ENTERPRISE_NETWORK = "enterprise_network"


class CooperativeType(StrEnum):
    A = "A"
    B = "B"
    CONSORTIUM = "C"


class MembershipStatus(StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"
    REFUSED = "refused"


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    ENDED = "ended"


class Network(Model):
    """A network of cooperatives: the tenant."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=60, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=20, default=NetworkKind.ASSOCIATION.value)
    region = fields.CharField(max_length=60, default="")
    description = fields.TextField(default="")
    host = fields.CharField(max_length=253, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "network"

    def __str__(self) -> str:
        return self.name


class Partnership(Model):
    """An agreement between two networks: it is active once the partner accepts."""

    network_id: int
    partner_id: int
    id = fields.IntField(primary_key=True)
    network: fields.ForeignKeyRelation[Network] = fields.ForeignKeyField(
        "models.Network", related_name="partnerships_proposed", on_delete=fields.CASCADE
    )
    partner: fields.ForeignKeyRelation[Network] = fields.ForeignKeyField(
        "models.Network", related_name="partnerships_received", on_delete=fields.CASCADE
    )
    status = fields.CharField(max_length=10, default=PartnershipStatus.PROPOSED.value)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "partnership"
        unique_together = (("network", "partner"),)


class Cooperative(Model):
    """A member organisation, platform-wide, a member of one or more networks."""

    sector_rows: fields.ReverseRelation[CooperativeSector]
    services: fields.ReverseRelation[CooperativeService]
    id = fields.IntField(primary_key=True)
    legal_name = fields.CharField(max_length=200)
    coop_type = fields.CharField(max_length=1, default=CooperativeType.A.value)
    tax_code = fields.CharField(max_length=11, unique=True)
    province = fields.CharField(max_length=2)
    city = fields.CharField(max_length=100, default="")
    address = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, default="")
    phone = fields.CharField(max_length=40, default="")
    website = fields.CharField(max_length=300, default="")
    description = fields.TextField(default="")
    is_public = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cooperative"
        indexes = (("province",),)

    def __str__(self) -> str:
        return self.legal_name


class CooperativeSector(Model):
    """One sector a cooperative works in (a row each, so the directory can filter and count)."""

    cooperative_id: int
    id = fields.IntField(primary_key=True)
    cooperative: fields.ForeignKeyRelation[Cooperative] = fields.ForeignKeyField(
        "models.Cooperative", related_name="sector_rows", on_delete=fields.CASCADE
    )
    sector = fields.CharField(max_length=30)

    class Meta:
        table = "cooperative_sector"
        unique_together = (("cooperative", "sector"),)
        indexes = (("sector", "cooperative_id"),)


class CooperativeService(Model):
    """An entry of the cooperative's services catalogue: what, for whom, how to reach it."""

    cooperative_id: int
    id = fields.IntField(primary_key=True)
    cooperative: fields.ForeignKeyRelation[Cooperative] = fields.ForeignKeyField(
        "models.Cooperative", related_name="services", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    audience = fields.CharField(max_length=300, default="")
    access = fields.TextField(default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "cooperative_service"
        ordering = ["position", "id"]


class Membership(Model):
    """A cooperative's membership in a network, with its own status."""

    network_id: int
    cooperative_id: int
    id = fields.IntField(primary_key=True)
    network: fields.ForeignKeyRelation[Network] = fields.ForeignKeyField(
        "models.Network", related_name="memberships", on_delete=fields.CASCADE
    )
    cooperative: fields.ForeignKeyRelation[Cooperative] = fields.ForeignKeyField(
        "models.Cooperative", related_name="memberships", on_delete=fields.CASCADE
    )
    status = fields.CharField(max_length=10, default=MembershipStatus.REQUESTED.value)
    requested_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "membership"
        unique_together = (("network", "cooperative"),)
        indexes = (("network_id", "status"),)


class MembershipChange(Model):
    """The history of a membership: every change of status, who made it and why."""

    network_id: int
    membership_id: int
    actor_id: int | None
    id = fields.IntField(primary_key=True)
    network: fields.ForeignKeyRelation[Network] = fields.ForeignKeyField(
        "models.Network", related_name="membership_changes", on_delete=fields.CASCADE
    )
    membership: fields.ForeignKeyRelation[Membership] = fields.ForeignKeyField(
        "models.Membership", related_name="changes", on_delete=fields.CASCADE
    )
    from_status = fields.CharField(max_length=10, null=True)
    to_status = fields.CharField(max_length=10)
    actor: Any = fields.ForeignKeyField(
        "models.Person", related_name="membership_changes", null=True, on_delete=fields.SET_NULL
    )
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "membership_change"
        indexes = (("network_id", "membership_id"),)


class ImportJob(Model):
    """A directory import: parsed rows waiting for confirmation, then applied all at once."""

    network_id: int
    created_by_id: int | None
    id = fields.IntField(primary_key=True)
    network: fields.ForeignKeyRelation[Network] = fields.ForeignKeyField(
        "models.Network", related_name="imports", on_delete=fields.CASCADE
    )
    created_by: Any = fields.ForeignKeyField(
        "models.Person", related_name="imports", null=True, on_delete=fields.SET_NULL
    )
    filename = fields.CharField(max_length=200)
    rows: Any = fields.JSONField(default=list)
    errors: Any = fields.JSONField(default=list)
    status = fields.CharField(max_length=12, default="preview")
    total = fields.IntField(default=0)
    done = fields.IntField(default=0)
    message = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "import_job"
        indexes = (("network_id", "created_at"),)
