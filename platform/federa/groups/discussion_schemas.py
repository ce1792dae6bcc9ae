"""Input and output shapes for discussions; the forms and the JSON API validate with the same ones."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from federa.web.i18n import gettext as _

MAX_BODY = 20_000


def _one_line(value: str) -> str:
    """A thread's title is an e-mail subject: a line break there would break the message."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(_("Write the title on one line, without special characters."))
    return value


def _has_text(value: str) -> str:
    if not value.strip():
        raise ValueError(_("This field is required."))
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Body = Annotated[str, Field(min_length=1, max_length=MAX_BODY), AfterValidator(_has_text)]
Mode = Literal["each", "digest", "none"]


class ThreadIn(Strict):
    title: Annotated[str, Field(min_length=3, max_length=200), AfterValidator(_one_line)]
    body: Body


class PostIn(Strict):
    body: Body


class ThreadPatch(Strict):
    """Moderation: pin or unpin, lock or unlock (fields left out stay as they are)."""

    pinned: bool | None = None
    locked: bool | None = None


class PreferenceIn(Strict):
    mode: Mode


class DiscussionPageQuery(Strict):
    page: Annotated[int, Field(ge=1, le=10_000)] = 1


class PostAuthorOut(BaseModel):
    id: int
    name: str


class ThreadOut(BaseModel):
    id: int
    group_id: int
    title: str
    author: PostAuthorOut | None
    created_at: datetime
    last_post_at: datetime
    post_count: int
    pinned: bool
    locked: bool


class ThreadPage(BaseModel):
    items: list[ThreadOut]
    total: int
    page: int
    per_page: int


class PostOut(BaseModel):
    id: int
    thread_id: int
    author: PostAuthorOut | None
    body: str | None = Field(description="The Markdown source; null once the post is removed.")
    body_html: str | None = Field(description="Sanitized HTML; null once the post is removed.")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class PostPage(BaseModel):
    items: list[PostOut]
    total: int
    page: int
    per_page: int


class ThreadDetailOut(ThreadOut):
    can_post: bool
    can_moderate: bool
