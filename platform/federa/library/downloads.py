"""Serving a document's file, after the caller's permission check: always as an attachment, with the
content type found at upload and nosniff, so a browser never runs or renders it in the site's origin."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from starlette.responses import Response

from federa.errors import NotFound
from federa.library.models import ItemKind, LibraryItem
from federa.library.storage import Storage
from federa.web.i18n import gettext as _


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback name and the UTF-8 name as filename*."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(ch for ch in ascii_name if ch.isprintable() and ch not in '"\\;') or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def download(item: LibraryItem, storage: Storage) -> Response:
    """The file of a document the caller may see (the caller checked that)."""
    if item.kind != ItemKind.DOCUMENT.value or not item.storage_key:
        raise NotFound(_("This item has no file."))
    try:
        data = await storage.open(item.storage_key)
    except FileNotFoundError as exc:
        raise NotFound(_("The file of this document is missing.")) from exc
    return Response(data, media_type=item.content_type, headers={
        "Content-Disposition": content_disposition(item.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
