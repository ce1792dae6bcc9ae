"""Development only: the e-mails written to var/mail/, readable in the browser."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from federa.errors import NotFound
from federa.web.pages import render

_NAME = re.compile(r"^[A-Za-z0-9._-]+\.eml$")


def _mail_dir(request: Request) -> Path:
    """The FileMailer's directory, or 404: real mail (SMTP) and production never show up here."""
    settings = request.app.state.settings
    if settings.production or settings.smtp_url:
        raise NotFound()
    return Path(settings.mail_dir)


def _parse(path: Path) -> dict[str, Any]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    return {"name": path.name, "subject": message["Subject"], "to": message["To"], "date": path.stat().st_mtime,
            "text": body.get_content() if body else ""}


async def mail_list(request: Request) -> Response:
    directory = _mail_dir(request)
    files = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:100] \
        if directory.exists() else []
    return render(request, "dev/mail.html", {"messages": [_parse(p) for p in files]})


async def mail_detail(request: Request) -> Response:
    directory = _mail_dir(request)
    name = request.path_params["name"]
    path = directory / name
    if not _NAME.match(name) or not path.exists():
        raise NotFound()
    return render(request, "dev/mail_detail.html", {"message": _parse(path)})


routes = [
    Route("/dev/mail", mail_list, name="dev_mail"),
    Route("/dev/mail/{name}", mail_detail, name="dev_mail_detail"),
]
