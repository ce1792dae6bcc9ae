"""Directory import (CSV/XLSX, preview then confirm) and export (CSV/XLSX)."""

from __future__ import annotations

import asyncio
import posixpath

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.errors import Conflict, Invalid
from federa.networks import exporters, imports
from federa.networks.access import Access
from federa.networks.importers import MAX_ROWS
from federa.networks.models import ImportJob
from federa.networks.reference import SECTORS
from federa.networks.schemas import DirectoryQuery
from federa.settings import Settings
from federa.web import i18n
from federa.web.forms import read_form, validate
from federa.web.i18n import gettext as _
from federa.web.i18n import lazy
from federa.web.pages import access_of, flash, redirect, render, require_person

# Bodies past this are cut off with 413 before they are read; smaller files over
# Settings.max_upload_size get the form back with a message. The slack covers the multipart framing.
UPLOAD_BODY_LIMIT = Settings.max_upload_size + 256 * 1024
FIELD_LABELS = {
    "legal_name": lazy("Legal name"), "coop_type": lazy("Type"), "tax_code": lazy("Tax code"),
    "province": lazy("Province"), "sectors": lazy("Sectors"), "city": lazy("Town"), "address": lazy("Address"),
    "email": lazy("E-mail"), "phone": lazy("Phone"), "website": lazy("Website"),
    "description": lazy("Description"), "is_public": lazy("Public"),
}
JOB_STATUSES = {
    imports.PREVIEW: lazy("Waiting for confirmation"), imports.QUEUED: lazy("Queued"),
    imports.RUNNING: lazy("Importing"), imports.DONE: lazy("Imported"), imports.FAILED: lazy("Failed"),
}


async def _coordinator(request: Request) -> Access:
    require_person(request)  # anonymous → the sign-in page, then back here
    access = await access_of(request)
    access.require_manage()
    return access


def _base(access: Access) -> str:
    return f"/n/{access.network.slug}/directory/import"


async def _upload_page(request: Request, access: Access, errors: dict[str, str], status: int = 200) -> Response:
    return render(request, "networks/manage/import.html", {
        "errors": errors, "jobs": await imports.recent_jobs(access.network), "access": access,
        "max_mb": request.app.state.settings.max_upload_size // (1024 * 1024), "max_rows": MAX_ROWS,
        "sectors": SECTORS, "job_statuses": JOB_STATUSES,
    }, status=status)


async def _read_upload(request: Request) -> tuple[str, bytes]:
    data = await read_form(request)
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid.field("file", _("Choose a CSV or Excel (.xlsx) file to upload."))
    limit = request.app.state.settings.max_upload_size
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise Invalid.field("file", _("The file is larger than %(n)s MB.", n=limit // (1024 * 1024)))
    if not content.strip():
        raise Invalid.field("file", _("The file is empty."))
    return posixpath.basename(upload.filename.replace("\\", "/"))[:200] or "upload", content


async def import_upload(request: Request) -> Response:
    access = await _coordinator(request)
    if request.method == "GET":
        return await _upload_page(request, access, {})
    try:
        filename, content = await _read_upload(request)
        job = await imports.create_preview(access, filename, content)
    except Invalid as exc:
        return await _upload_page(request, access, exc.fields, status=422)
    return redirect(f"{_base(access)}/{job.id}")


async def _preview_page(request: Request, access: Access, job: ImportJob, *, problem: str = "",
                        status: int = 200) -> Response:
    attached = sum(1 for r in job.rows if r["existing"] is not None)
    return render(request, "networks/manage/import_preview.html", {
        "job": job, "errors": job.errors[:500], "error_count": len(job.errors), "sample": job.rows[:20],
        "attached": attached, "created": len(job.rows) - attached, "labels": FIELD_LABELS, "problem": problem,
        "access": access,
    }, status=status)


async def import_job(request: Request) -> Response:
    access = await _coordinator(request)
    job = await imports.access_job(access.network, request.path_params["job_id"], full=True)
    if job.status != imports.PREVIEW:
        return redirect(f"{_base(access)}/{job.id}/progress")
    return await _preview_page(request, access, job)


async def import_confirm(request: Request) -> Response:
    access = await _coordinator(request)
    await read_form(request)
    job_id = request.path_params["job_id"]
    try:
        started = await imports.confirm(access, job_id)
    except Conflict as exc:
        job = await imports.access_job(access.network, job_id, full=True)
        return await _preview_page(request, access, job, problem=str(exc), status=409)
    if started:
        await imports.start(job_id, access.person.id if access.person else None, redis=request.app.state.redis)
        await asyncio.sleep(0)  # let an in-process import begin before the progress page is asked for
    else:
        flash(request, _("This import was already confirmed."))
    return redirect(f"{_base(access)}/{job_id}/progress")


async def import_progress(request: Request) -> Response:
    access = await _coordinator(request)
    job = await imports.access_job(access.network, request.path_params["job_id"])
    if job.status == imports.PREVIEW:
        return redirect(f"{_base(access)}/{job.id}")
    running = job.status in (imports.QUEUED, imports.RUNNING)
    if job.status == imports.QUEUED:  # resumes an import whose process stopped before it ran
        await imports.start(job.id, access.person.id if access.person else None, redis=request.app.state.redis)
    return render(request, "networks/manage/import_progress.html", {
        "job": job, "done": imports.progress_of(job), "running": running, "access": access,
    })


async def _export(request: Request) -> tuple[Access, list[dict], str]:
    access = await _coordinator(request)
    query = validate(DirectoryQuery, dict(request.query_params))
    rows = await exporters.directory_rows(access.network, query)
    return access, rows, i18n.current_locale.get()


def _attachment(content: bytes, media_type: str, name: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def export_csv(request: Request) -> Response:
    access, rows, locale = await _export(request)
    content = await asyncio.to_thread(exporters.to_csv, rows, locale)
    return _attachment(content, "text/csv; charset=utf-8", exporters.filename(access.network, "csv"))


async def export_xlsx(request: Request) -> Response:
    access, rows, locale = await _export(request)
    content = await asyncio.to_thread(exporters.to_xlsx, rows, locale)
    return _attachment(content, exporters.XLSX_TYPE, exporters.filename(access.network, "xlsx"))


routes = [
    Route("/directory/import", import_upload, methods=["GET", "POST"], name="directory_import",
          max_body_size=UPLOAD_BODY_LIMIT),
    Route("/directory/import/{job_id:int}", import_job, name="directory_import_job"),
    Route("/directory/import/{job_id:int}/confirm", import_confirm, methods=["POST"],
          name="directory_import_confirm"),
    Route("/directory/import/{job_id:int}/progress", import_progress, name="directory_import_progress"),
    Route("/directory/export.csv", export_csv, name="directory_export_csv"),
    Route("/directory/export.xlsx", export_xlsx, name="directory_export_xlsx"),
]
