"""The audit log: who changed what, when, and in which network."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField(
        "models.Network", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    actor: Any = fields.ForeignKeyField(
        "models.Person", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=60)
    object_type = fields.CharField(max_length=40, default="")
    object_id = fields.CharField(max_length=40, default="")
    data: Any = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        indexes = (("network_id", "created_at"),)
