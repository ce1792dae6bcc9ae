"""Directory import (CSV/XLSX → preview → all-or-nothing apply with progress) and export (CSV/XLSX)."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import re
import warnings
import zipfile
from typing import Any

import httpx
import openpyxl
import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker
from asgi_lifespan import LifespanManager
from conftest import BACKEND, REDIS_URL, World, make_cooperative, make_person, post_form, sign_in

from federa.accounts.models import NetworkRole, Person
from federa.app import create_app
from federa.audit.models import AuditEntry
from federa.errors import Conflict
from federa.networks import imports
from federa.networks.access import access_in
from federa.networks.models import Cooperative, CooperativeSector, ImportJob, Membership, MembershipChange
from federa.networks.reference import make_tax_code
from federa.web import i18n
from workers.main import apply_import

IMPORT = "/n/rete-alfa/directory/import"
HEADER_EN = ["legal_name", "type", "tax_code", "province", "sectors", "city", "email", "website", "public"]


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages made outside a request (service calls) in English, like the assertions."""
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


async def login(client: httpx.AsyncClient, person: Person, locale: str = "en") -> None:
    """Sign in with the person's language set (pages and stored messages follow it)."""
    if person.locale != locale:
        person.locale = locale
        await person.save(update_fields=["locale"])
    await sign_in(client, person)


def tax(n: int) -> str:
    return make_tax_code(7_000_000 + n)


def coop_row(n: int, **over: Any) -> dict[str, Any]:
    row = {"legal_name": f"Cooperativa Importata {n}", "type": "A", "tax_code": tax(n), "province": "MI",
           "sectors": "minori, anziani", "city": "Milano", "email": f"info{n}@coop.example",
           "website": f"www.coop{n}.example", "public": "sì"}
    row.update(over)
    return row


def make_csv(rows: list[dict[str, Any]], *, header: list[str] = HEADER_EN, delimiter: str = ",",
             encoding: str = "utf-8", above: list[list[str]] = ()) -> bytes:  # type: ignore[assignment]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for line in above:
        writer.writerow(line)
    writer.writerow(header)
    keys = HEADER_EN
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return buffer.getvalue().encode(encoding)


def make_xlsx(lines: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(client: httpx.AsyncClient, content: bytes, name: str = "soci.csv", *,
                 path: str = IMPORT) -> httpx.Response:
    return await post_form(client, path, token_from=path,
                           files={"file": (name, content, "application/octet-stream")})


def job_id_of(response: httpx.Response) -> int:
    assert response.status_code == 303, response.text
    match = re.search(r"/directory/import/(\d+)$", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


async def confirm(client: httpx.AsyncClient, job_id: int) -> httpx.Response:
    return await post_form(client, f"{IMPORT}/{job_id}/confirm", token_from=IMPORT)


async def finish(client: httpx.AsyncClient, job_id: int) -> httpx.Response:
    """Poll the progress page like the browser does (it refreshes itself) until the import ends."""
    for _attempt in range(500):
        page = await client.get(f"{IMPORT}/{job_id}/progress")
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            await imports.drain()
            return page
        assert "<progress" in page.text
        await asyncio.sleep(0.02)
    raise AssertionError("the import did not finish")


async def alpha_count(world: World) -> int:
    return await Membership.filter(network_id=world.alpha.id).count()


# ----- upload, preview, confirm ----------------------------------------------------------------------

async def test_csv_utf8_comma_preview_confirm_and_directory(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(1), coop_row(2, type="consorzio", province="Firenze", sectors="Disabili; inserimento lavorativo",
                                 public="no")]
    job_id = job_id_of(await upload(client, b"\xef\xbb\xbf" + make_csv(rows)))
    assert await alpha_count(world) == 2  # nothing written at preview time
    preview = await client.get(f"{IMPORT}/{job_id}")
    assert preview.status_code == 200
    assert "2 rows are ready to import." in preview.text
    assert "Cooperativa Importata 2" in preview.text
    job = await ImportJob.get(id=job_id)
    assert (job.status, job.total, job.errors) == ("preview", 2, [])

    response = await confirm(client, job_id)
    assert response.status_code == 303
    assert response.headers["location"] == f"{IMPORT}/{job_id}/progress"
    page = await finish(client, job_id)
    assert "2 cooperatives imported: 2 new" in page.text
    assert 'href="/n/rete-alfa/directory"' in page.text

    second = await Cooperative.get(tax_code=tax(2))
    assert (second.legal_name, second.coop_type, second.province, second.is_public) == (
        "Cooperativa Importata 2", "C", "FI", False)
    assert sorted(await CooperativeSector.filter(cooperative=second).values_list("sector", flat=True)) == [
        "disabili", "inserimento_lavorativo"]
    first = await Cooperative.get(tax_code=tax(1))
    assert (first.website, first.email, first.is_public) == ("https://www.coop1.example", "info1@coop.example", True)
    membership = await Membership.get(network_id=world.alpha.id, cooperative=first)
    assert membership.status == "active" and membership.started_at is not None
    change = await MembershipChange.get(membership=membership)
    assert (change.to_status, change.actor_id) == ("active", world.coordinator.id)
    assert await AuditEntry.filter(action="directory.imported", network_id=world.alpha.id).count() == 1
    recent = await client.get(IMPORT)
    assert re.search(r'<a href="/n/rete-alfa/directory/import/\d+">soci.csv</a>.*?<td>Imported</td>', recent.text,
                     re.S)
    directory = await client.get("/n/rete-alfa/directory?q=Importata")
    assert "Cooperativa Importata 1" in directory.text and "Cooperativa Importata 2" in directory.text


async def test_csv_cp1252_semicolon_italian_headers(client, world: World) -> None:
    await login(client, world.coordinator, "it")
    text = ("Ragione sociale;Tipo;Partita IVA;Provincia;Settori;Città;Sito web;Pubblica\r\n"
            f"Società Cooperativa Sociale «L'Àncora»;tipo B;IT{tax(10)};Milano;minori, anziani;Cantù;;Sì\r\n"
            f"Cooperativa Perché No;A;{tax(11)};to;Anziani;Torino;https://perche.example;no\r\n")
    content = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    job_id = job_id_of(await upload(client, content, "elenco.csv"))
    job = await ImportJob.get(id=job_id)
    assert job.errors == []
    assert [r["data"]["legal_name"] for r in job.rows] == ["Società Cooperativa Sociale «L'Àncora»",
                                                           "Cooperativa Perché No"]
    first, second = (r["data"] for r in job.rows)
    assert (first["coop_type"], first["tax_code"], first["province"], first["city"]) == ("B", tax(10), "MI", "Cantù")
    assert (second["province"], second["sectors"], second["is_public"]) == ("TO", ["anziani"], False)
    preview = await client.get(f"{IMPORT}/{job_id}")
    assert preview.status_code == 200 and "Società Cooperativa Sociale «L&#39;Àncora»" in preview.text
    await confirm(client, job_id)
    await finish(client, job_id)
    assert (await Cooperative.get(tax_code=tax(10))).legal_name == "Società Cooperativa Sociale «L'Àncora»"


async def test_csv_utf16_tab_separated(client, world: World) -> None:
    await login(client, world.coordinator)
    content = make_csv([coop_row(1), coop_row(2)], delimiter="\t", encoding="utf-16")
    job = await ImportJob.get(id=job_id_of(await upload(client, content, "unicode.txt")))
    assert (len(job.rows), job.errors) == (2, [])


async def test_xlsx_with_title_rows_above_the_header(client, world: World) -> None:
    await login(client, world.coordinator)
    code = make_tax_code(123)  # starts with zeros: Excel keeps it as the number 1233
    assert code.startswith("0000000")
    content = make_xlsx([
        ["Elenco cooperative socie 2025"],
        [],
        ["Ragione sociale", "Tipo", "Codice fiscale", "Provincia", "Settori", "Note interne"],
        ["Cooperativa Excel Uno", "A", int(code), "BO", "minori", "da richiamare"],
        ["Cooperativa Excel Due", "B", tax(21), "Xyz", "minori", ""],
        [None, None, None, None, None, None],
        ["Cooperativa Excel Tre", "Q", tax(22), "RM", "astronautica", ""],
    ])
    job_id = job_id_of(await upload(client, content, "soci.xlsx"))
    job = await ImportJob.get(id=job_id)
    assert [r["row"] for r in job.rows] == [4]
    assert job.rows[0]["data"]["tax_code"] == code
    assert {(e["row"], e["field"]) for e in job.errors} == {(5, "province"), (7, "coop_type"), (7, "sectors")}
    assert "Header on row 3." in job.message and "Note interne" in job.message


async def test_errors_listed_by_row_and_field_and_confirm_refused(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(1, city="Milano\n(sede operativa)"), coop_row(2, tax_code="12345678901"),
            coop_row(3, province="Atlantide"),
            coop_row(4, type=""), coop_row(5, email="not-an-email", website="ftp://x")]
    job_id = job_id_of(await upload(client, make_csv(rows)))
    job = await ImportJob.get(id=job_id)
    found = {(e["row"], e["field"]): e for e in job.errors}
    assert set(found) == {(3, "tax_code"), (4, "province"), (5, "coop_type"), (6, "email"), (6, "website")}
    assert found[(3, "tax_code")]["value"] == "12345678901"
    assert found[(5, "coop_type")]["message"] == "This field is required."
    page = await client.get(f"{IMPORT}/{job_id}")
    table = page.text.split('id="problems"')[1]
    assert re.search(r"<td>3</td><td>Tax code</td><td>12345678901</td><td>Enter the 11-digit tax code", table)
    assert re.search(r"<td>4</td><td>Province</td><td>Atlantide</td><td>Choose an Italian province.</td>", table)
    assert "/confirm" not in page.text  # no confirm button while the file has errors

    refused = await confirm(client, job_id)
    assert refused.status_code == 409
    assert "The file has errors" in refused.text
    assert (await ImportJob.get(id=job_id)).status == "preview"
    assert await Cooperative.filter(tax_code=tax(1)).count() == 0


async def test_duplicate_tax_codes_in_file_and_in_database(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(1), coop_row(2), coop_row(3, tax_code=tax(1)),
            coop_row(4, tax_code=world.coop.tax_code),          # already a member of this network
            coop_row(5, tax_code=world.beta_coop.tax_code)]     # registered, member of another network only
    job_id = job_id_of(await upload(client, make_csv(rows)))
    job = await ImportJob.get(id=job_id)
    found = {(e["row"], e["field"]): e["message"] for e in job.errors}
    assert found == {(4, "tax_code"): "Same tax code as row 2.",
                     (5, "tax_code"): "Already in this network's directory (active)."}
    assert [(r["row"], r["existing"]) for r in job.rows] == [(2, None), (3, None), (6, world.beta_coop.id)]


async def test_registered_cooperative_is_attached_as_member(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(1), coop_row(2, tax_code=world.beta_coop.tax_code, legal_name="Nome Diverso")]
    job_id = job_id_of(await upload(client, make_csv(rows)))
    preview = await client.get(f"{IMPORT}/{job_id}")
    assert "1 of them is a cooperative already registered on the platform" in preview.text
    await confirm(client, job_id)
    page = await finish(client, job_id)
    assert "1 new, 1 already registered" in page.text
    membership = await Membership.get(network_id=world.alpha.id, cooperative_id=world.beta_coop.id)
    assert membership.status == "active"
    await world.beta_coop.refresh_from_db()
    assert world.beta_coop.legal_name == "Cooperativa Beta"  # the profile belongs to the cooperative
    assert await Cooperative.filter(tax_code=world.beta_coop.tax_code).count() == 1


async def test_all_or_nothing_when_the_database_refuses_a_row(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(n) for n in range(1, 1201)]  # three batches: the clash is in the last one
    job_id = job_id_of(await upload(client, make_csv(rows)))
    before = await alpha_count(world)
    # Registered by someone else between the preview and the confirmation.
    await Cooperative.create(tax_code=tax(1200), legal_name="Arrivata Prima", province="MI")
    await confirm(client, job_id)
    page = await finish(client, job_id)
    job = await ImportJob.get(id=job_id)
    assert job.status == "failed"
    assert "rows 1201" in job.message and "Nothing was imported" in page.text
    assert await alpha_count(world) == before
    assert await Cooperative.filter(legal_name__startswith="Cooperativa Importata").count() == 0
    assert await CooperativeSector.filter(cooperative__legal_name__startswith="Cooperativa Importata").count() == 0
    assert await AuditEntry.filter(action="directory.imported").count() == 0


async def test_all_or_nothing_when_an_attached_cooperative_joined_meanwhile(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    job = await imports.create_preview(access, "f.csv", make_csv([coop_row(1), coop_row(
        2, tax_code=world.beta_coop.tax_code)]))
    await Membership.create(network=world.alpha, cooperative=world.beta_coop, status="requested")
    assert await imports.confirm(access, job.id)
    assert await imports.apply(job.id, world.coordinator.id) == "failed"
    await job.refresh_from_db()
    assert "rows 3" in job.message
    assert not await Cooperative.exists(tax_code=tax(1))


async def test_confirm_twice_imports_once(client, world: World) -> None:
    await login(client, world.coordinator)
    job_id = job_id_of(await upload(client, make_csv([coop_row(1), coop_row(2)])))
    first, second = await confirm(client, job_id), await confirm(client, job_id)
    assert first.status_code == second.status_code == 303
    await finish(client, job_id)
    again = await confirm(client, job_id)
    assert again.status_code == 303
    page = await client.get(again.headers["location"])
    assert "This import was already confirmed." in page.text
    await imports.drain()
    assert await Cooperative.filter(legal_name__startswith="Cooperativa Importata").count() == 2
    assert await alpha_count(world) == 4
    assert (await ImportJob.get(id=job_id)).status == "done"
    # A repeated job run (at-least-once delivery) is a no-op as well.
    assert await imports.apply(job_id) == "skipped"


async def test_concurrent_confirmations_claim_once(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    job = await imports.create_preview(access, "f.csv", make_csv([coop_row(1)]))
    results = await asyncio.gather(*(imports.confirm(access, job.id) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    outcomes = await asyncio.gather(*(imports.apply(job.id) for _ in range(3)))
    assert sorted(outcomes) == ["done", "skipped", "skipped"]


async def test_large_file_completes_and_reports_progress(client, world: World) -> None:
    await login(client, world.coordinator)
    rows = [coop_row(n) for n in range(1, 3001)]
    response = await upload(client, make_csv(rows, delimiter=";"))
    job_id = job_id_of(response)
    assert "3000 rows are ready" in (await client.get(f"{IMPORT}/{job_id}")).text.replace(".", "").replace(",", "")

    seen: list[tuple[int, int, int]] = []

    async def watch(done: int, total: int) -> None:
        stored = (await ImportJob.filter(id=job_id).values_list("done", flat=True))[0]
        seen.append((done, total, stored))

    access = await access_in(world.alpha, world.coordinator)
    assert await imports.confirm(access, job_id)
    assert await imports.apply(job_id, world.coordinator.id, on_progress=watch) == "done"
    assert [s[0] for s in seen] == [500, 1000, 1500, 2000, 2500, 3000]
    assert {s[1] for s in seen} == {3000}
    if BACKEND == "postgres":  # written on another connection, so the progress page sees it during the run
        assert [s[2] for s in seen] == [500, 1000, 1500, 2000, 2500, 3000]
    job = await ImportJob.get(id=job_id)
    assert (job.status, job.done, job.total) == ("done", 3000, 3000)
    assert await alpha_count(world) == 3002
    assert await CooperativeSector.filter(cooperative__legal_name__startswith="Cooperativa Importata").count() == 6000
    page = await client.get(f"{IMPORT}/{job_id}/progress")
    assert 'http-equiv="refresh"' not in page.text
    assert '<progress value="3000" max="3000">' in page.text


async def test_large_file_through_the_pages(client, world: World) -> None:
    await login(client, world.coordinator)
    job_id = job_id_of(await upload(client, make_csv([coop_row(n) for n in range(1, 3001)])))
    await confirm(client, job_id)
    page = await finish(client, job_id)
    assert "3000 cooperatives imported" in page.text
    assert await alpha_count(world) == 3002


async def test_progress_page_refreshes_while_running(client, world: World) -> None:
    await login(client, world.coordinator)
    job = await ImportJob.create(network=world.alpha, filename="f.csv", status="running", total=3000, done=1500)
    page = await client.get(f"{IMPORT}/{job.id}/progress")
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert '<progress value="1500" max="3000">' in page.text
    assert "1500 of 3000 rows written" in page.text
    assert (await client.get(f"{IMPORT}/{job.id}")).headers["location"] == f"{IMPORT}/{job.id}/progress"


async def test_another_networks_job_is_404(client, world: World) -> None:
    beta_job = await ImportJob.create(network=world.beta, filename="beta.csv", total=0)
    await login(client, world.coordinator)
    for path in (f"{IMPORT}/{beta_job.id}", f"{IMPORT}/{beta_job.id}/progress", f"{IMPORT}/999999"):
        assert (await client.get(path)).status_code == 404, path
    assert (await confirm(client, beta_job.id)).status_code == 404
    assert (await ImportJob.get(id=beta_job.id)).status == "preview"
    # and the alpha coordinator is nobody in beta
    assert (await client.get(f"/n/rete-beta/directory/import/{beta_job.id}")).status_code == 403


async def test_import_pages_for_coordinators_only(client, new_client, world: World) -> None:
    anonymous = await client.get(IMPORT)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin?next=")
    member = new_client()
    await login(member, world.member)
    assert (await member.get(IMPORT)).status_code == 403
    assert (await upload(member, make_csv([coop_row(1)]), path=IMPORT)).status_code == 403
    assert not await ImportJob.exists()


# ----- bad uploads ----------------------------------------------------------------------------------

def _field_error(page: httpx.Response) -> str:
    match = re.search(r'<p class="field-error" id="e-file">([^<]+)</p>', page.text)
    assert match, page.text
    return match.group(1)


async def test_bad_uploads_rerender_the_form(client, world: World) -> None:
    await login(client, world.coordinator)
    cases = {
        b"": "The file is empty.",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00": "This is not a CSV or Excel (.xlsx) file.",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n\x00": "This is not a CSV or Excel (.xlsx) file.",
        b"legal_name,tax_code,type,province\r\n": "The file has a header but no rows.",
        b"nome,cognome\r\nMario,Rossi\r\n": "No header row found",
        b"ragione sociale,codice fiscale\r\nCoop,12345678903\r\n": "Columns missing from the file: tipo, provincia.",
    }
    for content, message in cases.items():
        page = await upload(client, content)
        assert page.status_code == 422, content
        assert message in _field_error(page), content
        assert 'enctype="multipart/form-data"' in page.text
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    page = await upload(client, docx.getvalue(), "travestito.xlsx")
    assert page.status_code == 422 and "not a CSV or Excel" in _field_error(page)
    no_file = await post_form(client, IMPORT, {"other": "x"}, token_from=IMPORT)
    assert no_file.status_code == 422 and "Choose a CSV or Excel" in _field_error(no_file)
    assert not await ImportJob.exists()


async def test_too_many_rows_is_refused(client, world: World, monkeypatch) -> None:
    from federa.networks import importers

    monkeypatch.setattr(importers, "MAX_ROWS", 50)
    await login(client, world.coordinator)
    page = await upload(client, make_csv([coop_row(n) for n in range(51)]))
    assert page.status_code == 422 and "more than 50 rows" in _field_error(page)


async def test_too_large_upload_rerenders_the_form(settings, world: World) -> None:
    app = create_app(dataclasses.replace(settings, max_upload_size=1024 * 1024), own_database=False)
    async with LifespanManager(app) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver") as client:
        await login(client, world.coordinator)
        page = await upload(client, b"x" * (1024 * 1024 + 10))
        assert page.status_code == 422 and "larger than 1 MB" in _field_error(page)
        # past the route's hard limit the body is not even read
        huge = await upload(client, b"x" * (11 * 1024 * 1024))
        assert huge.status_code == 413
    assert not await ImportJob.exists()


# ----- background job on arq ------------------------------------------------------------------------

async def test_apply_as_an_arq_job(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    job = await imports.create_preview(access, "f.csv", make_csv([coop_row(n) for n in range(1, 11)]))
    assert await imports.confirm(access, job.id)
    redis_settings = RedisSettings.from_dsn(REDIS_URL)
    pool = await create_pool(redis_settings)
    try:
        await pool.flushdb()
        await imports.start(job.id, world.coordinator.id, redis=pool)
        await imports.start(job.id, world.coordinator.id, redis=pool)  # same job id: enqueued once
        assert not imports._background  # nothing ran in this process
        worker = Worker(functions=[apply_import], redis_settings=redis_settings, burst=True,
                        handle_signals=False, poll_delay=0.05)
        try:
            await worker.async_run()
        finally:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
                await worker.close()
        assert worker.jobs_complete == 1
        # called directly with a ctx, a second run is a no-op
        assert await apply_import({}, job.id, world.coordinator.id) == "skipped"
    finally:
        await pool.flushdb()
        await pool.aclose()
    await job.refresh_from_db()
    assert job.status == "done"
    assert await alpha_count(world) == 12


# ----- export ---------------------------------------------------------------------------------------

def read_csv(response: httpx.Response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response: httpx.Response) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


async def test_export_csv_and_xlsx_with_filters(client, world: World) -> None:
    await make_cooperative(world.alpha, legal_name="Cooperativa Sospesa", province="FI", status="suspended",
                           sectors=("anziani",), phone="+39 055 123", description="=HYPERLINK(\"x\")")
    await login(client, world.coordinator, "it")

    response = await client.get("/n/rete-alfa/directory/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="rete-alfa-cooperative-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["content-disposition"])
    rows = read_csv(response)
    assert rows[0][:4] == ["Ragione sociale", "Tipo", "Codice fiscale", "Provincia"]
    assert rows[0][-1] == "Stato adesione"
    assert [r[0] for r in rows[1:]] == ["Cooperativa Alfa Uno", "Cooperativa Doppia", "Cooperativa Sospesa"]
    uno = rows[1]
    assert uno[2] == world.coop.tax_code and uno[9] == "anziani, minori" and uno[11] == "sì"
    assert uno[12] == "attiva"
    sospesa = rows[3]
    assert sospesa[7] == "'+39 055 123" and sospesa[10] == "'=HYPERLINK(\"x\")" and sospesa[12] == "sospesa"

    filtered = read_csv(await client.get("/n/rete-alfa/directory/export.csv?province=FI&status=active"))
    assert [r[0] for r in filtered[1:]] == ["Cooperativa Doppia"]
    by_sector = read_csv(await client.get("/n/rete-alfa/directory/export.csv?sector=anziani"))
    assert [r[0] for r in by_sector[1:]] == ["Cooperativa Alfa Uno", "Cooperativa Sospesa"]
    searched = read_csv(await client.get("/n/rete-alfa/directory/export.csv?q=doppia"))
    assert [r[0] for r in searched[1:]] == ["Cooperativa Doppia"]

    xlsx = await client.get("/n/rete-alfa/directory/export.xlsx?province=FI")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.headers["content-disposition"].endswith('.xlsx"')
    sheet = read_xlsx(xlsx)
    assert sheet[0][0] == "Ragione sociale"
    assert [r[0] for r in sheet[1:]] == ["Cooperativa Doppia", "Cooperativa Sospesa"]
    assert sheet[2][10] == "=HYPERLINK(\"x\")" and sheet[2][7] == "+39 055 123"  # text cells, not formulas
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["K3"].data_type == "s"


async def test_export_query_count_does_not_grow_with_rows(world: World) -> None:
    from querycount import count_queries

    from federa.networks import exporters
    from federa.networks.schemas import DirectoryQuery

    for n in range(30):
        await make_cooperative(world.alpha, sectors=("minori", "anziani"), legal_name=f"Extra {n}")
    with count_queries() as statements:
        rows = await exporters.directory_rows(world.alpha, DirectoryQuery(sector="anziani"))
    assert len(rows) == 31 and all(r["sectors"] == ["anziani", "minori"] for r in rows)
    assert len(statements) == 3


async def test_export_headers_follow_the_locale(client, world: World) -> None:
    await login(client, world.coordinator, "en")
    rows = read_csv(await client.get("/n/rete-alfa/directory/export.csv"))
    assert rows[0][:3] == ["Legal name", "Type", "Tax code"]
    assert rows[1][11:] == ["yes", "active"]
    sheet = read_xlsx(await client.get("/n/rete-alfa/directory/export.xlsx"))
    assert sheet[0][0] == "Legal name" and len(sheet) == 3


async def test_export_reimports_into_another_network(client, new_client, world: World) -> None:
    beta_coordinator = await make_person("betacoord@example.org")
    await NetworkRole.create(network=world.beta, person=beta_coordinator, role="coordinator")
    await login(client, world.coordinator, "it")
    exported = [(await client.get("/n/rete-alfa/directory/export.xlsx")).content,
                (await client.get("/n/rete-alfa/directory/export.csv")).content]
    beta = new_client()
    await login(beta, beta_coordinator)
    beta_import = "/n/rete-beta/directory/import"
    for content, name in zip(exported, ("alfa.xlsx", "alfa.csv"), strict=True):
        job = await ImportJob.get(id=job_id_of(await upload(beta, content, name, path=beta_import)))
        # Alfa Uno is registered, not in beta: attached. Doppia is already a member of beta: an error.
        assert [(r["data"]["legal_name"], r["existing"], r["data"]["sectors"]) for r in job.rows] == [
            ("Cooperativa Alfa Uno", world.coop.id, ["anziani", "minori"])]
        assert [(e["row"], e["field"]) for e in job.errors] == [(3, "tax_code")]


async def test_export_is_for_coordinators_only(client, new_client, world: World) -> None:
    for path in ("/n/rete-alfa/directory/export.csv", "/n/rete-alfa/directory/export.xlsx"):
        anonymous = await client.get(path)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin?next=")
    for person in (world.member, world.coop_admin, world.outsider):
        browser = new_client()
        await login(browser, person)
        for path in ("/n/rete-alfa/directory/export.csv", "/n/rete-alfa/directory/export.xlsx"):
            assert (await browser.get(path)).status_code == 403, (person.email, path)


async def test_confirm_refused_by_the_service_for_errors(world: World) -> None:
    access = await access_in(world.alpha, world.coordinator)
    job = await imports.create_preview(access, "f.csv", make_csv([coop_row(1, province="??")]))
    with pytest.raises(Conflict):
        await imports.confirm(access, job.id)
