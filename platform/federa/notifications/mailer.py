"""Sending e-mail: SMTP (aiosmtplib) in production and tests, .eml files under var/mail/ in development."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


class TemporaryFailure(Exception):
    """Try again later: connection trouble or a 4xx answer."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(self, url: str, *, timeout: float = 20) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = parts.scheme == "smtp+starttls"
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message, hostname=self.host, port=self.port, username=self.username,
                password=self.password, use_tls=self.use_tls, start_tls=self.start_tls,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            # Every recipient refused: aiosmtplib wraps the RCPT answers, so classify those.
            raise _classify(exc.recipients) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _classify([exc]) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # OSError covers refused and timed out
            raise TemporaryFailure(str(exc) or type(exc).__name__) from exc


def _classify(answers: Sequence[aiosmtplib.SMTPResponseException]) -> Exception:
    """5xx for every answer is final, anything else (4xx) is worth another try."""
    text = "; ".join(f"{a.code} {a.message}" for a in answers)
    if answers and all(500 <= a.code < 600 for a in answers):
        return PermanentFailure(text)
    return TemporaryFailure(text)


class FileMailer:
    """Development: each message becomes a .eml file, listed on /dev/mail."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").split("@")[0]
        (self.directory / f"{name}.eml").write_bytes(bytes(message))


def make_mailer(smtp_url: str | None, mail_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else FileMailer(mail_dir)
