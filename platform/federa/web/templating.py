"""One Jinja2 environment for pages and e-mails, with gettext and Italian-first formatting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from federa.web import i18n

ROME = ZoneInfo("Europe/Rome")


def _datetime(value: datetime | None, pattern: str = "d MMMM y, HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(ROME), pattern, locale=i18n.current_locale.get())


def _date(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_date(value.astimezone(ROME).date(), fmt, locale=i18n.current_locale.get())


def _number(value: float | int) -> str:
    return format_decimal(value, locale=i18n.current_locale.get())


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # newstyle gettext reads the locale from a contextvar, so one environment serves every request.
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(datetime=_datetime, date=_date, number=_number)
    return env


def _context(request: Request) -> dict[str, Any]:
    state = request.state
    return {
        "person": getattr(state, "person", None),
        "network": getattr(state, "network", None),
        "locale": i18n.current_locale.get(),
        "locale_names": i18n.locale_names(),
        "csrf_token": request.scope.get("session", {}).get("csrf", ""),
        "dev": not request.app.state.settings.production,
    }


def make_templates(env: jinja2.Environment) -> Jinja2Templates:
    return Jinja2Templates(env=env, context_processors=[_context])
