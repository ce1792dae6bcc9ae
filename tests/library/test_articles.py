"""Articles through the pages and the API: forms re-render with field messages, every edit is kept in the
history, Markdown stays safe, who may edit and delete, comments and their moderation."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from conftest import World, api_token, make_person, post_form, sign_in
from library_helpers import (
    english,  # noqa: F401 - autouse: messages in English
    make_item,
)

from federa.audit.models import AuditEntry
from federa.library.models import ArticleRevision, ItemComment, LibraryItem

LIB = "/n/rete-alfa/library"
API = "/api/v1/networks/rete-alfa/library"
ARTICLE = {"title": "Il nostro modello", "summary": "In breve", "body": "Testo **importante**",
           "language": "it", "visibility": "network", "sectors": ["minori"], "tags": "co-progettazione, Famiglie"}


async def test_write_an_article_through_the_form(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.member)
    response = await post_form(client, LIB + "/articles/new", ARTICLE, token_from=LIB + "/articles/new")
    assert response.status_code == 303, response.text[-2000:]
    item = await LibraryItem.get()
    assert response.headers["location"] == f"{LIB}/{item.id}"
    assert (item.kind, item.sectors, item.tags, item.author_cooperative_id) == (
        "article", ",minori,", ",co-progettazione,famiglie,", world.coop.id)
    assert item.body_html == "<p>Testo <strong>importante</strong></p>\n"
    page = await client.get(f"{LIB}/{item.id}")
    assert "<strong>importante</strong>" in page.text and "Cooperativa Alfa Uno" in page.text
    assert await ArticleRevision.filter(item_id=item.id).count() == 1


async def test_the_form_re_renders_with_field_messages(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.member)
    bad = {**ARTICLE, "title": "x", "body": "", "visibility": "everyone", "sectors": ["nessuno"],
           "tags": "a" * 41, "author_cooperative_id": str(world.beta_coop.id)}
    response = await post_form(client, LIB + "/articles/new", bad, token_from=LIB + "/articles/new")
    assert response.status_code == 422
    for name in ("title", "body", "sectors", "tags"):
        assert f'id="e-{name}"' in response.text, name
    assert 'id="e-visibility"' in response.text
    assert await LibraryItem.all().count() == 0
    bad = {**ARTICLE, "author_cooperative_id": str(world.beta_coop.id)}
    response = await post_form(client, LIB + "/articles/new", bad, token_from=LIB + "/articles/new")
    assert response.status_code == 422 and 'id="e-author_cooperative_id"' in response.text
    assert await LibraryItem.all().count() == 0


async def test_every_edit_is_kept_in_the_history(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.member)
    created = await client.post(API + "/articles", json={"title": "Versione uno", "body": "primo testo"},
                                headers=headers)
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    await client.patch(f"{API}/{item_id}", json={"body": "secondo testo"}, headers=headers)
    admin_headers = await api_token(world.coop_admin)  # the cooperative's admin may edit too
    edited = await client.patch(f"{API}/{item_id}", json={"title": "Versione tre"}, headers=admin_headers)
    assert edited.status_code == 200, edited.text
    assert datetime.fromisoformat(edited.json()["updated_at"]) > datetime.fromisoformat(created.json()["updated_at"])
    revisions = (await client.get(f"{API}/{item_id}/revisions", headers=headers)).json()
    assert [(r["number"], r["title"], r["body"], r["editor_name"]) for r in revisions] == [
        (3, "Versione tre", "secondo testo", "Coop Admin"), (2, "Versione uno", "secondo testo", "Socio"),
        (1, "Versione uno", "primo testo", "Socio")]
    await sign_in(client, world.member)
    page = await client.get(f"{LIB}/{item_id}/history")
    assert page.status_code == 200
    assert re.findall(r"Version (\d):", page.text) == ["3", "2", "1"]
    assert "Saved by Coop Admin" in page.text and "primo testo" in page.text


async def test_markdown_with_script_stays_safe(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.member)
    payload = ('<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)> '
               '<a href="https://example.org" onclick="alert(4)">ok</a>')
    created = await client.post(API + "/articles", json={"title": "Prova XSS", "body": payload}, headers=headers)
    item_id = created.json()["id"]
    comment = await client.post(f"{API}/{item_id}/comments", json={"body": payload}, headers=headers)
    assert comment.status_code == 201
    await sign_in(client, world.member)
    page = (await client.get(f"{LIB}/{item_id}")).text
    for bad in ("<script>alert", 'href="javascript', "<img"):
        assert bad not in page, bad
    assert not re.search(r"<[a-z]+[^>]*\son\w+=", page)  # no event handler in any tag
    assert "&lt;script&gt;" in page


async def test_who_may_edit_and_delete(client: httpx.AsyncClient, world: World) -> None:
    other = await make_person(name="Altro socio")
    from conftest import affiliate

    await affiliate(other, world.coop)
    item = await make_item(world.alpha, "Del socio", author=world.member, cooperative=world.coop)
    for person, status in ((other, 403), (world.outsider, 404), (world.member, 200), (world.coop_admin, 200),
                           (world.coordinator, 200)):
        headers = await api_token(person)
        response = await client.patch(f"{API}/{item.id}", json={"summary": f"da {person.name}"}, headers=headers)
        assert response.status_code == status, (person.name, response.text)
    headers = await api_token(other)
    assert (await client.delete(f"{API}/{item.id}", headers=headers)).status_code == 403
    headers = await api_token(world.coordinator)
    assert (await client.delete(f"{API}/{item.id}", headers=headers)).status_code == 204
    assert not await LibraryItem.exists(id=item.id)
    assert await AuditEntry.exists(action="library.item_deleted", object_id=str(item.id))


async def test_delete_through_the_page_removes_the_file(client: httpx.AsyncClient, world: World,
                                                        settings: object) -> None:
    await sign_in(client, world.member)
    new = LIB + "/documents/new"
    response = await post_form(client, new, {"title": "Da cancellare", "visibility": "network", "language": "it"},
                               token_from=new, files={"file": ("a.txt", b"ciao", "text/plain")})
    item = await LibraryItem.get()
    path = settings.uploads_dir / item.storage_key[:2] / item.storage_key  # type: ignore[attr-defined]
    assert path.exists()
    asked = await post_form(client, f"{LIB}/{item.id}/delete", token_from=f"{LIB}/{item.id}")
    assert asked.status_code == 200 and "Yes, delete it" in asked.text and path.exists()
    response = await post_form(client, f"{LIB}/{item.id}/delete", {"confirm": "yes"}, token_from=f"{LIB}/{item.id}")
    assert response.status_code == 303
    assert not path.exists() and await LibraryItem.all().count() == 0


async def test_comments_own_edit_and_moderation(client: httpx.AsyncClient, world: World) -> None:
    item = await make_item(world.alpha, "Commentabile", author=world.member, cooperative=world.coop)
    await sign_in(client, world.coop_admin)
    page = f"{LIB}/{item.id}"
    empty = await post_form(client, page + "/comments", {"body": "  "}, token_from=page)
    assert empty.status_code == 422 and 'id="e-body"' in empty.text
    response = await post_form(client, page + "/comments", {"body": "Molto *utile*"}, token_from=page)
    assert response.status_code == 303
    comment = await ItemComment.get()
    assert comment.body_html == "<p>Molto <em>utile</em></p>\n"
    edit = f"{LIB}/comments/{comment.id}/edit"
    assert (await post_form(client, edit, {"body": "Utilissimo"}, token_from=edit)).status_code == 303
    assert (await ItemComment.get()).body == "Utilissimo"
    member_headers = await api_token(world.member)
    url = f"{API}/{item.id}/comments/{comment.id}"
    assert (await client.patch(url, json={"body": "no"}, headers=member_headers)).status_code == 403
    assert (await client.delete(url, headers=member_headers)).status_code == 403
    coordinator_headers = await api_token(world.coordinator)
    assert (await client.delete(url, headers=coordinator_headers)).status_code == 204
    assert await ItemComment.all().count() == 0
    assert (await LibraryItem.get(id=item.id)).comment_count == 0


async def test_public_items_are_readable_without_signing_in(client: httpx.AsyncClient, world: World) -> None:
    item = await make_item(world.alpha, "Per tutti", visibility="public", author=world.member)
    page = await client.get(f"{LIB}/{item.id}")
    assert page.status_code == 200 and "Sign in to comment" in page.text
    listed = await client.get(LIB)
    assert "Per tutti" in listed.text
    api = await client.get(f"{API}/{item.id}")
    assert api.status_code == 200 and api.json()["may_edit"] is False
    assert (await client.post(f"{API}/{item.id}/comments", json={"body": "x"})).status_code == 401


async def test_the_search_index_is_told_inside_the_transaction(client: httpx.AsyncClient, world: World,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """refresh after create, edit and a change of audience; forget after delete. Inside the transaction:
    when the index fails, the change is rolled back with it."""
    from federa.search import index

    calls: list[tuple[str, str, int]] = []

    async def refresh(kind: str, object_id: int) -> None:
        calls.append(("refresh", kind, object_id))

    async def forget(kind: str, object_id: int) -> None:
        calls.append(("forget", kind, object_id))

    monkeypatch.setattr(index, "refresh", refresh)
    monkeypatch.setattr(index, "forget", forget)
    headers = await api_token(world.member)
    item_id = (await client.post(API + "/articles", json={"title": "Indicizzato", "body": "x"},
                                 headers=headers)).json()["id"]
    await client.patch(f"{API}/{item_id}", json={"visibility": "public"}, headers=headers)
    await client.delete(f"{API}/{item_id}", headers=headers)
    assert calls == [("refresh", "library_item", item_id), ("refresh", "library_item", item_id),
                     ("forget", "library_item", item_id)]

    async def broken(kind: str, object_id: int) -> None:
        raise RuntimeError("index down")

    monkeypatch.setattr(index, "refresh", broken)
    with pytest.raises(RuntimeError):
        await client.post(API + "/articles", json={"title": "Mai salvato", "body": "x"}, headers=headers)
    assert not await LibraryItem.exists(title="Mai salvato")
    assert not await ArticleRevision.exists(title="Mai salvato")
