"""The search index: one row per searchable object and network, with who may see it."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class SearchEntry(Model):
    """What search finds: text, facets, a link, and the access tokens of the people who may see it.

    PostgreSQL adds a generated tsvector and a text array of the tokens (migration 0005), SQLite an FTS5
    table over the stemmed copies kept here.
    """

    network_id: int
    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="search_entries",
                                          on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)
    object_id = fields.IntField()
    title = fields.CharField(max_length=300)
    body = fields.TextField(default="")
    # the page of the object inside its network, e.g. "/events/12" (the network's slug goes in front)
    path = fields.CharField(max_length=300)
    # ",minori,anziani," so that one LIKE filters by sector on every database
    sectors = fields.CharField(max_length=300, default="")
    language = fields.CharField(max_length=8, default="it")
    date = fields.DatetimeField(null=True)
    # " pub net:3 grp:7 ": who may see it (search/tokens.py); space-delimited on both sides
    tokens = fields.TextField(default="")
    # offered to the partner networks' search too (audience partners or public)
    shared = fields.BooleanField(default=False)
    # stemmed, accent-folded copies for SQLite's FTS5 index (empty on PostgreSQL, which stems itself)
    title_stem = fields.TextField(default="")
    body_stem = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "search_entry"
        unique_together = (("network", "kind", "object_id"),)
        indexes = (("network_id", "date"),)
