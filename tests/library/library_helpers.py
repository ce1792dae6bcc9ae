"""Factories and sample files for the library tests."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import pytest
from conftest import World
from fpdf import FPDF

from federa.accounts.models import Person
from federa.library.models import LibraryItem
from federa.web.markdown import render_markdown


async def make_item(network: Any, title: str, *, visibility: str = "network", kind: str = "article",
                    author: Any = None, cooperative: Any = None, group: Any = None, **kw: Any) -> LibraryItem:
    body = kw.pop("body", f"Testo di {title}")
    return await LibraryItem.create(network=network, kind=kind, title=title, visibility=visibility, author=author,
                                    author_cooperative=cooperative, group=group, body=body,
                                    body_html=render_markdown(body), **kw)


def pdf_bytes(text: str = "Buone pratiche per l'inserimento lavorativo") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def docx_bytes(text: str = "Modello sperimentato di co-progettazione") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p><w:r>'
                         f'<w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    return buffer.getvalue()


def odt_bytes(text: str = "Verbale del gruppo") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", f'<office:document-content><text:p>{text}</text:p></office:document-content>',
                         compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_bomb_docx() -> bytes:
    """A DOCX-shaped archive whose document part expands 50 MB of zeros from a few KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    return buffer.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
       + b"This program cannot be run in DOS mode")
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100


@pytest.fixture(autouse=True)
async def english(client: httpx.AsyncClient, world: World) -> None:
    """Messages are asserted in English (the personas' accounts would choose Italian)."""
    client.headers["Accept-Language"] = "en"
    await Person.all().update(locale="en")
