"""/dev/mail: the e-mails FileMailer wrote in development, and nothing at all in production or with SMTP."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from email.message import EmailMessage

import httpx
import pytest
from asgi_lifespan import LifespanManager

from federa.accounts.schemas import SignUpIn
from federa.accounts.services import sign_up
from federa.app import create_app
from federa.notifications.courier import Courier
from federa.notifications.mailer import FileMailer
from federa.settings import Settings


@contextlib.asynccontextmanager
async def _served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, own_database=False)
    async with LifespanManager(app) as manager, httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver",
            headers={"Accept-Language": "en"}) as client:
        yield client


async def test_dev_mail_lists_and_shows_the_written_emails(settings: Settings) -> None:
    courier = Courier.from_settings(settings)
    assert isinstance(courier.mailer, FileMailer)
    await sign_up(SignUpIn(name="Lin Dev", email="lin@example.org", password="file-mailer-42", locale="en"))
    assert await courier.drain() == 1
    [eml] = settings.mail_dir.glob("*.eml")

    async with _served(settings) as client:
        listing = await client.get("/dev/mail")
        assert listing.status_code == 200
        assert "Confirm your e-mail address" in listing.text
        assert "lin@example.org" in listing.text
        assert f'href="/dev/mail/{eml.name}"' in listing.text
        detail = await client.get(f"/dev/mail/{eml.name}")
        assert detail.status_code == 200
        assert re.search(r"http://testserver/account/verify/[A-Za-z0-9_-]+", detail.text)
        assert (await client.get("/dev/mail/missing.eml")).status_code == 404
        assert (await client.get("/dev/mail/..%2Fsecret_key")).status_code == 404


async def test_dev_mail_is_empty_before_any_email(settings: Settings) -> None:
    async with _served(settings) as client:
        listing = await client.get("/dev/mail")
    assert listing.status_code == 200
    assert "No e-mail sent yet." in listing.text


@pytest.mark.parametrize("change", [{"environment": "production"}, {"smtp_url": "smtp://127.0.0.1:2525"}],
                         ids=["production", "smtp"])
async def test_dev_mail_is_not_there_in_production_or_with_smtp(settings: Settings, change: dict) -> None:
    await FileMailer(settings.mail_dir).send(_any_email())
    async with _served(replace(settings, **change)) as client:
        assert (await client.get("/dev/mail")).status_code == 404
        [eml] = settings.mail_dir.glob("*.eml")
        assert (await client.get(f"/dev/mail/{eml.name}")).status_code == 404


def _any_email() -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "Hello"
    message["Message-ID"] = "<outbox-1-1@federa.example.org>"
    message.set_content("hello")
    return message
