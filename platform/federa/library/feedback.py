"""Comments on library items and "useful" marks (one per person per item, held by a unique key)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from federa.audit.log import record
from federa.errors import NotAuthenticated, NotFound, PermissionDenied
from federa.library import queries
from federa.library.models import ItemComment, LibraryItem, UsefulMark
from federa.networks.access import Access
from federa.web.i18n import gettext as _
from federa.web.markdown import render_markdown


async def _item_to_join(access: Access, item_id: int) -> LibraryItem:
    if access.person is None:
        raise NotAuthenticated(_("Please sign in to continue."))
    item = await queries.visible_item(access, item_id)
    if not await queries.may_take_part(item, access):
        raise PermissionDenied(_("Only the people this item is shared with can comment or mark it."))
    return item


async def add_comment(access: Access, item_id: int, body: str) -> ItemComment:
    """Comment on an item one may see and take part in."""
    item = await _item_to_join(access, item_id)
    async with in_transaction():
        comment = await ItemComment.create(network_id=item.network_id, item_id=item.id, author=access.person,
                                           body=body, body_html=render_markdown(body))
        await LibraryItem.filter(id=item.id).update(comment_count=F("comment_count") + 1)
    return comment


async def access_comment(access: Access, comment_id: int) -> ItemComment:
    """A comment of this network on an item this person may see, or NotFound."""
    comment = await ItemComment.get_or_none(id=comment_id, network_id=access.network.id)
    if comment is None:
        raise NotFound(_("No such comment."))
    await queries.visible_item(access, comment.item_id)
    return comment


async def own_comment(access: Access, comment_id: int) -> ItemComment:
    """A comment the person wrote (404 when hidden or missing, 403 when someone else's)."""
    comment = await access_comment(access, comment_id)
    if access.person is None or comment.author_id != access.person.id:
        raise PermissionDenied(_("Only its author can edit a comment."))
    return comment


async def edit_comment(access: Access, comment_id: int, body: str) -> ItemComment:
    """Only its author edits a comment."""
    comment = await own_comment(access, comment_id)
    await ItemComment.filter(id=comment.id).update(body=body, body_html=render_markdown(body),
                                                   updated_at=datetime.now(UTC))
    return await ItemComment.get(id=comment.id)


async def delete_comment(access: Access, comment_id: int) -> ItemComment:
    """Its author deletes a comment; the network's coordinators moderate any."""
    comment = await access_comment(access, comment_id)
    own = access.person is not None and comment.author_id == access.person.id
    if not own and not access.can_manage:
        raise PermissionDenied(_("Only its author or the network's coordinators can delete a comment."))
    async with in_transaction():
        if await ItemComment.filter(id=comment.id).delete():
            await LibraryItem.filter(id=comment.item_id).update(comment_count=F("comment_count") - 1)
        if not own:
            await record("library.comment_removed", actor=access.person, network=access.network, obj=comment,
                         author_id=comment.author_id)
    return comment


async def mark_useful(access: Access, item_id: int) -> LibraryItem:
    """Mark an item as useful; a second mark by the same person changes nothing."""
    item = await _item_to_join(access, item_id)
    assert access.person is not None
    try:
        async with in_transaction():
            await UsefulMark.create(network_id=item.network_id, item_id=item.id, person_id=access.person.id)
            await LibraryItem.filter(id=item.id).update(useful_count=F("useful_count") + 1)
    except IntegrityError:
        pass  # marked already (perhaps by a double click racing itself): the count did not move
    return await LibraryItem.get(id=item.id)


async def unmark_useful(access: Access, item_id: int) -> LibraryItem:
    """Take one's useful mark back."""
    item = await _item_to_join(access, item_id)
    assert access.person is not None
    async with in_transaction():
        if await UsefulMark.filter(item_id=item.id, person_id=access.person.id).delete():
            await LibraryItem.filter(id=item.id).update(useful_count=F("useful_count") - 1)
    return await LibraryItem.get(id=item.id)
