"""The outbox: every message is a row written in the same transaction as the change."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField(
        "models.Network", related_name="outbox", null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharField(max_length=40)
    recipient = fields.CharField(max_length=254)
    locale = fields.CharField(max_length=5, default="it")
    context: Any = fields.JSONField(default=dict)
    status = fields.CharField(max_length=10, default=OutboxStatus.QUEUED.value)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    available_at = fields.DatetimeField()
    claimed_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "available_at"),)
