"""The knowledge library: articles (Markdown, every edit kept) and documents (uploaded files)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ItemKind(StrEnum):
    ARTICLE = "article"
    DOCUMENT = "document"


class Visibility(StrEnum):
    GROUP = "group"          # members of one working group
    NETWORK = "network"      # members of the network
    PARTNERS = "partners"    # members of the network and of its active partner networks
    PUBLIC = "public"        # anyone, signed in or not


class LibraryItem(Model):
    """An article or a document of a network's library, with its audience."""

    network_id: int
    author_id: int | None
    author_cooperative_id: int | None
    group_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="library_items", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=10)
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    body = fields.TextField(default="")        # articles: Markdown as written
    body_html = fields.TextField(default="")   # articles: sanitised when saved, shown with |safe
    # ",minori,anziani," so that one LIKE filters by sector (and tag) on every database
    sectors = fields.CharField(max_length=300, default="")
    tags = fields.CharField(max_length=500, default="")
    language = fields.CharField(max_length=2, default="it")
    visibility = fields.CharField(max_length=10, default=Visibility.NETWORK.value)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="library_items", null=True,
                                        on_delete=fields.SET_NULL)
    author: Any = fields.ForeignKeyField("models.Person", related_name="library_items", null=True,
                                         on_delete=fields.SET_NULL)
    author_cooperative: Any = fields.ForeignKeyField("models.Cooperative", related_name="library_items",
                                                     null=True, on_delete=fields.SET_NULL)
    useful_count = fields.IntField(default=0, db_default=0)
    comment_count = fields.IntField(default=0, db_default=0)
    # documents: the file is in the storage under a generated key; the original name is for display only
    storage_key = fields.CharField(max_length=64, null=True)
    filename = fields.CharField(max_length=200, default="")
    content_type = fields.CharField(max_length=100, default="")
    size = fields.IntField(default=0)
    sha256 = fields.CharField(max_length=64, default="")
    extracted_text = fields.TextField(default="")  # for search, as much as could be read
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "library_item"
        indexes = (("network_id", "created_at"), ("network_id", "useful_count"),
                   ("network_id", "visibility", "created_at"))


class ArticleRevision(Model):
    """One saved version of an article: every edit adds one, none is ever changed."""

    network_id: int
    item_id: int
    editor_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="article_revisions",
                                          on_delete=fields.CASCADE)
    item: Any = fields.ForeignKeyField("models.LibraryItem", related_name="revisions", on_delete=fields.CASCADE)
    number = fields.IntField()
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    body = fields.TextField(default="")
    editor: Any = fields.ForeignKeyField("models.Person", related_name="article_revisions", null=True,
                                         on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "article_revision"
        unique_together = (("item", "number"),)
        indexes = (("network_id", "item_id", "number"),)


class ItemComment(Model):
    """A comment on a library item, in sanitised Markdown."""

    network_id: int
    item_id: int
    author_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="library_comments",
                                          on_delete=fields.CASCADE)
    item: Any = fields.ForeignKeyField("models.LibraryItem", related_name="comments", on_delete=fields.CASCADE)
    author: Any = fields.ForeignKeyField("models.Person", related_name="library_comments", null=True,
                                         on_delete=fields.SET_NULL)
    body = fields.TextField()
    body_html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "library_comment"
        indexes = (("network_id", "item_id", "created_at"),)


class UsefulMark(Model):
    """A person found an item useful: at most one mark each (the unique key holds under concurrency)."""

    network_id: int
    item_id: int
    person_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="useful_marks", on_delete=fields.CASCADE)
    item: Any = fields.ForeignKeyField("models.LibraryItem", related_name="useful_marks", on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="useful_marks", on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "useful_mark"
        unique_together = (("item", "person"),)
        indexes = (("network_id", "person_id"),)
