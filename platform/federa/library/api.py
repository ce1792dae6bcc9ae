"""JSON API of the library under /api/v1/networks/{slug}/library.

A document is uploaded with POST /library/documents: the file is the request body as it is (any
Content-Type), or the part named `file` of a multipart/form-data body; its details are query parameters
(`title`, `filename`, `sectors=a,b`, `tags=a,b`, ...).
The same checks as the upload form apply; a refusal names the `file` field and stores nothing.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from federa.errors import Invalid, NotFound
from federa.library import feedback, queries, services
from federa.library.downloads import download
from federa.library.models import ItemComment, LibraryItem
from federa.library.schemas import (
    ArticleIn,
    CommentIn,
    CommentOut,
    DocumentMetaIn,
    DocumentOut,
    ItemOut,
    ItemPatch,
    ItemSummaryOut,
    LibraryPage,
    LibraryQuery,
    RevisionOut,
    UsefulOut,
)
from federa.library.storage import storage_for
from federa.networks.access import Access
from federa.settings import Settings
from federa.web.api import ApiRoute
from federa.web.i18n import gettext as _
from federa.web.pages import access_of


def _summary(item: LibraryItem) -> dict:
    coop = item.author_cooperative
    return {"id": item.id, "network": item.network.slug, "network_name": item.network.name, "kind": item.kind,
            "title": item.title, "summary": item.summary, "sectors": queries.split(item.sectors),
            "tags": queries.split(item.tags), "language": item.language, "visibility": item.visibility,
            "group_id": item.group_id, "author_cooperative_id": item.author_cooperative_id,
            "author_cooperative_name": coop.legal_name if coop else None, "useful_count": item.useful_count,
            "comment_count": item.comment_count, "created_at": item.created_at, "updated_at": item.updated_at}


async def _item_out(access: Access, item: LibraryItem) -> ItemOut:
    await item.fetch_related("network", "author_cooperative", "author")
    document = None
    if item.kind == "document":
        document = DocumentOut(filename=item.filename, content_type=item.content_type, size=item.size,
                               sha256=item.sha256, download_url=f"/api/v1/networks/{item.network.slug}/library/"
                                                                f"{item.id}/download")
    return ItemOut(**_summary(item), body=item.body, body_html=item.body_html, author_id=item.author_id,
                   author_name=item.author.name if item.author else None, document=document,
                   marked_useful=await queries.marked_useful(item, access), may_edit=queries.may_edit(item, access))


def _comment_out(comment: ItemComment) -> CommentOut:
    author = comment.author
    return CommentOut(id=comment.id, item_id=comment.item_id, author_id=comment.author_id,
                      author_name=author.name if author else None, body=comment.body, body_html=comment.body_html,
                      created_at=comment.created_at, updated_at=comment.updated_at)


async def list_items(request: Request, query: LibraryQuery) -> LibraryPage:
    """Own items and partners' shared ones that the caller may see (visitors: public ones)."""
    access = await access_of(request)
    items, total = await queries.list_items(access, query)
    return LibraryPage(items=[ItemSummaryOut(**_summary(i)) for i in items], total=total, page=query.page,
                       per_page=query.per_page)


async def create_article(request: Request, body: ArticleIn) -> ItemOut:
    access = await access_of(request)
    return await _item_out(access, await services.create_article(access, body))


async def upload_document(request: Request, query: DocumentMetaIn) -> ItemOut:
    access = await access_of(request)
    services.require_member(access)  # before reading a byte of the file
    settings = request.app.state.settings
    data, query = await _file_of(request, query, settings.max_document_size)
    item = await services.create_document(access, query, data, storage=storage_for(settings),
                                          limit=settings.max_document_size)
    return await _item_out(access, item)


async def _file_of(request: Request, query: DocumentMetaIn, limit: int) -> tuple[bytes, DocumentMetaIn]:
    """The file: the body as it is, or the part named `file` of a multipart/form-data body (whose file
    name counts when the query gives none)."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await request.body(), query
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid.field("file", _("Send the file in a form part named 'file'."))
    if "filename" not in request.query_params and upload.filename:
        query = query.model_copy(update={"filename": upload.filename[-255:]})
    return await upload.read(limit + 1), query


async def get_item(request: Request) -> ItemOut:
    access = await access_of(request)
    return await _item_out(access, await queries.visible_item(access, request.path_params["item_id"]))


async def update_item(request: Request, body: ItemPatch) -> ItemOut:
    access = await access_of(request)
    return await _item_out(access, await services.update_item(access, request.path_params["item_id"], body))


async def delete_item(request: Request) -> None:
    access = await access_of(request)
    await services.delete_item(access, request.path_params["item_id"],
                               storage=storage_for(request.app.state.settings))


async def download_file(request: Request) -> Response:
    access = await access_of(request)
    item = await queries.visible_item(access, request.path_params["item_id"])
    return await download(item, storage_for(request.app.state.settings))


async def list_revisions(request: Request) -> list[RevisionOut]:
    """An article's versions, newest first (a document has none)."""
    access = await access_of(request)
    item = await queries.visible_item(access, request.path_params["item_id"])
    return [RevisionOut(id=r.id, number=r.number, title=r.title, summary=r.summary, body=r.body,
                        editor_id=r.editor_id, editor_name=r.editor.name if r.editor else None,
                        created_at=r.created_at) for r in await queries.revisions(item)]


async def list_comments(request: Request) -> list[CommentOut]:
    access = await access_of(request)
    item = await queries.visible_item(access, request.path_params["item_id"])
    return [_comment_out(c) for c in await queries.comments(item)]


async def add_comment(request: Request, body: CommentIn) -> CommentOut:
    access = await access_of(request)
    comment = await feedback.add_comment(access, request.path_params["item_id"], body.body)
    await comment.fetch_related("author")
    return _comment_out(comment)


async def _comment_of_item(request: Request) -> tuple[Access, int]:
    access = await access_of(request)
    comment = await feedback.access_comment(access, request.path_params["comment_id"])
    if comment.item_id != request.path_params["item_id"]:
        raise NotFound(_("No such comment."))
    return access, comment.id


async def edit_comment(request: Request, body: CommentIn) -> CommentOut:
    access, comment_id = await _comment_of_item(request)
    comment = await feedback.edit_comment(access, comment_id, body.body)
    await comment.fetch_related("author")
    return _comment_out(comment)


async def delete_comment(request: Request) -> None:
    access, comment_id = await _comment_of_item(request)
    await feedback.delete_comment(access, comment_id)


async def mark_useful(request: Request) -> UsefulOut:
    access = await access_of(request)
    item = await feedback.mark_useful(access, request.path_params["item_id"])
    return UsefulOut(item_id=item.id, marked=True, useful_count=item.useful_count)


async def unmark_useful(request: Request) -> UsefulOut:
    access = await access_of(request)
    item = await feedback.unmark_useful(access, request.path_params["item_id"])
    return UsefulOut(item_id=item.id, marked=False, useful_count=item.useful_count)


L = "/networks/{slug}/library"
ITEM = L + "/{item_id:int}"
COMMENT = ITEM + "/comments/{comment_id:int}"
UPLOAD_LIMIT = Settings.max_document_size + 64 * 1024
routes = [
    ApiRoute(L, list_items, method="GET", name="api_library", tag="library",
             summary="Library items (own and shared by partners; filters, one page)", query=LibraryQuery,
             response=LibraryPage),
    ApiRoute(L + "/articles", create_article, method="POST", name="api_library_article_create", tag="library",
             summary="Write an article (members)", body=ArticleIn, response=ItemOut, status=201, auth=True),
    ApiRoute(L + "/documents", upload_document, method="POST", name="api_library_document_upload",
             tag="library", summary="Upload a document: the file is the request body (or a multipart part "
             "named 'file'), its details the query (members; checked by content)", query=DocumentMetaIn,
             response=ItemOut, status=201, auth=True, max_body_size=UPLOAD_LIMIT),
    ApiRoute(ITEM, get_item, method="GET", name="api_library_item", tag="library",
             summary="One library item", response=ItemOut),
    ApiRoute(ITEM, update_item, method="PATCH", name="api_library_item_update", tag="library",
             summary="Change an item (an article's edit is kept as a revision)", body=ItemPatch,
             response=ItemOut, auth=True),
    ApiRoute(ITEM, delete_item, method="DELETE", name="api_library_item_delete", tag="library",
             summary="Delete an item (author, cooperative admins, coordinators)", status=204, auth=True),
    ApiRoute(ITEM + "/download", download_file, method="GET", name="api_library_item_download", tag="library",
             summary="A document's file (as an attachment)", media_type="*/*"),
    ApiRoute(ITEM + "/revisions", list_revisions, method="GET", name="api_library_revisions", tag="library",
             summary="An article's versions, newest first", response=list[RevisionOut]),
    ApiRoute(ITEM + "/comments", list_comments, method="GET", name="api_library_comments", tag="library",
             summary="An item's comments", response=list[CommentOut]),
    ApiRoute(ITEM + "/comments", add_comment, method="POST", name="api_library_comment_add", tag="library",
             summary="Comment on an item", body=CommentIn, response=CommentOut, status=201, auth=True),
    ApiRoute(COMMENT, edit_comment, method="PATCH", name="api_library_comment_edit", tag="library",
             summary="Edit your comment", body=CommentIn, response=CommentOut, auth=True),
    ApiRoute(COMMENT, delete_comment, method="DELETE", name="api_library_comment_delete", tag="library",
             summary="Delete your comment (coordinators: any)", status=204, auth=True),
    ApiRoute(ITEM + "/useful", mark_useful, method="PUT", name="api_library_useful_mark", tag="library",
             summary="Mark an item as useful (once per person)", response=UsefulOut, auth=True),
    ApiRoute(ITEM + "/useful", unmark_useful, method="DELETE", name="api_library_useful_unmark", tag="library",
             summary="Take your useful mark back", response=UsefulOut, auth=True),
]
