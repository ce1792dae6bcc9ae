"""Changes to the library: articles (each edit kept as a revision), documents (checked by content,
stored under a generated key), deletion. Comments and useful marks are in library/feedback.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from federa.audit.log import record
from federa.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from federa.groups.models import GroupMember, WorkingGroup
from federa.library import queries
from federa.library.extract import extract_text
from federa.library.models import ArticleRevision, ItemKind, LibraryItem, Visibility
from federa.library.schemas import ArticleIn, DocumentMetaIn, ItemMeta, ItemPatch
from federa.library.storage import Storage
from federa.library.uploads import check_upload
from federa.networks.access import Access
from federa.search import index
from federa.web.i18n import gettext as _
from federa.web.markdown import render_markdown

KIND = "library_item"  # the search index's name for library items


def require_member(access: Access) -> None:
    """Only members of the network add to its library."""
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    if not access.is_member:
        raise PermissionDenied(_("Only members of the network can add to its library."))


async def _author_cooperative(access: Access, cooperative_id: int | None) -> int | None:
    """One of the author's cooperatives here; when they have one only, it is the default."""
    mine = sorted(access.active_coops)
    if cooperative_id is None:
        if len(mine) > 1:
            raise Invalid.field("author_cooperative_id", _("Choose the cooperative you write for."))
        return mine[0] if mine else None
    if cooperative_id not in access.active_coops:
        raise Invalid.field("author_cooperative_id", _("Choose one of your cooperatives in this network."))
    return cooperative_id


async def _group(access: Access, visibility: str, group_id: int | None) -> int | None:
    """The working group of the item: required for the 'group' audience, and one the author belongs to."""
    if group_id is None:
        if visibility == Visibility.GROUP.value:
            raise Invalid.field("group_id", _("Choose the working group that may see it."))
        return None
    assert access.person is not None
    group = await WorkingGroup.get_or_none(id=group_id, network_id=access.network.id)
    if group is None or not await GroupMember.exists(group_id=group.id, person_id=access.person.id):
        raise Invalid.field("group_id", _("Choose one of your working groups in this network."))
    return group.id


async def _meta_fields(access: Access, meta: ItemMeta) -> dict[str, Any]:
    return {
        "title": meta.title, "summary": meta.summary, "language": meta.language, "visibility": meta.visibility,
        "sectors": _joined(meta.sectors), "tags": _joined(meta.tags),
        "group_id": await _group(access, meta.visibility, meta.group_id),
        "author_cooperative_id": await _author_cooperative(access, meta.author_cooperative_id),
    }


def _joined(values: list[str]) -> str:
    return "," + ",".join(values) + "," if values else ""


async def create_article(access: Access, data: ArticleIn) -> LibraryItem:
    """A member writes an article; its first revision is kept."""
    require_member(access)
    fields = await _meta_fields(access, data)
    async with in_transaction():
        item = await LibraryItem.create(network_id=access.network.id, kind=ItemKind.ARTICLE.value,
                                        author=access.person, body=data.body, body_html=render_markdown(data.body),
                                        **fields)
        await _keep_revision(item, access, 1)
        await record("library.article_created", actor=access.person, network=access.network, obj=item)
        await index.refresh(KIND, item.id)
    return item


async def _keep_revision(item: LibraryItem, access: Access, number: int) -> None:
    await ArticleRevision.create(network_id=item.network_id, item_id=item.id, number=number, title=item.title,
                                 summary=item.summary, body=item.body, editor=access.person)


async def create_document(access: Access, meta: DocumentMetaIn, data: bytes, *, storage: Storage,
                          limit: int) -> LibraryItem:
    """A member uploads a document: checked by content, its text kept for search; a refusal stores nothing."""
    require_member(access)
    checked = check_upload(data, meta.filename, limit=limit)
    fields = await _meta_fields(access, meta)
    text = await extract_text(data, checked)
    key = await storage.save(data)
    try:
        async with in_transaction():
            item = await LibraryItem.create(
                network_id=access.network.id, kind=ItemKind.DOCUMENT.value, author=access.person,
                storage_key=key, filename=checked.display_name, content_type=checked.type.content_type,
                size=checked.size, sha256=checked.sha256, extracted_text=text, **fields)
            await record("library.document_uploaded", actor=access.person, network=access.network, obj=item,
                         sha256=checked.sha256, size=checked.size)
            await index.refresh(KIND, item.id)
    except BaseException:
        with anyio.CancelScope(shield=True):  # the row is gone with the transaction: so goes the file
            await storage.delete(key)
        raise
    return item


async def editable_item(access: Access, item_id: int) -> LibraryItem:
    """The item, if this person may see it (404 otherwise) and change it (403 otherwise)."""
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    item = await queries.visible_item(access, item_id)
    if not queries.may_edit(item, access):
        raise PermissionDenied(_("Only the author, their cooperative's administrators and the network's "
                                 "coordinators can change this item."))
    return item


async def update_item(access: Access, item_id: int, patch: ItemPatch) -> LibraryItem:
    """Change an item's fields; an article's every edit is kept as a new revision."""
    item = await editable_item(access, item_id)
    if patch.body is not None and item.kind != ItemKind.ARTICLE.value:
        raise Invalid.field("body", _("Only articles have a text to edit."))
    # null for a field that cannot be empty (title, language...) leaves it as it is; ids may be set to null
    sent = {k: v for k, v in patch.model_dump(exclude_unset=True).items()
            if v is not None or k in ("group_id", "author_cooperative_id")}
    current = ItemMeta(title=item.title, summary=item.summary, sectors=queries.split(item.sectors),
                       tags=queries.split(item.tags), language=item.language,  # type: ignore[arg-type]
                       visibility=item.visibility, group_id=item.group_id,  # type: ignore[arg-type]
                       author_cooperative_id=item.author_cooperative_id)
    merged = current.model_copy(update={k: v for k, v in sent.items() if k != "body"})
    fields = await _edited_fields(access, item, merged, sent)
    if patch.body is not None:
        fields |= {"body": patch.body, "body_html": render_markdown(patch.body)}
    async with in_transaction():
        locked = await LibraryItem.filter(id=item.id).select_for_update().first()  # edits take turns
        if locked is None:
            raise NotFound(_("No such item in the library."))
        await LibraryItem.filter(id=item.id).update(**fields, updated_at=datetime.now(UTC))
        item = await LibraryItem.get(id=item.id)
        if item.kind == ItemKind.ARTICLE.value:
            await _next_revision(item, access)
        await record("library.item_updated", actor=access.person, network=access.network, obj=item,
                     fields=sorted(sent))
        await index.refresh(KIND, item.id)
    return item


async def _edited_fields(access: Access, item: LibraryItem, merged: ItemMeta, sent: dict) -> dict[str, Any]:
    """The columns to write; the author cooperative and the group are checked only when they change."""
    fields: dict[str, Any] = {"title": merged.title, "summary": merged.summary, "language": merged.language,
                              "visibility": merged.visibility, "sectors": _joined(merged.sectors),
                              "tags": _joined(merged.tags)}
    if merged.group_id != item.group_id or (merged.visibility == Visibility.GROUP.value and merged.group_id is None):
        fields["group_id"] = await _group(access, merged.visibility, merged.group_id)
    if "author_cooperative_id" in sent and merged.author_cooperative_id != item.author_cooperative_id:
        if merged.author_cooperative_id is not None and merged.author_cooperative_id not in access.active_coops:
            raise Invalid.field("author_cooperative_id", _("Choose one of your cooperatives in this network."))
        fields["author_cooperative_id"] = merged.author_cooperative_id
    return fields


async def _next_revision(item: LibraryItem, access: Access) -> None:
    latest = await ArticleRevision.filter(item_id=item.id).order_by("-number").only("id", "number").first()
    try:
        await _keep_revision(item, access, (latest.number if latest else 0) + 1)
    except IntegrityError as exc:  # SQLite has no row lock: a simultaneous edit took the number
        raise Conflict(_("Someone else saved this item at the same moment. Please try again.")) from exc


async def delete_item(access: Access, item_id: int, *, storage: Storage) -> None:
    """Remove an item with its history, comments and marks; its file goes after the commit."""
    item = await editable_item(access, item_id)
    async with in_transaction():
        await LibraryItem.filter(id=item.id).delete()
        await record("library.item_deleted", actor=access.person, network=access.network, obj=item,
                     title=item.title)
        await index.forget(KIND, item.id)
    if item.storage_key:
        await storage.delete(item.storage_key)
