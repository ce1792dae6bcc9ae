"""Delivering outbox rows: claim, render, send, mark. Safe to run twice for the same row."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

import jinja2
from tortoise.expressions import F, Q

from federa.accounts.models import Person
from federa.notifications.attachments import Attachment
from federa.notifications.attachments import build as build_attachments
from federa.notifications.mailer import Mailer, PermanentFailure
from federa.notifications.models import OutboxMessage, OutboxStatus
from federa.web import i18n

log = logging.getLogger("federa.delivery")

MAX_ATTEMPTS = 8
STALE_SENDING = timedelta(minutes=5)
LATE = timedelta(seconds=60)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def header_message_id(message: OutboxMessage, sender: str) -> str:
    """The same Message-ID for every delivery of a row, so a repeated send is recognisable as one."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "federa.invalid"
    # created_at keeps ids unique when a development database is reset and ids start again at 1.
    return f"<outbox-{message.id}-{int(message.created_at.timestamp())}@{domain}>"


def render_email(env: jinja2.Environment, message: OutboxMessage, *, sender: str, base_url: str,
                 attachments: Sequence[Attachment] = ()) -> EmailMessage:
    token = i18n.current_locale.set(message.locale if message.locale in i18n.LOCALES else "it")
    try:
        context = {**message.context, "base_url": base_url, "locale": message.locale}
        subject = env.get_template(f"emails/{message.kind}.subject.txt").render(context).strip()
        text = env.get_template(f"emails/{message.kind}.txt").render(context)
        html = env.get_template(f"emails/{message.kind}.html").render(context)
    finally:
        i18n.current_locale.reset(token)
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = sender
    email["To"] = formataddr((message.context.get("name", ""), message.recipient))
    email["Message-ID"] = header_message_id(message, sender)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    for item in attachments:  # the text and HTML alternatives become the first part of a multipart/mixed
        email.add_attachment(item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename,
                             params=item.params)
    return email


async def _claim(message_id: int) -> bool:
    """queued and due → sending, in one conditional UPDATE: of two deliveries only one wins."""
    now = datetime.now(UTC)
    return bool(await OutboxMessage.filter(
        id=message_id, status=OutboxStatus.QUEUED.value, available_at__lte=now
    ).update(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=F("attempts") + 1))


async def deliver(message_id: int, *, mailer: Mailer, env: jinja2.Environment, sender: str,
                  base_url: str) -> str:
    """Send one outbox message; return its new status. A second call for a sent row does nothing."""
    claimed = await _claim(message_id)
    message = await OutboxMessage.get_or_none(id=message_id)
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    if await Person.exists(email=message.recipient, is_active=False):
        await _finish(message, OutboxStatus.FAILED, "the recipient's account is deactivated")
        return OutboxStatus.FAILED.value
    try:
        files = await build_attachments(message, sender=sender, base_url=base_url)
    except Exception as exc:  # built from the database, which may be away for a moment: try again later
        log.exception("could not build the attachments of outbox message %s", message.id)
        return await _retry_later(message, f"attachments: {type(exc).__name__}: {exc}")
    try:
        email = render_email(env, message, sender=sender, base_url=base_url, attachments=files)
    except Exception as exc:  # a template bug will not fix itself: fail the row rather than loop
        log.exception("could not render outbox message %s", message.id)
        await _finish(message, OutboxStatus.FAILED, f"render: {type(exc).__name__}: {exc}")
        return OutboxStatus.FAILED.value
    try:
        await mailer.send(email)
    except PermanentFailure as exc:
        await _finish(message, OutboxStatus.FAILED, str(exc))
        return OutboxStatus.FAILED.value
    except Exception as exc:  # TemporaryFailure, or anything unexpected: retry, within MAX_ATTEMPTS
        log.warning("outbox message %s not sent (attempt %s): %s", message.id, message.attempts, exc)
        return await _retry_later(message, f"{type(exc).__name__}: {exc}")
    await _finish(message, OutboxStatus.SENT, "")
    return OutboxStatus.SENT.value


async def _retry_later(message: OutboxMessage, error: str) -> str:
    if message.attempts >= MAX_ATTEMPTS:
        await _finish(message, OutboxStatus.FAILED, error)
        return OutboxStatus.FAILED.value
    await OutboxMessage.filter(id=message.id).update(
        status=OutboxStatus.QUEUED.value, last_error=error[:500],
        available_at=datetime.now(UTC) + _backoff(message.attempts),
    )
    return OutboxStatus.QUEUED.value


async def _finish(message: OutboxMessage, status: OutboxStatus, error: str) -> None:
    await OutboxMessage.filter(id=message.id).update(
        status=status.value, last_error=error[:500],
        sent_at=datetime.now(UTC) if status is OutboxStatus.SENT else None,
    )


async def _recover_stale(now: datetime) -> None:
    """Rows left in 'sending' by a dead worker go back to the queue, or fail once out of attempts."""
    stale = OutboxMessage.filter(status=OutboxStatus.SENDING.value, claimed_at__lt=now - STALE_SENDING)
    await stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboxStatus.FAILED.value, last_error="gave up: the sending worker never finished")
    await stale.update(status=OutboxStatus.QUEUED.value)


async def due_messages(*, limit: int = 500, late_only: bool = False) -> list[int]:
    """Rows to (re)deliver: queued and due, plus rows stuck in 'sending' by a dead worker."""
    now = datetime.now(UTC)
    await _recover_stale(now)
    query = OutboxMessage.filter(status=OutboxStatus.QUEUED.value, available_at__lte=now)
    if late_only:
        # A new row has its own job from the commit, so the sweep only takes what that job missed.
        # A row waiting for a retry has no job any more: it is due as soon as its backoff ends.
        query = query.filter(Q(attempts__gt=0) | Q(available_at__lte=now - LATE))
    return list(await query.order_by("id").limit(limit).values_list("id", flat=True))  # type: ignore[arg-type]


async def drain(*, mailer: Mailer, env: jinja2.Environment, sender: str, base_url: str) -> int:
    """Deliver everything due now, in this process (embedded mode, CLI and tests)."""
    sent = 0
    for message_id in await due_messages():
        status = await deliver(message_id, mailer=mailer, env=env, sender=sender, base_url=base_url)
        sent += status == OutboxStatus.SENT.value
    return sent
