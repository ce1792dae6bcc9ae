"""The library's forms: a new article, a document upload, editing an item (each refusal re-renders 422)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from federa.errors import Invalid
from federa.library import queries, services
from federa.library.labels import labels
from federa.library.models import LibraryItem
from federa.library.schemas import ArticleIn, DocumentMetaIn, ItemPatch, split_list
from federa.library.storage import storage_for
from federa.library.uploads import allowed_list
from federa.networks.access import Access
from federa.settings import Settings
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.pages import access_of, flash, redirect, render, require_person

# Bodies past this are cut off with 413 before they are read; smaller files over the setting get the
# form back with a message. The slack covers the multipart framing and the other fields.
UPLOAD_BODY_LIMIT = Settings.max_document_size + 256 * 1024
TEXT_FIELDS = ("title", "summary", "language", "visibility")


async def _member(request: Request) -> Access:
    require_person(request)
    access = await access_of(request)
    services.require_member(access)
    return access


def _meta(data: dict[str, Any]) -> dict[str, Any]:
    """The posted fields in the schema's shape: sectors a list, tags "a, b", ids empty or a number."""
    meta: dict[str, Any] = {key: data.get(key, "") for key in TEXT_FIELDS}
    meta["sectors"] = data.get("sectors", [])
    meta["tags"] = split_list(str(data.get("tags", "")))
    for key in ("group_id", "author_cooperative_id"):
        meta[key] = str(data.get(key, "")).strip() or None
    return meta


async def _form_page(request: Request, access: Access, kind: str, form: dict[str, Any], *,
                     errors: dict[str, str] | None = None, item: LibraryItem | None = None,
                     status: int = 200) -> Response:
    settings = request.app.state.settings
    return render(request, "library/form.html", {
        "kind": kind, "form": form, "errors": errors or {}, "item": item, "access": access,
        "groups": await queries.my_groups(access), "cooperatives": await queries.my_cooperatives(access),
        "max_mb": settings.max_document_size // (1024 * 1024), "allowed": allowed_list(), **labels(),
    }, status=status)


NEW = {"language": "it", "visibility": "network", "sectors": []}


async def article_new(request: Request) -> Response:
    access = await _member(request)
    if request.method == "GET":
        return await _form_page(request, access, "article", dict(NEW))
    data = await read_form(request, multi=("sectors",))
    try:
        item = await services.create_article(access, validate(ArticleIn, {**_meta(data),
                                                                          "body": data.get("body", "")}))
    except Invalid as exc:
        return await _form_page(request, access, "article", data, errors=exc.fields, status=422)
    flash(request, _("The article is published in the library."))
    return redirect(f"/n/{access.network.slug}/library/{item.id}")


async def document_new(request: Request) -> Response:
    access = await _member(request)
    if request.method == "GET":
        return await _form_page(request, access, "document", dict(NEW))
    data = await read_form(request, multi=("sectors",))
    upload = data.pop("file", None)
    settings = request.app.state.settings
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid.field("file", _("Choose the file to upload."))
        content = await upload.read(settings.max_document_size + 1)
        meta = validate(DocumentMetaIn, {**_meta(data), "filename": upload.filename[-255:]})
        item = await services.create_document(access, meta, content, storage=storage_for(settings),
                                              limit=settings.max_document_size)
    except Invalid as exc:
        return await _form_page(request, access, "document", data, errors=exc.fields, status=422)
    flash(request, _("The document is published in the library."))
    return redirect(f"/n/{access.network.slug}/library/{item.id}")


def _current(item: LibraryItem) -> dict[str, Any]:
    return {"title": item.title, "summary": item.summary, "body": item.body, "language": item.language,
            "visibility": item.visibility, "sectors": queries.split(item.sectors),
            "tags": ", ".join(queries.split(item.tags)), "group_id": str(item.group_id or ""),
            "author_cooperative_id": str(item.author_cooperative_id or "")}


async def item_edit(request: Request) -> Response:
    require_person(request)
    access = await access_of(request)
    item = await services.editable_item(access, request.path_params["item_id"])
    if request.method == "GET":
        return await _form_page(request, access, item.kind, _current(item), item=item)
    data = await read_form(request, multi=("sectors",))
    patch = _meta(data)
    if patch["author_cooperative_id"] is None:  # not shown to editors who do not write for a cooperative
        del patch["author_cooperative_id"]
    if item.kind == "article":
        patch["body"] = data.get("body", "")
    try:
        await services.update_item(access, item.id, validate(ItemPatch, patch))
    except Invalid as exc:
        return await _form_page(request, access, item.kind, data, errors=exc.fields, item=item, status=422)
    flash(request, _("The changes are saved."))
    return redirect(f"/n/{access.network.slug}/library/{item.id}")
