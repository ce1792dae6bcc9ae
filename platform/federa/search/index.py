"""The one door other domains use to keep the search index true (called inside their transaction).

    await index.refresh("library_item", item.id)   after a create or an edit (visibility included)
    await index.forget("library_item", item.id)    after a delete

Kinds: "cooperative" (its entries per network it belongs to), "event", "group", "thread" (its replies
included), "library_item". The search part builds each entry (text, facets, who may see it) from the
object itself, so callers pass only the kind and the id.
"""

from __future__ import annotations

from collections.abc import Callable

from federa import db
from federa.search.documents import BUILDERS, Doc
from federa.search.models import SearchEntry
from federa.search.stemming import stem_text
from federa.search.tokens import joined

KINDS = ("cooperative", "event", "group", "thread", "library_item")
BATCH = 500
_UPDATED = ("title", "body", "path", "sectors", "language", "date", "tokens", "shared", "title_stem", "body_stem",
            "updated_at")


async def refresh(kind: str, object_id: int) -> None:
    """Rebuild the entry (or entries) of one object from its current rows."""
    assert kind in KINDS, kind
    await refresh_many(kind, [object_id])


async def forget(kind: str, object_id: int) -> None:
    """Remove an object's entries."""
    assert kind in KINDS, kind
    await SearchEntry.filter(kind=kind, object_id=object_id).delete()


async def refresh_many(kind: str, ids: list[int]) -> int:
    """Rebuild the entries of these objects (of one kind); objects gone lose theirs. Entries written."""
    docs = await BUILDERS[kind](ids)
    built = {d.object_id for d in docs}
    # An object keeps its network (memberships are never deleted): only objects gone (or no longer
    # indexed) leave entries behind.
    missing = [i for i in ids if i not in built]
    if missing:
        await SearchEntry.filter(kind=kind, object_id__in=missing).delete()
    if docs:
        # An upsert, not delete + insert: two writers refreshing one thread at once must both succeed.
        await SearchEntry.bulk_create([_entry(d) for d in docs], batch_size=BATCH,
                                      on_conflict=("network_id", "kind", "object_id"), update_fields=_UPDATED)
    return len(docs)


def _entry(doc: Doc) -> SearchEntry:
    stemmed = db.dialect() == "sqlite"  # PostgreSQL stems in its generated tsvector column
    return SearchEntry(
        network_id=doc.network_id, kind=doc.kind, object_id=doc.object_id, title=doc.title[:300],
        body=doc.body, path=doc.path, sectors="," + ",".join(doc.sectors) + "," if doc.sectors else "",
        language=doc.language, date=doc.date, tokens=joined(doc.tokens), shared=doc.shared,
        title_stem=stem_text(doc.title) if stemmed else "", body_stem=stem_text(doc.body) if stemmed else "")


async def _ids(kind: str, network_id: int | None) -> list[int]:
    from federa.events.models import Event
    from federa.groups.discussion_models import Thread
    from federa.groups.models import WorkingGroup
    from federa.library.models import LibraryItem
    from federa.networks.models import Membership

    if kind == "cooperative":
        rows = Membership.filter(**({"network_id": network_id} if network_id else {}))
        return sorted(set(await rows.values_list("cooperative_id", flat=True)))  # type: ignore[arg-type]
    model = {"event": Event, "group": WorkingGroup, "thread": Thread, "library_item": LibraryItem}[kind]
    query = model.filter(network_id=network_id) if network_id else model.all()  # type: ignore[attr-defined]
    return list(await query.order_by("id").values_list("id", flat=True))  # type: ignore[arg-type]


async def reindex(network_id: int | None = None, *, echo: Callable[[str], object] | None = None) -> int:
    """Rebuild every entry (of one network's objects, or all), in batches; entries written."""
    total = 0
    for kind in KINDS:
        ids = await _ids(kind, network_id)
        for start in range(0, len(ids), BATCH):
            total += await refresh_many(kind, ids[start:start + BATCH])
        if echo is not None:
            echo(f"search: {kind}: {len(ids)} objects")
    return total
