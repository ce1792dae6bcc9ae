"""schemathesis on the events operations with path values that name real objects.

tests/test_openapi.py fuzzes every operation, but it has no event or registration to point at, so the
events routes mostly answer 404 there. Here the same checks run with a published event (with questions),
a registration of the caller and the coordinator's token, so bodies reach the services.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import World, api_token, serve_app
from test_openapi import LiveApi, _fuzz, _schema

from federa.events.models import Event, EventSession, Registration

OPERATIONS = ("api_events", "api_event_create", "api_event", "api_event_update", "api_event_publish",
              "api_event_cancel", "api_event_sessions", "api_event_registrations", "api_event_register",
              "api_registration_cancel", "api_my_registrations")  # the route names in events/api.py


@pytest.fixture
async def events_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)
    event = await Event.create(network=world.alpha, title="Corso fuzz", capacity=3, status="published",
                               venue="Via Roma 1", starts_at=start, created_by=world.coordinator,
                               questions=[{"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"],
                                           "required": True}, {"label": "Note", "kind": "text",
                                                               "choices": [], "required": False}])
    await EventSession.create(event=event, starts_at=start, ends_at=start + timedelta(hours=3), hours=3)
    registration = await Registration.create(network=world.alpha, event=event, person=world.coordinator,
                                             status="waiting")
    headers = await api_token(world.coordinator)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {"path.slug": world.alpha.slug, "path.event_id": event.id,
                                     "path.registration_id": registration.id})


@pytest.mark.postgres_only
async def test_events_operations_conform(events_api: LiveApi) -> None:
    schema = _schema(events_api).include(operation_id=list(OPERATIONS))
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    failures = await asyncio.to_thread(_fuzz, schema)
    assert not failures, "\n\n".join(failures)
