"""iCal feeds in the JSON API (documented as text/calendar in the OpenAPI document)."""

from __future__ import annotations

from starlette.requests import Request

from federa.events import feeds
from federa.events.ical import build_calendar
from federa.web.api import ApiRoute
from federa.web.i18n import gettext as _
from federa.web.pages import network_of, person_of

CALENDAR = "text/calendar"


async def event_ical(request: Request) -> bytes:
    """One event as iCalendar, for whoever may see it; the online link only for people holding a seat."""
    network = network_of(request)
    items = await feeds.event_feed(network, request.path_params["event_id"], person_of(request))
    return build_calendar(items, base_url=request.app.state.settings.base_url)


async def network_ical(request: Request) -> bytes:
    """The network's public events, upcoming and recent."""
    network = network_of(request)
    return build_calendar(await feeds.network_feed(network), base_url=request.app.state.settings.base_url,
                          name=_("Events of %(network)s", network=network.name))


routes = [
    ApiRoute("/networks/{slug}/events/ical", network_ical, method="GET", tag="events", media_type=CALENDAR,
             name="api_network_events_ical", summary="The network's public events as an iCalendar feed"),
    ApiRoute("/networks/{slug}/events/{event_id:int}/ical", event_ical, method="GET", tag="events",
             media_type=CALENDAR, name="api_event_ical",
             summary="One event as iCalendar (RFC 5545), one VEVENT per session"),
]
