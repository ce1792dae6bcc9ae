"""Delivering outbox rows: claim, render, send, mark. Safe to run twice for the same row."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import jinja2
from tortoise.expressions import F

from federa.notifications.mailer import Mailer, PermanentFailure, TemporaryFailure
from federa.notifications.models import OutboxMessage, OutboxStatus
from federa.web import i18n

log = logging.getLogger("federa.delivery")

MAX_ATTEMPTS = 8
STALE_SENDING = timedelta(minutes=5)
LATE = timedelta(seconds=60)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def render_email(env: jinja2.Environment, message: OutboxMessage, *, sender: str,
                 base_url: str) -> EmailMessage:
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
    # One Message-ID per outbox row: a repeated delivery is recognisable as the same message.
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain="federa.example.org")
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    return email


async def deliver(message_id: int, *, mailer: Mailer, env: jinja2.Environment, sender: str,
                  base_url: str) -> str:
    """Send one outbox message; return its new status. A second call for a sent row does nothing."""
    now = datetime.now(UTC)
    claimed = await OutboxMessage.filter(
        id=message_id, status=OutboxStatus.QUEUED.value, available_at__lte=now
    ).update(status=OutboxStatus.SENDING.value, claimed_at=now, attempts=F("attempts") + 1)
    message = await OutboxMessage.get_or_none(id=message_id)
    if message is None:
        return "missing"
    if not claimed:
        return message.status
    try:
        await mailer.send(render_email(env, message, sender=sender, base_url=base_url))
    except PermanentFailure as exc:
        await _finish(message, OutboxStatus.FAILED, str(exc))
        return OutboxStatus.FAILED.value
    except (TemporaryFailure, OSError) as exc:
        if message.attempts >= MAX_ATTEMPTS:
            await _finish(message, OutboxStatus.FAILED, str(exc))
            return OutboxStatus.FAILED.value
        await OutboxMessage.filter(id=message.id).update(
            status=OutboxStatus.QUEUED.value, last_error=str(exc)[:500],
            available_at=datetime.now(UTC) + _backoff(message.attempts),
        )
        return OutboxStatus.QUEUED.value
    await _finish(message, OutboxStatus.SENT, "")
    return OutboxStatus.SENT.value


async def _finish(message: OutboxMessage, status: OutboxStatus, error: str) -> None:
    await OutboxMessage.filter(id=message.id).update(
        status=status.value, last_error=error[:500],
        sent_at=datetime.now(UTC) if status is OutboxStatus.SENT else None,
    )


async def due_messages(*, limit: int = 500, late_only: bool = False) -> list[int]:
    """Rows to (re)deliver: queued and due, plus rows stuck in 'sending' by a dead worker."""
    now = datetime.now(UTC)
    await OutboxMessage.filter(status=OutboxStatus.SENDING.value, claimed_at__lt=now - STALE_SENDING).update(
        status=OutboxStatus.QUEUED.value
    )
    query = OutboxMessage.filter(status=OutboxStatus.QUEUED.value, available_at__lte=now)
    if late_only:
        # The queue normally delivers within seconds; the sweep only picks what it missed.
        query = query.filter(available_at__lte=now - LATE)
    return list(await query.order_by("id").limit(limit).values_list("id", flat=True))  # type: ignore[arg-type]


async def drain(*, mailer: Mailer, env: jinja2.Environment, sender: str, base_url: str) -> int:
    """Deliver everything due now, in this process (embedded mode, CLI and tests)."""
    sent = 0
    for message_id in await due_messages():
        status = await deliver(message_id, mailer=mailer, env=env, sender=sender, base_url=base_url)
        sent += status == OutboxStatus.SENT.value
    return sent
