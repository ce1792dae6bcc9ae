"""The demo data follows shared/domain: networks, partners, Coop21 in two networks, Lombardy presence."""

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from federa import demo
from federa.accounts.models import Affiliation, NetworkRole, Person
from federa.events.attendance import attended_share
from federa.events.eligibility import may_register
from federa.events.models import Attendance, Certificate, Event, EventSession, Registration, SurveyResponse
from federa.events.schemas import ROME
from federa.networks.models import Cooperative, Membership, Network, Partnership
from federa.networks.queries import presence_matrix
from federa.web.markdown import render_markdown
from federa.web.security import verify_password


async def test_demo_loads_once_with_the_documented_shape() -> None:
    await demo.load()
    await demo.load()  # a second load changes nothing
    slugs = set(await Network.all().values_list("slug", flat=True))
    assert slugs == {"legacoopsociali", "consorzio-light", "umana-persone", "consorzio-metropoli"}
    pairs = {(p.network.slug, p.partner.slug) for p in await Partnership.filter(status="active").select_related(
        "network", "partner")}
    assert pairs == {("consorzio-light", "legacoopsociali"), ("consorzio-metropoli", "umana-persone")}
    coop21 = await Cooperative.get(legal_name="Coop21")
    in_networks = set(await Membership.filter(cooperative=coop21, status="active").values_list(
        "network__slug", flat=True))
    assert in_networks == {"consorzio-metropoli", "umana-persone"}
    for email, _name, _role in demo.ACCOUNTS:
        person = await Person.get(email=email)
        assert verify_password(person.password_hash, demo.DEMO_PASSWORD)
    assert (await Person.get(email="admin@federa.example.org")).is_platform_admin
    assert await NetworkRole.exists(person__email="coordinatore@legacoopsociali.example.org",
                                    network__slug="legacoopsociali", role="coordinator")
    assert await Affiliation.exists(person__email="admin@coop21.example.org", cooperative=coop21, role="admin")
    light = await Network.get(slug="consorzio-light")
    matrix = await presence_matrix(light)
    # Source 001: Pavia has two cooperatives for minors, Como one for mental health.
    assert matrix[("PV", "minori")] == 2
    assert matrix[("CO", "psichiatria")] == 1
    assert sum(matrix.values()) == sum(len(v) for v in demo.LOMBARDY.values())


async def test_demo_events_keep_the_services_invariants() -> None:
    await demo.load()
    await demo.load()  # idempotent: no second set of events
    now = datetime.now(UTC)
    events = await Event.all().select_related("network")
    assert len(events) == len(demo.demo_events.specs()) + 1
    assert {e.network.slug for e in events} == {"legacoopsociali", "umana-persone", "consorzio-light"}
    for event in events:
        sessions = await EventSession.filter(event_id=event.id).order_by("starts_at")
        assert sessions and event.starts_at == sessions[0].starts_at, event.title
        assert all(s.ends_at > s.starts_at and s.hours > 0 for s in sessions)
        confirmed = await Registration.filter(event_id=event.id, status="confirmed").count()
        assert event.confirmed_count == confirmed <= event.capacity, event.title
        if await Registration.exists(event_id=event.id, status="waiting"):
            assert confirmed == event.capacity, f"{event.title}: people wait while a seat is free"
        assert event.sectors == "" or re.fullmatch(r",([a-z_]+,)+", event.sectors), event.sectors
        assert event.description_html == render_markdown(event.description)
        assert event.venue or event.online_url
        assert all(s.starts_at.astimezone(ROME).weekday() < 5 for s in sessions), "a course on a weekend"
        if event.registration_closes_at:
            assert event.registration_opens_at < event.registration_closes_at < event.starts_at
        for r in await Registration.filter(event_id=event.id).exclude(status="cancelled").select_related("person"):
            assert r.network_id == event.network_id and r.queued_at <= now
            assert await may_register(event, event.network, r.person), (event.title, r.person.email)
            if r.registered_by_id:  # registered by an administrator of their cooperative
                coops = await Affiliation.filter(person=r.person).values_list("cooperative_id", flat=True)
                assert await Affiliation.exists(person_id=r.registered_by_id, role="admin",
                                                cooperative_id__in=list(coops))
    statuses = Counter(e.status for e in events)
    assert statuses == {"published": len(events) - 2, "draft": 1, "completed": 1}
    upcoming = [e for e in events if e.status == "published"]
    assert all(e.starts_at > now for e in upcoming)
    counts = Counter(await EventSession.filter(event__status="published").values_list("event_id", flat=True))
    assert any(counts[e.id] > 1 and e.questions for e in upcoming), "no multi-session event with questions"
    assert any(e.online_url for e in upcoming) and any(e.audience == "public" for e in upcoming)
    assert any(0 < e.capacity - e.confirmed_count <= 3 for e in upcoming), "no nearly full event"
    assert await Registration.exists(event__status="published", status="waiting"), "no waiting list"
    assert await Registration.exists(registered_by_id__isnull=False), "nobody registered by their cooperative"
    assert any(e.audience == "partners" and e.network.slug == "umana-persone" for e in upcoming)
    partners = next(e for e in upcoming if e.audience == "partners")
    # a person of a Consorzio Metropoli cooperative, not of Umana Persone, is registered to it
    assert await Registration.exists(event_id=partners.id, status="confirmed",
                                     person__affiliations__cooperative__legal_name=demo.demo_events.METROPOLI_COOP)

    past = next(e for e in events if e.status == "completed")
    assert past.starts_at < now
    assert await Attendance.filter(registration__event_id=past.id).count() > 0
    certificates = await Certificate.filter(registration__event_id=past.id).select_related("registration")
    assert certificates
    # a certificate exactly for whoever attended the threshold, stating the hours attended
    sessions = {s.id: s for s in await EventSession.filter(event_id=past.id)}
    by_registration = {c.registration_id: c for c in certificates}
    for r in await Registration.filter(event_id=past.id, status="confirmed"):
        attended = [sessions[a.session_id] for a in await Attendance.filter(registration=r)]
        qualifies = attended_share(attended, list(sessions.values())) >= past.attendance_threshold
        assert qualifies == (r.id in by_registration)
        if qualifies:
            assert by_registration[r.id].hours == sum((s.hours for s in attended), Decimal(0))
    assert len(by_registration) < await Registration.filter(event_id=past.id, status="confirmed").count()
    codes = list(await Certificate.all().values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(c.registration.status == "confirmed" and c.network_id == past.network_id for c in certificates)
    assert await SurveyResponse.filter(event_id=past.id).count() > 0

    socio = await Person.get(email="socio@coop21.example.org")
    mine = await Registration.filter(person=socio, status="confirmed").select_related("event")
    assert any(r.event.status == "published" and r.event.starts_at > now for r in mine)
    assert any(r.event_id == past.id for r in mine)
    assert await Certificate.exists(registration__person=socio, registration__event_id=past.id)
