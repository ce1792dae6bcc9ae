"""Input and output shapes of the library; forms and the API validate with the same ones."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from federa.networks.schemas import Sectors
from federa.web.i18n import gettext as _

Kind = Literal["article", "document"]
Language = Literal["it", "en"]
VisibilityIn = Literal["group", "network", "partners", "public"]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _one_line(value: str) -> str:
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(_("Write the title on one line, without special characters."))
    return value


def _check_tags(value: list[str]) -> list[str]:
    tags: list[str] = []
    for raw in value:
        tag = " ".join(raw.split()).lower()
        if not tag:
            continue
        if len(tag) > 40 or "," in tag or any(unicodedata.category(ch)[0] == "C" for ch in tag):
            raise ValueError(_("A tag has at most 40 characters, without commas."))
        if tag not in tags:
            tags.append(tag)
    return tags


def split_list(value: object) -> object:
    """"a, b" (a form field or a query parameter) as ["a", "b"]; lists pass through."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Title = Annotated[str, Field(min_length=3, max_length=200), AfterValidator(_one_line)]
Summary = Annotated[str, Field(max_length=1000)]
Body = Annotated[str, Field(min_length=1, max_length=100_000)]
Tags = Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=10), AfterValidator(_check_tags)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemMeta(Strict):
    """What every item has: title, summary, sectors, tags, language, audience, author cooperative."""

    title: Title
    summary: Summary = ""
    sectors: Sectors = Field(default_factory=list)
    tags: Tags = Field(default_factory=list)
    language: Language = "it"
    visibility: VisibilityIn = "network"
    group_id: Id | None = None
    author_cooperative_id: Id | None = None


class ArticleIn(ItemMeta):
    body: Body


class DocumentMetaIn(ItemMeta):
    """The fields of an uploaded document (the file comes beside them); sectors and tags may be "a,b"."""

    sectors: Annotated[Sectors, BeforeValidator(split_list, json_schema_input_type=str)] = Field(
        default_factory=list)
    tags: Annotated[Tags, BeforeValidator(split_list, json_schema_input_type=str)] = Field(default_factory=list)
    filename: Annotated[str, Field(min_length=1, max_length=255)] = "document"


class ItemPatch(Strict):
    """Only the fields sent change; `body` only for articles (a new revision is kept)."""

    title: Title | None = None
    summary: Summary | None = None
    body: Body | None = None
    sectors: Sectors | None = None
    tags: Tags | None = None
    language: Language | None = None
    visibility: VisibilityIn | None = None
    group_id: Id | None = None
    author_cooperative_id: Id | None = None


class LibraryQuery(BaseModel):
    """Filters of the library list (page and API): unknown keys are ignored."""

    q: Annotated[str, Field(max_length=100)] = ""
    kind: Kind | Literal[""] = ""
    sector: Annotated[str, Field(max_length=30)] = ""
    tag: Annotated[str, Field(max_length=60)] = ""
    language: Language | Literal[""] = ""
    group_id: Id | None = None
    order: Literal["recent", "useful"] = "recent"
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


class CommentIn(Strict):
    body: Annotated[str, Field(min_length=1, max_length=10_000)]


class ItemSummaryOut(BaseModel):
    id: int
    network: str          # the slug of the network the item belongs to (a partner's, for shared items)
    network_name: str
    kind: Kind
    title: str
    summary: str
    sectors: list[str]
    tags: list[str]
    language: str
    visibility: str
    group_id: int | None
    author_cooperative_id: int | None
    author_cooperative_name: str | None
    useful_count: int
    comment_count: int
    created_at: datetime
    updated_at: datetime


class LibraryPage(BaseModel):
    items: list[ItemSummaryOut]
    total: int
    page: int
    per_page: int


class DocumentOut(BaseModel):
    filename: str
    content_type: str
    size: int
    sha256: str
    download_url: str


class ItemOut(ItemSummaryOut):
    body: str
    body_html: str
    author_id: int | None
    author_name: str | None
    document: DocumentOut | None
    marked_useful: bool
    may_edit: bool


class RevisionOut(BaseModel):
    id: int
    number: int
    title: str
    summary: str
    body: str
    editor_id: int | None
    editor_name: str | None
    created_at: datetime


class CommentOut(BaseModel):
    id: int
    item_id: int
    author_id: int | None
    author_name: str | None
    body: str
    body_html: str
    created_at: datetime
    updated_at: datetime


class UsefulOut(BaseModel):
    item_id: int
    marked: bool
    useful_count: int
