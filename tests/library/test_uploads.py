"""The upload corpus through the form and the API: what should be refused is refused with a message for
the file field, and a refusal leaves nothing behind (no row, no file); valid files are stored and served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import World, api_token, post_form, sign_in
from library_helpers import (
    ELF,
    EXE,
    PNG,
    docx_bytes,
    english,  # noqa: F401 - autouse: messages in English
    odt_bytes,
    pdf_bytes,
    zip_bomb_docx,
)

from federa.library.models import LibraryItem
from federa.library.uploads import display_name
from federa.settings import Settings

NEW = "/n/rete-alfa/library/documents/new"
API = "/api/v1/networks/rete-alfa/library/documents"
META = {"title": "Documento di prova", "summary": "", "language": "it", "visibility": "network"}

REFUSED: list[tuple[str, str, bytes, str]] = [
    ("executable renamed .pdf", "relazione.pdf", EXE, "Programs"),
    ("ELF renamed .docx", "verbale.docx", ELF, "Programs"),
    ("zip bomb disguised as .docx", "modello.docx", zip_bomb_docx(), "ZIP bomb"),
    ("polyglot PDF + ZIP", "brochure.pdf", pdf_bytes() + docx_bytes(), "hidden"),
    ("polyglot PNG + ZIP", "foto.png", PNG + docx_bytes(), "hidden"),
    ("HTML page named .txt", "note.txt", b"<!DOCTYPE html><script>alert(1)</script>", "Web pages"),
    ("SVG named .png", "logo.png", b"<svg onload=alert(1)></svg>", "Web pages"),
    ("a PNG named .pdf", "scan.pdf", PNG, "does not match"),
    ("random binary", "dati.bin", bytes(range(256)) * 8, "not accepted"),
    ("plain ZIP", "archivio.zip", docx_bytes().replace(b"word/document.xml", b"word/xxxxxxxx.xml"), "office"),
    ("PDF with JavaScript", "modulo.pdf", pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction "
                                                                                b"<< /S /JavaScript /JS (x) >>"),
     "scripts"),
    ("truncated PDF", "rotto.pdf", pdf_bytes()[:300], "damaged"),
    ("empty file", "vuoto.txt", b"", "empty"),
]
ACCEPTED: list[tuple[str, bytes, str, str]] = [
    ("Relazione finale.pdf", pdf_bytes(), "application/pdf", "inserimento lavorativo"),
    ("modello.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "co-progettazione"),
    ("verbale.odt", odt_bytes(), "application/vnd.oasis.opendocument.text", "Verbale del gruppo"),
    ("appunti.md", "# Appunti\n\nÈ andata **bene**.".encode(), "text/markdown; charset=utf-8", "È andata"),
    ("note.txt", b"prima riga\nseconda riga", "text/plain; charset=utf-8", "seconda riga"),
    ("foto.png", PNG, "image/png", ""),
]


def stored_files(settings: Settings) -> list[Path]:
    root = settings.uploads_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def upload_form(client: httpx.AsyncClient, name: str, data: bytes, **meta: Any) -> httpx.Response:
    return await post_form(client, NEW, {**META, **meta}, token_from=NEW,
                           files={"file": (name, data, "application/octet-stream")})


@pytest.mark.parametrize(("case", "name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_form_refuses_and_leaves_nothing(client: httpx.AsyncClient, world: World, settings: Settings,
                                               case: str, name: str, data: bytes, message: str) -> None:
    await sign_in(client, world.member)
    response = await upload_form(client, name, data)
    assert response.status_code == 422, case
    assert 'id="e-file"' in response.text and message in response.text, response.text[-3000:]
    assert await LibraryItem.all().count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(("case", "name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_api_refuses_naming_the_field(client: httpx.AsyncClient, world: World, settings: Settings,
                                            case: str, name: str, data: bytes, message: str) -> None:
    headers = await api_token(world.member)
    response = await client.post(API, params={"title": "Documento", "filename": name}, content=data,
                                 headers={**headers, "Content-Type": "application/octet-stream"})
    assert response.status_code == 422, case
    assert message in response.json()["errors"]["file"]
    assert await LibraryItem.all().count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(("name", "data", "content_type", "text"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
async def test_valid_files_are_stored_with_their_text(client: httpx.AsyncClient, world: World,
                                                      settings: Settings, name: str, data: bytes,
                                                      content_type: str, text: str) -> None:
    await sign_in(client, world.member)
    response = await upload_form(client, name, data, sectors="minori", tags="prova, Modelli")
    assert response.status_code == 303, response.text[-2000:]
    item = await LibraryItem.get()
    assert (item.filename, item.content_type, item.size) == (name, content_type, len(data))
    assert item.author_cooperative_id == world.coop.id and item.tags == ",prova,modelli,"
    assert text in item.extracted_text
    (path,) = stored_files(settings)
    assert path.read_bytes() == data and path.name == item.storage_key and name not in str(path)
    download = await client.get(f"/n/rete-alfa/library/{item.id}/download")
    assert download.status_code == 200 and download.content == data
    assert download.headers["content-type"].startswith(content_type.split(";")[0])
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_path_tricks_never_reach_the_file_system(client: httpx.AsyncClient, world: World,
                                                       settings: Settings) -> None:
    await sign_in(client, world.member)
    for name in ("../../etc/passwd", "/etc/passwd.txt", "..\\..\\win.ini.txt", "a\x00b.txt", "ri\nga\r.txt",
                 "....//....//x.md"):
        response = await upload_form(client, name, b"contenuto innocuo\n")
        assert response.status_code == 303, (name, response.text[-1500:])
    names = [i.filename for i in await LibraryItem.all().order_by("id")]
    # (httpx writes control characters of a multipart file name as %00, %0A, %0D)
    assert names == ["passwd.txt", "passwd.txt", "win.ini.txt", "a%00b.txt", "ri%0Aga%0D.txt", "x.md"]
    files = stored_files(settings)
    assert len(files) == 6
    assert all(f.resolve().is_relative_to(settings.uploads_dir.resolve()) for f in files)
    assert not Path(settings.var_dir.parent / "etc").exists()


async def test_download_headers_name_the_file_safely(client: httpx.AsyncClient, world: World) -> None:
    await sign_in(client, world.member)
    headers = await api_token(world.member)  # the API takes the name as it is (httpx's multipart escapes quotes)
    created = await client.post(API, params={"title": "Relazione", "filename": 'Relazione "finale"; perché.pdf'},
                                content=pdf_bytes(), headers=headers)
    assert created.status_code == 201, created.text
    item = await LibraryItem.get()
    response = await client.get(f"/n/rete-alfa/library/{item.id}/download")
    disposition = response.headers["content-disposition"]
    assert disposition == ("attachment; filename=\"Relazione finale perche.pdf\"; "
                           "filename*=UTF-8''Relazione%20%22finale%22%3B%20perch%C3%A9.pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]


async def test_oversized_file_is_refused(client: httpx.AsyncClient, world: World, settings: Settings) -> None:
    """Just over the limit: the form's message for the field (422); far over: cut off unread (413)."""
    await sign_in(client, world.member)
    headers = await api_token(world.member)
    big = b"x" * (settings.max_document_size + 100)
    response = await upload_form(client, "grande.txt", big)
    assert response.status_code == 422 and "The file is larger than 20 MB." in response.text
    response = await client.post(API, params={"title": "Grande", "filename": "grande.txt"}, content=big,
                                 headers=headers)
    assert response.status_code == 422 and response.json()["errors"] == {"file": "The file is larger than 20 MB."}
    huge = big + b"x" * 1024 * 1024
    assert (await upload_form(client, "enorme.txt", huge)).status_code == 413
    response = await client.post(API, params={"title": "Enorme", "filename": "enorme.txt"}, content=huge,
                                 headers=headers)
    assert response.status_code == 413
    assert await LibraryItem.all().count() == 0
    assert stored_files(settings) == []


async def test_a_failed_transaction_removes_the_file(client: httpx.AsyncClient, world: World,
                                                     settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is written before the row: if the transaction fails, the file goes with it."""
    from federa.library import services

    async def broken(action: str, **kw: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "record", broken)
    headers = await api_token(world.member)
    with pytest.raises(RuntimeError):
        await client.post(API, params={"title": "Documento", "filename": "a.txt"}, content=b"ciao",
                          headers=headers)
    assert await LibraryItem.all().count() == 0
    assert stored_files(settings) == []


async def test_non_members_cannot_upload(client: httpx.AsyncClient, world: World, settings: Settings) -> None:
    headers = await api_token(world.outsider)
    response = await client.post(API, params={"title": "Documento", "filename": "a.txt"}, content=b"ciao",
                                 headers=headers)
    assert response.status_code == 403
    assert stored_files(settings) == []


@pytest.mark.parametrize(("raw", "shown"), [
    ("../../etc/passwd", "passwd"), ("C:\\Windows\\system32\\cmd.exe", "cmd.exe"), ("a\x00b.txt", "ab.txt"),
    ("\u202egnp.exe", "gnp.exe"), ("..", "document"), ("", "document"), (".bashrc", "bashrc"),
    ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
])
def test_display_names_keep_only_a_harmless_last_part(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


async def test_api_names_with_nul_are_refused(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.member)
    response = await client.post(API, params={"title": "Documento", "filename": "a\x00b.txt"}, content=b"ciao",
                                 headers=headers)
    assert response.status_code == 422 and "filename" in response.json()["errors"]


async def test_a_file_above_the_global_body_limit_goes_through_the_form(client: httpx.AsyncClient, world: World,
                                                                        settings: Settings) -> None:
    """The upload route has its own body limit: a 3 MB document is fine (other forms stop at 2 MB)."""
    await sign_in(client, world.member)
    data = b"riga di testo del documento\n" * (3 * 1024 * 1024 // 28)
    assert len(data) > settings.max_body_size
    response = await upload_form(client, "lungo.txt", data)
    assert response.status_code == 303, response.text[-500:]
    assert (await LibraryItem.get()).size == len(data)


async def test_pdf_text_is_read_from_a_bounded_number_of_pages() -> None:
    """A long PDF: the first MAX_PAGES pages are read for search, the rest is left alone."""
    from fpdf import FPDF

    from federa.library import extract
    from federa.library.uploads import check_upload

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for number in range(extract.MAX_PAGES + 20):
        pdf.add_page()
        pdf.cell(text=f"pagina{number:03d}")
    data = bytes(pdf.output())
    text = await extract.extract_text(data, check_upload(data, "lungo.pdf", limit=len(data)))
    assert "pagina000" in text and f"pagina{extract.MAX_PAGES - 1:03d}" in text
    assert f"pagina{extract.MAX_PAGES:03d}" not in text


async def test_the_api_takes_a_multipart_upload_too(client: httpx.AsyncClient, world: World) -> None:
    headers = await api_token(world.member)
    response = await client.post(API, params={"title": "Con multipart", "sectors": "minori,anziani"},
                                 files={"file": ("relazione.pdf", pdf_bytes(), "application/pdf")}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["document"]["filename"] == "relazione.pdf" and body["sectors"] == ["anziani", "minori"]
    assert body["document"]["content_type"] == "application/pdf"
    download = await client.get(body["document"]["download_url"], headers=headers)
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download.headers["content-disposition"].startswith("attachment;")
    refused = await client.post(API, params={"title": "Senza file"}, files={"altro": ("a.txt", b"x")},
                                headers=headers)
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
