"""iCal feeds (per event, per network, per person through a secret URL) and the page that manages that URL."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from federa.errors import NotFound
from federa.events import feeds
from federa.events.ical import build_calendar
from federa.web import i18n
from federa.web.api import MAX_ID
from federa.web.forms import read_form
from federa.web.i18n import gettext as _
from federa.web.pages import flash, network_of, person_of, redirect, render, require_person


def _calendar(body: bytes, filename: str, *, download: bool = False, private: bool = False) -> Response:
    headers = {"Content-Disposition": f'{"attachment" if download else "inline"}; filename="{filename}"'}
    if private:  # a secret URL: keep it out of caches and search engines
        headers |= {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
    return Response(body, media_type="text/calendar", headers=headers)


def _base_url(request: Request) -> str:
    return str(request.app.state.settings.base_url)


async def event_ics(request: Request) -> Response:
    """One event, to add to a calendar: for whoever may see it (drafts only for the coordinators)."""
    event_id = request.path_params["event_id"]
    if event_id > MAX_ID:
        raise NotFound(_("No such event."))
    items = await feeds.event_feed(network_of(request), event_id, person_of(request))
    return _calendar(build_calendar(items, base_url=_base_url(request)), f"evento-{event_id}.ics", download=True)


async def network_ics(request: Request) -> Response:
    """The network's public events, upcoming and recent: a feed anyone can subscribe to."""
    network = network_of(request)
    body = build_calendar(await feeds.network_feed(network), base_url=_base_url(request),
                          name=_("Events of %(network)s", network=network.name))
    return _calendar(body, f"{network.slug}.ics")


async def person_ics(request: Request) -> Response:
    """A person's events in every network, at the secret URL they created (revoked: 404)."""
    person = await feeds.token_owner(request.path_params["token"])
    locale = i18n.current_locale.set(person.locale if person.locale in i18n.LOCALES else i18n.DEFAULT_LOCALE)
    try:
        body = build_calendar(await feeds.person_feed(person), base_url=_base_url(request),
                              name=_("My events on Federa"))
    finally:
        i18n.current_locale.reset(locale)
    return _calendar(body, "federa.ics", private=True)


async def account_calendar(request: Request) -> Response:
    """The page of the personal feed; POST creates its address (shown once) and retires any older one."""
    person = require_person(request)
    feed_url = webcal_url = None
    if request.method == "POST":
        await read_form(request)
        token = await feeds.create_token(person)
        feed_url = f"{_base_url(request)}/calendar/{token}.ics"
        webcal_url = "webcal://" + feed_url.partition("://")[2]
    return render(request, "events/calendar/account.html", {
        "active": await feeds.active_token(person), "feed_url": feed_url, "webcal_url": webcal_url})


async def account_calendar_revoke(request: Request) -> Response:
    person = require_person(request)
    await read_form(request)
    if await feeds.revoke_tokens(person):
        flash(request, _("Your calendar address is turned off: calendar apps cannot read it any more."))
    return redirect("/account/calendar")


routes: list[BaseRoute] = [
    Route("/events.ics", network_ics, name="network_events_ics"),
    Route("/events/{event_id:int}/event.ics", event_ics, name="event_ics"),
]
account_routes: list[BaseRoute] = [
    Route("/calendar/{token}.ics", person_ics, name="person_ics"),
    Route("/account/calendar", account_calendar, methods=["GET", "POST"], name="account_calendar"),
    Route("/account/calendar/revoke", account_calendar_revoke, methods=["POST"], name="account_calendar_revoke"),
]
