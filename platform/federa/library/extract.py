"""The text of a document, for search: plain text, Markdown, CSV, PDF (pypdf), DOCX and ODT.

Runs in a worker thread (never on the event loop) with caps on pages, characters and time, so a
hostile PDF cannot stall the server. XML parts are read with a tag-stripping pass, not an XML
parser: no entity expansion, no external entities.
"""

from __future__ import annotations

import html
import io
import logging
import re
import time
import zipfile

import anyio
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from federa.errors import Invalid
from federa.library.uploads import TEXT_KINDS, CheckedFile, refuse
from federa.web.i18n import gettext as _

MAX_CHARS = 200_000
MAX_PAGES = 200
MAX_SECONDS = 5.0
MAX_XML = 20 * 1024 * 1024
_TAG = re.compile(rb"<[^>]{0,2000}>")
_PARAGRAPH_END = re.compile(rb"</(w:p|text:p|text:h)>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
log = logging.getLogger(__name__)


async def extract_text(data: bytes, checked: CheckedFile) -> str:
    """What can be read of the file as text ("" for pictures); Invalid when a PDF cannot be opened."""
    return await anyio.to_thread.run_sync(_extract, data, checked.type.key)


def _extract(data: bytes, kind: str) -> str:
    if kind in TEXT_KINDS:
        return _tidy(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    if kind == "pdf":
        return _pdf(data)
    if kind in ("docx", "odt"):
        return _office(data, "word/document.xml" if kind == "docx" else "content.xml")
    return ""


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text[:MAX_CHARS].splitlines())
    return "\n".join(line for line in lines if line)


def _pdf(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = reader.pages
        count = len(pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise refuse(_("The PDF file is damaged: it cannot be opened.")) from exc
    if reader.is_encrypted:
        return ""
    started, parts, size = time.monotonic(), [], 0
    for number in range(min(count, MAX_PAGES)):
        if size >= MAX_CHARS or time.monotonic() - started > MAX_SECONDS:
            break
        try:
            text = pages[number].extract_text() or ""
        except Exception:
            log.info("pdf page %s unreadable", number)
            continue
        parts.append(text)
        size += len(text)
    return _tidy("\n".join(parts))


def _office(data: bytes, part: str) -> str:
    """The paragraphs of the main XML part (its size was checked with the archive's limits)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(part) as handle:
            xml = handle.read(MAX_XML)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise Invalid.field("file", _("The file is damaged: it cannot be opened.")) from exc
    text = _TAG.sub(b"", _PARAGRAPH_END.sub(b"\n", xml)).decode("utf-8", "replace")
    return _tidy(html.unescape(text))
