# ruff: noqa: E501 - a table: one route per line reads (and diffs) best
"""Isolation matrix entries for the library part (see tests/isolation_matrix.py for the columns and hooks).

The seeded item is an article for the network's members, written by the member for their cooperative,
with one comment by the member. Members read it (200); the outsider gets 404; a visitor who is not signed
in gets 404 too (the item is not public). Editors are the author (member), the cooperative's admin and the
network's coordinators and admins. Routes sort API first and DELETE before GET: an editor's DELETE of the
item through the API runs before everything else about it, so for editors the item's later routes
answer 404 (the same as for a missing item). An article has no file: its download answers 404.
"""

from __future__ import annotations

from typing import Any

from isolation_matrix import E, Entry

from federa.accounts.models import Affiliation
from federa.library.models import ArticleRevision, ItemComment, LibraryItem, UsefulMark

OBJECT_PARAMS = ("item_id", "comment_id")
ARTICLE = {"title": "Articolo di prova", "body": "Testo"}
COMMENT = {"body": "Un commento"}


async def seed(network: Any, organiser: Any, member: Any) -> dict[str, Any]:
    """An article of the network by `member` (for their cooperative), its first revision and a comment."""
    affiliation = await Affiliation.filter(person_id=member.id).order_by("id").first()
    item = await LibraryItem.create(network=network, kind="article", title=f"Buona pratica {network.name}",
                                    body="Testo", body_html="<p>Testo</p>", author=member, visibility="network",
                                    author_cooperative_id=affiliation.cooperative_id if affiliation else None,
                                    comment_count=1)
    await ArticleRevision.create(network=network, item=item, number=1, title=item.title, body=item.body,
                                 editor=member)
    comment = await ItemComment.create(network=network, item=item, author=member, body="Ciao",
                                       body_html="<p>Ciao</p>")
    return {"item_id": item.id, "comment_id": comment.id}


def beta_rows(beta_id: int) -> list[Any]:
    """Queries over this part's rows of beta (compared before and after each write)."""
    return [
        LibraryItem.filter(network_id=beta_id).order_by("id").values(),
        ArticleRevision.filter(network_id=beta_id).order_by("id").values(),
        ItemComment.filter(network_id=beta_id).order_by("id").values(),
        UsefulMark.filter(network_id=beta_id).order_by("id").values(),
    ]


N404 = "404 404 404 404 404 404 404 404"
A404 = "401 404 404 404 404 404 404 404"   # the API: anonymous callers are asked to authenticate first
IN404 = "in 404 404 404 404 404 404 404"   # pages: anonymous visitors are sent to sign in first

# Column order:      anon out mem cadm crd nadm dual padm
ENTRIES: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/networks/{slug}/library"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/networks/{slug}/library/articles"): E("401 403 201 201 201 201 201 201", reverse="401 201 403 403 403 403 201 201", data=ARTICLE, touches_beta=("outsider", "dual", "platform_admin")),
    ("POST", "/api/v1/networks/{slug}/library/documents"): E("401 422 422 422 422 422 422 422", reverse="401 422 422 422 422 422 422 422"),
    ("DELETE", "/api/v1/networks/{slug}/library/{item_id:int}"): E("401 404 204 204 204 204 403 204", cross="401 404 404 404 404 404 404 404", reverse="401 404 404 404 404 404 404 404"),
    ("GET", "/api/v1/networks/{slug}/library/{item_id:int}"): E("404 404 404 404 404 404 200 404", cross=N404, reverse=N404),
    ("PATCH", "/api/v1/networks/{slug}/library/{item_id:int}"): E("401 404 404 404 404 404 403 404", cross=A404, reverse=A404, data={"summary": "Nuovo riassunto"}),
    ("GET", "/api/v1/networks/{slug}/library/{item_id:int}/comments"): E("404 404 404 404 404 404 200 404", cross=N404, reverse=N404),
    ("POST", "/api/v1/networks/{slug}/library/{item_id:int}/comments"): E("401 404 404 404 404 404 201 404", cross=A404, reverse=A404, data=COMMENT),
    ("DELETE", "/api/v1/networks/{slug}/library/{item_id:int}/comments/{comment_id:int}"): E("401 404 404 404 404 404 403 404", cross=A404, reverse=A404),
    ("PATCH", "/api/v1/networks/{slug}/library/{item_id:int}/comments/{comment_id:int}"): E("401 404 404 404 404 404 403 404", cross=A404, reverse=A404, data=COMMENT),
    ("GET", "/api/v1/networks/{slug}/library/{item_id:int}/download"): E(N404, cross=N404, reverse=N404),
    ("GET", "/api/v1/networks/{slug}/library/{item_id:int}/revisions"): E("404 404 404 404 404 404 200 404", cross=N404, reverse=N404),
    ("DELETE", "/api/v1/networks/{slug}/library/{item_id:int}/useful"): E("401 404 404 404 404 404 200 404", cross=A404, reverse=A404),
    ("PUT", "/api/v1/networks/{slug}/library/{item_id:int}/useful"): E("401 404 404 404 404 404 200 404", cross=A404, reverse=A404),
    ("GET", "/n/{slug}/library"): E("200 200 200 200 200 200 200 200", reverse="200 200 200 200 200 200 200 200"),
    ("GET", "/n/{slug}/library/articles/new"): E("in 403 200 200 200 200 200 200", reverse="in 200 403 403 403 403 200 200"),
    ("POST", "/n/{slug}/library/articles/new"): E("in 403 422 422 422 422 422 422", reverse="in 422 403 403 403 403 422 422"),
    ("POST", "/n/{slug}/library/comments/{comment_id:int}/delete"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("GET", "/n/{slug}/library/comments/{comment_id:int}/edit"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("POST", "/n/{slug}/library/comments/{comment_id:int}/edit"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("GET", "/n/{slug}/library/documents/new"): E("in 403 200 200 200 200 200 200", reverse="in 200 403 403 403 403 200 200"),
    ("POST", "/n/{slug}/library/documents/new"): E("in 403 422 422 422 422 422 422", reverse="in 422 403 403 403 403 422 422"),
    ("GET", "/n/{slug}/library/{item_id:int}"): E("404 404 404 404 404 404 200 404", cross=N404, reverse=N404),
    ("POST", "/n/{slug}/library/{item_id:int}/comments"): E("in 404 404 404 404 404 422 404", cross=IN404, reverse=IN404),
    ("POST", "/n/{slug}/library/{item_id:int}/delete"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("GET", "/n/{slug}/library/{item_id:int}/download"): E(N404, cross=N404, reverse=N404),
    ("GET", "/n/{slug}/library/{item_id:int}/edit"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("POST", "/n/{slug}/library/{item_id:int}/edit"): E("in 404 404 404 404 404 403 404", cross=IN404, reverse=IN404),
    ("GET", "/n/{slug}/library/{item_id:int}/history"): E("404 404 404 404 404 404 200 404", cross=N404, reverse=N404),
    ("POST", "/n/{slug}/library/{item_id:int}/useful"): E("in 404 404 404 404 404 303 404", cross=IN404, reverse=IN404),
}
