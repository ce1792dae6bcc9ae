"""Certificates of attendance: the threshold (74 % no, 75 % yes), issued once for the whole event, the PDF,
the public verification page and API (case-insensitive, spaces and dashes ignored, nothing else told)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from conftest import World, api_token, make_person, post_form, sign_in
from test_attendance import NOW, coordinator, held_event

from federa.audit.models import AuditEntry
from federa.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from federa.events import attendance, certificates, pdf
from federa.events.models import Attendance, Certificate, Event, EventSession, Registration
from federa.networks.access import access_in
from federa.notifications.delivery import render_email
from federa.notifications.models import OutboxMessage
from federa.settings import Settings
from federa.web.templating import make_environment

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


async def attend(registration: Registration, *sessions: EventSession) -> None:
    for session in sessions:
        await Attendance.create(network_id=registration.network_id, registration=registration, session=session)


async def test_threshold_74_is_not_enough_75_is(world: World) -> None:
    # 10 hours in all: 7.4 + 0.1 = 75 %, 7.4 alone = 74 %
    event, (long, short, _rest), (yes, no, _none) = await held_event(
        world, hours=(7.4, 0.1, 2.5), people=(world.member, world.coop_admin, world.dual))
    await attend(yes, long, short)
    await attend(no, long)
    done = await certificates.issue_certificates(await coordinator(world), event.id)
    assert (done.issued, done.held, done.completed) == (1, 0, True)
    (certificate,) = await Certificate.all()
    assert certificate.registration_id == yes.id and certificate.hours == Decimal("7.5")
    assert CODE.match(certificate.code), certificate.code
    assert certificate.network_id == world.alpha.id
    assert (await Event.get(id=event.id)).status == "completed"
    actions = await AuditEntry.filter(network_id=world.alpha.id, action__in=[
        "event.certificate_issued", "event.completed"]).values_list("action", flat=True)
    assert sorted(actions) == ["event.certificate_issued", "event.completed"]


async def test_a_different_threshold(world: World) -> None:
    event, sessions, (reg,) = await held_event(world, hours=(1, 1, 1, 1), threshold=50, people=(world.member,))
    await attend(reg, *sessions[:2])
    assert (await certificates.issue_certificates(await coordinator(world), event.id)).issued == 1


async def test_issuing_is_idempotent_and_keeps_codes(world: World) -> None:
    event, sessions, (a, b) = await held_event(world, hours=(2, 2), people=(world.member, world.coop_admin))
    await attend(a, *sessions)
    access = await coordinator(world)
    first = await certificates.issue_certificates(access, event.id)
    code = (await Certificate.get(registration_id=a.id)).code
    await attend(b, *sessions)  # attendance corrected afterwards: b now qualifies too
    second = await certificates.issue_certificates(access, event.id)
    third = await certificates.issue_certificates(access, event.id)
    assert (first.issued, second.issued, second.held, third.issued, third.held) == (1, 1, 1, 0, 2)
    assert (await Certificate.get(registration_id=a.id)).code == code
    assert await Certificate.all().count() == 2
    assert len({c.code for c in await Certificate.all()}) == 2


async def test_concurrent_issuing_gives_one_certificate_each(world: World) -> None:
    import asyncio

    event, sessions, regs = await held_event(world, hours=(2, 2), people=(world.member, world.coop_admin, world.dual))
    for reg in regs:
        await attend(reg, *sessions)
    access = await coordinator(world)
    results = await asyncio.gather(*[certificates.issue_certificates(access, event.id) for _ in range(3)])
    assert sum(r.issued for r in results) == 3
    assert await Certificate.all().count() == 3
    assert await OutboxMessage.filter(kind="certificate_issued").count() == 3
    assert await AuditEntry.filter(action="event.completed").count() == 1


async def test_not_before_the_last_session_has_started(world: World) -> None:
    start = NOW - timedelta(days=1)
    event, sessions, (reg,) = await held_event(world, hours=(3, 3), start=start, people=(world.member,))
    await EventSession.filter(id=sessions[1].id).update(starts_at=NOW + timedelta(days=3),
                                                        ends_at=NOW + timedelta(days=3, hours=3))
    await attend(reg, sessions[0])
    access = await coordinator(world)
    with pytest.raises(Conflict):
        await certificates.issue_certificates(access, event.id)
    assert await Certificate.all().count() == 0
    # during the last session: certificates may be issued, the event is not completed yet
    during = NOW + timedelta(days=3, hours=1)
    done = await certificates.issue_certificates(access, event.id, now=during)
    assert done.completed is False and (await Event.get(id=event.id)).status == "published"


async def test_cancelled_or_draft_events_get_none(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    await attend(reg, session)
    access = await coordinator(world)
    for status in ("cancelled", "draft"):
        await Event.filter(id=event.id).update(status=status)
        with pytest.raises(Conflict):
            await certificates.issue_certificates(access, event.id)
    assert await Certificate.all().count() == 0


async def test_only_coordinators_of_the_network_issue(world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    beta, _, _ = await held_event(world, world.beta, people=(world.outsider,))
    await attend(reg, session)
    for person in (world.member, world.coop_admin):
        with pytest.raises(PermissionDenied):
            await certificates.issue_certificates(await access_in(world.alpha, person), event.id)
    with pytest.raises(NotFound):
        await certificates.issue_certificates(await coordinator(world), beta.id)
    assert await Certificate.all().count() == 0


async def test_codes_read_as_typed() -> None:
    codes = {attendance.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(CODE.match(c) for c in codes)
    assert attendance.normalize_code(" 7k3m q9tx-4hzb ") == "7K3M-Q9TX-4HZB"
    assert attendance.normalize_code("7K3M—Q9TX4HZB") is None  # an em dash is not a dash
    assert attendance.normalize_code("oi1l-0000-0000") == "0111-0000-0000"  # O read as 0, I and L as 1
    for bad in ("", "7K3M-Q9TX", "7K3M-Q9TX-4HZB-0", "UUUU-UUUU-UUUU", "7K3M-Q9TX-4HZ!", "' OR 1=1 --"):
        assert attendance.normalize_code(bad) is None, bad


# ----- the person's PDF --------------------------------------------------------------------------------

async def _certified(world: World) -> tuple[Event, Registration, Certificate]:
    event, sessions, (reg, _other) = await held_event(world, hours=(3, 4.5), people=(world.member, world.dual),
                                                      title="Comunicare con le famiglie: perché")
    await attend(reg, *sessions)
    await certificates.issue_certificates(await coordinator(world), event.id)
    return event, reg, await Certificate.get(registration_id=reg.id)


async def test_certificate_pdf_for_the_person(client: httpx.AsyncClient, world: World) -> None:
    event, reg, certificate = await _certified(world)
    path = f"/n/rete-alfa/events/{event.id}/certificate.pdf"
    anonymous = await client.get(path)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    await sign_in(client, world.member)
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert certificate.code in response.headers["content-disposition"]
    assert (await client.get(path, params={"registration": str(reg.id)})).status_code == 403
    client.cookies.clear()
    await sign_in(client, world.dual)  # registered, attended nothing: no certificate
    assert (await client.get(path)).status_code == 404
    client.cookies.clear()
    await sign_in(client, world.coordinator)
    assert (await client.get(path)).status_code == 404  # the coordinator has none of their own
    assert (await client.get(path, params={"registration": str(reg.id)})).status_code == 200
    for bad in ("x", "²", "0", "99999999999", ""):
        assert (await client.get(path, params={"registration": bad})).status_code == 404, bad
    assert (await client.get(f"/n/rete-beta/events/{event.id}/certificate.pdf")).status_code == 404


async def test_certificate_states_everything(world: World) -> None:
    event, _reg, certificate = await _certified(world)
    with pytest.raises(NotAuthenticated):
        await certificates.certificate_of(world.alpha, event.id, actor=None)
    with pytest.raises(NotFound):
        await certificates.certificate_of(world.beta, event.id, actor=world.member)
    view = await certificates.certificate_of(world.alpha, event.id, actor=world.member)
    url = certificates.verification_url("https://federa.example.org/", view.code)
    assert url == f"https://federa.example.org/certificates/verify?code={certificate.code}"
    text = "\n".join(line.text for line in pdf.certificate_lines(view, url))
    for expected in ("Socio", "Comunicare con le famiglie: perché", "Rete Alfa", "7,5", certificate.code, url):
        assert expected in text, expected
    plain = pdf.certificate_pdf(view, url, unicode=False, compress=False)
    assert plain.startswith(b"%PDF") and certificate.code.encode() in plain
    assert pdf.certificate_pdf(view, url).startswith(b"%PDF")


# ----- public verification -----------------------------------------------------------------------------

async def test_verification_page(client: httpx.AsyncClient, world: World) -> None:
    _event, _reg, certificate = await _certified(world)
    typed = certificate.code.lower().replace("-", " ")
    page = await client.get("/certificates/verify", params={"code": typed})
    assert page.status_code == 200
    for expected in ("Socio", "Comunicare con le famiglie", "Rete Alfa", certificate.code, "7,5"):
        assert expected in page.text, expected
    assert "member@example.org" not in page.text  # no more than the certificate states
    wrong = certificate.code[:-1] + ("0" if certificate.code[-1] != "0" else "1")
    for code in (wrong, "nonsense", "' OR 1=1 --"):
        missing = await client.get("/certificates/verify", params={"code": code})
        assert missing.status_code == 200
        assert 'role="alert"' in missing.text and "Socio" not in missing.text
    empty = await client.get("/certificates/verify")
    assert empty.status_code == 200 and 'name="code"' in empty.text and 'role="alert"' not in empty.text


async def test_verification_api(client: httpx.AsyncClient, world: World) -> None:
    _event, _reg, certificate = await _certified(world)
    found = await client.get(f"/api/v1/certificates/{certificate.code.lower()}")
    assert found.status_code == 200
    body = found.json()
    assert body["code"] == certificate.code and body["person_name"] == "Socio"
    assert body["network"] == "rete-alfa" and body["hours"] == 7.5 and body["total_hours"] == 7.5
    assert (await client.get("/api/v1/certificates/AAAA-BBBB-CCCC")).status_code == 404
    assert (await client.get("/api/v1/certificates/x")).status_code == 404


async def test_issue_button(client: httpx.AsyncClient, world: World) -> None:
    event, (session,), (reg,) = await held_event(world, people=(world.member,))
    await attend(reg, session)
    path = f"/n/rete-alfa/events/{event.id}/certificates"
    await sign_in(client, world.member)
    assert (await post_form(client, path, {}, token_from="/")).status_code == 403
    client.cookies.clear()
    await sign_in(client, world.coordinator)
    page_path = f"/n/rete-alfa/events/{event.id}/registrations"
    response = await post_form(client, path, {}, token_from=page_path)
    assert response.status_code == 303 and response.headers["location"] == page_path
    page = await client.get(page_path)
    assert 'class="flash flash-success"' in page.text  # how many were issued, in the reader's language
    assert await Certificate.all().count() == 1
    stranger = await make_person(name="Nessuno")
    assert not await Certificate.filter(registration__person_id=stranger.id).exists()


async def test_api_token_of_another_network_cannot_verify_more(client: httpx.AsyncClient, world: World) -> None:
    """The public API tells a signed-in caller exactly what it tells anyone."""
    _event, _reg, certificate = await _certified(world)
    anonymous = (await client.get(f"/api/v1/certificates/{certificate.code}")).json()
    signed = (await client.get(f"/api/v1/certificates/{certificate.code}",
                               headers=await api_token(world.outsider))).json()
    assert anonymous == signed


async def test_people_are_told_by_email(world: World, settings: Settings) -> None:
    event, sessions, (reg, _other) = await held_event(world, hours=(6, 4), people=(world.member, world.dual))
    await attend(reg, *sessions)
    await certificates.issue_certificates(await coordinator(world), event.id)
    await certificates.issue_certificates(await coordinator(world), event.id)  # no second message
    (message,) = await OutboxMessage.filter(kind="certificate_issued")
    certificate = await Certificate.get(registration_id=reg.id)
    assert message.recipient == "member@example.org" and message.network_id == world.alpha.id
    email = render_email(make_environment(settings.templates_dir), message, sender="Federa <f@example.org>",
                         base_url="https://federa.example.org")
    text = email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert certificate.code in text and "10" in text
    assert f"https://federa.example.org/n/rete-alfa/events/{event.id}/certificate.pdf" in text
    assert f"https://federa.example.org/certificates/verify?code={certificate.code}" in text
    assert certificate.code in email["Subject"] or event.title in email["Subject"]
