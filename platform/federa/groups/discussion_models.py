"""Discussions of a working group: threads, posts, each member's notification choice, digests sent."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class NoticeMode(StrEnum):
    EACH = "each"      # an e-mail for every new thread and reply
    DIGEST = "digest"  # one e-mail a day with what was new
    NONE = "none"      # no e-mail: the member reads on the site


# A daily digest keeps members informed without filling their inbox: a busy group writes dozens of
# replies a day, and people who want every post choose it in one click.
DEFAULT_MODE = NoticeMode.DIGEST


class Thread(Model):
    """A discussion thread of a working group: a title and its posts, the first one opening it."""

    network_id: int
    group_id: int
    author_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="discussion_threads",
                                          on_delete=fields.CASCADE)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="threads", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    author: Any = fields.ForeignKeyField("models.Person", related_name="threads_started", null=True,
                                         on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_post_at = fields.DatetimeField()
    # kept by the services with the post rows, so the list needs no COUNT per thread
    post_count = fields.IntField(default=0)
    pinned = fields.BooleanField(default=False)
    locked = fields.BooleanField(default=False)

    class Meta:
        table = "discussion_thread"
        indexes = (("network_id", "group_id", "last_post_at"), ("network_id", "group_id", "pinned", "last_post_at"))


class Post(Model):
    """One post of a thread, in Markdown, with body_html sanitized when saved. A deleted post keeps its place."""

    network_id: int
    thread_id: int
    author_id: int | None
    deleted_by_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="discussion_posts",
                                          on_delete=fields.CASCADE)
    thread: Any = fields.ForeignKeyField("models.Thread", related_name="posts", on_delete=fields.CASCADE)
    author: Any = fields.ForeignKeyField("models.Person", related_name="discussion_posts", null=True,
                                         on_delete=fields.SET_NULL)
    body = fields.TextField(default="")
    body_html = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    edited_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    deleted_by: Any = fields.ForeignKeyField("models.Person", related_name="discussion_posts_deleted", null=True,
                                             on_delete=fields.SET_NULL)
    # when the e-mails to members who want each post were queued (null: still to do, the sweep's marker)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "discussion_post"
        indexes = (("network_id", "thread_id", "created_at"), ("network_id", "created_at"),
                   ("network_id", "notified_at", "created_at"))


class DiscussionPreference(Model):
    """How a group member wants to hear of new posts (no row: DEFAULT_MODE)."""

    network_id: int
    group_id: int
    person_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="discussion_preferences",
                                          on_delete=fields.CASCADE)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="discussion_preferences",
                                        on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="discussion_preferences",
                                         on_delete=fields.CASCADE)
    mode = fields.CharField(max_length=8, default=DEFAULT_MODE.value)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "discussion_preference"
        unique_together = (("group", "person"),)
        indexes = (("network_id", "group_id", "mode"), ("network_id", "person_id"))


class DigestSent(Model):
    """A daily digest already queued for one person, network and day: the unique key makes it once."""

    network_id: int
    person_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="discussion_digests",
                                          on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="discussion_digests",
                                         on_delete=fields.CASCADE)
    day = fields.DateField()
    sent_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "discussion_digest_sent"
        unique_together = (("network", "person", "day"),)
        indexes = (("network_id", "day"),)
