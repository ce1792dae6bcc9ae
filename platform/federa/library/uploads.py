"""What an uploaded document really is, decided by its content (never by its name), against an allow-list.

PDF, PNG, JPEG, UTF-8 text (plain, Markdown, CSV) and the office formats that are ZIP containers
(DOCX/XLSX: [Content_Types].xml and the main part; ODT/ODS: the leading `mimetype` entry). An
executable renamed .pdf, a file with an archive hidden in it, a ZIP bomb or a name with path tricks
are refused with a message for the `file` field.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass

from federa.errors import Invalid
from federa.web.i18n import gettext as _

FIELD = "file"
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL = 100 * 1024 * 1024   # uncompressed, all entries together
ZIP_MAX_RATIO = 200                 # uncompressed / compressed, per entry
NAME_MAX = 150


@dataclass(frozen=True)
class FileType:
    key: str
    content_type: str
    extension: str


TYPES = {t.key: t for t in (
    FileType("pdf", "application/pdf", ".pdf"),
    FileType("png", "image/png", ".png"),
    FileType("jpeg", "image/jpeg", ".jpg"),
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    FileType("odt", "application/vnd.oasis.opendocument.text", ".odt"),
    FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    FileType("text", "text/plain; charset=utf-8", ".txt"),
    FileType("markdown", "text/markdown; charset=utf-8", ".md"),
    FileType("csv", "text/csv; charset=utf-8", ".csv"),
)}
EXTENSIONS = {".pdf": "pdf", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".docx": "docx", ".xlsx": "xlsx",
              ".odt": "odt", ".ods": "ods", ".txt": "text", ".text": "text", ".md": "markdown",
              ".markdown": "markdown", ".csv": "csv"}
TEXT_KINDS = ("text", "markdown", "csv")
_ODF = {"application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods"}
_PROGRAMS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\0asm")
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<iframe", b"<body", b"<head")


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its type as found, the name to show, its fingerprint."""

    type: FileType
    display_name: str
    size: int
    sha256: str


def allowed_list() -> str:
    return "PDF, DOCX, XLSX, ODT, ODS, PNG, JPEG, " + _("text, Markdown or CSV")


def refuse(message: str) -> Invalid:
    return Invalid.field(FIELD, message)


def check_upload(data: bytes, filename: str, *, limit: int) -> CheckedFile:
    """Accept the file or raise Invalid for the `file` field; nothing is stored here."""
    if len(data) > limit:
        raise refuse(_("The file is larger than %(n)s MB.", n=limit // (1024 * 1024)))
    if not data:
        raise refuse(_("The file is empty."))
    found = TYPES[_detect(data)]
    name = display_name(filename)
    stem, extension = posixpath.splitext(name)
    claimed = EXTENSIONS.get(extension.lower())
    if found.key in TEXT_KINDS and claimed in TEXT_KINDS:
        found = TYPES[claimed]  # which text it is, only the name can say; the content is text either way
    elif claimed is not None and claimed != found.key:
        raise refuse(_("The content of this file does not match its name (%(ext)s): it is not accepted.",
                       ext=extension.lower()))
    if claimed is None:  # no or unknown extension: the download gets the one of what it really is
        name = (name if extension else stem)[:NAME_MAX - 5] + found.extension
    return CheckedFile(found, name, len(data), hashlib.sha256(data).hexdigest())


def display_name(filename: str) -> str:
    """The last part of the name only, without control characters: for showing it, never for a path."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > NAME_MAX:
        stem, extension = posixpath.splitext(name)
        name = stem[:NAME_MAX - len(extension[:10])] + extension[:10]
    return name or "document"


def _detect(data: bytes) -> str:
    head = data[:16]
    if head.startswith(_PROGRAMS):
        raise refuse(_("Programs and scripts are not accepted."))
    if head.startswith(b"%PDF-"):
        _no_hidden_archive(data)
        if b"%%EOF" not in data[-2048:]:
            raise refuse(_("The PDF file is incomplete or damaged."))
        if b"/JavaScript" in data or b"/Launch" in data:
            raise refuse(_("PDF files with scripts or actions that start programs are not accepted."))
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _no_hidden_archive(data)
        if b"IEND" not in data[-64:]:
            raise refuse(_("The image is incomplete or damaged."))
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        _no_hidden_archive(data)
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _is_text(data):
        return "text"
    raise refuse(_("This type of file is not accepted. Upload one of: %(types)s.", types=allowed_list()))


def _no_hidden_archive(data: bytes) -> None:
    """A picture or PDF that is also a ZIP (a polyglot) opens as something else elsewhere."""
    if b"PK\x03\x04" in data or b"PK\x05\x06" in data:
        raise refuse(_("The file has another file hidden inside it: it is not accepted."))


def _is_text(data: bytes) -> bool:
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text[:100_000]):
        return False
    if text.lstrip()[:20].lower().encode().startswith(_MARKUP):
        raise refuse(_("Web pages and markup files are not accepted."))
    return True


def _zip_kind(data: bytes) -> str:
    """An office document, after checking the archive's structure and size limits (no extraction)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise refuse(_("The file is damaged: it cannot be opened.")) from exc
    _check_entries(entries, len(data))
    names = {e.filename for e in entries}
    if entries and entries[0].filename == "mimetype" and entries[0].file_size <= 100:
        kind = _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
        if kind:
            return kind
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    raise refuse(_("Only office documents (DOCX, XLSX, ODT, ODS) are accepted among ZIP files."))


def _check_entries(entries: list[zipfile.ZipInfo], size: int) -> None:
    bomb = refuse(_("The file expands to far more than its size (a ZIP bomb): it is not accepted."))
    if len(entries) > ZIP_MAX_ENTRIES:
        raise bomb
    total = packed = 0
    for entry in entries:
        parts = entry.filename.split("/")
        if entry.filename.startswith("/") or "\\" in entry.filename or ".." in parts or "\x00" in entry.filename:
            raise refuse(_("The file contains entries with unsafe paths: it is not accepted."))
        if entry.flag_bits & 0x1:
            raise refuse(_("Encrypted files are not accepted."))
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(_("The file is damaged: it cannot be opened."))
        if entry.file_size > max(entry.compress_size, 1) * ZIP_MAX_RATIO and entry.file_size > 1024 * 1024:
            raise bomb
        total += entry.file_size
        packed += entry.compress_size
    # Entries sharing their compressed data (overlapping files) add up to more than the archive.
    if total > ZIP_MAX_TOTAL or packed > size:
        raise bomb
