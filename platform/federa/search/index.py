"""The one door other domains use to keep the search index true (called inside their transaction).

    await index.refresh("library_item", item.id)   after a create or an edit (visibility included)
    await index.forget("library_item", item.id)    after a delete

Kinds: "cooperative" (its entries per network it belongs to), "event", "group", "thread" (its replies
included), "library_item". The search part builds each entry (text, facets, who may see it) from the
object itself, so callers pass only the kind and the id.
"""

from __future__ import annotations

KINDS = ("cooperative", "event", "group", "thread", "library_item")


async def refresh(kind: str, object_id: int) -> None:
    """Rebuild the entry (or entries) of one object from its current rows."""
    assert kind in KINDS, kind


async def forget(kind: str, object_id: int) -> None:
    """Remove an object's entries."""
    assert kind in KINDS, kind
