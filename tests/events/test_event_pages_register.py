"""Registering from the event page, cancelling, the waiting list, a cooperative admin registering their
people, and "my registrations" across networks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import World, affiliate, make_person, post_form, sign_in
from event_pages_helpers import error_ids, flashes, make_event, make_registration, shown, t

from federa.events.models import Certificate, Event, Registration
from federa.notifications.models import OutboxMessage

LIST = "/n/rete-alfa/events"
QUESTIONS = [{"label": "Ruolo", "kind": "choice", "choices": ["OSS", "Educatore"], "required": True},
             {"label": "Pranzo?", "kind": "yesno", "choices": [], "required": False},
             {"label": "Note", "kind": "text", "choices": [], "required": False}]


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    return await post_form(client, path, data, token_from=LIST)


async def _flash_after(client: httpx.AsyncClient, response: httpx.Response) -> list[str]:
    assert response.status_code == 303, response.text
    return flashes((await client.get(response.headers["location"])).text)


async def _statuses(event: Event) -> dict[int, str]:
    return dict(await Registration.filter(event_id=event.id).values_list("person_id", "status"))  # type: ignore[arg-type]


async def test_register_with_answers(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Con domande", questions=QUESTIONS)
    await sign_in(client, world.member)
    page = await client.get(f"{LIST}/{event.id}")
    assert 'type="radio" name="q0" value="OSS"' in page.text and 'name="q1" value="yes"' in page.text
    missing = await _post(client, f"{LIST}/{event.id}/register", {"q2": "Vegetariano"})
    assert missing.status_code == 422
    assert error_ids(missing.text) == ["q0"] and t("This field is required.") in shown(missing)
    assert 'value="Vegetariano"' in missing.text  # the answers given are kept
    wrong = await _post(client, f"{LIST}/{event.id}/register", {"q0": "Pilota"})
    assert wrong.status_code == 422 and t("Choose one of the options.") in shown(wrong)
    assert await Registration.all().count() == 0

    done = await _post(client, f"{LIST}/{event.id}/register", {"q0": "OSS", "q1": "no", "q2": "", "q9": "x"})
    assert await _flash_after(client, done) == [t("You are registered. A confirmation is on its way by e-mail.")]
    registration = await Registration.get(event_id=event.id, person_id=world.member.id)
    assert registration.status == "confirmed" and registration.answers == {"q0": "OSS", "q1": "no"}
    assert await OutboxMessage.filter(kind="registration_confirmed", recipient=world.member.email).count() == 1
    page = await client.get(f"{LIST}/{event.id}")
    assert t("You are registered for this event.") in shown(page)
    assert f'action="/n/rete-alfa/registrations/{registration.id}/cancel"' in page.text
    assert (await Event.get(id=event.id)).confirmed_count == 1


async def test_bad_registrations_say_why_and_change_nothing(client: httpx.AsyncClient, world: World) -> None:
    closed = await make_event(world.alpha, "Chiuso", registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    not_yet = await make_event(world.alpha, "Non ancora",
                               registration_opens_at=datetime.now(UTC) + timedelta(days=1))
    draft = await make_event(world.alpha, "Bozza", status="draft")
    members = await make_event(world.alpha, "Per i soci")
    await make_registration(members, world.member)
    await sign_in(client, world.member)
    before = await Registration.all().order_by("id").values(), await Event.all().order_by("id").values()

    response = await _post(client, f"{LIST}/{closed.id}/register")
    assert await _flash_after(client, response) == [t("Registration is closed.")]
    response = await _post(client, f"{LIST}/{not_yet.id}/register")
    assert await _flash_after(client, response) == [t("Registration has not opened yet.")]
    response = await _post(client, f"{LIST}/{members.id}/register")  # twice
    assert await _flash_after(client, response) == [t("Already registered for this event.")]
    assert (await _post(client, f"{LIST}/{draft.id}/register")).status_code == 404

    await sign_in(client, world.outsider)  # not eligible: the event is not even visible to them
    assert (await _post(client, f"{LIST}/{members.id}/register")).status_code == 404
    client.cookies.clear()
    anonymous = await _post(client, f"{LIST}/{members.id}/register")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin?next=")
    assert (await Registration.all().order_by("id").values(), await Event.all().order_by("id").values()) == before


async def test_full_event_puts_people_on_the_waiting_list(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Un posto", capacity=1)
    await make_registration(event, world.coop_admin)
    await sign_in(client, world.member)
    page = await client.get(f"{LIST}/{event.id}")
    assert t("Join the waiting list") in shown(page)
    response = await _post(client, f"{LIST}/{event.id}/register")
    message = t("The event is full: you are on the waiting list, place %(n)s. We will write to you if a seat "
                "frees up.", n=1)
    assert await _flash_after(client, response) == [message]
    assert (await _statuses(event))[world.member.id] == "waiting"


async def test_cancel_frees_the_seat_and_promotes_the_first_waiting(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Capienza uno", capacity=1)
    await sign_in(client, world.member)
    await _post(client, f"{LIST}/{event.id}/register")
    first = await Registration.get(event_id=event.id, person_id=world.member.id)
    for person in (world.coop_admin, world.dual):  # they queue in this order
        await make_registration(event, person, "waiting")
    assert await _statuses(event) == {world.member.id: "confirmed", world.coop_admin.id: "waiting",
                                      world.dual.id: "waiting"}

    response = await _post(client, f"/n/rete-alfa/registrations/{first.id}/cancel")
    assert response.headers["location"] == f"{LIST}/{event.id}"
    assert await _flash_after(client, response) == [t("The registration is cancelled.")]
    assert await _statuses(event) == {world.member.id: "cancelled", world.coop_admin.id: "confirmed",
                                      world.dual.id: "waiting"}
    assert (await Event.get(id=event.id)).confirmed_count == 1
    assert await OutboxMessage.filter(kind="registration_promoted", recipient=world.coop_admin.email).count() == 1
    await sign_in(client, world.dual)
    page = await client.get(f"{LIST}/{event.id}")
    assert t("On the waiting list, place %(n)s", n=1) in shown(page)


async def test_cancel_after_the_cutoff_and_someone_elses(client: httpx.AsyncClient, world: World) -> None:
    soon = await make_event(world.alpha, "Domani", start=datetime.now(UTC) + timedelta(hours=10),
                            cancel_cutoff_hours=24)
    mine = await make_registration(soon, world.member)
    theirs = await make_registration(soon, world.coop_admin)
    beta_event = await make_event(world.beta, "Di Beta")
    beta_registration = await make_registration(beta_event, world.outsider)
    await sign_in(client, world.member)
    page = await client.get(f"{LIST}/{soon.id}")
    assert f"/registrations/{mine.id}/cancel" not in page.text
    assert t("It is too late to cancel online: please write to the organisers.") in shown(page)
    response = await _post(client, f"/n/rete-alfa/registrations/{mine.id}/cancel")
    assert await _flash_after(client, response) == [t("It is too late to cancel: please write to the organisers.")]
    assert (await _post(client, f"/n/rete-alfa/registrations/{theirs.id}/cancel")).status_code == 404
    assert (await _post(client, f"/n/rete-alfa/registrations/{beta_registration.id}/cancel")).status_code == 404
    assert (await _post(client, f"/n/rete-beta/registrations/{mine.id}/cancel")).status_code == 404
    assert set((await _statuses(soon)).values()) == {"confirmed"}
    assert (await Registration.get(id=beta_registration.id)).status == "confirmed"


def _outcomes(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr class="outcome-(\w+)"><th scope="row">([^<]+)</th>', html)
    return {name: key for key, name in rows}


async def test_coop_admin_registers_their_people(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Per la cooperativa", capacity=3)
    colleague = await make_person("collega@example.org", name="Collega")
    await affiliate(colleague, world.coop)
    await make_registration(event, world.member)  # already there
    path = f"{LIST}/{event.id}/register-people"
    await sign_in(client, world.coop_admin)
    assert f'href="{path}"' in (await client.get(f"{LIST}/{event.id}")).text
    page = await client.get(path)
    assert page.status_code == 200
    assert f'value="{colleague.id}"' in page.text and f'value="{world.coop_admin.id}"' in page.text
    assert f'value="{world.member.id}"' not in page.text  # already registered: shown with the status
    assert world.outsider.name not in page.text

    response = await _post(client, path, {"person_ids": [str(colleague.id), str(world.coop_admin.id),
                                                         str(world.member.id), str(world.outsider.id)]})
    assert response.status_code == 200
    assert _outcomes(response.text) == {"Collega": "confirmed", "Coop Admin": "confirmed", "Socio": "already",
                                        f"#{world.outsider.id}": "refused"}  # never their name
    statuses = await _statuses(event)
    assert statuses == {world.member.id: "confirmed", colleague.id: "confirmed", world.coop_admin.id: "confirmed"}
    assert world.outsider.id not in statuses  # a person of another cooperative is refused
    made = await Registration.get(event_id=event.id, person_id=colleague.id)
    assert made.registered_by_id == world.coop_admin.id
    confirmations = await OutboxMessage.filter(kind="registration_confirmed").values_list("recipient", flat=True)
    assert sorted(confirmations) == sorted([colleague.email, world.coop_admin.email])  # each their own

    late = await make_person("ultimo@example.org", name="Ultimo")
    await affiliate(late, world.coop)
    response = await _post(client, path, {"person_ids": [str(late.id)]})
    assert _outcomes(response.text) == {"Ultimo": "waiting"}  # the three seats are taken

    nobody = await _post(client, path, {})
    assert nobody.status_code == 422 and error_ids(nobody.text) == ["person_ids"]


async def test_bulk_registration_reports_who_is_not_eligible(client: httpx.AsyncClient, world: World) -> None:
    # open to the people of Cooperativa Doppia: the coop admin administers Alfa Uno, and works in Doppia too
    await affiliate(world.coop_admin, world.dual_coop, "admin")
    event = await make_event(world.alpha, "Solo Doppia", audience="cooperatives", cooperatives=(world.dual_coop.id,),
                             questions=QUESTIONS[:1])
    await sign_in(client, world.coop_admin)
    path = f"{LIST}/{event.id}/register-people"
    missing = await _post(client, path, {"person_ids": [str(world.dual.id)]})
    assert missing.status_code == 422 and error_ids(missing.text) == ["q0"]
    assert await Registration.all().count() == 0
    response = await _post(client, path, {"person_ids": [str(world.dual.id), str(world.member.id)], "q0": "OSS"})
    assert _outcomes(response.text) == {"Doppio": "confirmed", "Socio": "not_eligible"}
    assert await _statuses(event) == {world.dual.id: "confirmed"}
    assert (await Registration.get(person_id=world.dual.id)).answers == {"q0": "OSS"}


async def test_bulk_registration_waits_for_the_window(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha, "Chiuso", registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    await sign_in(client, world.coop_admin)
    page = await client.get(f"{LIST}/{event.id}/register-people")
    assert page.status_code == 200 and t("Registration is closed.") in shown(page)
    assert 'name="person_ids"' not in page.text
    response = await _post(client, f"{LIST}/{event.id}/register-people", {"person_ids": [str(world.member.id)]})
    assert _outcomes(response.text) == {"Socio": "conflict"}
    assert t("Registration is closed.") in shown(response)
    assert await Registration.all().count() == 0


async def test_bulk_registration_is_for_cooperative_admins(client: httpx.AsyncClient, world: World) -> None:
    event = await make_event(world.alpha)
    beta_event = await make_event(world.beta)
    for person in (world.member, world.coordinator):
        await sign_in(client, person)
        assert (await client.get(f"{LIST}/{event.id}/register-people")).status_code == 403
    await sign_in(client, world.coop_admin)
    assert (await client.get(f"{LIST}/{beta_event.id}/register-people")).status_code == 404
    assert (await _post(client, f"{LIST}/{beta_event.id}/register-people",
                        {"person_ids": [str(world.member.id)]})).status_code == 404
    assert await Registration.all().count() == 0


async def test_my_registrations_across_networks(client: httpx.AsyncClient, world: World) -> None:
    alpha_event = await make_event(world.alpha, "Corso Alfa")
    beta_event = await make_event(world.beta, "Corso Beta", start=datetime.now(UTC) + timedelta(days=9), capacity=1)
    past = await make_event(world.alpha, "Corso concluso", start=datetime.now(UTC) - timedelta(days=30),
                            status="completed")
    await make_registration(beta_event, world.outsider)
    mine_alpha = await make_registration(alpha_event, world.dual)
    await make_registration(beta_event, world.dual, "waiting")
    finished = await make_registration(past, world.dual)
    await Certificate.create(network=world.alpha, registration=finished, code="ABCD-1234", hours=3)
    running = await make_event(world.alpha, "Percorso in corso", start=datetime.now(UTC) - timedelta(days=3),
                               sessions=6)
    await make_registration(running, world.dual)
    await sign_in(client, world.dual)
    page = await client.get("/account/registrations")
    assert page.status_code == 200
    text = shown(page)
    assert text.index("Corso Alfa") < text.index("Corso Beta")  # soonest first
    assert "Rete Alfa" in text and "Rete Beta" in text and "Corso concluso" not in text
    assert "Percorso in corso" in text  # its last session is still ahead
    assert t("On the waiting list, place %(n)s", n=1) in text
    assert f'href="/n/rete-beta/events/{beta_event.id}"' in text
    assert f"/n/rete-alfa/registrations/{mine_alpha.id}/cancel" in text

    past_page = (await client.get("/account/registrations?when=past")).text
    assert "Corso concluso" in past_page and "Corso Alfa" not in past_page and "Percorso in corso" not in past_page
    assert f'href="/n/rete-alfa/events/{past.id}/certificate.pdf"' in past_page

    response = await post_form(client, f"/n/rete-alfa/registrations/{mine_alpha.id}/cancel",
                               {"next": "/account/registrations"}, token_from="/account/registrations")
    assert response.headers["location"] == "/account/registrations"
    assert (await Registration.get(id=mine_alpha.id)).status == "cancelled"
    assert "Corso Alfa" not in (await client.get("/account/registrations")).text
    evil = await post_form(client, f"/n/rete-alfa/registrations/{finished.id}/cancel",
                           {"next": "https://evil.example.org/"}, token_from="/account/registrations")
    assert evil.headers["location"] == f"/n/rete-alfa/events/{past.id}"  # no open redirect
