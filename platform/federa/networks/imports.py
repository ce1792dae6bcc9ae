"""Directory imports: a preview of the file, then one all-or-nothing apply, run in the background.

Statuses: preview → queued (confirmed, compare-and-set) → running → done | failed.
Rows whose tax code belongs to a cooperative already registered on the platform, but not a member
here, are attached as new active members; their profile is left as it is (it belongs to the
cooperative's own administrators). Rows already in this network's directory are errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise import connections
from tortoise.transactions import in_transaction

from federa import db
from federa.accounts.models import Person
from federa.audit.log import record
from federa.errors import Conflict, NotFound
from federa.networks import importers
from federa.networks.access import Access
from federa.networks.importers import ParsedFile, RowError
from federa.networks.models import (
    Cooperative,
    CooperativeSector,
    ImportJob,
    Membership,
    MembershipChange,
    MembershipStatus,
    Network,
)
from federa.networks.reference import MEMBERSHIP_STATUSES
from federa.web.i18n import gettext as _

log = logging.getLogger("federa.imports")

PREVIEW, QUEUED, RUNNING, DONE, FAILED = "preview", "queued", "running", "done", "failed"
BATCH = 500
CHUNK = 1000  # ids per IN (...) list: well under the parameter limits of both databases
PROFILE = ("legal_name", "coop_type", "province", "city", "address", "email", "phone", "website",
           "description", "is_public")
LIGHT = ("id", "network_id", "filename", "status", "total", "done", "message", "created_at")

ProgressHook = Callable[[int, int], Awaitable[None] | None]
T = TypeVar("T")

# Rows written so far by the imports running in this process. On SQLite the apply transaction holds
# the only connection, so progress cannot reach the database until it commits.
live_progress: dict[int, int] = {}
_background: dict[int, asyncio.Task] = {}


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def access_job(network: Network, job_id: int, *, full: bool = False) -> ImportJob:
    """An import job of this network, or NotFound (also for another network's job)."""
    query = ImportJob.filter(id=job_id, network_id=network.id)
    job = await (query.first() if full else query.only(*LIGHT).first())
    if job is None:
        raise NotFound(_("No such import."))
    return job


async def recent_jobs(network: Network, limit: int = 10) -> list[ImportJob]:
    """The network's latest imports, for the upload page."""
    return await ImportJob.filter(network_id=network.id).order_by("-created_at", "-id").limit(limit).only(*LIGHT)


# ----- preview ----------------------------------------------------------------------------------------

async def create_preview(access: Access, filename: str, data: bytes) -> ImportJob:
    """Parse and check a file; store the outcome as an ImportJob. Nothing enters the directory yet."""
    access.require_manage()
    parsed = await asyncio.to_thread(importers.parse, data)  # CPU-bound: keep the event loop free
    rows, errors = await _check_directory(access.network, parsed)
    return await ImportJob.create(
        network_id=access.network.id, created_by=access.person, filename=filename[:200], rows=rows,
        errors=[asdict(e) for e in errors], status=PREVIEW, total=len(rows), message=_describe(parsed),
    )


def _describe(parsed: ParsedFile) -> str:
    text = _("Header on row %(row)s.", row=parsed.header_row)
    if parsed.ignored:
        text += " " + _("Columns not used: %(names)s.", names=", ".join(parsed.ignored))
    return text[:500]


async def _check_directory(network: Network, parsed: ParsedFile) -> tuple[list[dict], list[RowError]]:
    """Split valid rows into new and already registered; rows already in this network are errors."""
    registered: dict[str, int] = {}
    for codes in chunks([data["tax_code"] for _n, data in parsed.rows], CHUNK):
        registered.update(await Cooperative.filter(tax_code__in=codes).values_list("tax_code", "id"))  # type: ignore[arg-type]
    statuses: dict[int, str] = {}
    for ids in chunks(list(registered.values()), CHUNK):
        statuses.update(await Membership.filter(network_id=network.id, cooperative_id__in=ids).values_list(  # type: ignore[arg-type]
            "cooperative_id", "status"))
    rows, errors = [], list(parsed.errors)
    for number, data in parsed.rows:
        coop_id = registered.get(data["tax_code"])
        if coop_id is not None and coop_id in statuses:
            status = _(MEMBERSHIP_STATUSES.get(statuses[coop_id], statuses[coop_id])).lower()
            errors.append(RowError(number, "tax_code", _("Already in this network's directory (%(status)s).",
                                                         status=status), data["tax_code"]))
        else:
            rows.append({"row": number, "existing": coop_id, "data": data})
    errors.sort(key=lambda e: (e.row, e.field))
    return rows, errors


# ----- confirm and start ------------------------------------------------------------------------------

async def confirm(access: Access, job_id: int) -> bool:
    """Queue a clean preview for applying; False when it was already confirmed (nothing happens)."""
    access.require_manage()
    job = await access_job(access.network, job_id)
    if job.status == PREVIEW and any(await ImportJob.filter(id=job.id).values_list("errors", flat=True)):
        raise Conflict(_("The file has errors: correct them and upload it again. Nothing was imported."))
    async with in_transaction():
        claimed = await ImportJob.filter(id=job.id, network_id=access.network.id, status=PREVIEW).update(
            status=QUEUED, done=0)
        if claimed:
            await record("directory.import_confirmed", actor=access.person, network=access.network, obj=job,
                         rows=job.total)
    return bool(claimed)


async def start(job_id: int, actor_id: int | None, *, redis: Any = None) -> None:
    """After confirm: an arq job when Redis is configured, else a task in this process.

    Safe to call again for a job still queued (the progress page does, to resume one whose
    process stopped): arq dedups the job id, and apply() claims the job with a compare-and-set.
    """
    if redis is not None:
        try:
            await redis.enqueue_job("apply_import", job_id, actor_id, _job_id=f"import:{job_id}")
            return
        except Exception:  # Redis down: run it here; the status compare-and-set prevents a double run
            log.warning("could not enqueue import %s; running it in the web process", job_id, exc_info=True)
    if job_id in _background:
        return
    task = asyncio.create_task(apply(job_id, actor_id))
    _background[job_id] = task
    task.add_done_callback(lambda _t: _background.pop(job_id, None))


async def drain() -> None:
    """Wait for the imports running in this process (shutdown, tests)."""
    while _background:
        await asyncio.gather(*list(_background.values()), return_exceptions=True)


# ----- apply ------------------------------------------------------------------------------------------

async def apply(job_id: int, actor_id: int | None = None, *, on_progress: ProgressHook | None = None) -> str:
    """Create every cooperative and membership of a queued import in one transaction, or none."""
    if not await ImportJob.filter(id=job_id, status=QUEUED).update(status=RUNNING, done=0):
        return "skipped"  # already running or finished: a repeated job is a no-op
    job = await ImportJob.get(id=job_id)
    live_progress[job_id] = 0
    try:
        await _write(job, actor_id, on_progress)
    except asyncio.CancelledError:  # worker or server stopping: rolled back, let the next run take it
        await asyncio.shield(ImportJob.filter(id=job_id, status=RUNNING).update(status=QUEUED, done=0))
        raise
    except Exception as exc:  # whatever broke, the transaction rolled back: report it on the job
        log.warning("import %s failed", job_id, exc_info=True)
        await ImportJob.filter(id=job_id, status=RUNNING).update(status=FAILED, done=0,
                                                                 message=(await _failure(job, exc))[:500])
        return FAILED
    finally:
        live_progress.pop(job_id, None)
    return DONE


async def _write(job: ImportJob, actor_id: int | None, on_progress: ProgressHook | None) -> None:
    outside = connections.get("default")  # taken before the transaction: progress commits on its own
    total = len(job.rows)
    note = f"imported from {job.filename}"[:500]
    async with in_transaction():
        done = 0
        for batch in chunks(job.rows, BATCH):
            coop_ids = await _insert_cooperatives(batch)
            await _insert_memberships(job.network_id, coop_ids, actor_id, note)
            done += len(batch)
            await _report(outside, job.id, done, total, on_progress)
        created = sum(1 for r in job.rows if r["existing"] is None)
        actor = await Person.get_or_none(id=actor_id) if actor_id else None
        await record("directory.imported", actor=actor, network=job.network_id, obj=job,
                     created=created, attached=total - created)
        message = _("%(n)s cooperatives imported: %(new)s new, %(old)s already registered and added as members.",
                    n=total, new=created, old=total - created)
        if not await ImportJob.filter(id=job.id, status=RUNNING).update(status=DONE, done=total, message=message):
            raise Conflict("the import was finished by another run")


async def _insert_cooperatives(batch: Sequence[dict]) -> list[int]:
    """Insert the batch's new cooperatives and their sectors; the ids of every row's cooperative."""
    new = [r["data"] for r in batch if r["existing"] is None]
    ids: dict[str, int] = {}
    if new:
        await Cooperative.bulk_create([Cooperative(tax_code=d["tax_code"], **{f: d[f] for f in PROFILE})
                                       for d in new])
        ids = dict(await Cooperative.filter(  # type: ignore[arg-type]
            tax_code__in=[d["tax_code"] for d in new]).values_list("tax_code", "id"))
        await CooperativeSector.bulk_create([CooperativeSector(cooperative_id=ids[d["tax_code"]], sector=s)
                                             for d in new for s in d["sectors"]])
    return [r["existing"] if r["existing"] is not None else ids[r["data"]["tax_code"]] for r in batch]


async def _insert_memberships(network_id: int, coop_ids: list[int], actor_id: int | None, note: str) -> None:
    now = datetime.now(UTC)
    await Membership.bulk_create([Membership(network_id=network_id, cooperative_id=c, started_at=now,
                                             status=MembershipStatus.ACTIVE.value) for c in coop_ids])
    members = await Membership.filter(network_id=network_id, cooperative_id__in=coop_ids).values_list("id", flat=True)
    await MembershipChange.bulk_create([
        MembershipChange(network_id=network_id, membership_id=m, from_status=None, actor_id=actor_id,
                         to_status=MembershipStatus.ACTIVE.value, note=note) for m in members])


async def _report(outside: Any, job_id: int, done: int, total: int, on_progress: ProgressHook | None) -> None:
    live_progress[job_id] = done
    if db.dialect() == "postgres":  # another connection: visible to the progress page at once
        await ImportJob.filter(id=job_id).using_db(outside).update(done=done)
    if on_progress is not None:
        result = on_progress(done, total)
        if result is not None:
            await result


async def _failure(job: ImportJob, exc: Exception) -> str:
    """Why nothing was imported, naming the rows that now clash with the directory when we can tell."""
    rows = job.rows
    taken = set()
    for codes in chunks([r["data"]["tax_code"] for r in rows if r["existing"] is None], CHUNK):
        taken.update(await Cooperative.filter(tax_code__in=codes).values_list("tax_code", flat=True))
    joined = set()
    for ids in chunks([r["existing"] for r in rows if r["existing"] is not None], CHUNK):
        joined.update(await Membership.filter(network_id=job.network_id, cooperative_id__in=ids).values_list(
            "cooperative_id", flat=True))
    clashes = [r["row"] for r in rows if (r["data"]["tax_code"] in taken and r["existing"] is None)
               or r["existing"] in joined]
    if clashes:
        listed = ", ".join(str(n) for n in clashes[:20]) + (" …" if len(clashes) > 20 else "")
        return _("Nothing was imported: since the preview, cooperatives with the tax codes of rows %(rows)s "
                 "were registered. Upload the file again to check it.", rows=listed)
    return _("Nothing was imported: the database refused the changes (%(kind)s).", kind=type(exc).__name__)


def progress_of(job: ImportJob) -> int:
    """Rows written so far: this process's live count, else what the database has seen."""
    return max(job.done, live_progress.get(job.id, 0))
