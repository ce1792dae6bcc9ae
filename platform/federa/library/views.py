"""Library pages under /n/{slug}/library: the list, an item with its comments, history, download and the
buttons (useful, delete). The forms that write items are in library/editor_views.py."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from federa.errors import Invalid, NotFound
from federa.library import editor_views, feedback, queries, services
from federa.library.downloads import download
from federa.library.labels import labels
from federa.library.models import LibraryItem
from federa.library.schemas import CommentIn, LibraryQuery
from federa.library.storage import storage_for
from federa.networks.access import Access
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, act, flash, redirect, render, require_person


def item_path(slug: str, item_id: int) -> str:
    return f"/n/{slug}/library/{item_id}"


async def _visible(request: Request) -> tuple[Access, LibraryItem]:
    access = await access_of(request)
    return access, await queries.visible_item(access, request.path_params["item_id"])


async def library_page(request: Request) -> Response:
    access = await access_of(request)
    query = validate(LibraryQuery, {k: v.replace("\x00", "") for k, v in request.query_params.items()})
    items, total = await queries.list_items(access, query)
    filters = {k: v for k, v in query.model_dump().items()
               if v and k not in ("page", "per_page") and not (k == "order" and v == "recent")}
    return render(request, "library/list.html", {
        "items": items, "total": total, "query": query, "access": access, "filters": filters,
        "pages": max(1, -(-total // query.per_page)), "groups": await queries.network_groups(access.network),
        "qs": lambda **extra: urlencode({k: v for k, v in {**filters, **extra}.items() if v}), **labels(),
    })


async def item_page(request: Request, *, form: dict | None = None, errors: dict | None = None,
                    status: int = 200) -> Response:
    access, item = await _visible(request)
    return render(request, "library/item.html", {
        "item": item, "access": access, "may_edit": queries.may_edit(item, access),
        "may_take_part": await queries.may_take_part(item, access),
        "marked": await queries.marked_useful(item, access), "comments": await queries.comments(item),
        "cooperative": await item.author_cooperative if item.author_cooperative_id else None,
        "author": await item.author if item.author_id else None,
        "group": await item.group if item.group_id else None,
        "form": form or {}, "errors": errors or {}, **labels(),
    }, status=status)


async def show_item(request: Request) -> Response:
    return await item_page(request)


async def history_page(request: Request) -> Response:
    access, item = await _visible(request)
    if item.kind != "article":
        raise NotFound(_("Only articles have a history."))
    return render(request, "library/history.html", {
        "item": item, "access": access, "revisions": await queries.revisions(item), **labels(),
    })


async def download_file(request: Request) -> Response:
    _access, item = await _visible(request)
    return await download(item, storage_for(request.app.state.settings))


async def delete_item(request: Request) -> Response:
    """Without the confirming button (confirm=yes) the page asks first: deleting takes the history too."""
    require_person(request)
    access = await access_of(request)
    data = await read_form(request)
    item = await services.editable_item(access, request.path_params["item_id"])
    if data.get("confirm") != "yes":
        return render(request, "library/delete.html", {"item": item, **labels()})
    await services.delete_item(access, item.id, storage=storage_for(request.app.state.settings))
    flash(request, _("The item was deleted."))
    return redirect(f"/n/{access.network.slug}/library")


async def useful(request: Request) -> Response:
    require_person(request)
    access = await access_of(request)
    data = await read_form(request)
    item_id = request.path_params["item_id"]
    if data.get("action") == "unmark":
        await feedback.unmark_useful(access, item_id)
        flash(request, _("Your mark was taken back."))
    else:
        await feedback.mark_useful(access, item_id)
        flash(request, _("Marked as useful. Thank you!"))
    return redirect(item_path(access.network.slug, item_id))


async def add_comment(request: Request) -> Response:
    require_person(request)
    access = await access_of(request)
    data = await read_form(request)
    item_id = request.path_params["item_id"]
    try:
        await feedback.add_comment(access, item_id, validate(CommentIn, {"body": data.get("body", "")}).body)
    except Invalid as exc:
        return await item_page(request, form=data, errors=exc.fields, status=422)
    flash(request, _("Your comment is published."))
    return redirect(item_path(access.network.slug, item_id) + "#comments")


async def edit_comment(request: Request) -> Response:
    require_person(request)
    access = await access_of(request)
    comment = await feedback.own_comment(access, request.path_params["comment_id"])
    then = item_path(access.network.slug, comment.item_id) + "#comments"
    form, errors = {"body": comment.body}, {}
    if request.method == "POST":
        form = await read_form(request)
        try:
            await feedback.edit_comment(access, comment.id, validate(CommentIn, {"body": form.get("body", "")}).body)
            flash(request, _("Your comment is saved."))
            return redirect(then)
        except Invalid as exc:
            errors = exc.fields
    return render(request, "library/comment_edit.html", {"comment": comment, "form": form, "errors": errors,
                                                         "back": then}, status=422 if errors else 200)


async def delete_comment(request: Request) -> Response:
    require_person(request)
    access = await access_of(request)
    await read_form(request)
    comment = await feedback.access_comment(access, request.path_params["comment_id"])
    return await act(request, feedback.delete_comment(access, comment.id), done=_("The comment was deleted."),
                     then=item_path(access.network.slug, comment.item_id) + "#comments")


ITEM = "/library/{item_id:int}"
routes: list[BaseRoute] = [
    Route("/library", library_page, name="library"),
    Route("/library/articles/new", editor_views.article_new, methods=["GET", "POST"], name="library_article_new"),
    Route("/library/documents/new", editor_views.document_new, methods=["GET", "POST"],
          name="library_document_new", max_body_size=editor_views.UPLOAD_BODY_LIMIT),
    Route(ITEM, show_item, name="library_item"),
    Route(ITEM + "/edit", editor_views.item_edit, methods=["GET", "POST"], name="library_item_edit"),
    Route(ITEM + "/history", history_page, name="library_item_history"),
    Route(ITEM + "/download", download_file, name="library_item_download"),
    Route(ITEM + "/delete", delete_item, methods=["POST"], name="library_item_delete"),
    Route(ITEM + "/useful", useful, methods=["POST"], name="library_item_useful"),
    Route(ITEM + "/comments", add_comment, methods=["POST"], name="library_comment_add"),
    Route("/library/comments/{comment_id:int}/edit", edit_comment, methods=["GET", "POST"],
          name="library_comment_edit"),
    Route("/library/comments/{comment_id:int}/delete", delete_comment, methods=["POST"],
          name="library_comment_delete"),
]
account_routes: list[BaseRoute] = []  # mounted at the top level
